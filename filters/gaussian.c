/*
 * smear - Gaussian blur: set-up and job splitting (the passes are in
 * gaussian_dsp.c; the plan is described in gaussian_dsp.h).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "gaussian.h"
#include "gaussian_dsp.h"

/* Below this sigma a pass is a FIR over ceil(4 sigma) taps each side;
 * above it the recursive filter, whose cost does not grow, is cheaper
 * (measured: see the benchmark program). Both are within a small fraction
 * of a level of the true sampled Gaussian. */
#define FIR_MAX_SIGMA 2.5

/* Deriche's fit of exp(-x^2/2) for x >= 0 by two damped cosines:
 * sum over k of (a cos(w x) + b sin(w x)) exp(-l x). */
static const double fit[2][4] = {
    /*  a        b        l       w   */
    {  1.6797,  3.7342, 1.7831, 0.6318 },
    { -0.6803, -0.2598, 1.7228, 1.9969 },
};

typedef struct GaussPriv {
    int         slanted, sheared;
    GaussPlan   plan;
    GaussSlant  slant;
    GaussShear  shear;
    void (*shear_rows)(const GaussShear *, const SmearPlane *, int, int, float *);
    void (*shear_down)(const GaussShear *, int, int, float *);
    void (*shear_out)(const GaussShear *, const SmearPlane *, int, int, float *);
    void (*vpass)(const GaussPlan *, int, int, float *);
    void (*hpass)(const GaussPlan *, const SmearPlane *, int, int, float *);
    void (*slant_axis)(const GaussSlant *, const SmearPlane *, int, int, float *);
    void (*slant_pass)(const GaussSlant *, const SmearPlane *, int, int, float *);
    int         identity;
    int         configured; /* the last configure() succeeded */
    SmearBuf    buf_t, buf_work, buf_s, buf_swork; /* kept across reconfigurations */
    /* a turn steeper than the diagonal runs on the transposed plane (the
     * slanted pass then steps rows, its fast way): the plane in, and out */
    int         transposed;
    SmearPlane  tin, tout;
    SmearBuf    buf_tin, buf_tout;
} GaussPriv;

static void axis_free(GaussAxis *a)
{
    free(a->w);
    a->w = NULL;
}

/* The sampled Gaussian of deviation sigma over ceil(4 sigma) taps each
 * side (at least one), normalised to sum 1. */
static int fir_weights(double sigma, int *pradius, float **pw)
{
    int R = (int)ceil(4 * sigma);
    if (R < 1)
        R = 1;
    if (R > GAUSS_MAX_RADIUS)
        return -EINVAL;
    float *w = malloc((size_t)(R + 1) * sizeof(*w));
    if (!w)
        return -ENOMEM;
    double sum = 0, dw[GAUSS_MAX_RADIUS + 1];
    for (int k = 0; k <= R; k++) {
        dw[k] = exp(-(double)k * k / (2 * sigma * sigma));
        sum += k ? 2 * dw[k] : dw[k];
    }
    for (int k = 0; k <= R; k++)
        w[k] = (float)(dw[k] / sum);
    *pradius = R;
    *pw = w;
    return 0;
}

static int axis_setup(GaussAxis *a, double sigma, SmearBorderMode mode, int force_fir)
{
    memset(a, 0, sizeof(*a));
    if (!(sigma > 0)) {
        a->type = GAUSS_NONE;
        return 0;
    }
    if (sigma < FIR_MAX_SIGMA || force_fir) {
        a->type = GAUSS_FIR;
        return fir_weights(sigma, &a->radius, &a->w);
    }
    a->type = GAUSS_IIR;
    /* each damped cosine as a causal second-order section (its samples for
     * n >= 0) plus an anti-causal one (n >= 1, mirrored) */
    double gain = 0, b0[2], b1[2], c1[2], c2[2], a1[2], a2[2];
    for (int s = 0; s < 2; s++) {
        const double r = exp(-fit[s][2] / sigma), w = fit[s][3] / sigma;
        const double ca = fit[s][0], sb = fit[s][1];
        b0[s] = ca;
        b1[s] = r * (sb * sin(w) - ca * cos(w));
        a1[s] = -2 * r * cos(w);
        a2[s] = r * r;
        c1[s] = b1[s] - ca * a1[s];
        c2[s] = -ca * a2[s];
        gain += (b0[s] + b1[s] + c1[s] + c2[s]) / (1 + a1[s] + a2[s]);
    }
    for (int s = 0; s < 2; s++) {
        const double den = 1 + a1[s] + a2[s];
        a->b0[s] = (float)(b0[s] / gain);
        a->b1[s] = (float)(b1[s] / gain);
        a->c1[s] = (float)(c1[s] / gain);
        a->c2[s] = (float)(c2[s] / gain);
        a->a1[s] = (float)a1[s];
        a->a2[s] = (float)a2[s];
        a->gc[s] = (float)((b0[s] + b1[s]) / gain / den);
        a->ga[s] = (float)((c1[s] + c2[s]) / gain / den);
    }
    /* the impulse response falls as exp(-1.72 n / sigma): after 6 sigma it
     * is below 4e-5 of its peak */
    a->pad = mode == SMEAR_BORDER_REPLICATE ? 0 : (int)ceil(6 * sigma) + 4;
    return 0;
}

/* Frees the plan; the scratch buffers are kept for the next configuration
 * unless all is set. */
static void priv_free(GaussPriv *g, int all)
{
    SmearBuf keep[6] = { g->buf_t, g->buf_work, g->buf_s, g->buf_swork, g->buf_tin, g->buf_tout };
    axis_free(&g->plan.vert);
    axis_free(&g->plan.horz);
    free(g->plan.fill_row);
    free(g->plan.rows);
    axis_free(&g->slant.axis);
    axis_free(&g->shear.line);
    axis_free(&g->shear.axis);
    free(g->shear.strip_rows);
    free(g->slant.wt);
    free(g->slant.pair_off);
    free(g->slant.pair_wt);
    free(g->slant.urow_n);
    free(g->slant.urow_a);
    free(g->slant.urow_b);
    free(g->slant.iwt);
    free(g->slant.pre);
    if (all)
        for (int i = 0; i < 6; i++)
            smear_buf_free(&keep[i]);
    memset(g, 0, sizeof(*g));
    g->buf_t = keep[0], g->buf_work = keep[1], g->buf_s = keep[2], g->buf_swork = keep[3];
    g->buf_tin = keep[4], g->buf_tout = keep[5];
}

