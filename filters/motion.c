/*
 * smear - motion blur: the kernel (the exact time the path spends over each
 * sample) and job splitting (the pass is in motion_dsp.c).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "motion.h"
#include "motion_dsp.h"
#include "padded.h"

typedef struct MotionPriv {
    MotionPlan plan;
    int        identity;
    int        nb_work;
    size_t     work_size; ///< bytes of scratch per job
    uint8_t   *work;
    void (*rows)(const MotionPlan *, const SmearPlane *, const SmearPlane *, int, int, void *);
    const SmearPlane *src, *dst;
    SmearBuf   buf_work;
    void      *box;     ///< a straight centred path along x or y: the box kernel's state
    int        use_box;
} MotionPriv;

/* Frees the plan; the scratch buffers are kept for the next configuration
 * unless all is set. */
static void priv_free(MotionPriv *m, int all)
{
    SmearBuf keep = m->buf_work;
    void *box = m->box;
    free(m->plan.cols);
    free(m->plan.w);
    free(m->plan.taps);
    free(m->plan.qw);
    if (all) {
        smear_buf_free(&keep);
        if (box)
            smear_kernel_box.uninit(box);
        free(box);
        box = NULL;
    }
    memset(m, 0, sizeof(*m));
    m->buf_work = keep;
    m->box = box;
}

static int cmp_double(const void *a, const void *b)
{
    const double d = *(const double *)a - *(const double *)b;
    return d < 0 ? -1 : d > 0;
}

/* Adds the segment a -> b, travelled in time share, to the kernel k (kw
 * wide, sample (i, j) at k[(j - y0) * kw + i - x0]). With sample (i, j)
 * covering [i - 1/2, i + 1/2] x [j - 1/2, j + 1/2], the segment is cut where
 * it crosses the squares' edges; each piece adds share times its fraction
 * of the segment to the square it lies in. */
static int add_segment(double *k, int kw, int x0, int y0, SmearMotionPoint a, SmearMotionPoint b,
                       double share)
{
    const double ua = a.x + 0.5, va = a.y + 0.5, ub = b.x + 0.5, vb = b.y + 0.5;
    const double du = ub - ua, dv = vb - va;
    const long nu = du ? labs((long)floor(ub) - (long)floor(ua)) : 0;
    const long nv = dv ? labs((long)floor(vb) - (long)floor(va)) : 0;
    double *t = malloc(sizeof(double) * (size_t)(nu + nv + 2));
    int n = 0;
    if (!t)
        return -ENOMEM;
    t[n++] = 0;
    for (long i = 1; i <= nu; i++) {
        const double line = du > 0 ? floor(ua) + i : floor(ua) - i + 1;
        t[n++] = (line - ua) / du;
    }
    for (long i = 1; i <= nv; i++) {
        const double line = dv > 0 ? floor(va) + i : floor(va) - i + 1;
        t[n++] = (line - va) / dv;
    }
    t[n++] = 1;
    qsort(t, n, sizeof(double), cmp_double);
    for (int i = 0; i + 1 < n; i++) {
        const double t0 = t[i] < 0 ? 0 : t[i], t1 = t[i + 1] > 1 ? 1 : t[i + 1];
        if (t1 <= t0 && !(n == 2 && t0 == t1))
            continue;
        const double tm = 0.5 * (t0 + t1);
        const int px = (int)floor(ua + tm * du), py = (int)floor(va + tm * dv);
        k[(ptrdiff_t)(py - y0) * kw + px - x0] += share * (n == 2 && t1 == t0 ? 1 : t1 - t0);
    }
    free(t);
    return 0;
}

/* A straight path centred on the sample and along x or y, at least a
 * sample long: the time it spends over each sample is its overlap with the
 * sample, which is the area weighting of a box one sample thick. */
static int straight_axis_box(const SmearMotionParams *mp, SmearBoxParams *bp)
{
    if (mp->nb_points != 2)
        return 0;
    const SmearMotionPoint a = mp->points[0], b = mp->points[1];
    if (!isfinite(a.x) || !isfinite(a.y) || !isfinite(b.x) || !isfinite(b.y) ||
        fabs(a.x + b.x) > 1e-9 || fabs(a.y + b.y) > 1e-9)
        return 0;
    const double lx = fabs(b.x - a.x), ly = fabs(b.y - a.y);
    if (ly < 1e-9 && lx >= 1 && lx <= 1e5)
        bp->w = lx, bp->h = 1;
    else if (lx < 1e-9 && ly >= 1 && ly <= 1e5)
        bp->w = 1, bp->h = ly;
    else
        return 0;
    bp->border = mp->border;
    return 1;
}

