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

/* smear_f32_to_row() of 16 samples, in vectors (a loop of 16 is unrolled
 * into scalar code before the compiler would vectorise it): the same
 * rounding and clamping, and a NaN gives 0 in both. */
static inline void lanes_row16(uint8_t *dst, const float *src, int depth)
{
    const float maxv = (float)((1 << depth) - 1);
#if SMEAR_ISA_IS_AVX512
    __m512 v = _mm512_add_ps(_mm512_loadu_ps(src), _mm512_set1_ps(0.5f));
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(maxv));
    const __m512i i = _mm512_cvttps_epi32(v);
    if (depth <= 8)
        _mm_storeu_si128((__m128i *)dst, _mm512_cvtepi32_epi8(i));
    else
        _mm256_storeu_si256((__m256i *)dst, _mm512_cvtepi32_epi16(i));
#elif SMEAR_ISA_IS_AVX2
    __m256i i[2];
    for (int h = 0; h < 2; h++) {
        __m256 v = _mm256_add_ps(_mm256_loadu_ps(src + 8 * h), _mm256_set1_ps(0.5f));
        v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(maxv));
        i[h] = _mm256_cvttps_epi32(v);
    }
    /* packed per 128-bit half: words 0-3 of i[0], 0-3 of i[1], 4-7, 4-7 */
    const __m256i w = _mm256_permute4x64_epi64(_mm256_packus_epi32(i[0], i[1]), 0xd8);
    if (depth <= 8)
        _mm_storeu_si128((__m128i *)dst, _mm_packus_epi16(_mm256_castsi256_si128(w),
                                                          _mm256_extracti128_si256(w, 1)));
    else
        _mm256_storeu_si256((__m256i *)dst, w);
#else
    typedef uint8_t vbn __attribute__((vector_size(SMEAR_VF)));
    typedef uint16_t vsn __attribute__((vector_size(2 * SMEAR_VF)));
    const vfn vmax = vfn_set1(maxv);
    for (int v = 0; v < 16 / SMEAR_VF; v++) {
        vfn x = vfn_load(src + SMEAR_VF * v) + 0.5f;
        x = (vfn)((vin)x & (x > 0.0f));
        const vin big = x > vmax;
        x = (vfn)(((vin)x & ~big) | ((vin)vmax & big));
        const vin i = __builtin_convertvector(x, vin);
        if (depth <= 8) {
            const vbn b = __builtin_convertvector(i, vbn);
            memcpy(dst + SMEAR_VF * v, &b, sizeof(b));
        } else {
            const vsn h = __builtin_convertvector(i, vsn);
            memcpy(dst + 2 * SMEAR_VF * v, &h, sizeof(h));
        }
    }
#endif
}

/* Writes O[x] (x in [0, w), LANES floats each) as rows y0 .. y0 + rows - 1
 * of dst, rounded and clamped: a 16x16 tile at a time, transposed on the
 * stack and written out at once, so the rows never pass through a buffer
 * bigger than the first-level cache. */
static inline void lanes_store(const SmearPlane *dst, int y0, int rows, const float *O)
{
    const int w = dst->w, depth = dst->depth, bps = depth > 8 ? 2 : 1;
    float tile[16 * 16];
    for (int h = 0; h < rows; h += 16) {
        const int nr = rows - h < 16 ? rows - h : 16;
        uint8_t *d = dst->data + (ptrdiff_t)(y0 + h) * dst->stride;
        int x0 = 0;
        for (; x0 + 16 <= w; x0 += 16) {
            transpose16(tile, 16, O + (ptrdiff_t)x0 * LANES + h, LANES);
            for (int j = 0; j < nr; j++)
                lanes_row16(d + (ptrdiff_t)j * dst->stride + (ptrdiff_t)x0 * bps, tile + 16 * j,
                            depth);
        }
        if (x0 < w) {
            float tmp[16 * 16];
            for (int j = 0; j < w - x0; j++)
                memcpy(tmp + 16 * j, O + (ptrdiff_t)(x0 + j) * LANES + h, sizeof(float) * 16);
            transpose16(tile, 16, tmp, 16);
            for (int j = 0; j < nr; j++)
                smear_f32_to_row(d + (ptrdiff_t)j * dst->stride + (ptrdiff_t)x0 * bps,
                                 tile + 16 * j, w - x0, depth);
        }
    }
}

#endif /* SMEAR_FILTERS_LANES_H */
