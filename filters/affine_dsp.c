/*
 * smear - affine warps: output rows, compiled once per instruction set.
 *
 * Positions are computed in float the same way in every build and on every
 * path, so the builds and any split into jobs give the same bytes.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "affine_dsp.h"
#include "border.h"
#include "sample.h"
#include "simd.h"

static inline float pixel(const SmearPlane *src, int x, int y)
{
    const uint8_t *row = src->data + (ptrdiff_t)y * src->stride;
    return src->depth > 8 ? (float)((const uint16_t *)row)[x] : (float)row[x];
}

/* Input sample (x, y), any integers, by the border. */
static inline float sample(const AffinePlan *p, const SmearPlane *src, int64_t x, int64_t y)
{
    const int mx = smear_border_index(x, p->w, p->border.mode);
    const int my = smear_border_index(y, p->h, p->border.mode);
    if (mx < 0 || my < 0)
        return (float)p->border.fill;
    return pixel(src, mx, my);
}

/* Maps 16 coordinates through the border; the common modes in loops the
 * compiler vectorises. -1 marks a constant-border sample outside. */
static inline void map16(const int32_t i[16], int32_t m[16], int n, SmearBorderMode mode)
{
    switch (mode) {
    case SMEAR_BORDER_REPLICATE:
        for (int l = 0; l < 16; l++)
            m[l] = i[l] < 0 ? 0 : i[l] >= n ? n - 1 : i[l];
        break;
    case SMEAR_BORDER_CONSTANT:
        for (int l = 0; l < 16; l++)
            m[l] = i[l] >= 0 && i[l] < n ? i[l] : -1;
        break;
    default:
        for (int l = 0; l < 16; l++)
            m[l] = smear_border_index(i[l], n, mode);
    }
}

/* The last byte offset a gathered 32-bit word of src may start at (its
 * last word's), or -1 where fetch16() cannot gather: planes of fewer than
 * four bytes, or of more than 2^31. */
static inline int32_t gather_limit(const AffinePlan *p, const SmearPlane *src)
{
    const int deep = p->depth > 8;
    const int64_t last = (int64_t)(p->h - 1) * src->stride + (int64_t)(p->w - 1) * (deep ? 2 : 1) +
                         deep;
    return last >= 3 && last < INT32_MAX ? (int32_t)last - 3 : -1;
}

/* Input samples at the mapped coordinates (cx, cy), the fill where either
 * is -1. With a limit (gather_limit()), gathered as 32-bit words, each read
 * no further than the plane's last word and shifted down to its sample. */
static inline void fetch16(const AffinePlan *p, const SmearPlane *src, int32_t limit,
                           const int32_t cx[16], const int32_t cy[16], float q[16])
{
#if SMEAR_ISA_IS_AVX512
    const int deep = p->depth > 8;
    if (limit >= 0) {
        const __m512i vx = _mm512_loadu_si512((const void *)cx);
        const __m512i vy = _mm512_loadu_si512((const void *)cy);
        const __mmask16 in = (__mmask16)~_mm512_movepi32_mask(_mm512_or_si512(vx, vy));
        const __m512i rowoff = _mm512_mullo_epi32(vy, _mm512_set1_epi32((int32_t)src->stride));
        __m512i off = _mm512_add_epi32(rowoff, deep ? _mm512_slli_epi32(vx, 1) : vx);
        off = _mm512_maskz_mov_epi32(in, off);
        const __m512i at = _mm512_min_epi32(off, _mm512_set1_epi32(limit));
        __m512i w = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), in, at, src->data, 1);
        w = _mm512_srlv_epi32(w, _mm512_slli_epi32(_mm512_sub_epi32(off, at), 3));
        w = _mm512_and_si512(w, _mm512_set1_epi32(deep ? 0xffff : 0xff));
        const __m512 v = _mm512_mask_blend_ps(in, _mm512_set1_ps((float)p->border.fill),
                                              _mm512_cvtepi32_ps(w));
        _mm512_storeu_ps(q, v);
        return;
    }
#elif SMEAR_ISA_IS_AVX2
    /* the same, 8 at a time */
    const int deep = p->depth > 8;
    if (limit >= 0) {
        for (int h = 0; h < 16; h += 8) {
            const __m256i vx = _mm256_loadu_si256((const __m256i *)(cx + h));
            const __m256i vy = _mm256_loadu_si256((const __m256i *)(cy + h));
            const __m256i out = _mm256_srai_epi32(_mm256_or_si256(vx, vy), 31); /* -1 outside */
            const __m256i rowoff = _mm256_mullo_epi32(vy, _mm256_set1_epi32((int32_t)src->stride));
            __m256i off = _mm256_add_epi32(rowoff, deep ? _mm256_slli_epi32(vx, 1) : vx);
            off = _mm256_andnot_si256(out, off);
            const __m256i at = _mm256_min_epi32(off, _mm256_set1_epi32(limit));
            __m256i w = _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), (const int *)src->data,
                                                    at, _mm256_xor_si256(out, _mm256_set1_epi32(-1)), 1);
            w = _mm256_srlv_epi32(w, _mm256_slli_epi32(_mm256_sub_epi32(off, at), 3));
            w = _mm256_and_si256(w, _mm256_set1_epi32(deep ? 0xffff : 0xff));
            const __m256 v = _mm256_blendv_ps(_mm256_cvtepi32_ps(w),
                                              _mm256_set1_ps((float)p->border.fill),
                                              _mm256_castsi256_ps(out));
            _mm256_storeu_ps(q + h, v);
        }
        return;
    }
#else
    (void)limit;
#endif
    const float fill = (float)p->border.fill;
    for (int l = 0; l < 16; l++) {
        const int out = (cx[l] | cy[l]) < 0;
        const ptrdiff_t at = (ptrdiff_t)(out ? 0 : cy[l]) * src->stride;
        const int x = out ? 0 : cx[l];
        const float v = p->depth > 8 ? (float)((const uint16_t *)(src->data + at))[x]
                                     : (float)src->data[at + x];
        q[l] = out ? fill : v;
    }
}

#if SMEAR_ISA_IS_AVX512
/* The positions of output samples x .. x + 15 of a row (lanes from n on
 * repeat the first), their whole parts and fractions: clamped first to
 * 2^30 samples from the plane, or (clamp 0) known to be >= 0, so that
 * truncation is the floor. */
