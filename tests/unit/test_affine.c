/*
 * smear - the affine kernel against its float64 reference (reference.h):
 * bilinear or Catmull-Rom interpolation at the exact transformed position
 * of every output sample, taps outside the plane defined by the border
 * mode.
 */
#include <math.h>

#include "affine.h"
#include "border.h"
#include "cpu.h"
#include "reference.h"
#include "testutil.h"

static void run(const SmearAffineParams *ap, const TestImage *in, TestImage *out, int threads,
                unsigned cpu)
{
    void *priv = calloc(1, smear_kernel_affine.priv_size);
    const SmearPlaneInfo info = { in->p.w, in->p.h, in->p.depth, threads, cpu };
    REQUIRE(priv && smear_kernel_affine.configure(priv, ap, &info) == 0, "configure");
    TestExec *te = threads > 1 ? test_exec_new(threads) : NULL;
    smear_kernel_affine.process(priv, &out->p, &in->p, te ? test_exec_get(te) : NULL);
    if (te)
        test_exec_free(te);
    smear_kernel_affine.uninit(priv);
    free(priv);
}

static int worst;

static void check(const char *what, const SmearAffineParams *ap, const TestImage *in, int step)
{
    TestImage out;
    test_image_alloc(&out, in->p.w, in->p.h, in->p.depth, "out");
    run(ap, in, &out, 1, smear_cpu_flags());
    const int tol = in->p.depth > 8 ? 1 << (in->p.depth - 8) : 1;
    for (int y = 0; y < in->p.h; y += y + step < in->p.h || y == in->p.h - 1 ? step : in->p.h - 1 - y) {
        for (int x = 0; x < in->p.w; x += x + step < in->p.w || x == in->p.w - 1 ? step : in->p.w - 1 - x) {
            const int e = ref_levels_off(ref_affine_at(ap, &in->p, x, y),
                                         test_image_get(&out, x, y), in->p.depth);
            REQUIRE(e <= tol, "%s: %s %dx%d depth %d m=[%g %g %g; %g %g %g] %s border %s: "
                    "%d levels off at (%d,%d)", what, in->name, in->p.w, in->p.h, in->p.depth,
                    ap->m[0], ap->m[1], ap->m[2], ap->m[3], ap->m[4], ap->m[5],
                    ap->interp ? "bicubic" : "bilinear", smear_border_name(ap->border.mode), e, x, y);
            if (e > worst)
                worst = e;
            if (x == in->p.w - 1)
                break;
        }
        if (y == in->p.h - 1)
            break;
    }
    test_image_free(&out);
}

/* Output -> input map of a rotation by deg and a zoom about the centre. */
static void rotation(SmearAffineParams *ap, int w, int h, double deg, double zoom)
{
    const double r = deg * M_PI / 180, c = cos(r) / zoom, s = sin(r) / zoom;
    const double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
    ap->m[0] = c, ap->m[1] = s, ap->m[2] = cx - c * cx - s * cy;
    ap->m[3] = -s, ap->m[4] = c, ap->m[5] = cy + s * cx - c * cy;
}