static int configure_axis_aligned(GaussPriv *g, double sx, double sy, const SmearGaussianParams *gp,
                                  const SmearPlaneInfo *info)
{
    GaussPlan *p = &g->plan;
    int ret;
    p->w = info->w;
    p->h = info->h;
    p->depth = info->depth;
    p->border = gp->border;
    if ((ret = axis_setup(&p->vert, sy, gp->border.mode, 0)) < 0 ||
        (ret = axis_setup(&p->horz, sx, gp->border.mode, 0)) < 0)
        return ret;
    p->padx = p->horz.type == GAUSS_FIR ? p->horz.radius : p->horz.pad;
    p->pady = p->vert.type == GAUSS_FIR ? p->vert.radius : p->vert.pad;
    p->nb_strips = (p->w + GAUSS_STRIP - 1) / GAUSS_STRIP;
    p->nb_vstrips = (p->w + GAUSS_VSTRIP - 1) / GAUSS_VSTRIP;
    p->nb_blocks = (p->h + GAUSS_LANES - 1) / GAUSS_LANES;
    if (p->vert.type == GAUSS_IIR &&
        !(p->T = smear_buf_get(&g->buf_t, (size_t)p->nb_vstrips * p->h * GAUSS_VSTRIP * sizeof(float))))
        return -ENOMEM;
    const int bps = p->depth > 8 ? 2 : 1;
    p->fill_row = malloc((size_t)(p->w + GAUSS_STRIP) * bps);
    p->rows = malloc((size_t)(p->h + 2 * p->pady) * sizeof(*p->rows));
    if (!p->fill_row || !p->rows)
        return -ENOMEM;
    for (int x = 0; x < p->w + GAUSS_STRIP; x++) {
        if (bps == 2)
            ((uint16_t *)p->fill_row)[x] = (uint16_t)gp->border.fill;
        else
            p->fill_row[x] = (uint8_t)gp->border.fill;
    }
    /* vertical: the strip's rows in and its result (recursive); horizontal:
     * the block in and out, the vertical pass's tile and rows (FIR) */
    const size_t X = (size_t)p->padx, W = (size_t)p->w;
    const size_t vwork = (size_t)(p->h + 2 * p->pady) * 2 * GAUSS_STRIP;
    const size_t hwork = 2 * (W + 2 * X) * GAUSS_LANES +
                         (size_t)(2 * GAUSS_LANES + 2 * p->pady) * GAUSS_STRIP;
    p->work_floats = ((vwork > hwork ? vwork : hwork) + 15) & ~(size_t)15;
    p->nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    p->work = smear_buf_get(&g->buf_work, p->work_floats * p->nb_work * sizeof(float));
    if (!p->work)
        return -ENOMEM;
    g->vpass = SMEAR_DSP_PICK(smear_gauss_vpass, info->cpu);
    g->hpass = SMEAR_DSP_PICK(smear_gauss_hpass, info->cpu);
    return 0;
}

/* Each job's scratch of a turned Gaussian's passes: at least floats
 * floats a job, for as many jobs as threads. */
static float *jobs_work(GaussPriv *g, size_t floats, const SmearPlaneInfo *info,
                        size_t *work_floats, int *nb_work)
{
    *work_floats = (floats + 15) & ~(size_t)15;
    *nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    return smear_buf_get(&g->buf_swork, *work_floats * *nb_work * sizeof(float));
}

/* The padded scratch of a rotated Gaussian, n floats and a slack after
 * them that the slanted passes' last strips read (past the last row's
 * samples, by less than two strips), kept finite. */
#define SCRATCH_SLACK (2 * GAUSS_STRIP)
static float *scratch_get(GaussPriv *g, size_t n)
{
    float *S = smear_buf_get(&g->buf_s, (n + SCRATCH_SLACK) * sizeof(float));
    if (S)
        memset(S + n, 0, SCRATCH_SLACK * sizeof(float));
    return S;
}

/* The exponent of the rotated kernel at offset (dx, dy): u^2 / 2 sx^2 +
 * v^2 / 2 sy^2 along its own axes (a turned kernel's sigmas are positive:
 * see smear_gaussian_floor()). */
static double exponent(double sx, double sy, double c, double sn, int dx, int dy)
{
    const double u = dx * c + dy * sn, v = -dx * sn + dy * c;
    return u * u / (2 * sx * sx) + v * v / (2 * sy * sy);
}

/* The offsets dx in [-rx, rx] of row dy that may lie inside the 4-sigma
 * ellipse (exponent <= 8), from the roots of the exponent's quadratic in
 * dx, a sample wider each side. */
static void ellipse_row(double sx, double sy, double c, double sn, int dy, int rx, int *lo,
                        int *hi)
{
    const double a = c * c / (2 * sx * sx) + sn * sn / (2 * sy * sy);
    const double b = 2 * dy * c * sn * (1 / (2 * sx * sx) - 1 / (2 * sy * sy));
    const double k = dy * dy * (sn * sn / (2 * sx * sx) + c * c / (2 * sy * sy)) - 8;
    const double disc = b * b - 4 * a * k;
    if (disc < 0) {
        *lo = 1, *hi = 0;
        return;
    }
    const double r0 = (-b - sqrt(disc)) / (2 * a), r1 = (-b + sqrt(disc)) / (2 * a);
    *lo = (int)fmax(-rx, floor(r0) - 1);
    *hi = (int)fmin(rx, ceil(r1) + 1);
}

/* The direct FIR's tables at 8 bits (see GaussSlant): the kernel k (rows of
 * kw weights, summing to sum) rounded to integers, and each input row above
 * the block's middle in units over the entries that the block's rows, moved,
 * read in it, [first, last] (indexed from -ry). The direct route's other
 * fields are set. */
static int direct_integer(GaussPriv *g, const SmearPlaneInfo *info, const double *k, int kw,
                          double sum, const int *first, const int *last)
{
    enum { ROWS = GAUSS_DIRECT_ROWS, HALF = ROWS / 2 };
    GaussSlant *s = &g->slant;
    const int nrow = 2 * s->ry + 1;
    double kmax = 0;
    for (int i = 0; i < nrow * kw; i++)
        kmax = fmax(kmax, k[i] / sum);
    /* a unit's sum weights (two entries' weights added) fit in 16 bits; a
     * sum of words (at most 510 << fbits) times them, over the kernel, stays
     * below 2^(bits + fbits + 10), within 32 bits */
    s->bits = 20 - s->fbits;
    while (s->bits > 8 && 2 * kmax * ldexp(1, s->bits) > 32000)
        s->bits--;
    int32_t *q = malloc(sizeof(int32_t) * nrow * kw);
    if (!q)
        return -ENOMEM;
    int64_t total = 0;
    for (int i = 0; i < nrow * kw; i++)
        total += q[i] = (int32_t)lrint(k[i] / sum * ldexp(1, s->bits));
    q[s->ry * kw + s->rx] += (int32_t)(((int64_t)1 << s->bits) - total); /* the sum exact */
    s->nb_urows = s->ry + HALF; /* rows -ry .. HALF - 1 */
    s->urow_n = malloc(sizeof(int) * s->nb_urows);
    s->urow_a = malloc(sizeof(ptrdiff_t) * s->nb_urows);
    s->urow_b = malloc(sizeof(ptrdiff_t) * s->nb_urows);
    int units = 0;
    for (int u = 0; u < s->nb_urows; u++)
        if (last[u] >= first[u])
            units += (last[u] - first[u] + 1) / 2 + 1;
    s->iwt = malloc(sizeof(int32_t) * 8 * (units ? units : 1));
    if (!s->urow_n || !s->urow_a || !s->urow_b || !s->iwt) {
        free(q);
        return -ENOMEM;
    }
    /* weight of entry (e, r) for the block's row j, moved by shift_x[j] */
#define QW(e, r, j) ((r) - (j) < -s->ry || (r) - (j) > s->ry || (e) - s->shift_x[j] < -s->rx || \
                     (e) - s->shift_x[j] > s->rx ? 0                                        \
                     : q[((r) - (j) + s->ry) * kw + (e) - s->shift_x[j] + s->rx])
    int32_t *wt = s->iwt;
    for (int u = 0; u < s->nb_urows; u++) {
        const int r = u - s->ry, a = first[u];
        const int n = last[u] >= a ? (last[u] - a + 1) / 2 + 1 : 0;
        s->urow_n[u] = n;
        s->urow_a[u] = (ptrdiff_t)r * s->sw + a;
        s->urow_b[u] = (ptrdiff_t)(ROWS - 1 - r) * s->sw - a + 1; /* the unit before the first's */
        for (int i = 0; i < n; i++, wt += 8) {
            const int d = a + 2 * i;
            for (int odd = 0; odd < 2; odd++) {
                const int e0 = d - odd, e1 = e0 + 1; /* the lane's two entries */
                for (int j = 0; j < HALF; j++) {
                    const int m = ROWS - 1 - j;
                    const int32_t s0 = QW(e0, r, j) + QW(e0, r, m), s1 = QW(e1, r, j) + QW(e1, r, m);
                    const int32_t d0 = QW(e0, r, j) - QW(e0, r, m), d1 = QW(e1, r, j) - QW(e1, r, m);
                    wt[4 * odd + j] = (int32_t)((uint32_t)(uint16_t)s0 | (uint32_t)s1 << 16);
                    wt[4 * odd + HALF + j] = (int32_t)((uint32_t)(uint16_t)d0 | (uint32_t)d1 << 16);
                }
            }
        }
    }
