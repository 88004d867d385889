/*
 * smear - the Gaussian kernel against its float64 reference (reference.h):
 * direct 2-D convolution with exp(-(u^2/2sx^2 + v^2/2sy^2)) over the
 * rotated offsets, normalised to sum 1, out to 5 sigma, every sample outside
 * the plane defined by the border mode.
 */
#include <math.h>
#include <string.h>

#include "border.h"
#include "cpu.h"
#include "gaussian.h"
#include "reference.h"
#include "testutil.h"

static void run_kernel(const SmearGaussianParams *gp, const TestImage *in, TestImage *out,
                       int threads, unsigned cpu)
{
    void *priv = calloc(1, smear_kernel_gaussian.priv_size);
    REQUIRE(priv, "out of memory");
    const SmearPlaneInfo info = { in->p.w, in->p.h, in->p.depth, threads, cpu };
    int ret = smear_kernel_gaussian.configure(priv, gp, &info);
    REQUIRE(ret == 0, "configure failed (%d) for sigma %g x %g", ret, gp->sigma_x, gp->sigma_y);
    TestExec *te = threads > 1 ? test_exec_new(threads) : NULL;
    smear_kernel_gaussian.process(priv, &out->p, &in->p, te ? test_exec_get(te) : NULL);
    if (te)
        test_exec_free(te);
    smear_kernel_gaussian.uninit(priv);
    free(priv);
}

/* The output of gp on b must not depend on what the instance did before:
 * configured for first and run on a, then configured for gp (its scratch
 * kept across, as the pipeline keeps it), it gives a fresh instance's
 * bytes. The wide route writes only the parts of its scratch within reach
 * of an output; reading any other part would show here. */
static void check_no_history(const SmearGaussianParams *first, const SmearGaussianParams *gp,
                             const TestImage *a, const TestImage *b)
{
    TestImage oa, o1, o2;
    test_image_alloc(&oa, a->p.w, a->p.h, a->p.depth, "first");
    test_image_alloc(&o1, b->p.w, b->p.h, b->p.depth, "after");
    test_image_alloc(&o2, b->p.w, b->p.h, b->p.depth, "fresh");
    void *priv = calloc(1, smear_kernel_gaussian.priv_size);
    REQUIRE(priv, "out of memory");
    const SmearPlaneInfo info = { b->p.w, b->p.h, b->p.depth, 1, smear_cpu_flags() };
    REQUIRE(smear_kernel_gaussian.configure(priv, first, &info) == 0, "configure failed");
    smear_kernel_gaussian.process(priv, &oa.p, &a->p, NULL);
    REQUIRE(smear_kernel_gaussian.configure(priv, gp, &info) == 0, "configure failed");
    smear_kernel_gaussian.process(priv, &o1.p, &b->p, NULL);
    smear_kernel_gaussian.uninit(priv);
    free(priv);
    run_kernel(gp, b, &o2, 1, smear_cpu_flags());
    REQUIRE(test_planes_equal(&o1, &o2),
            "sigma %g x %g turned %g, %d bits, border %d: the output depends on the instance's "
            "earlier frames", gp->sigma_x, gp->sigma_y, gp->angle * 180 / M_PI, b->p.depth,
            (int)gp->border.mode);
    test_image_free(&oa);
    test_image_free(&o1);
    test_image_free(&o2);
}

/* The route the set-up takes for gp on a w x h plane of this depth (see
 * smear_gaussian_route()). */
static const char *route_of(const SmearGaussianParams *gp, int w, int h, int depth)
{
    void *priv = calloc(1, smear_kernel_gaussian.priv_size);
    REQUIRE(priv, "out of memory");
    const SmearPlaneInfo info = { w, h, depth, 1, smear_cpu_flags() };
    REQUIRE(smear_kernel_gaussian.configure(priv, gp, &info) == 0, "configure failed");
    const char *route = smear_gaussian_route(priv);
    smear_kernel_gaussian.uninit(priv);
    free(priv);
    return route;
}

