/*
 * smear - fuzz target: the kernels, on odd planes with odd parameters.
 *
 * The input picks a kernel (Gaussian, box, defocus, motion, affine), its
 * parameters, a plane's size, depth, border and content. The kernel runs
 * once per build this CPU can run (AVX-512 with and without its byte
 * permutes and dot products, AVX2, plain C): none of them may crash or
 * touch memory outside the planes and their own scratch, they must agree
 * on whether the parameters are valid, and their outputs must be the same
 * bytes, also when the best build's work is cut into 2 to 8 jobs, run
 * last to first. A difference aborts, naming the kernel, the runs and the
 * first sample that differs. The output is then held to the accuracy the
 * kernels promise, against the float64 references the unit tests use: at
 * most one level of 8 bits off the rounded reference (two for a Gaussian
 * wider than 8 samples), at the corners and 28 other samples.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "affine.h"
#include "box.h"
#include "cpu.h"
#include "defocus.h"
#include "gaussian.h"
#include "kernel.h"
#include "motion.h"
#include "reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Reader {
    const uint8_t *p;
    size_t         left;
} Reader;

static unsigned next8(Reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

static unsigned next16(Reader *r)
{
    const unsigned lo = next8(r);
    return lo | next8(r) << 8;
}

/* A value in [lo, hi], more often near lo (cubed), so that small kernels
 * come up as often as huge ones. */
static double next_range(Reader *r, double lo, double hi)
{
    const double u = next16(r) / 65535.0;
    return lo + (hi - lo) * u * u * u;
}

