/*
 * smear - box blur: set-up and job splitting (the passes are in
 * box_dsp.c).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "box.h"
#include "box_dsp.h"

typedef struct BoxPriv {
    BoxPlan plan;
    int     identity;
    int     nb_work;
    size_t  work_floats;
    float  *work;
    void (*rows)(const BoxPlan *, const SmearPlane *, int, int, float *);
    SmearBuf buf_work;
} BoxPriv;

/* Frees the plan; the scratch buffer is kept for the next configuration
 * unless all is set. */
static void priv_free(BoxPriv *b, int all)
{
    SmearBuf keep = b->buf_work;
    free(b->plan.fill_row);
    free(b->plan.rows);
    if (all)
        smear_buf_free(&keep);
    memset(b, 0, sizeof(*b));
    b->buf_work = keep;
}

static void axis_setup(BoxAxis *a, double width)
{
    const double half = width / 2 - 0.5;
    a->r = (int)floor(half);
    a->e = (float)(half - a->r);
    a->inv = (float)(1 / width);
    a->none = width <= 1;
}

static int box_configure(void *priv, const void *params, const SmearPlaneInfo *info)
{
    BoxPriv *b = priv;
    const SmearBoxParams *bp = params;
    priv_free(b, 0);
    if (!isfinite(bp->w) || !isfinite(bp->h) || bp->w < 1 || bp->h < 1 || bp->w > 1e5 || bp->h > 1e5)
        return -EINVAL;
    BoxPlan *p = &b->plan;
    p->w = info->w;
    p->h = info->h;
    p->depth = info->depth;
    p->border = bp->border;
    axis_setup(&p->x, bp->w);
    axis_setup(&p->y, bp->h);
    b->identity = p->x.none && p->y.none;
    if (b->identity)
        return 0;
    const int bps = p->depth > 8 ? 2 : 1;
    p->fill_row = malloc((size_t)p->w * bps);
    p->rows = malloc((size_t)(p->h + 2 * p->y.r + 2) * sizeof(*p->rows));
    b->nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    b->work_floats = (smear_box_work_floats(p) + 15) & ~(size_t)15;
    b->work = smear_buf_get(&b->buf_work, b->work_floats * b->nb_work * sizeof(float));
    if (!p->fill_row || !p->rows || !b->work) {
        priv_free(b, 0);
        return -ENOMEM;
    }
    for (int x = 0; x < p->w; x++) {
        if (bps == 2)
            ((uint16_t *)p->fill_row)[x] = (uint16_t)p->border.fill;
        else
            p->fill_row[x] = (uint8_t)p->border.fill;
    }
    b->rows = SMEAR_DSP_PICK(smear_box_rows, info->cpu);
    return 0;
}

typedef struct BoxArgs {
    const BoxPriv    *b;
    const SmearPlane *dst;
    int               nb_blocks;
} BoxArgs;

static void box_job(void *arg, int j, int nb)
{
    const BoxArgs *a = arg;
    int b0, b1;
    smear_job_rows(a->nb_blocks, j, nb, &b0, &b1);
    const int y0 = b0 * SMEAR_LANES, y1 = b1 * SMEAR_LANES < a->b->plan.h ? b1 * SMEAR_LANES : a->b->plan.h;
    if (y1 > y0)
        a->b->rows(&a->b->plan, a->dst, y0, y1, a->b->work + (size_t)j * a->b->work_floats);
}

static void box_process(void *priv, const SmearPlane *dst, const SmearPlane *src,
                        const SmearExec *ex)
{
    BoxPriv *b = priv;
    if (b->identity) {
        smear_plane_copy(dst, src);
        return;
    }
    BoxPlan *p = &b->plan;
    for (int r = -(p->y.r + 1); r <= p->h + p->y.r; r++) {
        const int m = smear_border_index(r, p->h, p->border.mode);
        p->rows[r + p->y.r + 1] = m < 0 ? p->fill_row : src->data + (ptrdiff_t)m * src->stride;
    }
    BoxArgs a = { b, dst, (p->h + SMEAR_LANES - 1) / SMEAR_LANES };
    int jobs = ex ? ex->nb_threads : 1;
    jobs = jobs > b->nb_work ? b->nb_work : jobs;
    jobs = jobs > a.nb_blocks ? a.nb_blocks : jobs;
    smear_exec_run(ex, box_job, &a, jobs < 1 ? 1 : jobs);
}

static void box_uninit(void *priv)
{
    priv_free(priv, 1);
}

const SmearKernel smear_kernel_box = {
    .name = "box",
    .priv_size = sizeof(BoxPriv),
    .configure = box_configure,
    .process = box_process,
    .uninit = box_uninit,
};
