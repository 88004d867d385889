/*
 * smear - a pool of worker threads that runs a kernel's jobs (SmearExec).
 */
#ifndef SMEAR_SRC_THREADPOOL_H
#define SMEAR_SRC_THREADPOOL_H

#include "kernel.h"

typedef struct SmearThreadPool SmearThreadPool;

/** Starts nb_threads - 1 workers (the calling thread is the last one).
 *  nb_threads <= 0 means one per online CPU. Returns NULL on failure. */
SmearThreadPool *smear_threadpool_new(int nb_threads);
void smear_threadpool_free(SmearThreadPool **ppool);
/** The executor that hands jobs to this pool. */
const SmearExec *smear_threadpool_exec(const SmearThreadPool *pool);

#endif /* SMEAR_SRC_THREADPOOL_H */