#undef QW
    free(q);
    /* the copy's rows, ROWS - 1 zeroed rows past them (see above), and
     * the words that a plane's last strip reads past its last row */
    const size_t n = (size_t)s->sw * (s->sh + ROWS - 1);
    const size_t slack = 4 * GAUSS_STRIP + 4 * (size_t)abs(s->shift_x[ROWS - 1]);
    s->Sw = smear_buf_get(&g->buf_s, (n + slack) * sizeof(uint16_t));
    if (!s->Sw)
        return -ENOMEM;
    memset(s->Sw + (size_t)s->sw * s->sh, 0, sizeof(uint16_t) * (s->sw * (ROWS - 1) + slack));
    s->vnni = !!(info->cpu & SMEAR_CPU_VNNI);
    /* the split x pass's padded row (whole blocks of up to 64 words, and
     * its reach) */
    const size_t work = s->pre_r ? ((size_t)s->sw + 2 * (size_t)s->pre_r + 256) / 2 : 16;
    s->work = jobs_work(g, work, info, &s->work_floats, &s->nb_work);
    if (!s->work)
        return -ENOMEM;
    g->slant_axis = SMEAR_DSP_PICK(smear_gauss_slant_axis, info->cpu);
    g->slant_pass = SMEAR_DSP_PICK(smear_gauss_slant_pass, info->cpu);
    g->slanted = 1;
    return 0;
}

/* The covariance [[cxx, cxy], [cxy, cyy]] of a turned Gaussian. */
static void covariance(const SmearGaussianParams *gp, double *cxx, double *cyy, double *cxy)
{
    const double c = cos(gp->angle), sn = sin(gp->angle);
    const double vx = gp->sigma_x * gp->sigma_x, vy = gp->sigma_y * gp->sigma_y;
    *cxx = c * c * vx + sn * sn * vy;
    *cyy = sn * sn * vx + c * c * vy;
    *cxy = c * sn * (vx - vy);
}

/* The split direct FIR (see GaussSlant). Row dy of a turned Gaussian of
 * covariance [[cxx, cxy], [cxy, cyy]] is a Gaussian along x of variance
 * det / cyy centred at dy cxy / cyy. The quadratic B-spline at any shift f
 * in [-1/2, 1/2], weights (f - 1/2)^2 / 2, 3/4 - f^2 and (f + 1/2)^2 / 2 at
 * -1, 0 and 1, has mean f and variance 1/4 whatever f: after a common x
 * pass of variance det / cyy - 1/4, three entries per row make each row's
 * mean and spread the sampled kernel's. The kernel so made, against the
 * sampled one (modelled in float64), from a rows' sigma of GAUSS_SPLIT_MIN
 * up (smaller where the line steps fewer columns per row): at most 0.18 of
 * a level on hard edges at any direction and 0.3 on white noise (five
 * deviations) for 8 x 0.8 at 40 degrees; 0.48 and 0.44 for 8 x 0.75 at
 * 45, whose rows' sigma is 1.06; 2.6 for 4 x 0.5 at 40 (0.77). */
#define GAUSS_SPLIT_MIN 1.1
/* The direct FIR's cost per output sample, in samples of the wide route
 * (shear_cost()), from timings on one 1080p plane: a block of
 * GAUSS_DIRECT_ROWS rows reads its input rows above its middle with their
 * mirrors, in units of two entries, about a quarter of the kernel's entries
 * and 1.4 more per row (the rows' runs, moved, do not line up; within a
 * tenth for 8 x 0.8 at 40 degrees and 6 x 1 at 20, whole and split); a
 * unit costs 0.0212 of a wide sample, a pair of the split's x taps 0.051.
 * In floats (above 8 bits), half as many lanes. Sets *split where the
 * split FIR holds and is cheaper. */
static double direct_cost(const SmearGaussianParams *gp, int depth, int *split)
{
    double cxx, cyy, cxy;
    covariance(gp, &cxx, &cyy, &cxy);
    const double R = ceil(4 * sqrt(cyy));
    const double whole = 0.0212 * (4 * M_PI * gp->sigma_x * gp->sigma_y + 1.4 * (R + 2));
    *split = 0;
    if (depth != 8)
        return 2 * whole;
    const double rows = (cxx * cyy - cxy * cxy) / cyy; /* the rows' variance */
    if (cyy > cxx || rows < GAUSS_SPLIT_MIN * GAUSS_SPLIT_MIN)
        return whole; /* a line stepping more than a column a row: too narrow rows */
    /* the copy's words, two added, stay within 16 bits (signed) for any fill
     * of a constant border up to 1023 */
    const int fill_max = INT16_MAX >> (GAUSS_SPLIT_FBITS + 1);
    if (gp->border.mode == SMEAR_BORDER_CONSTANT &&
        (gp->border.fill < 0 || gp->border.fill > fill_max))
        return whole;
    const double r = ceil(4 * sqrt(rows - 0.25));
    const double cost = 0.0212 * (3 * (2 * R + 1) / 4 + 1.4 * (R + 2)) + 0.051 * (r + 1);
    *split = cost < whole;
    return *split ? cost : whole;
}

/* The split direct FIR's x pass (see GaussSlant): pre_r and pre. */
static int split_pre(GaussSlant *s, double var)
{
    const double sigma = sqrt(var);
    const int r = (int)ceil(4 * sigma);
    s->pre_r = r > 1 ? r : 1;
    s->fbits = GAUSS_SPLIT_FBITS;
    const int n = 2 * s->pre_r + 1;
    int32_t *w = calloc((size_t)n + 1, sizeof(*w)); /* and a zero after the last */
    if (!w || !(s->pre = malloc(sizeof(int32_t) * ((size_t)s->pre_r + 1)))) {
        free(w);
        return -ENOMEM;
    }
    double sum = 0;
    for (int k = -s->pre_r; k <= s->pre_r; k++)
        sum += exp(-(double)k * k / (2 * var));
    int64_t total = 0;
    for (int k = -s->pre_r; k <= s->pre_r; k++)
        total += w[k + s->pre_r] = (int32_t)lrint(exp(-(double)k * k / (2 * var)) / sum *
                                                  (1 << GAUSS_PRE_BITS));
    w[s->pre_r] += (int32_t)((1 << GAUSS_PRE_BITS) - total); /* the sum exact */
    for (int j = 0; j <= s->pre_r; j++) /* taps 2 j and 2 j + 1 from -pre_r */
        s->pre[j] = (int32_t)((uint32_t)w[2 * j] | (uint32_t)w[2 * j + 1] << 16);
    free(w);
    return 0;
}