int main(void)
{
    TestImage img;
    static const double shears[] = { -1, -0.3, 0.12, 0.2, 0.5, 1, 10 };
    static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 64, 48 }, { 131, 77 } };

    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        const int w = sizes[si][0], h = sizes[si][1];
        test_image_alloc(&img, w, h, 8, si % 2 ? "noise" : "edges");
        if (si % 2)
            test_fill_noise(&img, si);
        else
            test_fill_edges(&img, si);
        for (int interp = 0; interp < 2; interp++)
            for (int b = 0; b < 4; b++) {
                const SmearBorder br = { (SmearBorderMode)b, 99 };
                for (size_t k = 0; k < sizeof(shears) / sizeof(shears[0]); k++) {
                    const double s = shears[k], cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
                    SmearAffineParams xs = { { 1, -s, s * cy, 0, 1, 0 }, (SmearInterp)interp, br };
                    SmearAffineParams ys = { { 1, 0, 0, -s, 1, s * cx }, (SmearInterp)interp, br };
                    check("x-shear", &xs, &img, 1);
                    check("y-shear", &ys, &img, 1);
                }
                /* small and steep slopes (45 to 135 degrees: the vector builds
                 * pick from up to 18 rows, or fall back to gathers), and
                 * zooms out steeper than that, whose groups clamped to the
                 * plane's last row just fit the rows picked from */
                static const double rots[][2] = { { 10, 1 },    { -33, 1 },    { 90, 1 },
                                                  { 180, 1 },   { 5, 1.3 },    { 20, 0.6 },
                                                  { 0, 2 },     { 45, 1 },     { 60, 1.2 },
                                                  { 135, 0.8 }, { -100, 1 },   { 60, 0.5 },
                                                  { -70, 0.4 }, { 100, 0.45 }, { 30, 0.3 } };
                for (size_t k = 0; k < sizeof(rots) / sizeof(rots[0]); k++) {
                    SmearAffineParams rp = { { 0 }, (SmearInterp)interp, br };
                    rotation(&rp, w, h, rots[k][0], rots[k][1]);
                    check("rotation", &rp, &img, 1);
                }
                SmearAffineParams tr = { { 1, 0, 3.25, 0, 1, -1.5 }, (SmearInterp)interp, br };
                check("translation", &tr, &img, 1);
            }
        test_image_free(&img);
    }

    /* deeper samples */
    for (int depth = 10; depth <= 16; depth += 2) {
        test_image_alloc(&img, 57, 43, depth, "edges");
        test_fill_edges(&img, depth);
        for (int interp = 0; interp < 2; interp++) {
            SmearAffineParams rp = { { 0 }, (SmearInterp)interp, { SMEAR_BORDER_REFLECT, 300 } };
            rotation(&rp, 57, 43, 17, 1.1);
            check("deep rotation", &rp, &img, 1);
            SmearAffineParams xs = { { 1, -0.2, 0.2 * 21, 0, 1, 0 }, (SmearInterp)interp,
                                     { SMEAR_BORDER_CONSTANT, 1000 } };
            check("deep x-shear", &xs, &img, 1);
            SmearAffineParams ys = { { 1, 0, 0, 0.7, 1, -0.7 * 28 + 0.3 }, (SmearInterp)interp,
                                     { SMEAR_BORDER_CONSTANT, 1000 } };
            check("deep y-shear", &ys, &img, 1);
            ys.border.mode = SMEAR_BORDER_WRAP;
            ys.m[3] = -1;
            check("deep y-shear", &ys, &img, 1);
        }
        test_image_free(&img);
    }

    /* a large odd plane, sampled, and the photos */
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 77);
    for (int interp = 0; interp < 2; interp++) {
        SmearAffineParams rp = { { 0 }, (SmearInterp)interp, { SMEAR_BORDER_REPLICATE, 0 } };
        rotation(&rp, 1921, 1081, 10, 1);
        check("big rotation", &rp, &img, 13);
        rotation(&rp, 1921, 1081, 50, 1);
        check("big steep rotation", &rp, &img, 13);
        SmearAffineParams xs = { { 1, -0.2, 0.2 * 540, 0, 1, 0 }, (SmearInterp)interp,
                                 { SMEAR_BORDER_REPLICATE, 0 } };
        check("big x-shear", &xs, &img, 7);
        SmearAffineParams ys = { { 1, 0, 0, 0.2, 1, -0.2 * 960 - 11.6 }, (SmearInterp)interp,
                                 { SMEAR_BORDER_REFLECT, 0 } };
        check("big y-shear", &ys, &img, 7);
    }
    test_image_free(&img);
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        for (int interp = 0; interp < 2; interp++) {
            SmearAffineParams rp = { { 0 }, (SmearInterp)interp, { SMEAR_BORDER_REFLECT, 0 } };
            rotation(&rp, img.p.w, img.p.h, 7, 1.05);
            check("photo rotation", &rp, &img, 3);
        }
        test_image_free(&img);
    }

    /* identical bytes for any thread count and instruction set, at 8 and
     * 12 bits: rotations small and large (the vector builds pick their
     * samples differently as the slope grows, and as zooming out widens
     * the span 16 samples read: up to 32, 64 bytes, or more), shears,
     * every border */
    static const double angles[][2] = { { 0.5, 0.9 }, { 10, 0.9 }, { 23, 0.9 }, { 40, 0.9 },
                                        { 90, 0.9 },  { 10, 0.45 }, { 10, 0.25 }, { 10, 0.2 } };
    static const SmearBorderMode borders[] = { SMEAR_BORDER_REPLICATE, SMEAR_BORDER_WRAP,
                                               SMEAR_BORDER_CONSTANT, SMEAR_BORDER_REFLECT };
    const unsigned cpus[3] = { smear_cpu_flags(), smear_cpu_flags() & SMEAR_CPU_AVX2, 0 };
    for (int depth = 8; depth <= 12; depth += 4) {
        test_image_alloc(&img, 300, 200, depth, "noise");
        test_fill_noise(&img, 5);
        for (int interp = 0; interp < 2; interp++)
            for (int c = 0; c < 10; c++) {
                const SmearBorder border = { borders[c % 4], 7 };
                SmearAffineParams ap = { { 1, -0.3, 30, 0, 1, 0 }, (SmearInterp)interp, border };
                if (c < 8)
                    rotation(&ap, 300, 200, angles[c][0], angles[c][1]);
                else if (c == 9)
                    ap = (SmearAffineParams){ { 1, 0, 0, 0.25, 1, -37 }, (SmearInterp)interp, border };
                TestImage o[5];
                for (int i = 0; i < 5; i++) {
                    test_image_alloc(&o[i], 300, 200, depth, "out");
                    run(&ap, &img, &o[i], i < 3 ? (int[]){ 1, 2, 7 }[i] : 1, i < 3 ? cpus[0] : cpus[i - 2]);
                }
                REQUIRE(test_planes_equal(&o[0], &o[1]) && test_planes_equal(&o[0], &o[2]),
                        "case %d, depth %d: the thread count changes the output", c, depth);
                REQUIRE(test_planes_equal(&o[0], &o[3]) && test_planes_equal(&o[0], &o[4]),
                        "case %d, depth %d, %s: the builds for different instruction sets differ",
                        c, depth, interp ? "bicubic" : "bilinear");
                for (int i = 0; i < 5; i++)
                    test_image_free(&o[i]);
            }
        test_image_free(&img);
    }

    /* bad matrices are refused */
    {
        void *priv = calloc(1, smear_kernel_affine.priv_size);
        const SmearPlaneInfo info = { 8, 8, 8, 1, 0 };
        SmearAffineParams bad = { { 1, NAN, 0, 0, 1, 0 }, SMEAR_INTERP_BILINEAR, { 0, 0 } };
        REQUIRE(smear_kernel_affine.configure(priv, &bad, &info) < 0, "NaN refused");
        smear_kernel_affine.uninit(priv);
        free(priv);
    }
    printf("affine: shears -1..10, rotations, zooms, translations, every border, bilinear and "
           "bicubic, 8-16 bits: worst %d level(s) off; identical for 1/2/7 threads and every build\n",
           worst);
    return 0;
}