static inline __attribute__((always_inline)) void
vpositions(int x, int n, float c0, float c1, float m0, float m3, const int clamp, __m512i *ix,
           __m512i *iy, __m512 *fx, __m512 *fy)
{
    const float far = (float)(1 << 30);
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i xs = _mm512_set1_epi32(x);
    const __m512 xf = _mm512_cvtepi32_ps(
        _mm512_mask_add_epi32(xs, (__mmask16)((1u << n) - 1), xs, lanes));
    __m512 sx = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(m0), xf), _mm512_set1_ps(c0));
    __m512 sy = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(m3), xf), _mm512_set1_ps(c1));
    if (clamp) {
        const __m512 lo = _mm512_set1_ps(-far), hi = _mm512_set1_ps(far);
        sx = _mm512_min_ps(_mm512_max_ps(sx, lo), hi);
        sy = _mm512_min_ps(_mm512_max_ps(sy, lo), hi);
        const __m512 flx = _mm512_roundscale_ps(sx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        const __m512 fly = _mm512_roundscale_ps(sy, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        *ix = _mm512_cvttps_epi32(flx);
        *iy = _mm512_cvttps_epi32(fly);
        *fx = _mm512_sub_ps(sx, flx);
        *fy = _mm512_sub_ps(sy, fly);
    } else {
        *ix = _mm512_cvttps_epi32(sx);
        *iy = _mm512_cvttps_epi32(sy);
        *fx = _mm512_sub_ps(sx, _mm512_cvtepi32_ps(*ix));
        *fy = _mm512_sub_ps(sy, _mm512_cvtepi32_ps(*iy));
    }
}
#endif

/* The positions of output samples x .. x + 15 of a row (lanes from n on
 * repeat the first), clamped to 2^30 samples from the plane: their whole
 * parts and fractions. */
static inline void positions16(int x, int n, float c0, float c1, float m0, float m3,
                               int32_t ix[16], int32_t iy[16], float fx[16], float fy[16])
{
#if SMEAR_ISA_IS_AVX512
    __m512i vix, viy;
    __m512 vfx, vfy;
    vpositions(x, n, c0, c1, m0, m3, 1, &vix, &viy, &vfx, &vfy);
    _mm512_storeu_si512((void *)ix, vix);
    _mm512_storeu_si512((void *)iy, viy);
    _mm512_storeu_ps(fx, vfx);
    _mm512_storeu_ps(fy, vfy);
#elif SMEAR_ISA_IS_AVX2
    const float far = (float)(1 << 30);
    const __m256 lo = _mm256_set1_ps(-far), hi = _mm256_set1_ps(far);
    for (int h = 0; h < 16; h += 8) {
        const __m256i xs = _mm256_set1_epi32(x);
        const __m256i l = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                           _mm256_set1_epi32(h));
        /* lanes from n on repeat the first */
        const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), l);
        const __m256 xf = _mm256_cvtepi32_ps(_mm256_add_epi32(xs, _mm256_and_si256(l, live)));
        __m256 sx = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(m0), xf), _mm256_set1_ps(c0));
        __m256 sy = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(m3), xf), _mm256_set1_ps(c1));
        sx = _mm256_min_ps(_mm256_max_ps(sx, lo), hi);
        sy = _mm256_min_ps(_mm256_max_ps(sy, lo), hi);
        const __m256 flx = _mm256_floor_ps(sx), fly = _mm256_floor_ps(sy);
        _mm256_storeu_si256((__m256i *)(ix + h), _mm256_cvttps_epi32(flx));
        _mm256_storeu_si256((__m256i *)(iy + h), _mm256_cvttps_epi32(fly));
        _mm256_storeu_ps(fx + h, _mm256_sub_ps(sx, flx));
        _mm256_storeu_ps(fy + h, _mm256_sub_ps(sy, fly));
    }
#else
    const float far = (float)(1 << 30);
    for (int l = 0; l < 16; l++) {
        const float xf = (float)(x + (l < n ? l : 0));
        float sx = m0 * xf + c0, sy = m3 * xf + c1;
        sx = sx < -far ? -far : sx > far ? far : sx;
        sy = sy < -far ? -far : sy > far ? far : sy;
        const float fx0 = floorf(sx), fy0 = floorf(sy);
        ix[l] = (int32_t)fx0;
        iy[l] = (int32_t)fy0;
        fx[l] = sx - fx0;
        fy[l] = sy - fy0;
    }
#endif
}

/* Samples x0..x1 of a row whose taps may fall outside the plane, 16 at a
 * time, every tap mapped through the border: bilinear, or bicubic (the
 * arithmetic of bicubic_span, summed in the same order). Positions beyond
 * 2^30 samples from the plane (only absurd matrices reach them) are
 * clamped there. */
static void interp_mapped(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                          float c1, float m0, float m3, float *out)
{
    const int taps = p->interp == SMEAR_INTERP_BICUBIC ? 4 : 2, first = taps == 4 ? -1 : 0;
    const int32_t limit = gather_limit(p, src);
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        float fx[16], fy[16], q[16], v[16];
        float wx[4][16], wy[4][16];
        int32_t ix[16], iy[16], t[16], mx[4][16], my[4][16];
        positions16(x, n, c0, c1, m0, m3, ix, iy, fx, fy);
        for (int i = 0; i < taps; i++) {
            for (int l = 0; l < 16; l++)
                t[l] = ix[l] + first + i;
            map16(t, mx[i], p->w, p->border.mode);
            for (int l = 0; l < 16; l++)
                t[l] = iy[l] + first + i;
            map16(t, my[i], p->h, p->border.mode);
        }
        if (taps == 2) {
            float a[16], b[16], c[16];
            fetch16(p, src, limit, mx[0], my[0], a);
            fetch16(p, src, limit, mx[1], my[0], b);
            fetch16(p, src, limit, mx[0], my[1], c);
            fetch16(p, src, limit, mx[1], my[1], q);
            for (int l = 0; l < 16; l++) {
                const float top = a[l] * (1.0f - fx[l]) + b[l] * fx[l];
                const float bot = c[l] * (1.0f - fx[l]) + q[l] * fx[l];
                v[l] = top * (1.0f - fy[l]) + bot * fy[l];
            }
        } else {
            for (int l = 0; l < 16; l++) {
                float w[4];
                smear_cubic_weights(fx[l], w);
                for (int i = 0; i < 4; i++)
                    wx[i][l] = w[i];
                smear_cubic_weights(fy[l], w);
                for (int i = 0; i < 4; i++)
                    wy[i][l] = w[i];
                v[l] = 0;
            }
            for (int j = 0; j < 4; j++) {
                float r[16];
                fetch16(p, src, limit, mx[0], my[j], q);
                for (int l = 0; l < 16; l++)
                    r[l] = wx[0][l] * q[l];
                for (int i = 1; i < 4; i++) {
                    fetch16(p, src, limit, mx[i], my[j], q);
                    for (int l = 0; l < 16; l++)
                        r[l] += wx[i][l] * q[l];
                }
                for (int l = 0; l < 16; l++)
                    v[l] += wy[j][l] * r[l];
            }
        }
        memcpy(out + x, v, sizeof(float) * (size_t)n);
    }
}

/* A horizontally sheared row: input row y shifted by s. */
static void xshear_row(const AffinePlan *p, const SmearPlane *src, int y, float *out, float *ext)
{
    const int W = p->w;
    const double s = p->m[1] * y + p->m[2];
    const double k = floor(s);
    const float f = (float)(s - k);
    /* ext[j] is input column k - 1 + j of row y, through the border */
    const int64_t first = (int64_t)k - 1;
    const int n = W + 3;
    const int my = smear_border_index(y, p->h, p->border.mode);
    int64_t lo = -first, hi = (int64_t)W - first; /* j with the column inside */
    lo = lo < 0 ? 0 : lo > n ? n : lo;
    hi = hi < lo ? lo : hi > n ? n : hi;
    for (int j = 0; j < lo; j++)
        ext[j] = sample(p, src, first + j, y);
    if (hi > lo) {
        if (my < 0) {
            for (int64_t j = lo; j < hi; j++)
                ext[j] = (float)p->border.fill;
        } else {
            const uint8_t *row = src->data + (ptrdiff_t)my * src->stride;
            smear_row_to_f32(ext + lo, row + (first + lo) * (p->depth > 8 ? 2 : 1),
                             (int)(hi - lo), p->depth);
        }
    }
    for (int64_t j = hi; j < n; j++)
        ext[j] = sample(p, src, first + j, y);
    if (p->interp == SMEAR_INTERP_BICUBIC) {
        float w[4];
        smear_cubic_weights(f, w);
        for (int x = 0; x < W; x++)
            out[x] = w[0] * ext[x] + w[1] * ext[x + 1] + w[2] * ext[x + 2] + w[3] * ext[x + 3];
    } else {
        const float f0 = 1.0f - f;
        for (int x = 0; x < W; x++)
            out[x] = ext[x + 1] * f0 + ext[x + 2] * f;
    }
}

