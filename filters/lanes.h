/*
 * smear - the "lanes" layout shared by the separable kernels' horizontal
 * passes.
 *
 * A block of LANES consecutive rows is held as one vector of LANES floats
 * per column: B[x * LANES + row]. A filter along x then runs on whole
 * vectors, every row of the block at once, so even a recursion or a
 * running sum along the row is vectorised. Rows go in and out of this
 * layout through 16x16 transposes. Static inline, for the *_dsp.c files.
 */
#ifndef SMEAR_FILTERS_LANES_H
#define SMEAR_FILTERS_LANES_H

#include <string.h>

#include "border.h"
#include "cpu.h"
#include "kernel.h"
#include "sample.h"
#include "simd.h"

#define LANES SMEAR_LANES

/* Transposes a tile of LANES rows (row stride ts floats) by n columns into
 * B[x0 + c][lane], c < n. */
static inline void lanes_from_tile(float *B, int x0, int n, const float *tile, ptrdiff_t ts)
{
    for (int c = 0; c < n; c += 16) {
        for (int h = 0; h < LANES; h += 16) {
            const float *src = tile + (ptrdiff_t)h * ts + c;
            float *d = B + (ptrdiff_t)(x0 + c) * LANES + h;
            if (c + 16 <= n) {
                transpose16(d, LANES, src, ts);
            } else {
                float tmp[16 * 16];
                transpose16(tmp, 16, src, ts);
                for (int j = 0; j < n - c; j++)
                    memcpy(d + (ptrdiff_t)j * LANES, tmp + 16 * j, sizeof(float) * 16);
            }
        }
    }
}

/* Fills the pad columns on each side of B (B at column 0) by the border. */
static inline void lanes_pad(float *B, int w, int pad, SmearBorder border)
{
    for (int x = -pad; x < w + pad; x++) {
        if (x == 0)
            x = w;
        if (x >= w + pad)
            break;
        const int m = smear_border_index(x, w, border.mode);
        float *t = B + (ptrdiff_t)x * LANES;
        if (m < 0)
            for (int v = 0; v < LANES / SMEAR_VF; v++)
                vfn_store(t + SMEAR_VF * v, vfn_set1((float)border.fill));
        else
            memcpy(t, B + (ptrdiff_t)m * LANES, sizeof(float) * LANES);
    }
}

/* Writes O[x] (x in [0, w), LANES floats each) as rows y0 .. y0 + rows - 1
 * of dst: transposed into rowbuf (LANES rows of w + 16 floats), then
 * rounded and clamped row by row. */
static inline void lanes_store(const SmearPlane *dst, int y0, int rows, const float *O,
                               float *rowbuf)
{
    const int w = dst->w;
    const ptrdiff_t rs = w + 16;
    for (int h = 0; h < rows; h += 16) {
        for (int x0 = 0; x0 < w; x0 += 16) {
            if (x0 + 16 <= w) {
                transpose16(rowbuf + h * rs + x0, rs, O + (ptrdiff_t)x0 * LANES + h, LANES);
            } else {
                float tmp[16 * 16];
                for (int j = 0; j < w - x0; j++)
                    memcpy(tmp + 16 * j, O + (ptrdiff_t)(x0 + j) * LANES + h, sizeof(float) * 16);
                transpose16(rowbuf + h * rs + x0, rs, tmp, 16);
            }
        }
    }
    for (int l = 0; l < rows; l++)
        smear_f32_to_row(dst->data + (ptrdiff_t)(y0 + l) * dst->stride, rowbuf + l * rs, w,
                         dst->depth);
}

#endif /* SMEAR_FILTERS_LANES_H */