static double next_signed(Reader *r, double reach)
{
    const double v = next_range(r, 0, reach);
    return next8(r) & 1 ? -v : v;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

typedef union Params {
    SmearGaussianParams gauss;
    SmearBoxParams      box;
    SmearDefocusParams  defocus;
    SmearMotionParams   motion;
    SmearAffineParams   affine;
} Params;

/* The kernel and its parameters from r; the border is set by the caller. */
static const SmearKernel *pick_kernel(Reader *r, Params *pa, SmearBorder border)
{
    memset(pa, 0, sizeof(*pa));
    switch (next8(r) % 5) {
    case 0:
        pa->gauss = (SmearGaussianParams){ next_range(r, 0, 120), next_range(r, 0, 120),
                                           next_range(r, 0, 7), border };
        return &smear_kernel_gaussian;
    case 1:
        pa->box = (SmearBoxParams){ next_range(r, 1, 400), next_range(r, 1, 400), border };
        return &smear_kernel_box;
    case 2: {
        const double rx = next_range(r, 0, 80);
        /* disks more often than ellipses */
        const double ry = next8(r) % 2 ? rx : next_range(r, 0, 80);
        pa->defocus = (SmearDefocusParams){ rx, ry, next8(r) % 3 ? 0 : next_range(r, 0, 1), border };
        return &smear_kernel_defocus;
    }
    case 3: {
        SmearMotionParams *m = &pa->motion;
        m->nb_points = 1 + (int)(next8(r) % 6);
        for (int i = 0; i < m->nb_points; i++)
            m->points[i] = (SmearMotionPoint){ next_signed(r, 60), next_signed(r, 60) };
        m->border = border;
        return &smear_kernel_motion;
    }
    default: {
        SmearAffineParams *a = &pa->affine;
        const unsigned how = next8(r);
        if (how % 3 == 0) { /* any matrix */
            for (int i = 0; i < 6; i++)
                a->m[i] = i == 2 || i == 5 ? next_signed(r, 500) : next_signed(r, 3);
        } else { /* rotation, zoom and shear about a point, as users ask */
            const double t = next_signed(r, 3.2), s = 0.25 + next_range(r, 0, 3);
            const double shx = how % 3 == 1 ? next_signed(r, 1) : 0;
            const double shy = how % 3 == 1 ? 0 : next_signed(r, 1);
            a->m[0] = s * cos(t) + shx, a->m[1] = -s * sin(t) + shx * shy;
            a->m[3] = s * sin(t) + shy, a->m[4] = s * cos(t);
            a->m[2] = next_signed(r, 300), a->m[5] = next_signed(r, 300);
        }
        a->interp = next8(r) % 2 ? SMEAR_INTERP_BICUBIC : SMEAR_INTERP_BILINEAR;
        a->border = border;
        return &smear_kernel_affine;
    }
    }
}

/* The parameters, for a finding's message. */
static void describe(const SmearKernel *k, const Params *pa, char *buf, size_t size)
{
    if (k == &smear_kernel_gaussian) {
        snprintf(buf, size, "sigma %.17g x %.17g, angle %.17g", pa->gauss.sigma_x, pa->gauss.sigma_y,
                 pa->gauss.angle);
    } else if (k == &smear_kernel_box) {
        snprintf(buf, size, "%.17g x %.17g", pa->box.w, pa->box.h);
    } else if (k == &smear_kernel_defocus) {
        snprintf(buf, size, "radius %.17g x %.17g, soft %.17g", pa->defocus.radius_x,
                 pa->defocus.radius_y, pa->defocus.soft);
    } else if (k == &smear_kernel_motion) {
        int n = snprintf(buf, size, "path");
        for (int i = 0; i < pa->motion.nb_points && n > 0 && (size_t)n < size; i++)
            n += snprintf(buf + n, size - n, " (%.17g, %.17g)", pa->motion.points[i].x,
                          pa->motion.points[i].y);
    } else {
        const double *m = pa->affine.m;
        snprintf(buf, size, "matrix [%.17g %.17g %.17g; %.17g %.17g %.17g], %s", m[0], m[1], m[2],
                 m[3], m[4], m[5], pa->affine.interp == SMEAR_INTERP_BICUBIC ? "bicubic" : "bilinear");
    }
}

/* Largest error of out against the reference, at the corners and at
 * positions drawn from seed; the levels allowed, scaled to the depth, in
 * *tol; at and ref: the worst position and its reference. */
static int reference_error(const SmearKernel *k, const Params *pa, const SmearPlane *in,
                           const SmearPlane *out, uint64_t seed, int *tol, int at[2], double *ref)
{
    RefTaps taps = { 0 };
    if (k != &smear_kernel_affine && ref_taps_kernel(&taps, k, pa) < 0)
        abort();
    *tol = k == &smear_kernel_gaussian && fmax(pa->gauss.sigma_x, pa->gauss.sigma_y) > 8 ? 2 : 1;
    *tol <<= in->depth - 8;
    enum { POINTS = 32 };
    int worst = 0;
    for (int i = 0; i < POINTS; i++) {
        int x, y;
        if (i < 4) {
            x = i & 1 ? in->w - 1 : 0;
            y = i & 2 ? in->h - 1 : 0;
        } else {
            x = (int)(splitmix(&seed) % (uint64_t)in->w);
            y = (int)(splitmix(&seed) % (uint64_t)in->h);
        }
        const double r = taps.w ? ref_taps_at(&taps, in, x, y) : ref_affine_at(&pa->affine, in, x, y);
        const int e = ref_levels_off(r, (int)ref_sample(out, x, y), in->depth);
        if (e > worst) {
            worst = e;
            at[0] = x, at[1] = y, *ref = r;
        }
    }
    ref_taps_free(&taps);
    return worst;
}

/* An executor that runs the jobs one after the other, from the last: the
 * bytes must not depend on how the work is cut, nor on which part of it
 * is done first. */
static void run_backwards(void *opaque, SmearJobFn fn, void *arg, int nb_jobs)
{
    (void)opaque;
    for (int j = nb_jobs - 1; j >= 0; j--)
        fn(arg, j, nb_jobs);
}

/* Aborts, saying where, unless planes a and b (with plane's geometry) hold
 * the same samples; how: what differs between the two runs. */
static void same_bytes(const SmearKernel *k, const uint8_t *a, const uint8_t *b,
                       const SmearPlane *plane, const char *how)
{
    const int bps = plane->depth > 8 ? 2 : 1;
    for (int y = 0; y < plane->h; y++) {
        const ptrdiff_t at = y * plane->stride;
        if (memcmp(a + at, b + at, (size_t)plane->w * bps)) {
            int x = 0;
            while (memcmp(a + at + x * bps, b + at + x * bps, bps) == 0)
                x++;
            fprintf(stderr, "%s on %dx%d, %d bits: %s, the output differs at (%d,%d)\n", k->name,
                    plane->w, plane->h, plane->depth, how, x, y);
            abort();
        }
    }
}

/* The builds to compare: this CPU's best, then each with fewer features. */
static int builds(unsigned out[4])
{
    const unsigned best = smear_cpu_flags();
    const unsigned all[4] = { best, best & (SMEAR_CPU_AVX2 | SMEAR_CPU_AVX512), best & SMEAR_CPU_AVX2,
                              0 };
    int n = 0;
    for (int i = 0; i < 4; i++) {
        int seen = 0;
        for (int j = 0; j < n; j++)
            seen |= out[j] == all[i];
        if (!seen)
            out[n++] = all[i];
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Reader r = { data, size };
    /* up to 300 x 120, or wider than 1080p's rows (where the passes of
     * words cut tall kernels into strips of columns) but few rows */
    const unsigned wide = next16(&r);
    const int w = 1 + (int)(wide % 2200 < 2000 ? wide % 300 : wide % 2200);
    const int h = 1 + (int)(next8(&r) % (w > 300 ? 16 : 120));
    const int depth = 8 + (int)(next8(&r) % 9), maxv = (1 << depth) - 1;
    const SmearBorder border = { (SmearBorderMode)(next8(&r) % 4), (int)(next16(&r) % (maxv + 1)) };
    const unsigned look = next8(&r) % 3; /* noise, near white, or blocks */
    uint64_t seed = next16(&r);
    Params pa;
    const SmearKernel *k = pick_kernel(&r, &pa, border);

    const int bps = depth > 8 ? 2 : 1;
    /* rows longer than the plane and at odd (8-bit) or unaligned places */
    const ptrdiff_t stride = (ptrdiff_t)(w + 7) * bps;
    uint8_t *in = malloc((size_t)stride * h), *out[4] = { NULL };
    void *priv = calloc(1, k->priv_size);
    if (!in || !priv)
        abort();
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const uint64_t v = splitmix(&seed);
            int s = (int)(v % (uint64_t)(maxv + 1));
            if (look == 1)
                s = maxv - s / 64;
            else if (look == 2)
                s = ((x / 5 + y / 3) & 1) ? maxv : 0;
            if (bps == 2)
                ((uint16_t *)(in + y * stride))[x] = (uint16_t)s;
            else
                in[y * stride + x] = (uint8_t)s;
        }
    const SmearPlane src = { in, stride, w, h, depth };

    unsigned cpus[4];
    const int n = builds(cpus);
    int first_ret = 0;
    for (int i = 0; i < n; i++) {
        const SmearPlaneInfo info = { w, h, depth, 1, cpus[i] };
        const int ret = k->configure(priv, &pa, &info);
        if (i == 0)
            first_ret = ret;
        if ((ret < 0) != (first_ret < 0)) {
            fprintf(stderr, "%s: configure gives %d with CPU features %#x, %d with %#x\n", k->name,
                    first_ret, cpus[0], ret, cpus[i]);
            abort();
        }
        if (ret < 0)
            break;
        out[i] = malloc((size_t)stride * h);
        if (!out[i])
            abort();
        memset(out[i], 0xa5, (size_t)stride * h);
        const SmearPlane dst = { out[i], stride, w, h, depth };
        k->process(priv, &dst, &src, NULL);
        char how[64];
        snprintf(how, sizeof(how), "with CPU features %#x and %#x", cpus[0], cpus[i]);
        if (i)
            same_bytes(k, out[0], out[i], &dst, how);
    }
    if (out[0]) {
        /* the best build again, its work cut into jobs, run last to first */
        const int jobs = 2 + (int)(next8(&r) % 7);
        const SmearPlaneInfo info = { w, h, depth, jobs, cpus[0] };
        const SmearExec ex = { run_backwards, NULL, jobs };
        uint8_t *cut = malloc((size_t)stride * h);
        if (!cut || k->configure(priv, &pa, &info) < 0)
            abort();
        memset(cut, 0x5a, (size_t)stride * h);
        const SmearPlane dst = { cut, stride, w, h, depth };
        k->process(priv, &dst, &src, &ex);
        char how[64];
        snprintf(how, sizeof(how), "in one job and in %d", jobs);
        same_bytes(k, out[0], cut, &dst, how);
        free(cut);
    }
    if (out[0]) {
        int tol, at[2] = { 0, 0 };
        double ref = 0;
        const SmearPlane got = { out[0], stride, w, h, depth };
        const int e = reference_error(k, &pa, &src, &got, seed, &tol, at, &ref);
        if (e > tol) {
            char what[512];
            describe(k, &pa, what, sizeof(what));
            fprintf(stderr, "%s (%s) on %dx%d, %d bits, border %d (fill %d): %d levels off the "
                    "float64 reference at (%d,%d): %g, got %g (allowed %d)\n", k->name, what, w, h,
                    depth, (int)border.mode, border.fill, e, at[0], at[1], ref,
                    ref_sample(&got, at[0], at[1]), tol);
            abort();
        }
    }
    k->uninit(priv);
    free(priv);
    for (int i = 0; i < n; i++)
        free(out[i]);
    free(in);
    return 0;
}
