/*
 * smear - plane helpers: the transpose against its definition, at 8 and 16
 * bits, for sizes on and off its blocks, whole and in bands; scratch
 * buffers that grow, are reused, and give a giant size back.
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

static void check_buffers(void)
{
    const size_t mib = (size_t)1 << 20;
    SmearBuf b = { NULL, 0 };
    void *p = smear_buf_get(&b, 40 * mib);
    REQUIRE(p && b.size >= 40 * mib && ((uintptr_t)p & 63) == 0, "40 MiB: %zu bytes", b.size);
    /* a little less, or a quarter and a bit: the same memory */
    REQUIRE(smear_buf_get(&b, 39 * mib) == p && smear_buf_get(&b, 11 * mib) == p,
            "a buffer was made anew for a size it holds");
    REQUIRE(b.size >= 40 * mib, "the buffer shrank to %zu bytes", b.size);
    /* under a quarter, 16 MiB or more below: made anew at the size asked */
    REQUIRE(smear_buf_get(&b, 8 * mib) && b.size == 8 * mib, "8 MiB after 40: %zu bytes held",
            b.size);
    /* small sizes are never given back, whatever the ratio */
    REQUIRE(smear_buf_get(&b, 1000) && b.size == 8 * mib, "1000 bytes after 8 MiB: %zu bytes held",
            b.size);
    smear_buf_free(&b);
    REQUIRE(!b.ptr && !b.size, "freed buffer not empty");
}

int main(void)
{
    check_buffers();
    static const int sizes[][2] = { { 1, 1 },  { 7, 3 },   { 16, 16 },   { 17, 33 },
                                    { 64, 8 }, { 81, 47 }, { 200, 121 }, { 1921, 19 } };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (int depth = 8; depth <= 16; depth += 8) {
            check_transpose(sizes[i][0], sizes[i][1], depth);
            check_transpose(sizes[i][1], sizes[i][0], depth);
        }
    printf("plane: transposes agree with the definition at 8 and 16 bits; scratch buffers grow, "
           "are reused, and give a giant size back\n");
    return 0;
}
