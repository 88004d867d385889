/*
 * smear - the motion kernel against its float64 reference (reference.h):
 * the kernel is built by walking each segment of the path in many tiny
 * equal steps of time and crediting each step to the sample square it lies
 * in (the kernel computes the crossings exactly), then direct convolution,
 * outside samples by the border mode.
 */
#include <math.h>
#include <string.h>

#include "border.h"
#include "motion.h"
#include "reference.h"
#include "testutil.h"

static void line(SmearMotionParams *mp, double len, double deg, double from)
{
    const double a = deg * M_PI / 180, dx = cos(a) * len, dy = -sin(a) * len;
    mp->nb_points = 2;
    mp->points[0] = (SmearMotionPoint){ from * dx, from * dy };
    mp->points[1] = (SmearMotionPoint){ (from + 1) * dx, (from + 1) * dy };
}

static int check(const char *what, const SmearMotionParams *mp, const TestImage *in, int step, int tol)
{
    return test_check_conv(what, &smear_kernel_motion, mp, in, step, tol);
}

int main(void)
{
    static const double lengths[] = { 0.3, 1.5, 7.25, 40 };
    static const double angles[] = { 0, 90, 30, 45, 77, 200 };
    static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 64, 48 } };
    TestImage img;
    int worst = 0;
    SmearMotionParams mp;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        test_image_alloc(&img, sizes[s][0], sizes[s][1], 8, s % 2 ? "noise" : "edges");
        if (s % 2)
            test_fill_noise(&img, s);
        else
            test_fill_edges(&img, s);
        for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
            for (size_t a = 0; a < sizeof(angles) / sizeof(angles[0]); a++)
                for (int b = 0; b < 4; b++) {
                    memset(&mp, 0, sizeof(mp));
                    line(&mp, lengths[l], angles[a], a % 2 ? -0.5 : 0);
                    mp.border = (SmearBorder){ (SmearBorderMode)b, 123 };
                    worst = fmax(worst, check("line", &mp, &img, lengths[l] > 20 ? 2 : 1, 1));
                }
        /* straight paths centred along x or y (a running sum), and one that
         * is not quite centred (the general pass) */
        static const double axis[][2] = { { 1, 0 }, { 2.5, 180 }, { 11.75, 0 }, { 40, 270 },
                                          { 6.5, 90 } };
        for (size_t l = 0; l < sizeof(axis) / sizeof(axis[0]); l++)
            for (int b = 0; b < 4; b++) {
                memset(&mp, 0, sizeof(mp));
                line(&mp, axis[l][0], axis[l][1], l == 4 ? -0.45 : -0.5);
                mp.border = (SmearBorder){ (SmearBorderMode)b, 77 };
                worst = fmax(worst, check("centred line", &mp, &img, 1, 1));
            }
        /* a zig-zag polyline and a path much longer than the plane */
        memset(&mp, 0, sizeof(mp));
        static const double zz[][2] = { { -4, 1 }, { -1, -3 }, { 2.5, 2 }, { 6, -1.5 }, { 7, 4 } };
        mp.nb_points = 5;
        for (int i = 0; i < 5; i++)
            mp.points[i] = (SmearMotionPoint){ zz[i][0], zz[i][1] };
        mp.border = (SmearBorder){ SMEAR_BORDER_REFLECT, 0 };
        worst = fmax(worst, check("zig-zag", &mp, &img, 1, 1));
        memset(&mp, 0, sizeof(mp));
        line(&mp, 300, 12, -0.5);
        mp.border = (SmearBorder){ SMEAR_BORDER_WRAP, 0 };
        worst = fmax(worst, check("long", &mp, &img, 3, 1));
        test_image_free(&img);
    }
    for (int depth = 10; depth <= 16; depth += 2) {
        test_image_alloc(&img, 60, 40, depth, "edges");
        test_fill_edges(&img, depth);
        memset(&mp, 0, sizeof(mp));
        line(&mp, 9.5, 33, -0.5);
        mp.border = (SmearBorder){ SMEAR_BORDER_CONSTANT, 900 };
        check("deep line", &mp, &img, 1, 1 << (depth - 8));
        line(&mp, 9.5, 0, -0.5);
        check("deep centred line", &mp, &img, 1, 1 << (depth - 8));
        test_image_free(&img);
    }
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 14);
    memset(&mp, 0, sizeof(mp));
    line(&mp, 25, 30, -0.5);
    worst = fmax(worst, check("big line", &mp, &img, 61, 1));
    test_image_free(&img);
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        memset(&mp, 0, sizeof(mp));
        line(&mp, 12.3, 60, 0);
        worst = fmax(worst, check("photo line", &mp, &img, 5, 1));
        test_image_free(&img);
    }
    /* zero length, and a single point: the plane, unchanged (or moved) */
    test_image_alloc(&img, 40, 30, 8, "noise");
    test_fill_noise(&img, 4);
    memset(&mp, 0, sizeof(mp));
    mp.nb_points = 2;
    TestImage out;
    test_image_alloc(&out, 40, 30, 8, "out");
    test_run_kernel(&smear_kernel_motion, &mp, &img, &out, 1, 0);
    REQUIRE(test_planes_equal(&img, &out), "a path of length 0 leaves the plane unchanged");
    test_image_free(&out);
    test_image_free(&img);

    test_image_alloc(&img, 301, 203, 8, "noise");
    test_fill_noise(&img, 6);
    for (int i = 0; i < 3; i++) {
        memset(&mp, 0, sizeof(mp));
        line(&mp, (double[]){ 3, 17.5, 40 }[i], (double[]){ 0, 37, 120 }[i], -0.5);
        mp.border = (SmearBorder){ SMEAR_BORDER_REFLECT, 0 };
        test_check_invariance("motion", &smear_kernel_motion, &mp, &img);
    }
    test_image_free(&img);
    printf("motion: lines of length 0.3 to 300 at many angles, a zig-zag path, every border, "
           "8-16 bits: worst %d level(s); identical for 1/2/7 threads and every build\n", worst);
    return 0;
}