/* Bytes in vectors of the build's width (see vfn in simd.h; and vwn for
 * words), YP of them to 64 bytes. */
typedef uint8_t vbn __attribute__((vector_size(4 * SMEAR_VF)));
#define YP (16 / SMEAR_VF)

/* Vectors of type T at p, any alignment, loaded and stored without taking
 * their address (a memcpy() into an array of vectors goes through the
 * stack in the AVX2 build). */
typedef vbn vbn_any __attribute__((aligned(1), may_alias));
typedef vwn vwn_any __attribute__((aligned(1), may_alias));
#define LOAD_ANY(T, p) (*(const T##_any *)(const void *)(p))
#define STORE_ANY(T, p, v) (*(T##_any *)(void *)(p) = (v))

/* The taps of one tile of 64 columns, TAPS a column (a constant, so that
 * the taps stay in registers): tap j of column x comes from the tile's row
 * k = rel(x) + j, whose 64 samples are at rowp[k] + xb. */
static inline __attribute__((always_inline)) void
yshear_taps(const AffinePlan *p, int x0, int rows, const int TAPS, const uint8_t *const *rowp,
            ptrdiff_t xb, uint8_t *tapbuf)
{
    if (p->depth <= 8) {
        vbn rel[YP], tap[4][YP];
        for (int q = 0; q < YP; q++)
            rel[q] = LOAD_ANY(vbn, p->yrel8 + x0 + sizeof(vbn) * q);
        for (int j = 0; j < TAPS; j++)
            for (int q = 0; q < YP; q++)
                tap[j][q] = (vbn){ 0 };
        for (int k = 0; k < rows; k++) {
            vbn v[YP];
            for (int q = 0; q < YP; q++)
                v[q] = LOAD_ANY(vbn, rowp[k] + xb + sizeof(vbn) * q);
            for (int j = 0; j < TAPS; j++)
                for (int q = 0; q < YP; q++) {
                    const vbn hit = (vbn)(rel[q] + (uint8_t)j == (uint8_t)k);
                    tap[j][q] = (v[q] & hit) | (tap[j][q] & ~hit);
                }
        }
        for (int j = 0; j < TAPS; j++)
            for (int q = 0; q < YP; q++)
                STORE_ANY(vbn, tapbuf + 64 * j + sizeof(vbn) * q, tap[j][q]);
        return;
    }
    vwn rel[2 * YP], tap[4][2 * YP];
    for (int q = 0; q < 2 * YP; q++)
        rel[q] = LOAD_ANY(vwn, p->yrel16 + x0 + SMEAR_VW * q);
    for (int j = 0; j < TAPS; j++)
        for (int q = 0; q < 2 * YP; q++)
            tap[j][q] = (vwn){ 0 };
    for (int k = 0; k < rows; k++) {
        vwn v[2 * YP];
        for (int q = 0; q < 2 * YP; q++)
            v[q] = LOAD_ANY(vwn, rowp[k] + xb + sizeof(vwn) * q);
        for (int j = 0; j < TAPS; j++)
            for (int q = 0; q < 2 * YP; q++) {
                const vwn hit = (vwn)(rel[q] + (uint16_t)j == (uint16_t)k);
                tap[j][q] = (v[q] & hit) | (tap[j][q] & ~hit);
            }
    }
    for (int j = 0; j < TAPS; j++)
        for (int q = 0; q < 2 * YP; q++)
            STORE_ANY(vwn, tapbuf + 128 * j + sizeof(vwn) * q, tap[j][q]);
}

/* Output sample i of a tile from its taps: the same sums, in the same
 * order, as the general path's. */
#define YSHEAR_SUMS(T)                                                                   \
    do {                                                                                 \
        const T *t0 = (const T *)tapbuf, *t1 = t0 + 64, *t2 = t0 + 128, *t3 = t0 + 192; \
        if (taps == 2)                                                                   \
            for (int i = 0; i < n; i++)                                                  \
                o[i] = (float)t0[i] * w[2 * i] + (float)t1[i] * w[2 * i + 1];            \
        else                                                                             \
            for (int i = 0; i < n; i++)                                                  \
                o[i] = w[4 * i] * (float)t0[i] + w[4 * i + 1] * (float)t1[i] +           \
                       w[4 * i + 2] * (float)t2[i] + w[4 * i + 3] * (float)t3[i];        \
    } while (0)

/* Vertically sheared rows [y0, y1): column x of output row y is
 * interpolated down input column x around row y + K(x). Every tap lies in
 * its column, so only the rows go through the border: a table of the band's
 * input rows, mapped once. scratch: smear_affine_yshear_scratch() bytes. */
static void yshear_rows(const AffinePlan *p, const SmearPlane *dst, const SmearPlane *src, int y0,
                        int y1, float *out, uint8_t *scratch)
{
    const int W = p->w, taps = p->interp == SMEAR_INTERP_BICUBIC ? 4 : 2, bps = p->depth > 8 ? 2 : 1;
    uint8_t *tapbuf = scratch, *copy = scratch + 512;
    const uint8_t **cp = (const uint8_t **)(copy + 128 * YSHEAR_MAX_ROWS);
    const uint8_t **tab = (const uint8_t **)(cp + YSHEAR_MAX_ROWS);
    const uint8_t *fill = p->yfill;
    /* tab[i]: input row base + i, base the first row any tap of the band reads */
    const int64_t base = (int64_t)y0 + p->ykmin - 1;
    const int nb_rows = (y1 - y0) + (p->ykmax - p->ykmin) + 4;
    for (int i = 0; i < nb_rows; i++) {
        const int r = smear_border_index(base + i, p->h, p->border.mode);
        tab[i] = r < 0 ? fill : src->data + (ptrdiff_t)r * src->stride;
    }
    for (int y = y0; y < y1; y++) {
        for (int t = 0; t * 64 < W; t++) {
            const int x0 = 64 * t, n = W - x0 < 64 ? W - x0 : 64;
            const int rows = p->ytile_span[t] + taps;
            const uint8_t *const *rowp = tab + (y + p->ytile_k[t] - (taps == 4) - base);
            ptrdiff_t xb = (ptrdiff_t)x0 * bps;
            if (n < 64) {
                /* the last tile: copies, so that no load reads past a row's
                 * end (the lanes past n are computed, never written out) */
                for (int k = 0; k < rows; k++) {
                    memcpy(copy + 128 * k, rowp[k] + xb, (size_t)n * bps);
                    memset(copy + 128 * k + n * bps, 0, (size_t)(128 - n * bps));
                    cp[k] = copy + 128 * k;
                }
                rowp = cp;
                xb = 0;
            }
            if (taps == 2)
                yshear_taps(p, x0, rows, 2, rowp, xb, tapbuf);
            else
                yshear_taps(p, x0, rows, 4, rowp, xb, tapbuf);
            const float *w = p->yw + (size_t)taps * x0;
            float *o = out + x0;
            if (p->depth > 8)
                YSHEAR_SUMS(uint16_t);
            else
                YSHEAR_SUMS(uint8_t);
        }
        smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride, out, p->w, p->depth);
    }
}

