/*
 * smear - a pool of worker threads that runs a kernel's jobs.
 *
 * execute() publishes one batch of jobs; the workers and the caller take job
 * numbers from a shared counter until none is left, and the caller returns
 * once all have finished. Batches are a few jobs per plane pass, so a mutex
 * and two condition variables are plenty.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "threadpool.h"

struct SmearThreadPool {
    SmearExec       exec;
    pthread_t      *threads;
    int             nb_workers;

    pthread_mutex_t lock;
    pthread_cond_t  work_cond; ///< a new batch, or quit
    pthread_cond_t  done_cond; ///< the batch finished
    SmearJobFn      fn;
    void           *arg;
    int             nb_jobs;
    int             next_job;
    int             running;   ///< jobs taken and not yet finished
    unsigned        batch;     ///< counts batches, so a worker notices a new one
    int             quit;
};

/* Takes and runs jobs of the current batch; called with the lock held,
 * returns with it held. */
static void run_jobs(SmearThreadPool *p)
{
    while (p->next_job < p->nb_jobs) {
        const int j = p->next_job++;
        p->running++;
        pthread_mutex_unlock(&p->lock);
        p->fn(p->arg, j, p->nb_jobs);
        pthread_mutex_lock(&p->lock);
        if (--p->running == 0 && p->next_job >= p->nb_jobs)
            pthread_cond_signal(&p->done_cond);
    }
}

static void *worker(void *opaque)
{
    SmearThreadPool *p = opaque;
    unsigned seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->quit && p->batch == seen)
            pthread_cond_wait(&p->work_cond, &p->lock);
        if (p->quit)
            break;
        seen = p->batch;
        run_jobs(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void pool_execute(void *opaque, SmearJobFn fn, void *arg, int nb_jobs)
{
    SmearThreadPool *p = opaque;
    if (p->nb_workers == 0 || nb_jobs <= 1) {
        for (int j = 0; j < nb_jobs; j++)
            fn(arg, j, nb_jobs);
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->fn = fn;
    p->arg = arg;
    p->nb_jobs = nb_jobs;
    p->next_job = 0;
    p->running = 0;
    p->batch++;
    pthread_cond_broadcast(&p->work_cond);
    run_jobs(p);
    while (p->running > 0)
        pthread_cond_wait(&p->done_cond, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

SmearThreadPool *smear_threadpool_new(int nb_threads)
{
    if (nb_threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nb_threads = n > 0 ? (int)n : 1;
    }
    if (nb_threads > 256)
        nb_threads = 256;
    SmearThreadPool *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work_cond, NULL);
    pthread_cond_init(&p->done_cond, NULL);
    p->exec.execute = pool_execute;
    p->exec.opaque = p;
    p->exec.nb_threads = nb_threads;
    if (nb_threads > 1) {
        p->threads = calloc((size_t)nb_threads - 1, sizeof(*p->threads));
        if (!p->threads)
            goto fail;
        for (int i = 0; i < nb_threads - 1; i++) {
            if (pthread_create(&p->threads[i], NULL, worker, p))
                goto fail;
            p->nb_workers++;
        }
    }
    return p;
fail:
    smear_threadpool_free(&p);
    return NULL;
}

void smear_threadpool_free(SmearThreadPool **pp)
{
    SmearThreadPool *p = *pp;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work_cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nb_workers; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->work_cond);
    pthread_cond_destroy(&p->done_cond);
    free(p);
    *pp = NULL;
}

const SmearExec *smear_threadpool_exec(const SmearThreadPool *pool)
{
    return &pool->exec;
}