static double worst_bias; /* the largest mean error of any case, in 8-bit levels */

typedef struct Worst {
    int    max_abs;
    double min_psnr;
    char   where[160];
} Worst;

/* Compares the kernel with the reference on every step-th row and column;
 * returns the worst error in levels of the depth. */
static int check(const char *what, const SmearGaussianParams *gp, const TestImage *in, int step,
                 int tol, double min_psnr, Worst *worst)
{
    TestImage out;
    test_image_alloc(&out, in->p.w, in->p.h, in->p.depth, "out");
    run_kernel(gp, in, &out, 1, smear_cpu_flags());
    RefTaps k;
    REQUIRE(ref_taps_gaussian(&k, gp) == 0, "out of memory");
    const int maxv = (1 << in->p.depth) - 1;
    int max_abs = 0, mx = 0, my = 0;
    double sse = 0, n = 0, bias = 0;
    for (int y = 0; y < in->p.h; y += (y + step < in->p.h || y == in->p.h - 1) ? step : in->p.h - 1 - y) {
        for (int x = 0; x < in->p.w; x += (x + step < in->p.w || x == in->p.w - 1) ? step : in->p.w - 1 - x) {
            const double exact = ref_taps_at(&k, &in->p, x, y);
            bias += test_image_get(&out, x, y) - exact;
            const int e = ref_levels_off(exact, test_image_get(&out, x, y), in->p.depth);
            sse += (double)e * e;
            n++;
            if (e > max_abs)
                max_abs = e, mx = x, my = y;
            if (x == in->p.w - 1)
                break;
        }
        if (y == in->p.h - 1)
            break;
    }
    const double psnr = sse > 0 ? 10 * log10((double)maxv * maxv * n / sse) : INFINITY;
    /* rounded, not truncated: on average the output is the reference (over
     * enough samples for the rounding to average out) */
    bias /= n;
    REQUIRE(n < 100 || fabs(bias) <= 0.25 * tol, "%s: %s %dx%d depth %d sigma %g x %g angle %g border %s: "
            "%+.2f levels off on average (allowed 0.25 of %d)", what, in->name, in->p.w, in->p.h,
            in->p.depth, gp->sigma_x, gp->sigma_y, gp->angle, smear_border_name(gp->border.mode),
            bias, tol);
    if (n >= 100 && fabs(bias) / (1 << (in->p.depth - 8)) > worst_bias)
        worst_bias = fabs(bias) / (1 << (in->p.depth - 8));
    REQUIRE(max_abs <= tol && psnr >= min_psnr,
            "%s: %s %dx%d depth %d sigma %g x %g angle %g border %s: %d levels off at (%d,%d) "
            "(allowed %d), PSNR %.1f dB (allowed %.0f)", what, in->name, in->p.w, in->p.h,
            in->p.depth, gp->sigma_x, gp->sigma_y, gp->angle, smear_border_name(gp->border.mode),
            max_abs, mx, my, tol, psnr, min_psnr);
    if (max_abs >= worst->max_abs) {
        worst->max_abs = max_abs;
        snprintf(worst->where, sizeof(worst->where), "%s sigma %g x %g on %s %dx%d", what,
                 gp->sigma_x, gp->sigma_y, in->name, in->p.w, in->p.h);
    }
    if (psnr < worst->min_psnr)
        worst->min_psnr = psnr;
    ref_taps_free(&k);
    test_image_free(&out);
    return max_abs;
}

/* check() within a level for turned kernels { sigma_x, sigma_y, degrees },
 * every border (the constant one filled with fill). */
static void check_turned(const char *what, const double (*cases)[3], size_t n, const TestImage *img,
                         int step, int fill, Worst *worst)
{
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 4; b++) {
            SmearGaussianParams gp = { cases[i][0], cases[i][1], cases[i][2] * M_PI / 180,
                                       { (SmearBorderMode)b, fill } };
            check(what, &gp, img, step, 1, 0, worst);
        }
}