/* The span [*xa, *xb) of output columns whose taps all lie inside the
 * plane, for a position u(x) = c0 + d x along an axis of n samples, with
 * taps from lo_tap to hi_tap around floor(u). Conservative by a column. */
static void inside_span(double c0, double d, int n, int lo_tap, int hi_tap, int w,
                        int64_t *xa, int64_t *xb)
{
    /* floor(u) + lo_tap >= 0 and floor(u) + hi_tap <= n - 1 hold for
     * u in [-lo_tap, n - hi_tap) */
    const double umin = -lo_tap, umax = (double)n - hi_tap;
    double a, b;
    if (umax <= umin) {
        *xa = *xb = 0;
        return;
    }
    if (d == 0) {
        if (c0 >= umin && c0 < umax)
            a = -1e18, b = 1e18;
        else
            a = b = 0;
    } else {
        double x1 = (umin - c0) / d, x2 = (umax - c0) / d;
        a = x1 < x2 ? x1 : x2;
        b = x1 < x2 ? x2 : x1;
    }
    int64_t ia = (int64_t)ceil(a > -1e9 ? a : -1e9) + 1, ib = (int64_t)floor(b < 1e9 ? b : 1e9) - 1;
    ia = ia < 0 ? 0 : ia > w ? w : ia;
    ib = ib > w ? w : ib;
    *xa = ia;
    *xb = ib > ia ? ib : ia;
}

/* Bilinear samples of a row span straight from the plane, 16 at a time:
 * each 32-bit word gathered holds a sample and its right neighbour. */
static void bilinear_span(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                          float c1, float m0, float m3, float *out)
{
    const int deep = p->depth > 8;
    const int32_t stride = (int32_t)src->stride;
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        float sx[16], sy[16], fx[16], fy[16], v[16];
        int32_t i0[16], i1[16];
        uint32_t w0[16], w1[16];
        for (int l = 0; l < 16; l++) {
            const float xf = (float)(x + (l < n ? l : 0));
            sx[l] = m0 * xf + c0;
            sy[l] = m3 * xf + c1;
            const int ix = (int)sx[l], iy = (int)sy[l]; /* both >= 0 here: truncation is floor */
            fx[l] = sx[l] - (float)ix;
            fy[l] = sy[l] - (float)iy;
            i0[l] = iy * stride + (deep ? 2 * ix : ix);
            i1[l] = i0[l] + stride;
        }
        smear_gather32(w0, src->data, i0);
        smear_gather32(w1, src->data, i1);
        for (int l = 0; l < 16; l++) {
            const float a = deep ? (float)(w0[l] & 0xffff) : (float)(w0[l] & 0xff);
            const float b = deep ? (float)(w0[l] >> 16) : (float)((w0[l] >> 8) & 0xff);
            const float c = deep ? (float)(w1[l] & 0xffff) : (float)(w1[l] & 0xff);
            const float d = deep ? (float)(w1[l] >> 16) : (float)((w1[l] >> 8) & 0xff);
            const float top = a * (1.0f - fx[l]) + b * fx[l], bot = c * (1.0f - fx[l]) + d * fx[l];
            v[l] = top * (1.0f - fy[l]) + bot * fy[l];
        }
        memcpy(out + x, v, sizeof(float) * (size_t)n);
    }
}

#if SMEAR_ISA_IS_AVX512
/* Input rows a group of 16 samples reads, for a slope m3 of the input row
 * position along the output row: the same for every group of a row, so
 * that the loop over them is predictable. */
#define PERMUTE_MAX_ROWS 18

/* Output rows ahead whose input the groups prefetch: a row takes about a
 * microsecond, and the input of a turned plane is read along slanted lines
 * that the hardware's prefetchers do not follow. */
#define PREFETCH_AHEAD 2

/* Asks for the cache lines the same group will read PREFETCH_AHEAD output
 * rows on that it does not read now: the rows its window moves into, and the
 * column of lines it moves into sideways (once per line crossed). */
static inline __attribute__((always_inline)) void
prefetch_ahead(const uint8_t *data, ptrdiff_t stride, int w, int h, int deep, int bx, int by, int ey,
               int ax, int ay, int win)
{
    const int fx = bx + ax, fl = fx + win - 1; /* the window ahead: columns fx .. fl */
    if (fx < 0 || fx >= w)
        return;
    const uint8_t *base = data + ((ptrdiff_t)fx << deep);
    if (ay > 0 && ey + ay < h) {
        const uint8_t *row = base + (ptrdiff_t)(ey + ay) * stride;
        _mm_prefetch((const char *)row, _MM_HINT_T0);
        _mm_prefetch((const char *)row + 63, _MM_HINT_T0);
    }
    /* sideways: the line the window's leading column moves into */
    const int lead = ax < 0 ? fx : fl, now = ax < 0 ? bx : bx + win - 1;
    if (ax == 0 || ((lead << deep) >> 6) == ((now << deep) >> 6))
        return;
    const uint8_t *col = data + ((ptrdiff_t)lead << deep);
    for (int r = by + ay < 0 ? 0 : by + ay; r <= ey + ay && r < h; r++)
        _mm_prefetch((const char *)(col + (ptrdiff_t)r * stride), _MM_HINT_T0);
}

/* At 8 bits, the four taps of 16 samples (one per 32-bit lane, top left
 * in the low byte), picked out of 64-byte windows from row (input row by,
 * column bx) down: rows r and r + 1 side by side in one 128-byte table
 * give each sample whose top row (iy0) is r its four taps at once, by idx;
 * r runs from by to last, its bottom row up to ey (r itself where
 * clamping made the two rows one). */
static inline __attribute__((target("avx512vbmi"), always_inline)) __m512i
pick8_pairs(const uint8_t *row, ptrdiff_t stride, __mmask64 m, __m512i idx, __m512i iy0, int by,
            int last, int ey, int nb_rows)
{
    __m512i cur = _mm512_maskz_loadu_epi8(m, row), top = _mm512_setzero_si512();
    __m512i vr = _mm512_set1_epi32(by);
    for (int k = 0, r = by; k < nb_rows - 1; k++) {
        /* rows past the last top row repeat it: no sample takes them */
        const __m512i next = _mm512_maskz_loadu_epi8(m, r < ey ? row + stride : row);
        const __m512i pick = _mm512_permutex2var_epi8(cur, idx, next);
        top = _mm512_mask_mov_epi32(top, _mm512_cmpeq_epi32_mask(iy0, vr), pick);
        if (r < last) {
            r++;
            row += stride;
            vr = _mm512_add_epi32(vr, _mm512_set1_epi32(1));
            cur = next;
        }
    }
    return top;
}

/* The bilinear value of 16 samples from their taps: top and bot hold the
 * top and bottom row's pair (left in the low half, right shifted by shift
 * bits, masked by low), interpolated as every build does. */
static inline __attribute__((always_inline)) __m512
bilinear16(__m512i top, __m512i bot, __m512 fx, __m512 fy, __m512i low, unsigned shift)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 a = _mm512_cvtepi32_ps(_mm512_and_si512(top, low));
    const __m512 b = _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(top, shift), low));
    const __m512 c = _mm512_cvtepi32_ps(_mm512_and_si512(bot, low));
    /* the right tap of the bottom row is its word's top bits: no mask */
    const __m512 d = _mm512_cvtepi32_ps(_mm512_srli_epi32(bot, shift));
    const __m512 gx = _mm512_sub_ps(one, fx), gy = _mm512_sub_ps(one, fy);
    const __m512 t = _mm512_add_ps(_mm512_mul_ps(a, gx), _mm512_mul_ps(b, fx));
    const __m512 u = _mm512_add_ps(_mm512_mul_ps(c, gx), _mm512_mul_ps(d, fx));
    return _mm512_add_ps(_mm512_mul_ps(t, gy), _mm512_mul_ps(u, fy));
}

