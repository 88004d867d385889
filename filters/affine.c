/*
 * smear - affine warps: set-up and job splitting (the rows are computed in
 * affine_dsp.c).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "affine.h"
#include "affine_dsp.h"

typedef struct AffinePriv {
    AffinePlan plan;
    int        identity;
    int        nb_work;
    size_t     work_floats;
    float     *work;
    void (*rows)(const AffinePlan *, const SmearPlane *, const SmearPlane *, int, int, float *);
    SmearBuf   buf_work; /* kept across reconfigurations */
} AffinePriv;

static int affine_configure(void *priv, const void *params, const SmearPlaneInfo *info)
{
    AffinePriv *a = priv;
    const SmearAffineParams *ap = params;
    const SmearBuf keep = a->buf_work;
    smear_affine_yshear_free(&a->plan);
    memset(a, 0, sizeof(*a));
    a->buf_work = keep;
    for (int i = 0; i < 6; i++)
        if (!isfinite(ap->m[i]) || fabs(ap->m[i]) > 1e7)
            return -EINVAL;
    if (ap->interp != SMEAR_INTERP_BILINEAR && ap->interp != SMEAR_INTERP_BICUBIC)
        return -EINVAL;
    AffinePlan *p = &a->plan;
    p->w = info->w;
    p->h = info->h;
    p->depth = info->depth;
    memcpy(p->m, ap->m, sizeof(p->m));
    p->interp = ap->interp;
    p->border = ap->border;
    a->identity = p->m[0] == 1 && p->m[1] == 0 && p->m[2] == 0 && p->m[3] == 0 &&
                  p->m[4] == 1 && p->m[5] == 0;
    p->xshear = p->m[0] == 1 && p->m[3] == 0 && p->m[4] == 1 && p->m[5] == 0;
    p->yshear = !a->identity && p->m[0] == 1 && p->m[1] == 0 && p->m[2] == 0 && p->m[4] == 1 &&
                fabs(p->m[3]) <= 1;
    if (p->yshear && smear_affine_yshear_init(p) < 0)
        return -ENOMEM;
    a->nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    a->work_floats = ((2 * (size_t)(p->w + 16) + 15) & ~(size_t)15) +
                     (p->yshear ? smear_affine_yshear_scratch(p) / sizeof(float) + 1 : 0);
    a->work_floats = (a->work_floats + 15) & ~(size_t)15;
    if (!(a->work = smear_buf_get(&a->buf_work, a->work_floats * a->nb_work * sizeof(float))))
        return -ENOMEM;
    p->vbmi = (info->cpu & SMEAR_CPU_VBMI) != 0;
    a->rows = SMEAR_DSP_PICK(smear_affine_rows, info->cpu);
    return 0;
}

void smear_affine_yshear_free(AffinePlan *p)
{
    free(p->ytile_k);
    free(p->ytile_span);
    free(p->yrel8);
    free(p->yrel16);
    free(p->yw);
    free(p->yfill);
    p->yfill = NULL;
    p->ytile_k = p->ytile_span = NULL;
    p->yrel8 = NULL;
    p->yrel16 = NULL;
    p->yw = NULL;
}

int smear_affine_yshear_init(AffinePlan *p)
{
    const int W = p->w, tiles = (W + 63) / 64, taps = p->interp == SMEAR_INTERP_BICUBIC ? 4 : 2;
    p->ytile_k = malloc(sizeof(int) * tiles);
    p->ytile_span = malloc(sizeof(int) * tiles);
    p->yrel8 = calloc((size_t)W + 64, 1);
    p->yrel16 = calloc((size_t)W + 64, sizeof(uint16_t));
    p->yw = malloc(sizeof(float) * taps * (size_t)W);
    p->yfill = malloc(((size_t)W + 64) * 2);
    if (!p->ytile_k || !p->ytile_span || !p->yrel8 || !p->yrel16 || !p->yw || !p->yfill) {
        smear_affine_yshear_free(p);
        return -ENOMEM;
    }
    for (int i = 0; i < W + 64; i++) {
        if (p->depth > 8)
            ((uint16_t *)p->yfill)[i] = (uint16_t)p->border.fill;
        else
            p->yfill[i] = (uint8_t)p->border.fill;
    }
    for (int t = 0; t < tiles; t++) {
        const int x0 = 64 * t, n = W - x0 < 64 ? W - x0 : 64;
        int kmin = INT32_MAX, kmax = INT32_MIN;
        for (int x = x0; x < x0 + n; x++) {
            const double u = p->m[3] * x + p->m[5];
            const int k = (int)floor(u);
            const float f = (float)(u - k);
            kmin = k < kmin ? k : kmin;
            kmax = k > kmax ? k : kmax;
            if (taps == 4) {
                smear_cubic_weights(f, p->yw + 4 * (size_t)x);
            } else {
                p->yw[2 * (size_t)x] = 1.0f - f;
                p->yw[2 * (size_t)x + 1] = f;
            }
        }
        p->ytile_k[t] = kmin;
        p->ykmin = t == 0 || kmin < p->ykmin ? kmin : p->ykmin;
        p->ykmax = t == 0 || kmax > p->ykmax ? kmax : p->ykmax;
        p->ytile_span[t] = kmax - kmin;
        for (int x = x0; x < x0 + n; x++) {
            const int rel = (int)floor(p->m[3] * x + p->m[5]) - kmin;
            p->yrel8[x] = (uint8_t)rel;
            p->yrel16[x] = (uint16_t)rel;
        }
    }
    return 0;
}

typedef struct RowsArgs {
    const AffinePriv *a;
    const SmearPlane *dst, *src;
} RowsArgs;

static void rows_job(void *arg, int j, int nb)
{
    const RowsArgs *r = arg;
    int y0, y1;
    smear_job_rows(r->a->plan.h, j, nb, &y0, &y1);
    r->a->rows(&r->a->plan, r->dst, r->src, y0, y1, r->a->work + (size_t)j * r->a->work_floats);
}

static void affine_process(void *priv, const SmearPlane *dst, const SmearPlane *src,
                           const SmearExec *ex)
{
    AffinePriv *a = priv;
    if (a->identity) {
        smear_plane_copy(dst, src);
        return;
    }
    RowsArgs r = { a, dst, src };
    int jobs = ex ? ex->nb_threads : 1;
    if (jobs > a->nb_work)
        jobs = a->nb_work;
    if (jobs > a->plan.h)
        jobs = a->plan.h;
    smear_exec_run(ex, rows_job, &r, jobs < 1 ? 1 : jobs);
}

static void affine_uninit(void *priv)
{
    AffinePriv *a = priv;
    smear_buf_free(&a->buf_work);
    smear_affine_yshear_free(&a->plan);
    memset(a, 0, sizeof(*a));
}

const SmearKernel smear_kernel_affine = {
    .name = "affine",
    .priv_size = sizeof(AffinePriv),
    .configure = affine_configure,
    .process = affine_process,
    .uninit = affine_uninit,
};