/* A narrow rotated Gaussian as a plain 2-D FIR over a padded copy of the
 * plane: the sampled kernel inside the ellipse of 4 sigma along its own axes
 * (outside it lies 3.4e-4 of the kernel), normalised, laid out for
 * GAUSS_DIRECT_ROWS output rows at once (see GaussSlant); at 8 bits, split
 * where that is cheaper. */
static int configure_direct(GaussPriv *g, const SmearGaussianParams *gp, const SmearPlaneInfo *info)
{
    GaussSlant *s = &g->slant;
    const double c = cos(gp->angle), sn = sin(gp->angle);
    const double sx = gp->sigma_x, sy = gp->sigma_y;
    s->w = info->w;
    s->h = info->h;
    s->depth = info->depth;
    s->border = gp->border;
    s->direct = 1;
    s->rx = (int)ceil(4 * sqrt(sx * sx * c * c + sy * sy * sn * sn));
    s->ry = (int)ceil(4 * sqrt(sx * sx * sn * sn + sy * sy * c * c));
    s->integer = info->depth == 8;
    double cxx, cyy, cxy;
    covariance(gp, &cxx, &cyy, &cxy);
    int split;
    direct_cost(gp, info->depth, &split);
    if (split) {
        int ret = split_pre(s, (cxx * cyy - cxy * cxy) / cyy - 0.25);
        if (ret < 0)
            return ret;
        /* each row's three entries about its centre, dy cxy / cyy */
        const int reach = (int)ceil(fabs(cxy / cyy) * s->ry) + 2;
        s->rx = s->rx > reach ? s->rx : reach;
    }
    /* the integer pass moves its rows j along x by shift[j], so that their
     * kernels' rows line up (each kernel row is centred at dy times the
     * mean slope): symmetric about the block's centre, so that the block
     * stays so, and whole samples */
    const double slope = c * sn * (sx * sx - sy * sy) / (sn * sn * sx * sx + c * c * sy * sy);
    memset(s->shift_x, 0, sizeof(s->shift_x));
    for (int j = GAUSS_DIRECT_ROWS / 2; j < GAUSS_DIRECT_ROWS && s->integer; j++) {
        s->shift_x[j] = (int)lrint((j - (GAUSS_DIRECT_ROWS - 1) / 2.0) * slope);
        s->shift_x[GAUSS_DIRECT_ROWS - 1 - j] = -s->shift_x[j];
    }
    const int reach = abs(s->shift_x[GAUSS_DIRECT_ROWS - 1]);
    /* the integer pass reads two columns further, and its strips start
     * reach columns out, where a row moved reach further out reads */
    s->mx = s->rx + (s->integer ? 2 + 2 * reach : 0);
    s->my = s->ry;
    s->sw = s->w + 2 * s->mx;
    s->sh = s->h + 2 * s->my;
    /* each row's taps: a run of offsets [lo, hi] (the ellipse is convex)
     * and their weights, normalised over the whole kernel */
    const int nrow = 2 * s->ry + 1, kw = 2 * s->rx + 1;
    int *lo = malloc(sizeof(int) * nrow), *hi = malloc(sizeof(int) * nrow);
    double *k = calloc((size_t)nrow * kw, sizeof(double));
    if (!lo || !hi || !k) {
        free(lo), free(hi), free(k);
        return -ENOMEM;
    }
    double sum = 0;
    for (int dy = -s->ry; dy <= s->ry && split; dy++) {
        const double centre = dy * cxy / cyy, f = centre - lrint(centre);
        const double wt = exp(-(double)dy * dy / (2 * cyy));
        const int n = (int)lrint(centre);
        double *row = k + (dy + s->ry) * kw + n + s->rx;
        row[-1] = wt * (f - 0.5) * (f - 0.5) / 2;
        row[0] = wt * (0.75 - f * f);
        row[1] = wt * (f + 0.5) * (f + 0.5) / 2;
        sum += wt;
        lo[dy + s->ry] = n - 1, hi[dy + s->ry] = n + 1;
    }
    for (int dy = -s->ry; dy <= s->ry && !split; dy++) {
        int a, b, first = 1;
        ellipse_row(sx, sy, c, sn, dy, s->rx, &a, &b);
        lo[dy + s->ry] = 1, hi[dy + s->ry] = 0;
        for (int dx = a; dx <= b; dx++) {
            const double e = exponent(sx, sy, c, sn, dx, dy);
            if (e > 8 + 1e-9) /* outside the ellipse */
                continue;
            k[(dy + s->ry) * kw + dx + s->rx] = exp(-e);
            sum += exp(-e);
            if (first)
                lo[dy + s->ry] = dx, first = 0;
            hi[dy + s->ry] = dx;
        }
    }
    /* the entries: per input row offset r, the union of the runs of the
     * output rows reading it (kernel rows r - j, j < ROWS, moved by
     * shift_x[j]), in raster order; first and last: the first and last
     * offset of row r's run */
    enum { ROWS = GAUSS_DIRECT_ROWS };
    const int nr = 2 * s->ry + ROWS;
    int *first = malloc(sizeof(int) * nr), *last = malloc(sizeof(int) * nr);
    if (!first || !last) {
        free(first), free(last), free(lo), free(hi), free(k);
        return -ENOMEM;
    }
    int n = 0;
    for (int r = -s->ry; r <= s->ry + ROWS - 1; r++) {
        int a = s->mx + 1, b = -s->mx - 1; /* empty */
        for (int j = 0; j < ROWS; j++) {
            const int dy = r - j;
            if (dy < -s->ry || dy > s->ry || lo[dy + s->ry] > hi[dy + s->ry])
                continue;
            a = lo[dy + s->ry] + s->shift_x[j] < a ? lo[dy + s->ry] + s->shift_x[j] : a;
            b = hi[dy + s->ry] + s->shift_x[j] > b ? hi[dy + s->ry] + s->shift_x[j] : b;
        }
        first[r + s->ry] = a, last[r + s->ry] = b;
        n += b >= a ? b - a + 1 : 0;
    }
    if (s->integer) {
        const int ret = direct_integer(g, info, k, kw, sum, first, last);
        free(first), free(last), free(lo), free(hi), free(k);
        return ret;
    }
    /* The block is symmetric about its centre (column 0, between its middle
     * rows): entry (dx, r) and its mirror (-dx, ROWS - 1 - r) weigh for row
     * ROWS - 1 - j what they weigh for row j the other way round (the kernel
     * is symmetric about its centre). Per pair, the sums and differences of
     * the two samples, weighed for the first half of the rows (see
     * GaussSlant); the first half of the entries in raster order is the
     * rows above the middle, whose mirrors make up the second half. */
    const int np = n / 2;
    s->nb_pairs = np;
    s->pair_off = malloc(sizeof(ptrdiff_t) * 2 * (np ? np : 1));
    s->pair_wt = malloc(sizeof(float) * ROWS * (np ? np : 1));
    if (!s->pair_off || !s->pair_wt) {
        free(first), free(last), free(lo), free(hi), free(k);
        return -ENOMEM;
    }
    int e = 0;
    for (int r = -s->ry; r <= s->ry + ROWS - 1 && e < np; r++)
        for (int dx = first[r + s->ry]; dx <= last[r + s->ry] && e < np; dx++, e++) {
            const int mr = ROWS - 1 - r; /* the mirror, -dx in row mr */
            double w[2][ROWS / 2];
            for (int m = 0; m < 2; m++) {
                const int ex = m ? -dx : dx, er = m ? mr : r;
                for (int j = 0; j < ROWS / 2; j++) {
                    const int dy = er - j;
                    w[m][j] = dy < -s->ry || dy > s->ry || ex < -s->rx || ex > s->rx ? 0
                            : k[(dy + s->ry) * kw + ex + s->rx] / sum;
                }
            }
            s->pair_off[2 * e] = (ptrdiff_t)r * s->sw + dx;
            s->pair_off[2 * e + 1] = (ptrdiff_t)mr * s->sw - dx;
            for (int j = 0; j < ROWS / 2; j++) {
                s->pair_wt[ROWS * e + j] = (float)(w[0][j] + w[1][j]);
                s->pair_wt[ROWS * e + ROWS / 2 + j] = (float)(w[0][j] - w[1][j]);
            }
        }
    free(first), free(last), free(lo), free(hi), free(k);
    /* a plane's last block of rows reads ROWS - 1 rows past the scratch:
     * zeros, for rows that are not written out */
    s->S = scratch_get(g, (size_t)s->sw * (s->sh + ROWS - 1));
    if (s->S)
        memset(s->S + (size_t)s->sw * s->sh, 0, sizeof(float) * s->sw * (ROWS - 1));
    /* the axis pass's line in, out and between; the direct pass's rows of
     * sums (whole strips) */
    const size_t rows = (size_t)ROWS * (((size_t)s->w + GAUSS_STRIP - 1) & ~(size_t)(GAUSS_STRIP - 1));
    const size_t line = (size_t)3 * s->sw + s->w;
    s->work = jobs_work(g, line > rows ? line : rows, info, &s->work_floats, &s->nb_work);
    if (!s->S || !s->work)
        return -ENOMEM;
    g->slant_axis = SMEAR_DSP_PICK(smear_gauss_slant_axis, info->cpu);
    g->slant_pass = SMEAR_DSP_PICK(smear_gauss_slant_pass, info->cpu);
    g->slanted = 1;
    return 0;
}