static void fill_kind(TestImage *img, int kind, uint64_t seed)
{
    if (kind == 0)
        test_fill_noise(img, seed);
    else if (kind == 1)
        test_fill_edges(img, seed);
    else
        test_fill_ramp(img);
}

int main(void)
{
    static const double small[] = { 0.3, 0.5, 0.8, 1, 1.5, 2, 3, 4.5, 6, 8 };
    static const double large[] = { 12, 25, 50, 100 };
    Worst w_small = { 0, INFINITY, "" }, w_large = { 0, INFINITY, "" }, w_rot = { 0, INFINITY, "" };
    Worst w_deep = { 0, INFINITY, "" }, w_tiny = { 0, INFINITY, "" };
    TestImage img;

    /* sigma up to 8: within one level, every border, noise, edges, a ramp */
    for (int kind = 0; kind < 3; kind++) {
        test_image_alloc(&img, 67, 45, 8, kind == 0 ? "noise" : kind == 1 ? "edges" : "ramp");
        fill_kind(&img, kind, 11 + kind);
        for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
            for (int b = 0; b < 4; b++) {
                SmearGaussianParams gp = { small[i], small[i], 0, { (SmearBorderMode)b, 77 } };
                check("isotropic", &gp, &img, 1, 1, 0, &w_small);
            }
        /* axis-aligned anisotropic, both ways round */
        SmearGaussianParams a1 = { 3, 0.7, 0, { SMEAR_BORDER_REFLECT, 0 } };
        SmearGaussianParams a2 = { 0, 5, 0, { SMEAR_BORDER_REPLICATE, 0 } };
        SmearGaussianParams a3 = { 6, 2, M_PI / 2, { SMEAR_BORDER_WRAP, 0 } };
        check("anisotropic", &a1, &img, 1, 1, 0, &w_small);
        check("anisotropic", &a2, &img, 1, 1, 0, &w_small);
        check("anisotropic", &a3, &img, 1, 1, 0, &w_small);
        test_image_free(&img);
    }

    /* rotated anisotropic */
    test_image_alloc(&img, 80, 64, 8, "edges");
    test_fill_edges(&img, 5);
    /* slanted passes stepping rows (the axis pass along x) and columns (along
     * y), after a FIR or a recursive axis pass */
    static const double rot[][3] = { { 4, 1.5, 30 }, { 2, 6, -70 }, { 8, 3, 45 }, { 1.5, 0.8, 10 },
                                     { 5, 5, 33 },   { 3, 0, 60 },  { 6, 2, 70 }, { 9, 4, 110 },
                                     { 4, 1, 60 },   { 2.4, 2, 70 }, { 3, 1, 30 }, { 12, 0.5, 20 },
                                     /* thin: interpolation would show, convolved directly */
                                     { 4, 0.5, 30 }, { 6, 0.5, 30 }, { 5, 0.8, 45 }, { 8, 0.3, 30 },
                                     { 6, 0.5, -30 }, { 5, 0.8, 135 }, { 1, 0.4, -50 }, { 10, 0.5, 8 },
                                     /* wider (on a plane this small, still the slanted FIR) */
                                     { 8, 2, 30 },   { 12, 5, 35 }, { 4.5, 3.6, 45 }, { 20, 4, 75 } };
    check_turned("rotated", rot, sizeof(rot) / sizeof(rot[0]), &img, 1, 200, &w_rot);
    test_image_free(&img);

    /* the wide route: the plane sheared so that the line becomes a column,
     * a recursive pass down the columns, the rows moved back. The set-up
     * takes it for these kernels on a plane of this size (when written):
     * with linear interpolation where the x pass is wide, with cubic where
     * it is narrower (the first four); on a wider plane, a line of slope
     * 2.8 (20 x 3 at 15 degrees), and on the transposed plane kernels too
     * flat for the plane's own way (line sigma under 4) */
    test_image_alloc(&img, 320, 240, 8, "edges");
    test_fill_edges(&img, 13);
    static const double wide[][3] = { { 8, 2, 60 }, { 16, 2, 60 }, { 8, 1.5, 45 }, { 12, 3, 80 },
                                      { 8, 2, 30 }, { 20, 4, 75 } };
    check_turned("wide", wide, sizeof(wide) / sizeof(wide[0]), &img, 3, 60, &w_rot);
    test_image_free(&img);
    test_image_alloc(&img, 480, 320, 8, "edges");
    test_fill_edges(&img, 17);
    static const double steep[][3] = { { 20, 3, 15 } };
    check_turned("wide, steep line", steep, 1, &img, 5, 60, &w_rot);
    static const double across[][3] = { { 6, 2, 30 }, { 6, 2.5, 21 } };
    check_turned("wide transposed", across, 2, &img, 5, 60, &w_rot);
    test_image_free(&img);

    /* thin turned kernels: the direct FIR split into an x pass and three
     * entries a kernel row (on the plane and on its transpose), and the
     * wide route with the quadratic B-spline
     * (T in 16-bit fixed point up to 12 bits, floats above; on the plane
     * and on its transpose), on noise and edges, every border. Each case
     * checks that the set-up takes its route, so that none goes untried. */
    static const struct {
        double      k[3];
        int         w, h, depth, step;
        const char *route;
    } thin[] = {
        { { 8, 0.8, 40 }, 400, 300, 8, 3, "direct split" },
        { { 6, 1, 20 }, 400, 300, 8, 3, "direct split" },
        { { 12, 0.9, 30 }, 400, 300, 8, 3, "wide spline" },
        { { 30, 0.5, 30 }, 400, 300, 8, 7, "direct" }, /* the wide route's rows too narrow */
        /* near an axis, wide rows: the slanted FIR (linear interpolation
         * hidden by its x pass), not the costlier direct FIR */
        { { 40, 1.1, 5 }, 400, 300, 8, 7, "slanted" },
        { { 20, 1.1, 85 }, 480, 320, 16, 7, "slanted transposed" },
        { { 4, 1, 60 }, 400, 300, 8, 3, "direct split transposed" },
        { { 8, 0.8, -60 }, 400, 300, 8, 3, "direct split transposed" },
        { { 30, 1, 35 }, 400, 300, 8, 5, "wide spline" },
        { { 8, 0.8, 40 }, 1920, 1080, 8, 29, "wide spline" },
        { { 8, 0.8, 60 }, 1920, 1080, 8, 29, "wide spline transposed" },
        { { 8, 0.8, 40 }, 240, 160, 10, 3, "wide spline" },
        { { 8, 0.8, 60 }, 480, 320, 12, 5, "wide spline transposed" },
        { { 8, 0.8, 40 }, 480, 320, 16, 5, "wide spline" },
        { { 8, 0.8, 60 }, 480, 320, 16, 5, "wide spline transposed" },
    };
    for (size_t i = 0; i < sizeof(thin) / sizeof(thin[0]); i++) {
        const int depth = thin[i].depth;
        const SmearGaussianParams probe = { thin[i].k[0], thin[i].k[1], thin[i].k[2] * M_PI / 180,
                                            { SMEAR_BORDER_REPLICATE, 0 } };
        const char *route = route_of(&probe, thin[i].w, thin[i].h, depth);
        REQUIRE(!strcmp(route, thin[i].route), "sigma %g x %g turned %g on %dx%d at %d bits: "
                "the set-up takes the %s route, not %s", probe.sigma_x, probe.sigma_y,
                thin[i].k[2], thin[i].w, thin[i].h, depth, route, thin[i].route);
        for (int kind = 0; kind < 2; kind++) {
            test_image_alloc(&img, thin[i].w, thin[i].h, depth, kind ? "edges" : "noise");
            fill_kind(&img, kind, 31 + i);
            for (int b = 0; b < 4; b++) {
                SmearGaussianParams gp = probe;
                gp.border = (SmearBorder){ (SmearBorderMode)b, 3 << (depth - 3) };
                check("thin turned", &gp, &img, thin[i].step, 1 << (depth - 8), 0,
                      depth == 8 ? &w_rot : &w_deep);
            }
            test_image_free(&img);
        }
    }

    /* a constant border's fill above what the split's 16-bit sums hold
     * (1023 at 8 bits): the whole direct FIR instead, still exact */
    {
        const SmearGaussianParams gp = { 6, 1, 20 * M_PI / 180, { SMEAR_BORDER_CONSTANT, 2000 } };
        const char *route = route_of(&gp, 120, 90, 8);
        REQUIRE(!strcmp(route, "direct"), "sigma 6 x 1 turned 20, fill 2000: the %s route, "
                "not direct", route);
        test_image_alloc(&img, 120, 90, 8, "edges");
        test_fill_edges(&img, 3);
        TestImage out;
        test_image_alloc(&out, img.p.w, img.p.h, 8, "out");
        run_kernel(&gp, &img, &out, 1, smear_cpu_flags());
        RefTaps k;
        REQUIRE(ref_taps_gaussian(&k, &gp) == 0, "out of memory");
        int worst = 0, clipped = 0;
        for (int y = 0; y < img.p.h; y++)
            for (int x = 0; x < img.p.w; x++) {
                const double exact = ref_taps_at(&k, &img.p, x, y);
                const int e = ref_levels_off(exact, test_image_get(&out, x, y), 8);
                worst = e > worst ? e : worst;
                clipped += exact > 255.5;
            }
        REQUIRE(worst <= 1 && clipped > 0, "sigma 6 x 1 turned 20, fill 2000: %d levels off the "
                "reference clipped to 8 bits (allowed 1; %d samples clipped)", worst, clipped);
        ref_taps_free(&k);
        test_image_free(&out);
        test_image_free(&img);
    }

    /* the wide route's scratch, kept across frames and parameter changes,
     * is only partly written: what the output reads must be this frame's,
     * at 8 bits (16-bit fixed point) and 16 (floats), every border */
    for (int depth = 8; depth <= 16; depth += 8) {
        TestImage na, nb;
        test_image_alloc(&na, 320, 240, depth, "noise");
        test_image_alloc(&nb, 320, 240, depth, "edges");
        test_fill_noise(&na, 5);
        test_fill_edges(&nb, 29);
        for (int b = 0; b < 4; b++) {
            const SmearBorder border = { (SmearBorderMode)b, 1 << (depth - 2) };
            const SmearGaussianParams before = { 16, 2, 60 * M_PI / 180, border };
            const SmearGaussianParams after[] = { { 8, 2, 30 * M_PI / 180, border },
                                                  { 12, 3, -80 * M_PI / 180, border } };
            for (int i = 0; i < 2; i++) {
                check_no_history(&before, &after[i], &na, &nb);
                check_no_history(&after[i], &after[i], &na, &nb);
            }
        }
        test_image_free(&na);
        test_image_free(&nb);
    }

    /* a turned kernel narrower than half a sample is taken as half a sample
     * across (not a row of dots, nor nothing at all); on an axis a zero
     * sigma stays a 1-D blur (the anisotropic cases above) */
    {
        TestImage thin, half;
        test_image_alloc(&img, 61, 47, 8, "edges");
        test_fill_edges(&img, 7);
        test_image_alloc(&thin, img.p.w, img.p.h, 8, "thin");
        test_image_alloc(&half, img.p.w, img.p.h, 8, "half");
        static const double th[][3] = { { 3, 0, 60 }, { 8, 0.2, 10 }, { 0.3, 0, 30 } };
        for (int i = 0; i < 3; i++) {
            SmearGaussianParams t = { th[i][0], th[i][1], th[i][2] * M_PI / 180,
                                      { SMEAR_BORDER_REFLECT, 0 } };
            SmearGaussianParams h = t;
            h.sigma_y = fmin(0.5, t.sigma_x);
            run_kernel(&t, &img, &thin, 1, smear_cpu_flags());
            run_kernel(&h, &img, &half, 1, smear_cpu_flags());
            REQUIRE(test_planes_equal(&thin, &half), "sigma %g x %g turned %g degrees: not taken as %g x %g",
                    t.sigma_x, t.sigma_y, th[i][2], h.sigma_x, h.sigma_y);
            REQUIRE(!test_planes_equal(&thin, &img), "sigma %g x %g turned %g degrees: no blur at all",
                    t.sigma_x, t.sigma_y, th[i][2]);
        }
        /* an angle less than 1e-9 right angles off an axis is the axis (the
         * kernel and its reference agree on that, as documented): a line,
         * not the half-sample floor, and not the line turned by the few
         * tenths of a sample across that a sigma of 3e-10 would see */
        const SmearGaussianParams near_axis[] = { { 0.46, 3e-10, 4.4e-10, { SMEAR_BORDER_REPLICATE, 0 } },
                                                  { 6.9, 1e-5, 1e-9, { SMEAR_BORDER_WRAP, 0 } },
                                                  { 1e-5, 6.9, M_PI / 2 - 1e-9, { SMEAR_BORDER_WRAP, 0 } } };
        for (int i = 0; i < 3; i++) {
            SmearGaussianParams axis = near_axis[i];
            axis.angle = round(axis.angle / (M_PI / 2)) * (M_PI / 2);
            run_kernel(&near_axis[i], &img, &thin, 1, smear_cpu_flags());
            run_kernel(&axis, &img, &half, 1, smear_cpu_flags());
            REQUIRE(test_planes_equal(&thin, &half), "sigma %g x %g at %g radians: not taken as on the axis",
                    near_axis[i].sigma_x, near_axis[i].sigma_y, near_axis[i].angle);
            check("near an axis", &near_axis[i], &img, 1, 1, 0, &w_small);
        }
        test_image_free(&thin);
        test_image_free(&half);
        test_image_free(&img);
    }

    /* sigma above 8: within two levels and above 50 dB (sampled pixels) */
    test_image_alloc(&img, 150, 110, 8, "edges");
    test_fill_edges(&img, 9);
    for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++)
        for (int b = 0; b < 4; b++) {
            SmearGaussianParams gp = { large[i], large[i], 0, { (SmearBorderMode)b, 30 } };
            check("large", &gp, &img, large[i] > 30 ? 37 : 13, 2, 50, &w_large);
        }
    static const double large_turned[][3] = { { 30, 10, 30 }, { 60, 20, 50 }, { 100, 8, 20 } };
    for (size_t i = 0; i < sizeof(large_turned) / sizeof(large_turned[0]); i++)
        for (int b = 0; b < 4; b++) {
            SmearGaussianParams gp = { large_turned[i][0], large_turned[i][1],
                                       large_turned[i][2] * M_PI / 180, { (SmearBorderMode)b, 30 } };
            check("large turned", &gp, &img, 17, 2, 50, &w_large);
        }
    test_image_free(&img);

    /* deeper samples: the tolerance scales with the depth */
    for (int depth = 10; depth <= 16; depth += (depth == 12 ? 4 : 2)) {
        test_image_alloc(&img, 53, 41, depth, "edges");
        test_fill_edges(&img, depth);
        static const double ds[] = { 0.7, 2, 5, 20 };
        for (size_t i = 0; i < 4; i++) {
            SmearGaussianParams gp = { ds[i], ds[i] * 0.8, 0, { SMEAR_BORDER_REFLECT, 1000 } };
            check("deep", &gp, &img, 1, 1 << (depth - 8), 0, &w_deep);
        }
        /* turned: the slanted pass, on the plane and on the transposed plane */
        for (int k = 0; k < 2; k++) {
            SmearGaussianParams gr = { 6, 2, (k ? 70 : 20) * M_PI / 180,
                                       { SMEAR_BORDER_REPLICATE, 0 } };
            check("deep turned", &gr, &img, 1, 1 << (depth - 8), 0, &w_deep);
        }
        /* a wider turned kernel, which on a plane this small takes the
         * slanted pass too: sigma above 8, two levels */
        SmearGaussianParams gw = { 12, 5, 35 * M_PI / 180, { SMEAR_BORDER_REFLECT, 0 } };
        check("deep turned wider", &gw, &img, 1, 2 << (depth - 8), 0, &w_deep);
        test_image_free(&img);
        /* the wide route with linear and with cubic interpolation (taken on
         * a plane this size when written) */
        test_image_alloc(&img, 240, 160, depth, "edges");
        test_fill_edges(&img, depth + 1);
        check("deep wide turned", &gw, &img, 3, 2 << (depth - 8), 0, &w_deep);
        SmearGaussianParams gc = { 8, 2, 60 * M_PI / 180, { SMEAR_BORDER_REFLECT, 0 } };
        check("deep wide cubic", &gc, &img, 3, 1 << (depth - 8), 0, &w_deep);
        test_image_free(&img);
    }

    /* planes smaller than the kernel: 1x1, 2x2, 3x7 with huge sigma */
    static const int tiny[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 7, 3 } };
    for (size_t t = 0; t < 4; t++) {
        test_image_alloc(&img, tiny[t][0], tiny[t][1], 8, "noise");
        test_fill_noise(&img, t + 1);
        static const double ts[] = { 0.3, 1, 8, 100 };
        for (size_t i = 0; i < 4; i++)
            for (int b = 0; b < 4; b++) {
                SmearGaussianParams gp = { ts[i], ts[i], 0, { (SmearBorderMode)b, 9 } };
                check("tiny", &gp, &img, 1, ts[i] > 8 ? 2 : 1, 0, &w_tiny);
            }
        test_image_free(&img);
    }

    /* an odd full-HD-and-one plane, sampled */
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 3);
    for (int i = 0; i < 3; i++) {
        const double s = (double[]){ 1.2, 4, 30 }[i];
        SmearGaussianParams gp = { s, s, 0, { SMEAR_BORDER_REPLICATE, 0 } };
        check("big", &gp, &img, s > 8 ? 97 : 31, s > 8 ? 2 : 1, s > 8 ? 50 : 0, s > 8 ? &w_large : &w_small);
    }
    test_image_free(&img);

    /* real photos */
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        static const double ps[] = { 0.5, 1.5, 3, 8 };
        for (int k = 0; k < 4; k++) {
            SmearGaussianParams gp = { ps[k], ps[k], 0, { SMEAR_BORDER_REFLECT, 0 } };
            check("photo", &gp, &img, 5, 1, 0, &w_small);
        }
        SmearGaussianParams gr = { 6, 2, 0.5, { SMEAR_BORDER_REPLICATE, 0 } };
        check("photo rotated", &gr, &img, 7, 1, 0, &w_rot);
        test_image_free(&img);
    }

    /* the same bytes for 1, 2 and 7 threads, and for every instruction set,
     * on every route (on this plane: axis-aligned, slanted FIR, wide route
     * with linear, cubic and B-spline interpolation, on the plane and on its
     * transpose, direct FIR, whole and split) */
    test_image_alloc(&img, 301, 203, 8, "noise");
    test_fill_noise(&img, 42);
    static const double inv[][3] = { { 0.8, 0.8, 0 }, { 3, 3, 0 }, { 9, 2, 0 }, { 40, 40, 0 },
                                     { 5, 2, 25 },    { 6, 2, 70 }, { 9, 4, 110 }, { 4, 1, 60 },
                                     { 3, 1, 30 },    { 1.5, 0.8, 10 }, { 16, 5, 40 }, { 12, 5, 120 },
                                     { 8, 1.5, 45 },  { 8, 0.8, -40 }, { 6, 1.5, 47 },
                                     { 16, 1, 65 },   { 16, 2, 80 },   { 30, 0.5, 30 } };
    /* on a wider plane, the wide route on the transpose */
    static const double inv_wide[][3] = { { 20, 1, 65 }, { 30, 1, 60 } };
    static const char *const routes[] = { "axes", "slanted", "slanted transposed", "wide",
                                          "wide transposed", "wide spline", "wide spline transposed",
                                          "direct", "direct split", "direct split transposed" };
    int seen[sizeof(routes) / sizeof(routes[0])] = { 0 };
    const size_t n_inv = sizeof(inv) / sizeof(inv[0]);
    for (size_t i = 0; i < n_inv + 2; i++) {
        const double *k = i < n_inv ? inv[i] : inv_wide[i - n_inv];
        if (i == n_inv) {
            test_image_free(&img);
            test_image_alloc(&img, 640, 360, 8, "noise");
            test_fill_noise(&img, 43);
        }
        const SmearGaussianParams probe = { k[0], k[1], k[2] * M_PI / 180,
                                            { SMEAR_BORDER_REPLICATE, 0 } };
        const char *route = route_of(&probe, img.p.w, img.p.h, 8);
        for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++)
            seen[r] |= !strcmp(route, routes[r]);
        for (int b = 0; b < 4; b++) {
            SmearGaussianParams gp = probe;
            gp.border = (SmearBorder){ (SmearBorderMode)b, 128 };
            char what[96];
            snprintf(what, sizeof(what), "sigma %g x %g turned %g, border %d", k[0], k[1], k[2], b);
            test_check_invariance(what, &smear_kernel_gaussian, &gp, &img);
        }
    }
    for (size_t r = 0; r < sizeof(routes) / sizeof(routes[0]); r++)
        REQUIRE(seen[r], "no kernel of the invariance cases takes the %s route", routes[r]);
    test_image_free(&img);

    /* bad parameters are refused */
    {
        void *priv = calloc(1, smear_kernel_gaussian.priv_size);
        const SmearPlaneInfo info = { 16, 16, 8, 1, 0 };
        SmearGaussianParams bad = { NAN, 1, 0, { 0, 0 } };
        REQUIRE(smear_kernel_gaussian.configure(priv, &bad, &info) < 0, "NaN sigma refused");
        REQUIRE(!strcmp(smear_gaussian_route(priv), "none"), "after a refused configuration "
                "the route is none, not %s", smear_gaussian_route(priv));
        bad.sigma_x = -1;
        REQUIRE(smear_kernel_gaussian.configure(priv, &bad, &info) < 0, "negative sigma refused");
        smear_kernel_gaussian.uninit(priv);
        free(priv);
    }

    printf("sigma 0.3-8, axis-aligned:   worst %d level(s) (%s)\n", w_small.max_abs, w_small.where);
    printf("rotated anisotropic:         worst %d level(s) (%s)\n", w_rot.max_abs, w_rot.where);
    printf("sigma 12-100:                worst %d level(s), lowest PSNR %.1f dB (%s)\n",
           w_large.max_abs, w_large.min_psnr, w_large.where);
    printf("10-16 bit:                   worst %d level(s) of their depth (%s)\n", w_deep.max_abs, w_deep.where);
    printf("planes smaller than kernels: worst %d level(s) (%s)\n", w_tiny.max_abs, w_tiny.where);
    printf("mean error, any case:        at most %.3f level(s) (of 8 bits)\n", worst_bias);
    printf("threads 1/2/7, AVX-512, AVX2 and plain C builds: identical\n");
    return 0;
}