static inline int permute_rows(float m3)
{
    return (int)ceilf(fminf(fabsf(m3), 1.0f) * 15.0f + 0.01f) + 2;
}

/* The window of a group of n samples, from its taps' first and last
 * columns and rows (vectors of 16): positions are monotonic along the
 * group (rounding keeps order), so its corners are the first and last
 * samples'. Its first column, first and last rows, and the last of the
 * samples' first rows; 0 if it is wider than win columns or taller than
 * rows. */
static inline __attribute__((always_inline)) int
group_window(__m512i xlo, __m512i xhi, __m512i ylo, __m512i yhi, int n, int win, int rows, int *bx,
             int *by, int *ey, int *ly)
{
    int32_t t[4][16];
    _mm512_storeu_si512((void *)t[0], xlo);
    _mm512_storeu_si512((void *)t[1], xhi);
    _mm512_storeu_si512((void *)t[2], ylo);
    _mm512_storeu_si512((void *)t[3], yhi);
    const int ex = t[1][0] < t[1][n - 1] ? t[1][n - 1] : t[1][0];
    *bx = t[0][0] < t[0][n - 1] ? t[0][0] : t[0][n - 1];
    *by = t[2][0] < t[2][n - 1] ? t[2][0] : t[2][n - 1];
    *ey = t[3][0] < t[3][n - 1] ? t[3][n - 1] : t[3][0];
    *ly = t[2][0] < t[2][n - 1] ? t[2][n - 1] : t[2][0];
    return ex - *bx < win && *ey - *by < rows;
}

/* Bilinear samples x0..x1 of a row without gathers, on CPUs with byte
 * permutes. The 16 samples of a group read their neighbours from a few input
 * rows (one more than the rows their positions cross) and from a window of
 * at most 64 bytes in each: each row's window is loaded once (masked, so
 * never past the plane) and the samples' taps picked out with permutes (at
 * 8 bits two rows side by side in one 128-byte table give a sample all four
 * taps at once; above, a row gives the pair of taps of the samples it is
 * the top or bottom row of). With clamp, tap coordinates are clamped to the
 * plane, which is the replicated border: with it, the whole row goes
 * through here. A group whose window is wider or taller goes through
 * interp_mapped. Same arithmetic as interp_mapped (and bilinear_span), so
 * the same bytes. */
static inline __attribute__((target("avx512vbmi"), always_inline))
void permute_span(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                  float c1, float m0, float m3, float *out, const int clamp)
{
    const int deep = p->depth > 8;
    const int win = deep ? 32 : 64; /* samples in a 64-byte window */
    const __m512i low = _mm512_set1_epi32(deep ? 0xffff : 0xff), ione = _mm512_set1_epi32(1);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i wmax = _mm512_set1_epi32(p->w - 1), hmax = _mm512_set1_epi32(p->h - 1);
    const unsigned shift = deep ? 16 : 8;
    const int nb_rows = permute_rows(m3);
    if (nb_rows > PERMUTE_MAX_ROWS) {
        interp_mapped(p, src, x0, x1, c0, c1, m0, m3, out);
        return;
    }
    const int ahead_x = (int)lrint(PREFETCH_AHEAD * p->m[1]);
    const int ahead_y = (int)lrint(PREFETCH_AHEAD * p->m[4]);
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1);
        __m512i ix0, ix1, iy0, iy1;
        __m512 fx, fy;
        vpositions(x, n, c0, c1, m0, m3, clamp, &ix0, &iy0, &fx, &fy);
        ix1 = _mm512_add_epi32(ix0, ione);
        iy1 = _mm512_add_epi32(iy0, ione);
        if (clamp) {
            ix0 = _mm512_min_epi32(_mm512_max_epi32(ix0, zero), wmax);
            ix1 = _mm512_min_epi32(_mm512_max_epi32(ix1, zero), wmax);
            iy0 = _mm512_min_epi32(_mm512_max_epi32(iy0, zero), hmax);
            iy1 = _mm512_min_epi32(_mm512_max_epi32(iy1, zero), hmax);
        }
        int bx, by, ey, last; /* last: the last top row */
        int fits;
        if (!clamp) {
            /* inside the plane: the corners from the first and last samples'
             * positions, computed as the vectors compute them */
            const float xa = (float)x, xb = (float)(x + n - 1);
            const int ua = (int)(m0 * xa + c0), ub = (int)(m0 * xb + c0);
            const int va = (int)(m3 * xa + c1), vb = (int)(m3 * xb + c1);
            bx = ua < ub ? ua : ub;
            by = va < vb ? va : vb;
            last = va < vb ? vb : va;
            ey = last + 1;
            fits = (ua < ub ? ub : ua) + 1 - bx < win && ey - by < nb_rows;
        } else {
            fits = group_window(ix0, ix1, iy0, iy1, n, win, nb_rows, &bx, &by, &ey, &last);
            /* at 8 bits the loop below takes top rows by .. by + nb_rows - 2,
             * which ey < by + nb_rows leaves one short where clamping made the
             * last top row the bottom one too (below the plane's last row) */
            fits = fits && (deep || last - by < nb_rows - 1);
        }
        if (!fits) {
            interp_mapped(p, src, x, x + n, c0, c1, m0, m3, out);
            continue;
        }
        prefetch_ahead(src->data, src->stride, p->w, p->h, deep, bx, by, ey, ahead_x, ahead_y, win);
        const __m512i vbx = _mm512_set1_epi32(bx);
        const int avail = p->w - bx < win ? p->w - bx : win;
        __m512i top = zero, bot = zero, vr = _mm512_set1_epi32(by);
        if (!deep) {
            /* rows r and r + 1 side by side in one 128-byte table: each
             * sample whose top row is r picks its four taps out of it at
             * once (its bottom ones from r itself where clamping made the
             * two rows one) */
            const __m512i two = _mm512_or_si512(_mm512_sub_epi32(ix0, vbx),
                                                _mm512_slli_epi32(_mm512_sub_epi32(ix1, vbx), 8));
            const __mmask16 apart = _mm512_cmpneq_epi32_mask(iy0, iy1);
            const __m512i lower = _mm512_mask_add_epi32(two, apart, two, _mm512_set1_epi32(0x4040));
            const __m512i idx = _mm512_or_si512(two, _mm512_slli_epi32(lower, 16));
            const __mmask64 m = avail >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << avail) - 1);
            top = pick8_pairs(src->data + (ptrdiff_t)by * src->stride + bx, src->stride, m, idx,
                              iy0, by, last, ey, nb_rows);
            bot = _mm512_srli_epi32(top, 16);
        } else {
            const __m512i idx = _mm512_or_si512(_mm512_sub_epi32(ix0, vbx),
                                                _mm512_slli_epi32(_mm512_sub_epi32(ix1, vbx), 16));
            const __mmask32 m = avail >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << avail) - 1);
            const uint8_t *row = src->data + (ptrdiff_t)by * src->stride + 2 * bx;
            for (int k = 0; k < nb_rows; k++) {
                /* rows past the last one read it again: no sample takes them */
                if (k && by + k <= ey) {
                    row += src->stride;
                    vr = _mm512_add_epi32(vr, ione);
                }
                const __m512i v = _mm512_maskz_loadu_epi16(m, row);
                const __m512i pick = _mm512_permutexvar_epi16(idx, v);
                top = _mm512_mask_mov_epi32(top, _mm512_cmpeq_epi32_mask(iy0, vr), pick);
                bot = _mm512_mask_mov_epi32(bot, _mm512_cmpeq_epi32_mask(iy1, vr), pick);
            }
        }
        _mm512_mask_storeu_ps(out + x, live, bilinear16(top, bot, fx, fy, low, shift));
    }
}