typedef struct QTap {
    int     dx, dy;
    int16_t q;
} QTap;

static int cmp_qtap(const void *a, const void *b)
{
    const QTap *s = a, *t = b;
    return s->dy != t->dy ? (s->dy > t->dy) - (s->dy < t->dy) : (s->dx > t->dx) - (s->dx < t->dx);
}

/* The integer pass's taps (the nonzero samples, row by row, padded to an
 * even count) and weights: as fine as an int16 holds the largest, the
 * 32-bit sums of 8-bit samples allowing. The sums are exact, so the order
 * of the taps does not change the output. */
static int narrow_taps(MotionPlan *p)
{
    int n = 0;
    double wmax = 0;
    for (int c = 0; c < p->nb_cols; c++)
        for (int e = 0; e < p->cols[c].n; e++) {
            const double w = p->w[p->cols[c].w + e];
            n += w > 0;
            wmax = w > wmax ? w : wmax;
        }
    QTap *t = calloc((size_t)n + 1, sizeof(*t));
    p->taps = calloc((size_t)n + 1, sizeof(*p->taps));
    p->qw = calloc((size_t)n / 2 + 1, sizeof(*p->qw));
    if (!t || !p->taps || !p->qw) {
        free(t);
        return -ENOMEM;
    }
    int q = 22; /* 2^22 * 255 * (1 + rounding) stays below 2^31 */
    while (q > 0 && wmax * (1 << q) > 32000)
        q--;
    double qtotal = 0;
    for (int c = 0; c < p->nb_cols; c++)
        for (int e = 0; e < p->cols[c].n; e++) {
            const double w = p->w[p->cols[c].w + e];
            if (w <= 0)
                continue;
            t[p->nb_taps] = (QTap){ p->cols[c].dx, p->cols[c].dy0 + e, (int16_t)lrint(w * (1 << q)) };
            qtotal += t[p->nb_taps++].q;
        }
    qsort(t, (size_t)p->nb_taps, sizeof(*t), cmp_qtap);
    p->nb_tap_real = p->nb_taps;
    if (p->nb_taps % 2) /* padding, of weight 0 */
        t[p->nb_taps++] = (QTap){ 0, 0, 0 };
    for (int i = 0; i < p->nb_taps; i++)
        p->taps[i] = (MotionTap){ t[i].dx, t[i].dy };
    for (int i = 0; i < p->nb_taps; i += 2)
        p->qw[i / 2] = (int32_t)((uint32_t)(uint16_t)t[i].q | (uint32_t)(uint16_t)t[i + 1].q << 16);
    free(t);
    p->qscale = (float)(1 / qtotal);
    p->narrow = 1;
    return 0;
}

