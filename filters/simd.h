/*
 * smear - a vector of 16 floats for the kernels' hot loops.
 *
 * GCC and clang lower these vector types to whatever the instruction set
 * of the build has (one AVX-512 register, two AVX registers, four SSE
 * ones), so one source gives all three builds, with identical results:
 * every operation is element by element and contraction is off.
 */
#ifndef SMEAR_FILTERS_SIMD_H
#define SMEAR_FILTERS_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if SMEAR_ISA_IS_AVX512 || SMEAR_ISA_IS_AVX2
#include <immintrin.h>
#endif

typedef float vf16 __attribute__((vector_size(64)));

static inline vf16 vf16_load(const float *p)
{
    vf16 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void vf16_store(float *p, vf16 v)
{
    memcpy(p, &v, sizeof(v));
}

static inline vf16 vf16_set1(float x)
{
    return (vf16){ 0 } + x;
}

/**
 * a * b + c rounded once (fused), lane by lane. Every build fuses, so the
 * builds still agree bit for bit; the plain C one calls fmaf() per lane
 * (fast where the CPU has FMA, slow but exact where it has not).
 */
static inline vf16 vf16_fma(vf16 a, vf16 b, vf16 c)
{
#if SMEAR_ISA_IS_AVX512
    return (vf16)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif SMEAR_ISA_IS_AVX2
    __m256 al, ah, bl, bh, cl, ch;
    memcpy(&al, &a, 32), memcpy(&ah, (const char *)&a + 32, 32);
    memcpy(&bl, &b, 32), memcpy(&bh, (const char *)&b + 32, 32);
    memcpy(&cl, &c, 32), memcpy(&ch, (const char *)&c + 32, 32);
    __m256 rl = _mm256_fmadd_ps(al, bl, cl), rh = _mm256_fmadd_ps(ah, bh, ch);
    vf16 r;
    memcpy(&r, &rl, 32), memcpy((char *)&r + 32, &rh, 32);
    return r;
#else
    vf16 r;
    for (int i = 0; i < 16; i++)
        r[i] = fmaf(a[i], b[i], c[i]);
    return r;
#endif
}

/** The same with a scalar factor. */
static inline vf16 vf16_fmas(vf16 a, float b, vf16 c)
{
    return vf16_fma(a, vf16_set1(b), c);
}

/* 32 16-bit words, and 16 32-bit integers, for the passes on 8-bit samples
 * that sum in integers (exact, so every build agrees). */
typedef int16_t vh32 __attribute__((vector_size(64)));
typedef uint16_t vw32 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));