/* Catmull-Rom weights of 16 fractions: smear_cubic_weights(), lane by lane. */
static inline void cubic_weights16(__m512 t, __m512 w[4])
{
    const __m512 t2 = _mm512_mul_ps(t, t), t3 = _mm512_mul_ps(t2, t);
    const __m512 h = _mm512_set1_ps(0.5f);
    w[0] = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), t3), t2),
                         _mm512_mul_ps(h, t));
    w[1] = _mm512_add_ps(_mm512_sub_ps(_mm512_mul_ps(_mm512_set1_ps(1.5f), t3),
                                       _mm512_mul_ps(_mm512_set1_ps(2.5f), t2)),
                         _mm512_set1_ps(1.0f));
    w[2] = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(-1.5f), t3),
                                       _mm512_mul_ps(_mm512_set1_ps(2.0f), t2)),
                         _mm512_mul_ps(h, t));
    w[3] = _mm512_sub_ps(_mm512_mul_ps(h, t3), _mm512_mul_ps(h, t2));
}

/* Bicubic samples x0..x1 of a row on CPUs with byte permutes: as
 * permute_span, each input row a group of 16 samples reads is loaded once
 * and every sample's four taps of that row picked out of it (one permute at
 * 8 bits, two above), for the one of its four tap rows it is. With clamp,
 * tap coordinates are clamped to the plane one by one (the replicated
 * border); without, every tap lies inside. Same arithmetic as bicubic_span
 * and interp_mapped. */
static inline __attribute__((target("avx512vbmi"), always_inline))
void permute_bicubic(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                     float c1, float m0, float m3, float *out, const int clamp)
{
    const int deep = p->depth > 8;
    const int win = deep ? 32 : 64; /* samples in a 64-byte window */
    const int nb_rows = permute_rows(m3) + 2;
    const int ahead_x = (int)lrint(PREFETCH_AHEAD * p->m[1]);
    const int ahead_y = (int)lrint(PREFETCH_AHEAD * p->m[4]);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i wmax = _mm512_set1_epi32(p->w - 1), hmax = _mm512_set1_epi32(p->h - 1);
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        const __mmask16 live = (__mmask16)((1u << n) - 1);
        __m512i ix, iy;
        __m512 fx, fy;
        vpositions(x, n, c0, c1, m0, m3, clamp, &ix, &iy, &fx, &fy);
        __m512 wx[4], wy[4];
        cubic_weights16(fx, wx);
        cubic_weights16(fy, wy);
        /* each tap's column and row */
        __m512i col[4], trow[4];
        for (int i = 0; i < 4; i++) {
            col[i] = _mm512_add_epi32(ix, _mm512_set1_epi32(i - 1));
            trow[i] = _mm512_add_epi32(iy, _mm512_set1_epi32(i - 1));
            if (clamp) {
                col[i] = _mm512_min_epi32(_mm512_max_epi32(col[i], zero), wmax);
                trow[i] = _mm512_min_epi32(_mm512_max_epi32(trow[i], zero), hmax);
            }
        }
        int bx, by, ey, ly, fits;
        if (!clamp) {
            /* inside the plane: the corners from the first and last samples'
             * positions, computed as the vectors compute them */
            const float xa = (float)x, xb = (float)(x + n - 1);
            const int ua = (int)(m0 * xa + c0), ub = (int)(m0 * xb + c0);
            const int va = (int)(m3 * xa + c1), vb = (int)(m3 * xb + c1);
            bx = (ua < ub ? ua : ub) - 1;
            by = (va < vb ? va : vb) - 1;
            ly = (va < vb ? vb : va) - 1;
            ey = ly + 3;
            fits = (ua < ub ? ub : ua) + 2 - bx < win && ey - by < nb_rows;
        } else {
            fits = group_window(col[0], col[3], trow[0], trow[3], n, win, nb_rows, &bx, &by, &ey,
                                &ly);
        }
        if (!fits) {
            interp_mapped(p, src, x, x + n, c0, c1, m0, m3, out);
            continue;
        }
        prefetch_ahead(src->data, src->stride, p->w, p->h, deep, bx, by, ey, ahead_x, ahead_y, win);
        const __m512i vbx = _mm512_set1_epi32(bx);
        for (int i = 0; i < 4; i++)
            col[i] = _mm512_sub_epi32(col[i], vbx);
        __m512i idx[2];
        if (deep) {
            idx[0] = _mm512_or_si512(col[0], _mm512_slli_epi32(col[1], 16));
            idx[1] = _mm512_or_si512(col[2], _mm512_slli_epi32(col[3], 16));
        } else {
            idx[0] = _mm512_or_si512(_mm512_or_si512(col[0], _mm512_slli_epi32(col[1], 8)),
                                     _mm512_or_si512(_mm512_slli_epi32(col[2], 16),
                                                     _mm512_slli_epi32(col[3], 24)));
            idx[1] = zero;
        }
        const int avail = p->w - bx < win ? p->w - bx : win;
        __m512i tap[4][2];
        for (int j = 0; j < 4; j++)
            tap[j][0] = tap[j][1] = zero;
        const uint8_t *row = src->data + (ptrdiff_t)by * src->stride + (deep ? 2 * bx : bx);
        __m512i vr = _mm512_set1_epi32(by);
        for (int k = 0; k < nb_rows; k++) {
            /* rows past the last one read it again: no sample takes them */
            if (k && by + k <= ey) {
                row += src->stride;
                vr = _mm512_add_epi32(vr, _mm512_set1_epi32(1));
            }
            __m512i pick[2];
            if (deep) {
                const __mmask32 m = avail >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << avail) - 1);
                const __m512i v = _mm512_maskz_loadu_epi16(m, row);
                pick[0] = _mm512_permutexvar_epi16(idx[0], v);
                pick[1] = _mm512_permutexvar_epi16(idx[1], v);
            } else {
                const __mmask64 m = avail >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << avail) - 1);
                pick[0] = _mm512_permutexvar_epi8(idx[0], _mm512_maskz_loadu_epi8(m, row));
                pick[1] = zero;
            }
            for (int j = 0; j < 4; j++) {
                const __mmask16 mj = _mm512_cmpeq_epi32_mask(trow[j], vr);
                tap[j][0] = _mm512_mask_mov_epi32(tap[j][0], mj, pick[0]);
                if (deep)
                    tap[j][1] = _mm512_mask_mov_epi32(tap[j][1], mj, pick[1]);
            }
        }
        __m512 acc = _mm512_setzero_ps();
        for (int j = 0; j < 4; j++) {
            __m512 q[4];
            if (deep) {
                const __m512i lo16 = _mm512_set1_epi32(0xffff);
                q[0] = _mm512_cvtepi32_ps(_mm512_and_si512(tap[j][0], lo16));
                q[1] = _mm512_cvtepi32_ps(_mm512_srli_epi32(tap[j][0], 16));
                q[2] = _mm512_cvtepi32_ps(_mm512_and_si512(tap[j][1], lo16));
                q[3] = _mm512_cvtepi32_ps(_mm512_srli_epi32(tap[j][1], 16));
            } else {
                const __m512i lo8 = _mm512_set1_epi32(0xff);
                for (int i = 0; i < 4; i++)
                    q[i] = _mm512_cvtepi32_ps(
                        _mm512_and_si512(_mm512_srli_epi32(tap[j][0], 8 * i), lo8));
            }
            __m512 r = _mm512_mul_ps(wx[0], q[0]);
            for (int i = 1; i < 4; i++)
                r = _mm512_add_ps(r, _mm512_mul_ps(wx[i], q[i]));
            acc = _mm512_add_ps(acc, _mm512_mul_ps(wy[j], r));
        }
        _mm512_mask_storeu_ps(out + x, live, acc);
    }
}