/* From these on the wide route (GaussShear) is cheaper than the slanted FIR,
 * whose taps grow with the line's sigma, and within a level (measured
 * against the sampled kernel on hard edges, unrounded). With linear
 * interpolation, the two interpolations' unevenness from row to row must be
 * small against the x pass: at most 0.8 of a level for sigmas 4.5 x 3.6 to
 * 100 x 50 at many angles with the x pass's sigma at least SHEAR_MIN_AXIS
 * (at 2.5 it reached 1.16). Cubic interpolation adds no spread: at most
 * 0.77 of a level over 69 random kernels with the x pass's sigma from
 * SHEAR_MIN_CUBIC to 20 (at 1.5 it reached 1.04), at about a tenth more
 * cost. Below that, the quadratic B-spline (whose spread does not depend
 * on the fraction) down to SHEAR_MIN_SPLINE: modelled in float64, its two
 * interpolations and the x pass at most 0.6 of a level off the sampled
 * kernel on hard edges for 8 x 0.8 at 40 degrees (x pass sigma 1.24),
 * over 0.9 below 1.1; run, at most 0.85 off the unrounded reference on
 * noise and edges, the output's rounding included, for kernels from 8 x
 * 0.8 to 100 x 1. The line's pass is recursive, which needs a sigma of
 * at least FIR_MAX_SIGMA. */
#define SHEAR_MIN_LINE 4.0
#define SHEAR_MIN_AXIS 3.5
#define SHEAR_MIN_CUBIC 2.0
#define SHEAR_MIN_SPLINE 1.2

/* The samples the wide route computes on a w x h plane with a line of
 * variance line_var (rows) and the given slope, and an x pass of variance
 * axis_var (a tenth more with cubic interpolation); INFINITY where it
 * would be more than a level off. Each sheared row is made and filtered
 * only within reach of an output: the plane's columns and the x pass's,
 * and the line's run-up each side, slope times as wide. */
static double shear_cost(int w, int h, double line_var, double slope, double axis_var)
{
    if (!(line_var >= SHEAR_MIN_LINE * SHEAR_MIN_LINE && axis_var >= SHEAR_MIN_SPLINE * SHEAR_MIN_SPLINE))
        return INFINITY;
    const double my = 6 * sqrt(line_var) + 4, px = 6 * sqrt(axis_var) + 4;
    const double cubic = axis_var < SHEAR_MIN_AXIS * SHEAR_MIN_AXIS ? 1.1 : 1;
    return cubic * (h + 2 * my) * (w + 2 * px + 2 * fabs(slope) * my);
}

/* The mean of f (1 - f) over the fractions f of a + b i, i in [0, n). */
static double interp_spread(double a, double b, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const double x = a + b * i, f = x - floor(x);
        sum += f * (1 - f);
    }
    return n > 0 ? sum / n : 0;
}

