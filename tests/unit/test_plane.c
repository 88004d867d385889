/*
 * smear - plane helpers: the transpose against its definition, at 8 and 16
 * bits, for sizes on and off its blocks, whole and in bands.
 */
#include "kernel.h"
#include "testutil.h"

static void check_transpose(int w, int h, int depth)
{
    TestImage in, out;
    test_image_alloc(&in, w, h, depth, "in");
    test_image_alloc(&out, h, w, depth, "out");
    test_fill_noise(&in, (uint64_t)(w * 1000 + h + depth));
    /* in bands of rows, as the jobs of a kernel do */
    const int bands = w > 3 ? 3 : 1;
    for (int j = 0; j < bands; j++) {
        int y0, y1;
        smear_job_rows(w, j, bands, &y0, &y1);
        smear_plane_transpose(&out.p, &in.p, y0, y1);
    }
    for (int y = 0; y < w; y++)
        for (int x = 0; x < h; x++)
            REQUIRE(test_image_get(&out, x, y) == test_image_get(&in, y, x),
                    "%dx%d depth %d: transposed (%d,%d) is %d, the input's (%d,%d) is %d", w, h,
                    depth, x, y, test_image_get(&out, x, y), y, x, test_image_get(&in, y, x));
    test_image_free(&in);
    test_image_free(&out);
}

int main(void)
{
    static const int sizes[][2] = { { 1, 1 },  { 7, 3 },   { 16, 16 },   { 17, 33 },
                                    { 64, 8 }, { 81, 47 }, { 200, 121 }, { 1921, 19 } };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (int depth = 8; depth <= 16; depth += 8) {
            check_transpose(sizes[i][0], sizes[i][1], depth);
            check_transpose(sizes[i][1], sizes[i][0], depth);
        }
    printf("plane: transposes agree with the definition at 8 and 16 bits\n");
    return 0;
}