/* The entry points, with clamp fixed: _inside for the span where every tap
 * lies inside the plane, _replicate for any span with the replicated
 * border. */
#define PERMUTE_ENTRY(name, fn, clamp)                                                          \
    __attribute__((target("avx512vbmi"))) static void name(                                     \
        const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0, float c1,         \
        float m0, float m3, float *out)                                                         \
    {                                                                                           \
        fn(p, src, x0, x1, c0, c1, m0, m3, out, clamp);                                         \
    }
PERMUTE_ENTRY(permute_span_inside, permute_span, 0)
PERMUTE_ENTRY(permute_span_replicate, permute_span, 1)
PERMUTE_ENTRY(permute_bicubic_inside, permute_bicubic, 0)
PERMUTE_ENTRY(permute_bicubic_replicate, permute_bicubic, 1)

/* Bilinear 8-bit samples x0..x1 of a row whose taps all lie inside the
 * plane, straight to the output row's bytes: permute_span's picking and
 * arithmetic (so its bytes), with the windows of up to 16 groups worked
 * out at once in vectors and the plane's numbers held in locals. out: 16
 * floats of scratch for a group that does not fit its window. */
__attribute__((target("avx512vbmi"))) static void
permute_bilinear8_inside(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                         float c1, float m0, float m3, uint8_t *restrict dst, float *out)
{
    const int W = p->w, H = p->h, nb_rows = permute_rows(m3);
    const uint8_t *const data = src->data;
    const ptrdiff_t stride = src->stride;
    const __m512 half = _mm512_set1_ps(0.5f);
    const __m512i low = _mm512_set1_epi32(0xff), ione = _mm512_set1_epi32(1);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i lanes16 = _mm512_setr_epi32(0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176,
                                              192, 208, 224, 240);
    const __m512 vm0 = _mm512_set1_ps(m0), vm3 = _mm512_set1_ps(m3);
    const __m512 vc0 = _mm512_set1_ps(c0), vc1 = _mm512_set1_ps(c1);
    const int ahead_x = (int)lrint(PREFETCH_AHEAD * p->m[1]);
    const int ahead_y = (int)lrint(PREFETCH_AHEAD * p->m[4]);
    /* tables of four rows a group needs: its top rows span at most
     * nb_rows - 1 */
    const int nt = (nb_rows - 2) / 3 + 1, narrow = nt <= 2;
    const __m512i bcast = _mm512_set4_epi32(0x0c0c0c0c, 0x08080808, 0x04040404, 0x00000000);
    for (int xc = x0; xc < x1; xc += 256) {
        /* the windows of the chunk's groups: corners from their first and
         * last samples' positions, as vpositions() computes them */
        int32_t gbx[16], gby[16], glast[16], gex[16];
        {
            const __m512i xa = _mm512_add_epi32(_mm512_set1_epi32(xc), lanes16);
            const __m512i xb = _mm512_min_epi32(_mm512_add_epi32(xa, _mm512_set1_epi32(15)),
                                                _mm512_set1_epi32(x1 - 1));
            const __m512 fa = _mm512_cvtepi32_ps(xa), fb = _mm512_cvtepi32_ps(xb);
            const __m512i ua = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(vm0, fa), vc0));
            const __m512i ub = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(vm0, fb), vc0));
            const __m512i va = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(vm3, fa), vc1));
            const __m512i vb = _mm512_cvttps_epi32(_mm512_add_ps(_mm512_mul_ps(vm3, fb), vc1));
            const __m512i bx = _mm512_min_epi32(ua, ub), ex = _mm512_max_epi32(ua, ub);
            const __m512i by = _mm512_min_epi32(va, vb), last = _mm512_max_epi32(va, vb);
            /* a group that does not fit: a window wider than 64 or taller
             * than nb_rows, marked by a last row below its first */
            const __mmask16 fits =
                _mm512_cmplt_epi32_mask(_mm512_sub_epi32(ex, bx), _mm512_set1_epi32(63)) &
                _mm512_cmplt_epi32_mask(_mm512_sub_epi32(last, by), _mm512_set1_epi32(nb_rows - 1));
            _mm512_storeu_si512((void *)gbx, bx);
            _mm512_storeu_si512((void *)gby, by);
            _mm512_storeu_si512((void *)gex, ex);
            _mm512_storeu_si512((void *)glast, _mm512_mask_mov_epi32(_mm512_set1_epi32(-1), fits, last));
        }
        const int xe = x1 - xc < 256 ? x1 : xc + 256;
        for (int x = xc, g = 0; x < xe; x += 16, g++) {
            const int n = xe - x < 16 ? xe - x : 16;
            const __mmask16 live = (__mmask16)((1u << n) - 1);
            const int bx = gbx[g], by = gby[g], last = glast[g], ey = last + 1;
            if (last < by) {
                interp_mapped(p, src, x, x + n, c0, c1, m0, m3, out);
                smear_f32_to_row(dst + x, out + x, n, 8);
                continue;
            }
            __m512i ix0, iy0;
            __m512 fx, fy;
            vpositions(x, n, c0, c1, m0, m3, 0, &ix0, &iy0, &fx, &fy);
            prefetch_ahead(data, stride, W, H, 0, bx, by, ey, ahead_x, ahead_y, 64);
            const int avail = W - bx;
            __m512i top = zero;
            if (narrow && gex[g] - bx < 31) {
                /* tables of four 32-byte rows: table t holds rows
                 * by + 3t .. by + 3t + 3 and gives the samples whose top
                 * row is one of its first three their four taps at once */
                const __mmask32 m = avail >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << avail) - 1);
                const __m512i dy = _mm512_sub_epi32(iy0, _mm512_set1_epi32(by));
                const __m512i base = _mm512_or_si512(_mm512_slli_epi32(dy, 5),
                                                     _mm512_sub_epi32(ix0, _mm512_set1_epi32(bx)));
                __m512i idx = _mm512_add_epi32(_mm512_shuffle_epi8(base, bcast),
                                               _mm512_set1_epi32(0x21200100));
                const uint8_t *row = data + (ptrdiff_t)by * stride + bx;
                for (int t = 0; t < nt; t++) {
                    const uint8_t *q[4];
                    for (int k = 0; k < 4; k++) {
                        const int r = 3 * t + k < ey - by ? 3 * t + k : ey - by;
                        q[k] = row + (ptrdiff_t)r * stride;
                    }
                    const __m512i lo = _mm512_inserti64x4(
                        _mm512_castsi256_si512(_mm256_maskz_loadu_epi8(m, q[0])),
                        _mm256_maskz_loadu_epi8(m, q[1]), 1);
                    const __m512i hi = _mm512_inserti64x4(
                        _mm512_castsi256_si512(_mm256_maskz_loadu_epi8(m, q[2])),
                        _mm256_maskz_loadu_epi8(m, q[3]), 1);
                    const __m512i pick = _mm512_permutex2var_epi8(lo, idx, hi);
                    top = t ? _mm512_mask_mov_epi32(
                                  top, _mm512_cmpge_epi32_mask(dy, _mm512_set1_epi32(3 * t)), pick)
                            : pick;
                    idx = _mm512_sub_epi32(idx, _mm512_set1_epi32(0x60606060));
                }
            } else {
                const __mmask64 m = avail >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << avail) - 1);
                const __m512i d0 = _mm512_sub_epi32(ix0, _mm512_set1_epi32(bx));
                const __m512i two =
                    _mm512_or_si512(d0, _mm512_slli_epi32(_mm512_add_epi32(d0, ione), 8));
                const __m512i idx = _mm512_or_si512(
                    two, _mm512_slli_epi32(_mm512_add_epi32(two, _mm512_set1_epi32(0x4040)), 16));
                top = pick8_pairs(data + (ptrdiff_t)by * stride + bx, stride, m, idx, iy0, by, last,
                                  ey, nb_rows);
            }
            const __m512 val = bilinear16(top, _mm512_srli_epi32(top, 16), fx, fy, low, 8);
            /* smear_f32_to_row(): the weights are not negative, so val is
             * not either, and above 255 only by rounding */
            const __m128i bytes =
                _mm512_cvtusepi32_epi8(_mm512_cvttps_epi32(_mm512_add_ps(val, half)));
            if (n == 16)
                _mm_storeu_si128((__m128i *)(dst + x), bytes);
            else
                _mm_mask_storeu_epi8(dst + x, live, bytes);
        }
    }
}
#endif