static int configure_sheared(GaussPriv *g, const SmearGaussianParams *gp,
                             const SmearPlaneInfo *info, double slope, double line_var,
                             double axis_var)
{
    GaussShear *s = &g->shear;
    int ret;
    s->w = info->w;
    s->h = info->h;
    s->depth = info->depth;
    s->border = gp->border;
    s->slope = slope;
    const double line_sigma = sqrt(line_var);
    if ((ret = axis_setup(&s->line, line_sigma, gp->border.mode, 0)) < 0)
        return ret;
    s->my = (int)ceil(6 * line_sigma) + 4;
    if (s->my > GAUSS_MAX_RADIUS) /* as the slanted FIR's reach */
        return -EINVAL;
    s->rows = s->h + 2 * s->my;
    /* the columns: x in [-px, w + px] (and the next, interpolated) over
     * rows 0 .. h - 1; the x pass's reach depends on its sigma, which
     * depends on the interpolations, which depend on u0: the reach is
     * bounded first by the whole spread */
    s->cubic = axis_var < SHEAR_MIN_AXIS * SHEAR_MIN_AXIS;
    s->spline = axis_var < SHEAR_MIN_CUBIC * SHEAR_MIN_CUBIC;
    const int px_max = (int)ceil(6 * sqrt(axis_var)) + 4;
    const double lo = -px_max - fmax(0, slope * (s->h - 1)) - 2 - s->cubic;
    const double hi = s->w + px_max + 2 - fmin(0, slope * (s->h - 1)) + 2 + s->cubic;
    s->u0 = (int)floor(lo);
    s->nu = ((int)ceil(hi) - s->u0 + GAUSS_VSTRIP) / GAUSS_VSTRIP * GAUSS_VSTRIP;
    /* each interpolation spreads by f (1 - f) along x: the x pass takes the
     * rest on average (the sheared rows' spread, averaged down the line) */
    const double spread = s->spline ? 0.5 /* the B-spline's 1/4, twice */
                        : s->cubic  ? 0
                                    : interp_spread(s->u0 - slope * s->my, slope, s->rows) +
                                          interp_spread(-px_max - s->u0, -slope, s->h);
    const double ax = sqrt(fmax(axis_var - spread, 0));
    if ((ret = axis_setup(&s->axis, ax, gp->border.mode, 0)) < 0)
        return ret;
    s->px = s->axis.type == GAUSS_FIR ? s->axis.radius
          : s->axis.type == GAUSS_IIR ? (int)ceil(6 * ax) + 4 : 0;
    if (s->px > px_max)
        s->px = px_max;
    s->reach = (int)ceil(fabs(slope) * (6 * line_sigma + 4)) + 2 + 2 * s->cubic;
    /* each strip's rows: from the first whose interpolated columns reach
     * into it to the last. The strips a row reaches, [sa, sb), move
     * monotonically with the row, so a strip's rows are one run: it starts
     * where the strip first enters the window going down, and ends where
     * it first enters going up. */
    const int nb_strips = s->nu / GAUSS_VSTRIP;
    if (!(s->strip_rows = malloc(2 * sizeof(*s->strip_rows) * (size_t)nb_strips)))
        return -ENOMEM;
    for (int st = 0; st < nb_strips; st++)
        s->strip_rows[2 * st] = s->strip_rows[2 * st + 1] = 0;
    for (int end = 0; end < 2; end++) {
        int pa = 0, pb = 0; /* the previous row's window */
        for (int i = 0; i < s->rows; i++) {
            const int r = end ? s->rows - 1 - i : i;
            int k, a, b;
            float f;
            smear_gauss_shear_span(s, r, &k, &f, &a, &b);
            const int sa = a / GAUSS_VSTRIP, sb = b > a ? (b + GAUSS_VSTRIP - 1) / GAUSS_VSTRIP : sa;
            /* the strips that enter: [sa, sb) less [pa, pb) */
            for (int st = sa; st < sb; st++) {
                if (st >= pa && st < pb) {
                    st = pb - 1;
                    continue;
                }
                s->strip_rows[2 * st + end] = end ? r + 1 : r;
            }
            if (sb > sa)
                pa = sa, pb = sb;
        }
    }
    /* up to 12 bits, T holds 16-bit fixed point: half the memory traffic,
     * and steps of a 64th of a level (room for 8 times the plane's range,
     * against the cubic's and the recursion's overshoots) */
    s->fixed = s->depth <= 12;
    s->tscale = s->fixed ? (float)ldexp(1, 14 - s->depth) : 1;
    const size_t tsize = (size_t)s->nu * s->rows * (s->fixed ? sizeof(int16_t) : sizeof(float));
    void *T = smear_buf_get(&g->buf_s, tsize);
    s->T = s->fixed ? NULL : T;
    s->T16 = s->fixed ? T : NULL;
    const size_t n = (size_t)s->w + 2 * s->px, c16 = (n + 15) & ~(size_t)15;
    const size_t rows_work = 2 * (size_t)s->nu + 64;
    const size_t down_work = 2 * (size_t)s->rows * GAUSS_VSTRIP;
    const size_t out_work = 64 * c16 + (size_t)s->nu + 64;
    size_t work = rows_work > down_work ? rows_work : down_work;
    work = work > out_work ? work : out_work;
    s->work = jobs_work(g, work, info, &s->work_floats, &s->nb_work);
    if (!T || !s->work)
        return -ENOMEM;
    g->shear_rows = SMEAR_DSP_PICK(smear_gauss_shear_rows, info->cpu);
    g->shear_down = SMEAR_DSP_PICK(smear_gauss_shear_down, info->cpu);
    g->shear_out = SMEAR_DSP_PICK(smear_gauss_shear_out, info->cpu);
    g->sheared = 1;
    return 0;
}

/* A rotated Gaussian of covariance [[cxx, cxy], [cxy, cyy]] as an axis pass
 * and a slanted pass (Geusebroek, Smeulders and van de Weijer's
 * decomposition): the slanted line steps one row and cxy/cyy columns, with
 * deviation sqrt(cyy) in rows, and the x pass takes the rest, det/cyy, less
 * the spread linear interpolation adds. For cyy <= cxx that rest is the
 * wider of the two ways round, as interpolation matters least after it; a
 * kernel with cyy > cxx goes through configure_transposed. The slanted pass
 * is a FIR along the line, or with fir_only unset and a wide enough kernel,
 * the wide route (configure_sheared). */
static int configure_slanted(GaussPriv *g, const SmearGaussianParams *gp,
                             const SmearPlaneInfo *info, int fir_only)
{
    GaussSlant *s = &g->slant;
    double cxx, cyy, cxy;
    covariance(gp, &cxx, &cyy, &cxy);
    const double det = cxx * cyy - cxy * cxy;
    s->w = info->w;
    s->h = info->h;
    s->depth = info->depth;
    s->border = gp->border;
    const double line_var = cyy;
    const double slope = cxy / line_var; /* columns per row */
    double axis_var = det / line_var;
    const double line_sigma = sqrt(line_var);
    if (!fir_only && shear_cost(s->w, s->h, line_var, slope, axis_var) < INFINITY)
        return configure_sheared(g, gp, info, slope, line_var, axis_var);
    int R = (int)ceil(4 * line_sigma);
    if (R < 1)
        R = 1;
    if (R > GAUSS_MAX_RADIUS)
        return -EINVAL;
    s->radius = R;
    s->slope = (float)slope;
    if (!(s->wt = malloc((size_t)(2 * R + 1) * sizeof(float))))
        return -ENOMEM;
    double sum = 0, interp = 0;
    for (int t = -R; t <= R; t++)
        sum += exp(-(double)t * t / (2 * line_var));
    for (int t = -R; t <= R; t++) {
        const double wt = exp(-(double)t * t / (2 * line_var)) / sum;
        const double shift = (double)s->slope * t, f = shift - floor(shift);
        s->wt[t + R] = (float)wt;
        interp += wt * f * (1 - f);
    }
    axis_var -= interp;
    int ret = axis_setup(&s->axis, axis_var > 0 ? sqrt(axis_var) : 0, gp->border.mode, 0);
    if (ret < 0)
        return ret;
    const int shiftmax = (int)ceil(fabs(slope) * R) + 2;
    s->mx = shiftmax;
    s->my = R + 1;
    s->sw = s->w + 2 * s->mx;
    s->sh = s->h + 2 * s->my;
    s->S = scratch_get(g, (size_t)s->sw * s->sh);
    const int apad = s->axis.type == GAUSS_FIR ? s->axis.radius : s->axis.pad;
    const int line = s->sw;
    /* the axis pass's line in and out; the slanted pass's row and, after
     * it, its taps' pointers and weights */
    size_t work = 3 * (size_t)(line + 2 * apad) + (size_t)s->w;
    /* the slanted pass's row (whole strips) and its taps' four pointers and
     * two weights */
    const size_t row = ((size_t)s->w + GAUSS_STRIP - 1) & ~(size_t)(GAUSS_STRIP - 1);
    if (work < row + 10 * ((size_t)R + 1) + 16)
        work = row + 10 * ((size_t)R + 1) + 16;
    if (s->axis.type == GAUSS_IIR) { /* 16 lines in, out and read */
        const size_t need = 48 * (((size_t)line + 2 * apad + 15) & ~(size_t)15);
        work = work < need ? need : work;
    }
    s->work = jobs_work(g, work, info, &s->work_floats, &s->nb_work);
    if (!s->S || !s->work)
        return -ENOMEM;
    g->slant_axis = SMEAR_DSP_PICK(smear_gauss_slant_axis, info->cpu);
    g->slant_pass = SMEAR_DSP_PICK(smear_gauss_slant_pass, info->cpu);
    g->slanted = 1;
    return 0;
}