static inline vw32 smear_vw32_load(const uint16_t *p)
{
    vw32 v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/**
 * lo, hi += a * wa + b * wb, word by word, wa in the low 16 bits of wab and
 * wb in the high ones: a and b are interleaved and multiplied in pairs into
 * 32-bit sums. In each 128-bit block of 8 words, lo gets words 0..3 of the
 * block and hi words 4..7 (smear_vi16_pair_to_f32() puts them back in order).
 */
static inline void smear_madd_pair(vi16 *lo, vi16 *hi, vh32 a, vh32 b, int32_t wab)
{
#if SMEAR_ISA_IS_AVX512
    const __m512i A = (__m512i)a, B = (__m512i)b, Wt = _mm512_set1_epi32(wab);
    *lo += (vi16)_mm512_madd_epi16(_mm512_unpacklo_epi16(A, B), Wt);
    *hi += (vi16)_mm512_madd_epi16(_mm512_unpackhi_epi16(A, B), Wt);
#elif SMEAR_ISA_IS_AVX2
    __m256i A[2], B[2], L[2], H[2];
    const __m256i Wt = _mm256_set1_epi32(wab);
    memcpy(A, &a, sizeof(A));
    memcpy(B, &b, sizeof(B));
    for (int i = 0; i < 2; i++) {
        L[i] = _mm256_madd_epi16(_mm256_unpacklo_epi16(A[i], B[i]), Wt);
        H[i] = _mm256_madd_epi16(_mm256_unpackhi_epi16(A[i], B[i]), Wt);
    }
    vi16 l, h;
    memcpy(&l, L, sizeof(l));
    memcpy(&h, H, sizeof(h));
    *lo += l;
    *hi += h;
#else
    const int32_t wa = (int16_t)(wab & 0xffff), wb = (int16_t)(wab >> 16);
    for (int blk = 0; blk < 4; blk++)
        for (int i = 0; i < 4; i++) {
            (*lo)[4 * blk + i] += a[8 * blk + i] * wa + b[8 * blk + i] * wb;
            (*hi)[4 * blk + i] += a[8 * blk + 4 + i] * wa + b[8 * blk + 4 + i] * wb;
        }
#endif
}

/** The 32 sums of smear_madd_pair()'s lo and hi, in word order, times scale. */
static inline void smear_vi16_pair_to_f32(float out[32], vi16 lo, vi16 hi, float scale)
{
    for (int blk = 0; blk < 4; blk++)
        for (int i = 0; i < 4; i++) {
            out[8 * blk + i] = (float)lo[4 * blk + i] * scale;
            out[8 * blk + 4 + i] = (float)hi[4 * blk + i] * scale;
        }
}

/**
 * Sixteen unaligned 32-bit words, out[i] from base + idx[i] (byte offsets):
 * a gather where the instruction set has one. Every word must lie inside
 * the buffer.
 */
static inline void smear_gather32(uint32_t out[16], const uint8_t *base, const int32_t idx[16])
{
#if SMEAR_ISA_IS_AVX512
    __m512i i = _mm512_loadu_si512((const void *)idx);
    _mm512_storeu_si512((void *)out, _mm512_i32gather_epi32(i, (const void *)base, 1));
#elif SMEAR_ISA_IS_AVX2
    for (int h = 0; h < 16; h += 8) {
        __m256i i = _mm256_loadu_si256((const __m256i *)(idx + h));
        _mm256_storeu_si256((__m256i *)(out + h), _mm256_i32gather_epi32((const int *)base, i, 1));
    }
#else
    for (int l = 0; l < 16; l++)
        memcpy(&out[l], base + idx[l], 4);
#endif
}

/**
 * Transposes a 16x16 tile: dst[j * dst_stride + i] = src[i * src_stride + j].
 * Exact moves, so every build gives the same result.
 */
static inline void transpose16(float *restrict dst, ptrdiff_t dst_stride,
                               const float *restrict src, ptrdiff_t src_stride)
{
#if SMEAR_ISA_IS_AVX512
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++)
        r[i] = _mm512_loadu_ps(src + i * src_stride);
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    /* r[4k + m] holds, in each 128-bit lane q, row 4q' ... : gather the
     * 128-bit lanes across the four groups */
    for (int m = 0; m < 4; m++) {
        __m512 a = r[m], b = r[4 + m], c = r[8 + m], d = r[12 + m];
        __m512 ab0 = _mm512_shuffle_f32x4(a, b, 0x88); /* lanes 0,2 of a, 0,2 of b */
        __m512 ab1 = _mm512_shuffle_f32x4(a, b, 0xdd); /* lanes 1,3 of a, 1,3 of b */
        __m512 cd0 = _mm512_shuffle_f32x4(c, d, 0x88);
        __m512 cd1 = _mm512_shuffle_f32x4(c, d, 0xdd);
        t[m] = _mm512_shuffle_f32x4(ab0, cd0, 0x88);      /* lane 0 of each */
        t[8 + m] = _mm512_shuffle_f32x4(ab0, cd0, 0xdd);  /* lane 2 */
        t[4 + m] = _mm512_shuffle_f32x4(ab1, cd1, 0x88);  /* lane 1 */
        t[12 + m] = _mm512_shuffle_f32x4(ab1, cd1, 0xdd); /* lane 3 */
    }
    for (int j = 0; j < 16; j++)
        _mm512_storeu_ps(dst + j * dst_stride, t[j]);
#elif SMEAR_ISA_IS_AVX2
    for (int bi = 0; bi < 16; bi += 8)
        for (int bj = 0; bj < 16; bj += 8) {
            __m256 r[8], t[8];
            for (int i = 0; i < 8; i++)
                r[i] = _mm256_loadu_ps(src + (bi + i) * src_stride + bj);
            for (int i = 0; i < 8; i += 2) {
                t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
                t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
            }
            for (int i = 0; i < 8; i += 4) {
                r[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
                r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xee);
                r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
                r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xee);
            }
            for (int m = 0; m < 4; m++) {
                t[m] = _mm256_permute2f128_ps(r[m], r[4 + m], 0x20);
                t[4 + m] = _mm256_permute2f128_ps(r[m], r[4 + m], 0x31);
            }
            for (int j = 0; j < 8; j++)
                _mm256_storeu_ps(dst + (bj + j) * dst_stride + bi, t[j]);
        }
#else
    for (int j = 0; j < 16; j++)
        for (int i = 0; i < 16; i++)
            dst[j * dst_stride + i] = src[i * src_stride + j];
#endif
}

#endif /* SMEAR_FILTERS_SIMD_H */
