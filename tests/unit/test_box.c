/*
 * smear - the box kernel against a float64 reference written plainly here:
 * direct 2-D convolution with the area weights of a w x h window centred
 * on each sample (a sample covers [i - 1/2, i + 1/2]), outside samples by
 * the border mode.
 */
#include <math.h>

#include "border.h"
#include "box.h"
#include "testutil.h"

static double weight(int i, double width)
{
    const double lo = fmax(i - 0.5, -width / 2), hi = fmin(i + 0.5, width / 2);
    return hi > lo ? (hi - lo) / width : 0;
}

static double ref(const TestImage *in, int x, int y, const void *ctx)
{
    const SmearBoxParams *b = ctx;
    const int rx = (int)ceil(b->w / 2) + 1, ry = (int)ceil(b->h / 2) + 1;
    double acc = 0;
    for (int dy = -ry; dy <= ry; dy++) {
        const double wy = weight(dy, b->h);
        if (wy == 0)
            continue;
        const int yy = smear_border_index((long long)y + dy, in->p.h, b->border.mode);
        for (int dx = -rx; dx <= rx; dx++) {
            const double wx = weight(dx, b->w);
            if (wx == 0)
                continue;
            const int xx = smear_border_index((long long)x + dx, in->p.w, b->border.mode);
            acc += wx * wy * (xx < 0 || yy < 0 ? b->border.fill : test_image_get(in, xx, yy));
        }
    }
    return acc;
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
                const int e = test_check_kernel("box", &smear_kernel_box, &bp, &img, ref, &bp,
                                                widths[i] > 50 ? 3 : 1, 1, 0);
                worst = e > worst ? e : worst;
            }
        test_image_free(&img);
    }
    for (int depth = 10; depth <= 16; depth += 2) {
        test_image_alloc(&img, 70, 50, depth, "edges");
        test_fill_edges(&img, depth);
        SmearBoxParams bp = { 5.5, 3, { SMEAR_BORDER_REFLECT, 0 } };
        test_check_kernel("deep box", &smear_kernel_box, &bp, &img, ref, &bp, 1, 1 << (depth - 8), 0);
        test_image_free(&img);
    }
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 8);
    SmearBoxParams big = { 11, 11, { SMEAR_BORDER_REPLICATE, 0 } };
    worst = fmax(worst, test_check_kernel("big box", &smear_kernel_box, &big, &img, ref, &big, 23, 1, 0));
    test_image_free(&img);
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        SmearBoxParams bp = { 7, 4, { SMEAR_BORDER_REFLECT, 0 } };
        worst = fmax(worst, test_check_kernel("photo box", &smear_kernel_box, &bp, &img, ref, &bp, 3, 1, 0));
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