/* The kernel mirrored about the diagonal, for the transposed plane. */
static SmearGaussianParams mirrored(const SmearGaussianParams *gp)
{
    SmearGaussianParams t = *gp;
    t.angle = M_PI / 2 - gp->angle;
    return t;
}

/* A kernel spread more along y than along x: the plane is transposed,
 * blurred by the kernel mirrored about the diagonal (its angle taken from a
 * right angle), whose slanted line then steps rows, and transposed back;
 * with direct set, by the direct FIR (whose split needs such a line). */
static int configure_transposed(GaussPriv *g, const SmearGaussianParams *gp,
                                const SmearPlaneInfo *info, int fir_only, int direct)
{
    const SmearGaussianParams t = mirrored(gp);
    SmearPlaneInfo ti = *info;
    ti.w = info->h;
    ti.h = info->w;
    int ret = direct ? configure_direct(g, &t, &ti) : configure_slanted(g, &t, &ti, fir_only);
    if (ret < 0)
        return ret;
    const int bps = info->depth > 8 ? 2 : 1;
    const ptrdiff_t stride = ((ptrdiff_t)ti.w * bps + 63) & ~(ptrdiff_t)63;
    uint8_t *in = smear_buf_get(&g->buf_tin, (size_t)stride * ti.h);
    uint8_t *out = smear_buf_get(&g->buf_tout, (size_t)stride * ti.h);
    if (!in || !out)
        return -ENOMEM;
    g->tin = (SmearPlane){ in, stride, ti.w, ti.h, info->depth };
    g->tout = (SmearPlane){ out, stride, ti.w, ti.h, info->depth };
    g->transposed = 1;
    return 0;
}

void smear_gaussian_floor(double *sigma_x, double *sigma_y, double angle)
{
    const double quarter = angle / (M_PI / 2);
    if (fabs(quarter - round(quarter)) < 1e-9 || *sigma_x == *sigma_y)
        return;
    double *narrow = *sigma_x < *sigma_y ? sigma_x : sigma_y;
    const double least = fmin(SMEAR_GAUSS_TURNED_MIN, fmax(*sigma_x, *sigma_y));
    if (*narrow < least)
        *narrow = least;
}

static int gauss_configure(void *priv, const void *params, const SmearPlaneInfo *info)
{
    GaussPriv *g = priv;
    const SmearGaussianParams *asked = params;
    priv_free(g, 0);
    if (!isfinite(asked->sigma_x) || !isfinite(asked->sigma_y) || !isfinite(asked->angle) ||
        asked->sigma_x < 0 || asked->sigma_y < 0 || asked->sigma_x > 1e4 || asked->sigma_y > 1e4)
        return -EINVAL;
    SmearGaussianParams floored = *asked;
    smear_gaussian_floor(&floored.sigma_x, &floored.sigma_y, floored.angle);
    const SmearGaussianParams *gp = &floored;
    double sx = gp->sigma_x, sy = gp->sigma_y;
    /* an angle that is a multiple of a right angle only swaps the axes */
    const double quarter = gp->angle / (M_PI / 2);
    const double nearest = round(quarter);
    const int aligned = fabs(quarter - nearest) < 1e-9 || sx == sy;
    if (aligned && ((long long)nearest & 1) && sx != sy) {
        double t = sx;
        sx = sy;
        sy = t;
    }
    g->identity = sx == 0 && sy == 0;
    if (g->identity) {
        g->configured = 1;
        return 0;
    }
    /* linear interpolation blurs a narrow Gaussian visibly (measured against
     * the sampled kernel): below 2 samples across, while the kernel is
     * small, and below 1.3 (more than a level off on hard edges) while its
     * ellipse reaches at most 256 samples (the padded copy's margins),
     * convolve directly, or take the wide route (whose B-spline adds no
     * unevenness) where that holds and is cheaper. For long thin kernels
     * that the wide route cannot take, the direct FIR is also faster than
     * the slanted one would be (1080p at 8 bits: 30 x 0.5 at 30 degrees
     * 13.6 ms against 21.9, 40 x 0.7 at 45 28.6 against 42.8; in floats,
     * above 8 bits, slower, 34.2 against 21.4 for the first, but within a
     * level, where the slanted FIR was 1.4 off). (A turned kernel is at
     * least half a sample across: see smear_gaussian_floor().) */
    const double c = cos(gp->angle), s = sin(gp->angle);
    const double rx = ceil(4 * sqrt(pow(gp->sigma_x * c, 2) + pow(gp->sigma_y * s, 2)));
    const double ry = ceil(4 * sqrt(pow(gp->sigma_x * s, 2) + pow(gp->sigma_y * c, 2)));
    const double smin = fmin(gp->sigma_x, gp->sigma_y);
    const int narrow = smin < 2 && ((2 * rx + 1) * (2 * ry + 1) <= 400 ||
                                    (smin < 1.3 && fmax(rx, ry) <= 256));
    int ret;
    if (aligned) {
        ret = configure_axis_aligned(g, sx, sy, gp, info);
    } else {
        /* the cheapest of: the wide route on the plane or on its transpose,
         * and the slanted FIR (on the transpose when the line would step
         * columns), or for a narrow kernel the direct FIR; costs in samples of the wide route's scratch, from
         * timings on one 1080p plane: a slanted tap costs 0.07 of one, the
         * FIR's x pass 0.3 and a transpose there and back 0.2 a sample; a
         * sample of the wide route on the transpose costs 1.3 (measured on
         * seven kernels with both ways open: 1.5 to 1.8 times the time of a
         * modelled sample, against 1.3 to 1.5 on the plane) */
        double cxx, cyy, cxy;
        covariance(gp, &cxx, &cyy, &cxy);
        const double det = cxx * cyy - cxy * cxy, area = (double)info->w * info->h;
        const double on = cyy > 0 ? shear_cost(info->w, info->h, cyy, cxy / cyy, det / cyy) : INFINITY;
        const double across = cxx > 0 ? 1.3 * shear_cost(info->h, info->w, cxx, cxy / cxx, det / cxx) +
                                        0.2 * area : INFINITY;
        /* the slanted FIR's line runs along the narrower way (variance
         * min(cxx, cyy)); for a narrow kernel, only where its x pass is wide
         * enough to hide its linear interpolation, as the wide route's
         * (near an axis: 40 x 1.1 at 5 degrees, 16 bits, 1080p: 6.3 ms and
         * 0.02 of a level off, against 73.5 directly) */
        const double taps = 2 * ceil(4 * sqrt(fmin(cxx, cyy))) + 1;
        const double fir = narrow && det / fmin(cxx, cyy) < SHEAR_MIN_AXIS * SHEAR_MIN_AXIS
                         ? INFINITY : area * (0.07 * taps + 0.3 + (cxx < cyy ? 0.2 : 0));
        /* the direct FIR for a narrow kernel; on the transpose only for its
         * split, and with a margin against the wide route there: 0.4 a
         * sample for the transposes (8 x 0.8 at 60 degrees, 1080p: 4.2 ms
         * split against 3.5 wide, where 0.2 would have taken the split) */
        const SmearGaussianParams t = mirrored(gp);
        int split = 0, split_t = 0;
        const double direct = narrow ? area * direct_cost(gp, info->depth, &split) : INFINITY;
        double direct_t = narrow ? area * (direct_cost(&t, info->depth, &split_t) + 0.4) : INFINITY;
        if (!split_t)
            direct_t = INFINITY;
        const double other = fmin(fir, fmin(direct, direct_t));
        if (on <= across && on <= other)
            ret = configure_sheared(g, gp, info, cxy / cyy, cyy, det / cyy);
        else if (across <= other)
            ret = configure_transposed(g, gp, info, 0, 0);
        else if (direct_t < fir && direct_t < direct)
            ret = configure_transposed(g, gp, info, 0, 1);
        else if (direct <= fir)
            ret = configure_direct(g, gp, info);
        else
            ret = cxx >= cyy ? configure_slanted(g, gp, info, 1)
                             : configure_transposed(g, gp, info, 1, 0);
    }
    if (ret < 0)
        priv_free(g, 0);
    g->configured = ret >= 0;
    return ret;
}