/* Bicubic samples of a row span of an 8-bit plane straight from the plane:
 * each 32-bit word gathered holds the four taps of a row. */
static void bicubic_span(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                         float c1, float m0, float m3, float *out)
{
    (void)p;
    const int32_t stride = (int32_t)src->stride;
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        float wx[4][16], wy[4][16], v[16];
        int32_t idx[16];
        uint32_t wd[4][16];
        for (int l = 0; l < 16; l++) {
            const float xf = (float)(x + (l < n ? l : 0));
            const float sx = m0 * xf + c0, sy = m3 * xf + c1;
            const int ix = (int)sx, iy = (int)sy; /* >= 1 here: truncation is floor */
            float w[4];
            smear_cubic_weights(sx - (float)ix, w);
            for (int i = 0; i < 4; i++)
                wx[i][l] = w[i];
            smear_cubic_weights(sy - (float)iy, w);
            for (int i = 0; i < 4; i++)
                wy[i][l] = w[i];
            idx[l] = (iy - 1) * stride + ix - 1;
        }
        for (int j = 0; j < 4; j++) {
            smear_gather32(wd[j], src->data, idx);
            for (int l = 0; l < 16; l++)
                idx[l] += stride;
        }
        for (int l = 0; l < 16; l++) {
            float acc = 0;
            for (int j = 0; j < 4; j++) {
                const uint32_t q = wd[j][l];
                const float r = wx[0][l] * (float)(q & 0xff) + wx[1][l] * (float)((q >> 8) & 0xff) +
                                wx[2][l] * (float)((q >> 16) & 0xff) + wx[3][l] * (float)(q >> 24);
                acc += wy[j][l] * r;
            }
            v[l] = acc;
        }
        memcpy(out + x, v, sizeof(float) * (size_t)n);
    }
}

/* A way of computing a span [x0, x1) of a row. */
typedef void (*SpanFn)(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                       float c1, float m0, float m3, float *out);

/* A row: the span [xa, xb) where every tap lies inside the plane goes the
 * fastest way there is, the rest through the border. */
static void general_row(const AffinePlan *p, const SmearPlane *src, int y, float *out,
                        uint8_t *drow)
{
    const int W = p->w, deep = p->depth > 8;
    const float m0 = (float)p->m[0], m3 = (float)p->m[3];
    const double c0d = p->m[1] * y + p->m[2], c1d = p->m[4] * y + p->m[5];
    const float c0 = (float)c0d, c1 = (float)c1d;
    const int bilinear = p->interp == SMEAR_INTERP_BILINEAR;
    /* the taps' reach: 0 .. 1 (bilinear) or -1 .. 2 (bicubic), and along
     * x whatever a gathered word reads past them */
    const int lo = bilinear ? 0 : -1, hi = bilinear ? 1 : 2;
    int hi_x = hi;
    SpanFn inside, edge = interp_mapped;
#if SMEAR_ISA_IS_AVX512
    if (p->vbmi && permute_rows(m3) <= PERMUTE_MAX_ROWS) {
        /* taps picked out of masked loads, at any depth */
        inside = bilinear ? permute_span_inside : permute_bicubic_inside;
        if (p->border.mode == SMEAR_BORDER_REPLICATE)
            edge = bilinear ? permute_span_replicate : permute_bicubic_replicate;
    } else
#endif
    {
        /* bilinear gathers a sample and its right neighbour in a 32-bit
         * word (reaching 3 at 8 bits); bicubic a row's four taps (8 bits
         * only: above, its taps do not fit a word and all go through the
         * border) */
        inside = bilinear ? bilinear_span : deep ? NULL : bicubic_span;
        hi_x = bilinear && !deep ? 3 : hi;
    }
    int64_t xa = 0, xb = 0;
    if (inside) {
        int64_t ya, yb;
        inside_span(c0d, p->m[0], p->w, lo, hi_x, W, &xa, &xb);
        inside_span(c1d, p->m[3], p->h, lo, hi, W, &ya, &yb);
        xa = xa > ya ? xa : ya;
        xb = xb < yb ? xb : yb;
        xb = xb < xa ? xa : xb;
    }
    edge(p, src, 0, (int)xa, c0, c1, m0, m3, out);
    edge(p, src, (int)xb, W, c0, c1, m0, m3, out);
#if SMEAR_ISA_IS_AVX512
    if (inside == permute_span_inside && !deep) {
        smear_f32_to_row(drow, out, (int)xa, 8);
        if (xb > xa)
            permute_bilinear8_inside(p, src, (int)xa, (int)xb, c0, c1, m0, m3, drow, out);
        smear_f32_to_row(drow + xb, out + xb, W - (int)xb, 8);
        return;
    }
#endif
    if (xb > xa)
        inside(p, src, (int)xa, (int)xb, c0, c1, m0, m3, out);
    smear_f32_to_row(drow, out, W, p->depth);
}

void SMEAR_DSP(smear_affine_rows)(const AffinePlan *p, const SmearPlane *dst,
                                  const SmearPlane *src, int y0, int y1, float *work)
{
    float *out = work, *ext = work + p->w + 8;
    if (p->yshear) {
        yshear_rows(p, dst, src, y0, y1, out, (uint8_t *)(work + ((2 * (size_t)(p->w + 16) + 15) & ~(size_t)15)));
        return;
    }
    for (int y = y0; y < y1; y++) {
        uint8_t *drow = dst->data + (ptrdiff_t)y * dst->stride;
        if (p->xshear) {
            xshear_row(p, src, y, out, ext);
            smear_f32_to_row(drow, out, p->w, p->depth);
        } else {
            general_row(p, src, y, out, drow);
        }
    }
}