static int motion_configure(void *priv, const void *params, const SmearPlaneInfo *info)
{
    MotionPriv *m = priv;
    const SmearMotionParams *mp = params;
    priv_free(m, 0);
    if (mp->nb_points < 1 || mp->nb_points > SMEAR_MOTION_MAX_POINTS)
        return -EINVAL;
    SmearBoxParams bp;
    if (straight_axis_box(mp, &bp)) {
        /* a running sum: the same weights at a cost that does not grow with
         * the length */
        if (!m->box && !(m->box = calloc(1, smear_kernel_box.priv_size)))
            return -ENOMEM;
        int ret = smear_kernel_box.configure(m->box, &bp, info);
        m->use_box = ret >= 0;
        return ret;
    }
    double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
    for (int i = 0; i < mp->nb_points; i++) {
        const SmearMotionPoint q = mp->points[i];
        if (!isfinite(q.x) || !isfinite(q.y) || fabs(q.x) > 1e5 || fabs(q.y) > 1e5)
            return -EINVAL;
        minx = fmin(minx, q.x), maxx = fmax(maxx, q.x);
        miny = fmin(miny, q.y), maxy = fmax(maxy, q.y);
    }
    const int x0 = (int)floor(minx + 0.5) - 1, x1 = (int)floor(maxx + 0.5) + 1;
    const int y0 = (int)floor(miny + 0.5) - 1, y1 = (int)floor(maxy + 0.5) + 1;
    const int kw = x1 - x0 + 1, kh = y1 - y0 + 1;
    double *k = calloc((size_t)kw * kh, sizeof(double));
    if (!k)
        return -ENOMEM;
    int ret = 0;
    if (mp->nb_points == 1) {
        const SmearMotionPoint q = mp->points[0];
        k[(ptrdiff_t)((int)floor(q.y + 0.5) - y0) * kw + (int)floor(q.x + 0.5) - x0] = 1;
    }
    for (int i = 0; i + 1 < mp->nb_points && ret >= 0; i++)
        ret = add_segment(k, kw, x0, y0, mp->points[i], mp->points[i + 1], 1.0 / (mp->nb_points - 1));
    MotionPlan *p = &m->plan;
    p->cols = malloc(sizeof(*p->cols) * (size_t)kw);
    p->w = malloc(sizeof(*p->w) * (size_t)kw * kh);
    if (ret < 0 || !p->cols || !p->w) {
        free(k);
        priv_free(m, 0);
        return ret < 0 ? ret : -ENOMEM;
    }
    double total = 0;
    for (int i = 0; i < kw * kh; i++)
        total += k[i];
    /* each column's rows from its first to its last sample of weight */
    int nb_w = 0, nonzero = 0, at_centre = 0;
    for (int i = 0; i < kw; i++) {
        int j0 = kh, j1 = -1;
        for (int j = 0; j < kh; j++)
            if (k[j * kw + i] > 1e-12) {
                j0 = j < j0 ? j : j0;
                j1 = j;
                nonzero++;
                at_centre |= x0 + i == 0 && y0 + j == 0;
            }
        if (j1 < j0)
            continue;
        p->cols[p->nb_cols++] = (MotionCol){ x0 + i, y0 + j0, j1 - j0 + 1, nb_w };
        for (int j = j0; j <= j1; j++) {
            const double w = k[j * kw + i];
            p->w[nb_w++] = w > 1e-12 ? (float)(w / total) : 0;
        }
        p->mx = abs(x0 + i) > p->mx ? abs(x0 + i) : p->mx;
        p->my = abs(y0 + j0) > p->my ? abs(y0 + j0) : p->my;
        p->my = abs(y0 + j1) > p->my ? abs(y0 + j1) : p->my;
    }
    free(k);
    m->identity = nonzero == 1 && at_centre;
    if (m->identity)
        return 0;
    p->width = info->w;
    p->h = info->h;
    p->depth = info->depth;
    p->border = mp->border;
    if (p->depth == 8 && (ret = narrow_taps(p)) < 0) {
        priv_free(m, 0);
        return ret;
    }
    p->strip = smear_strip_width(p->mx, p->width, MOTION_TILE);
    p->sw = (p->strip + 2 * p->mx + 15) & ~15;
    if (p->narrow) {
        /* the ring of words is small: whole rows (length 40 at 30 degrees,
         * 1080p frames from memory: 2.7 ms in strips of 256, 2.2 in whole
         * rows) */
        p->strip = smear_row_strip(p->width, MOTION_TILE);
        p->pad = MOTION_PAD;
        p->vnni = !!(info->cpu & SMEAR_CPU_VNNI);
        p->sw = smear_lined_row(MOTION_PAD, p->strip, p->mx);
    }
    m->nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    m->work_size = (smear_motion_work_size(p) + 63) & ~(size_t)63;
    m->work = smear_buf_get(&m->buf_work, m->work_size * m->nb_work);
    if (!m->work) {
        priv_free(m, 0);
        return -ENOMEM;
    }
    /* the last tile of a strip reads past the strip's columns (into lanes
     * it does not write out): keep those finite */
    memset(m->work, 0, m->work_size * m->nb_work);
    m->rows = SMEAR_DSP_PICK(smear_motion_rows, info->cpu);
    return 0;
}

static void rows_job(void *arg, int j, int nb)
{
    MotionPriv *m = arg;
    int y0, y1;
    smear_job_rows(m->plan.h, j, nb, &y0, &y1);
    if (y1 > y0)
        m->rows(&m->plan, m->dst, m->src, y0, y1, m->work + (size_t)j * m->work_size);
}

static void motion_process(void *priv, const SmearPlane *dst, const SmearPlane *src,
                           const SmearExec *ex)
{
    MotionPriv *m = priv;
    if (m->use_box) {
        smear_kernel_box.process(m->box, dst, src, ex);
        return;
    }
    if (m->identity) {
        smear_plane_copy(dst, src);
        return;
    }
    m->src = src;
    m->dst = dst;
    int jobs = ex ? ex->nb_threads : 1;
    jobs = jobs > m->nb_work ? m->nb_work : jobs < 1 ? 1 : jobs;
    smear_exec_run(ex, rows_job, m, jobs > m->plan.h ? m->plan.h : jobs);
}

static void motion_uninit(void *priv)
{
    priv_free(priv, 1);
}

const SmearKernel smear_kernel_motion = {
    .name = "motion",
    .priv_size = sizeof(MotionPriv),
    .configure = motion_configure,
    .process = motion_process,
    .uninit = motion_uninit,
};