const char *smear_gaussian_route(const void *priv)
{
    const GaussPriv *g = priv;
    if (!g->configured)
        return "none";
    static const char *const turned[2][3] = {
        { "slanted", "wide", "wide spline" },
        { "slanted transposed", "wide transposed", "wide spline transposed" },
    };
    if (g->identity)
        return "identity";
    if (!g->slanted && !g->sheared)
        return "axes";
    if (g->slanted && g->slant.direct) /* on the transpose only when split */
        return !g->slant.pre_r ? "direct" : g->transposed ? "direct split transposed" : "direct split";
    return turned[!!g->transposed][g->sheared ? 1 + g->shear.spline : 0];
}

typedef struct PassArgs {
    const GaussPriv  *g;
    const SmearPlane *plane;
    int               units;
} PassArgs;

static void vpass_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussPlan *p = &a->g->plan;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->vpass(p, u0, u1, p->work + (size_t)j * p->work_floats);
}

static void hpass_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussPlan *p = &a->g->plan;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->hpass(p, a->plane, u0, u1, p->work + (size_t)j * p->work_floats);
}

static void slant_axis_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussSlant *s = &a->g->slant;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->slant_axis(s, a->plane, u0, u1, s->work + (size_t)j * s->work_floats);
}

static void slant_pass_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussSlant *s = &a->g->slant;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    if (s->direct) { /* units are blocks of rows */
        u0 *= GAUSS_DIRECT_ROWS;
        u1 = u1 * GAUSS_DIRECT_ROWS < s->h ? u1 * GAUSS_DIRECT_ROWS : s->h;
    }
    a->g->slant_pass(s, a->plane, u0, u1, s->work + (size_t)j * s->work_floats);
}

static void shear_rows_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussShear *s = &a->g->shear;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->shear_rows(s, a->plane, u0, u1, s->work + (size_t)j * s->work_floats);
}

static void shear_down_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussShear *s = &a->g->shear;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->shear_down(s, u0, u1, s->work + (size_t)j * s->work_floats);
}

static void shear_out_job(void *arg, int j, int nb)
{
    const PassArgs *a = arg;
    const GaussShear *s = &a->g->shear;
    int u0, u1;
    smear_job_rows(a->units, j, nb, &u0, &u1);
    a->g->shear_out(s, a->plane, u0, u1, s->work + (size_t)j * s->work_floats);
}

typedef struct TransposeArgs {
    const SmearPlane *dst, *src;
} TransposeArgs;

static void transpose_job(void *arg, int j, int nb)
{
    const TransposeArgs *t = arg;
    int y0, y1;
    smear_job_rows(t->dst->h, j, nb, &y0, &y1);
    smear_plane_transpose(t->dst, t->src, y0, y1);
}

static int nb_jobs(const SmearExec *ex, int nb_work, int units)
{
    int n = ex ? ex->nb_threads : 1;
    if (n > nb_work)
        n = nb_work;
    if (n > units)
        n = units;
    return n < 1 ? 1 : n;
}

static void gauss_process(void *priv, const SmearPlane *dst, const SmearPlane *src,
                          const SmearExec *ex)
{
    GaussPriv *g = priv;
    if (g->identity) {
        smear_plane_copy(dst, src);
        return;
    }
    if (g->slanted || g->sheared) {
        const int nb_work = g->slanted ? g->slant.nb_work : g->shear.nb_work;
        const SmearPlane *in = src, *out = dst;
        if (g->transposed) {
            TransposeArgs t = { &g->tin, src };
            smear_exec_run(ex, transpose_job, &t, nb_jobs(ex, nb_work, g->tin.h));
            in = &g->tin;
            out = &g->tout;
        }
        if (g->slanted) {
            const GaussSlant *s = &g->slant;
            PassArgs a = { g, in, s->sh };
            smear_exec_run(ex, slant_axis_job, &a, nb_jobs(ex, nb_work, a.units));
            PassArgs b = { g, out, s->direct ? (s->h + GAUSS_DIRECT_ROWS - 1) / GAUSS_DIRECT_ROWS
                                              : s->h };
            smear_exec_run(ex, slant_pass_job, &b, nb_jobs(ex, nb_work, b.units));
        } else {
            const GaussShear *s = &g->shear;
            PassArgs a = { g, in, s->rows };
            smear_exec_run(ex, shear_rows_job, &a, nb_jobs(ex, nb_work, a.units));
            PassArgs b = { g, NULL, s->nu / GAUSS_VSTRIP };
            smear_exec_run(ex, shear_down_job, &b, nb_jobs(ex, nb_work, b.units));
            PassArgs c = { g, out, (s->h + 15) / 16 };
            smear_exec_run(ex, shear_out_job, &c, nb_jobs(ex, nb_work, c.units));
        }
        if (g->transposed) {
            TransposeArgs t = { dst, &g->tout };
            smear_exec_run(ex, transpose_job, &t, nb_jobs(ex, nb_work, dst->h));
        }
        return;
    }
    GaussPlan *p = &g->plan;
    /* source rows -pady .. h + pady - 1 through the border (the fill row
     * for a constant border) */
    const int bps = p->depth > 8 ? 2 : 1;
    for (int r = -p->pady; r < p->h + p->pady; r++) {
        const int m = smear_border_index(r, p->h, p->border.mode);
        p->rows[r + p->pady] = m < 0 ? p->fill_row : src->data + m * src->stride;
    }
    (void)bps;
    if (p->vert.type == GAUSS_IIR) {
        PassArgs a = { g, src, p->nb_vstrips };
        smear_exec_run(ex, vpass_job, &a, nb_jobs(ex, p->nb_work, a.units));
    }
    PassArgs b = { g, dst, p->nb_blocks };
    smear_exec_run(ex, hpass_job, &b, nb_jobs(ex, p->nb_work, b.units));
}

static void gauss_uninit(void *priv)
{
    priv_free(priv, 1);
}

const SmearKernel smear_kernel_gaussian = {
    .name = "gaussian",
    .priv_size = sizeof(GaussPriv),
    .configure = gauss_configure,
    .process = gauss_process,
    .uninit = gauss_uninit,
};
