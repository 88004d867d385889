/*
 * smear - vectors for the kernels' hot loops, of the build's own width:
 * SMEAR_VF floats (vfn) or 32-bit integers (vin), SMEAR_VW 16-bit words
 * (vhn, vwn). That is 16 floats with AVX-512, 8 with AVX2 and 4 in the
 * plain C build (SSE2 on x86, NEON elsewhere); a loop over a tile of 64
 * samples runs over 64 / SMEAR_VF vectors, which the compiler keeps in
 * registers. (A 64-byte vector type in every build would read simpler,
 * but without AVX-512 GCC keeps it in memory and splits every operation
 * through the stack: ten to twenty times slower.) Every operation is
 * element by element and contraction is off, so one source gives all the
 * builds with identical results.
 */
#ifndef SMEAR_FILTERS_SIMD_H
#define SMEAR_FILTERS_SIMD_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if SMEAR_ISA_IS_AVX512 || SMEAR_ISA_IS_AVX2
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#if SMEAR_ISA_IS_AVX512
#define SMEAR_VF 16
#elif SMEAR_ISA_IS_AVX2
#define SMEAR_VF 8
#else
#define SMEAR_VF 4
#endif
typedef float vfn __attribute__((vector_size(4 * SMEAR_VF)));

static inline vfn vfn_load(const float *p)
{
    vfn v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline void vfn_store(float *p, vfn v)
{
    memcpy(p, &v, sizeof(v));
}

static inline vfn vfn_set1(float x)
{
    /* not (vfn){ 0 } + x: that sum is not x for -0, so the compiler keeps
     * a scalar add before every broadcast */
#if SMEAR_ISA_IS_AVX512
    return (vfn)_mm512_set1_ps(x);
#elif SMEAR_ISA_IS_AVX2
    return (vfn)_mm256_set1_ps(x);
#else
    vfn v;
    for (int i = 0; i < SMEAR_VF; i++)
        v[i] = x;
    return v;
#endif
}

/* fmaf() is an instruction the compiler may use inline */
#if defined(__FP_FAST_FMAF) || defined(__FMA__) || defined(__aarch64__)
#define SMEAR_FAST_FMAF 1
#else
#define SMEAR_FAST_FMAF 0
#endif

/* The emulation below needs each double operation rounded once, as
 * written: not reassociated (-ffast-math), nor carried in wider registers
 * (x87). Where that does not hold, fmaf() it is, slow but right. */
#if !defined(__FAST_MATH__) && defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define SMEAR_ODD_FMAF 1
#else
#define SMEAR_ODD_FMAF 0
#endif

#if SMEAR_ODD_FMAF
/*
 * a * b + c rounded once (fused), as fmaf() gives it, without a fused
 * instruction (x86-64 before Haswell, or a virtual CPU that hides it),
 * where glibc's fmaf() is a routine that switches the rounding mode at each
 * call: a frame of Gaussian blur took 11 s with it. In doubles instead:
 * a * b is exact (48 bits); s = a * b + c is rounded once, and the TwoSum
 * e = a * b + c - s is exact. Rounding s to float could round twice (s on a
 * float's midpoint that the exact sum was not), so s is first rounded to
 * odd: toward zero, with its last bit set, when e is not zero. A sum
 * rounded to odd with 2 or more bits to spare rounds to nearest as the
 * exact sum would (Boldo and Melquiond, 2008). Infinities and NaNs pass
 * through as they are.
 */
static inline float smear_fmaf_odd(float a, float b, float c)
{
    const double p = (double)a * b, cd = c, s = p + cd, bb = s - p;
    const double e = (p - (s - bb)) + (cd - bb);
    if (e != 0 && s - s == 0) {
        uint64_t u;
        memcpy(&u, &s, sizeof(u));
        u -= (e < 0) != (s < 0); /* toward zero: one step down in magnitude */
        u |= 1;
        double t;
        memcpy(&t, &u, sizeof(t));
        return (float)t;
    }
    return (float)s;
}

#if defined(__SSE2__)
/** smear_fmaf_odd() on four lanes, in two pairs of doubles; the signs
 *  compared as doubles (SSE2 has no 64-bit integer comparison). */
static inline __m128 smear_fma4_odd(__m128 a, __m128 b, __m128 c)
{
    const __m128d zero = _mm_setzero_pd();
    const __m128i one = _mm_set1_epi64x(1);
    __m128d half[2];
    for (int h = 0; h < 2; h++) {
        const __m128 ah = h ? _mm_movehl_ps(a, a) : a, bh = h ? _mm_movehl_ps(b, b) : b;
        const __m128d cd = _mm_cvtps_pd(h ? _mm_movehl_ps(c, c) : c);
        const __m128d p = _mm_mul_pd(_mm_cvtps_pd(ah), _mm_cvtps_pd(bh));
        const __m128d s = _mm_add_pd(p, cd), bb = _mm_sub_pd(s, p);
        const __m128d e = _mm_add_pd(_mm_sub_pd(p, _mm_sub_pd(s, bb)), _mm_sub_pd(cd, bb));
        const __m128i inexact = _mm_castpd_si128(
            _mm_and_pd(_mm_cmpneq_pd(e, zero), _mm_cmpeq_pd(_mm_sub_pd(s, s), zero)));
        const __m128i down = _mm_and_si128(inexact, _mm_castpd_si128(_mm_xor_pd(
            _mm_cmplt_pd(e, zero), _mm_cmplt_pd(s, zero))));
        half[h] = _mm_castsi128_pd(_mm_or_si128(_mm_add_epi64(_mm_castpd_si128(s), down),
                                                _mm_and_si128(inexact, one)));
    }
    return _mm_movelh_ps(_mm_cvtpd_ps(half[0]), _mm_cvtpd_ps(half[1]));
}
#endif
#endif

/** a * b + c rounded once: the instruction where the compiler has it, else
 *  the emulation. */
static inline float smear_fmaf(float a, float b, float c)
{
#if SMEAR_FAST_FMAF || !SMEAR_ODD_FMAF
    return fmaf(a, b, c);
#else
    return smear_fmaf_odd(a, b, c);
#endif
}

/**
 * a * b + c rounded once (fused), lane by lane. Every build fuses, so the
 * builds still agree bit for bit; the plain C one uses the CPU's fused
 * multiply-add where the compiler may, else smear_fmaf_odd()'s way.
 */
static inline vfn vfn_fma(vfn a, vfn b, vfn c)
{
#if SMEAR_ISA_IS_AVX512
    return (vfn)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif SMEAR_ISA_IS_AVX2
    return (vfn)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#elif !SMEAR_FAST_FMAF && SMEAR_ODD_FMAF && defined(__SSE2__) && SMEAR_VF == 4
    return (vfn)smear_fma4_odd((__m128)a, (__m128)b, (__m128)c);
#else
    vfn r;
    for (int i = 0; i < SMEAR_VF; i++)
        r[i] = smear_fmaf(a[i], b[i], c[i]);
    return r;
#endif
}

static inline vfn vfn_fmas(vfn a, float b, vfn c)
{
    return vfn_fma(a, vfn_set1(b), c);
}

/* SMEAR_VF 32-bit integers and SMEAR_VW 16-bit words, of the build's width
 * too, for the passes that sum their samples in integers (exact, so every
 * build agrees). */
#define SMEAR_VW (2 * SMEAR_VF)
typedef int32_t vin __attribute__((vector_size(4 * SMEAR_VF)));
typedef int16_t vhn __attribute__((vector_size(4 * SMEAR_VF)));
typedef uint16_t vwn __attribute__((vector_size(4 * SMEAR_VF)));

static inline vwn vwn_load(const uint16_t *p)
{
    vwn v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/**
 * lo, hi += a * wa + b * wb, word by word, wa in the low 16 bits of wab and
 * wb in the high ones: a and b are interleaved and multiplied in pairs into
 * 32-bit sums. In each 128-bit block of 8 words, lo gets words 0..3 of the
 * block and hi words 4..7 (smear_vin_pair_to_f32() puts them back in order).
 */
static inline void smear_madd_pair(vin *lo, vin *hi, vhn a, vhn b, int32_t wab)
{
#if SMEAR_ISA_IS_AVX512
    const __m512i A = (__m512i)a, B = (__m512i)b, Wt = _mm512_set1_epi32(wab);
    *lo += (vin)_mm512_madd_epi16(_mm512_unpacklo_epi16(A, B), Wt);
    *hi += (vin)_mm512_madd_epi16(_mm512_unpackhi_epi16(A, B), Wt);
#elif SMEAR_ISA_IS_AVX2
    const __m256i A = (__m256i)a, B = (__m256i)b, Wt = _mm256_set1_epi32(wab);
    *lo += (vin)_mm256_madd_epi16(_mm256_unpacklo_epi16(A, B), Wt);
    *hi += (vin)_mm256_madd_epi16(_mm256_unpackhi_epi16(A, B), Wt);
#else
    const int32_t wa = (int16_t)(wab & 0xffff), wb = (int16_t)(wab >> 16);
    for (int blk = 0; blk < SMEAR_VF / 4; blk++)
        for (int i = 0; i < 4; i++) {
            (*lo)[4 * blk + i] += a[8 * blk + i] * wa + b[8 * blk + i] * wb;
            (*hi)[4 * blk + i] += a[8 * blk + 4 + i] * wa + b[8 * blk + 4 + i] * wb;
        }
#endif
}

/** acc plus p's words weighed in pairs: lane i gets p[2i] times the low 16
 *  bits of w and p[2i + 1] times the high ones (signed). */
static inline vin smear_madd_words(vin acc, vhn p, int32_t w)
{
#if SMEAR_ISA_IS_AVX512
    return acc + (vin)_mm512_madd_epi16((__m512i)p, _mm512_set1_epi32(w));
#elif SMEAR_ISA_IS_AVX2
    return acc + (vin)_mm256_madd_epi16((__m256i)p, _mm256_set1_epi32(w));
#elif defined(__SSE2__)
    return acc + (vin)_mm_madd_epi16((__m128i)p, _mm_set1_epi32(w));
#else
    const int32_t lo = (int16_t)(w & 0xffff), hi = (int16_t)((uint32_t)w >> 16);
    for (int i = 0; i < SMEAR_VF; i++)
        acc[i] += p[2 * i] * lo + p[2 * i + 1] * hi;
    return acc;
#endif
}

/** The two words of each 32-bit lane swapped. */
static inline vhn smear_swap_words(vhn p)
{
    typedef uint32_t vun __attribute__((vector_size(4 * SMEAR_VF)));
    const vun u = (vun)p;
    return (vhn)((u << 16) | (u >> 16));
}

/** The SMEAR_VW sums of smear_madd_pair()'s lo and hi, in word order, times
 *  scale. */
static inline void smear_vin_pair_to_f32(float out[SMEAR_VW], vin lo, vin hi, float scale)
{
    vin o[2];
#if SMEAR_ISA_IS_AVX512
    const __m512i L = (__m512i)lo, H = (__m512i)hi;
    o[0] = (vin)_mm512_permutex2var_epi32(
        L, _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), H);
    o[1] = (vin)_mm512_permutex2var_epi32(
        L, _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), H);
#elif SMEAR_ISA_IS_AVX2
    o[0] = (vin)_mm256_permute2x128_si256((__m256i)lo, (__m256i)hi, 0x20);
    o[1] = (vin)_mm256_permute2x128_si256((__m256i)lo, (__m256i)hi, 0x31);
#else
    o[0] = lo;
    o[1] = hi;
#endif
    for (int h = 0; h < 2; h++)
        vfn_store(out + SMEAR_VF * h, __builtin_convertvector(o[h], vfn) * scale);
}

#if SMEAR_ISA_IS_AVX512
/*
 * Words picked out of whole cache lines instead of unaligned loads. Nearly
 * every unaligned 64-byte load crosses a cache line, and such loads run at
 * about one a cycle on the machines measured: in the passes whose taps
 * each load their samples, they are the bottleneck. Those passes (with
 * VNNI) load SMEAR_LINES aligned lines around four vectors of output
 * columns once for all the taps that read the same row, and pick each
 * tap's columns out of them with word permutes.
 */
#define SMEAR_LINES 7

/** Four vectors of words from word offset o (0 .. 95) of the lines l:
 *  out[v] = words o + 32 v .. o + 32 v + 31. */
static inline __attribute__((always_inline)) void
smear_pick_words(const __m512i l[SMEAR_LINES], int o, __m512i out[4])
{
    const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
                                          17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
                                          2, 1, 0);
    const __m512i idx = _mm512_add_epi16(iota, _mm512_set1_epi16((short)(o & 31)));
    if (o < 32)
        for (int v = 0; v < 4; v++)
            out[v] = _mm512_permutex2var_epi16(l[v], idx, l[v + 1]);
    else if (o < 64)
        for (int v = 0; v < 4; v++)
            out[v] = _mm512_permutex2var_epi16(l[v + 1], idx, l[v + 2]);
    else
        for (int v = 0; v < 4; v++)
            out[v] = _mm512_permutex2var_epi16(l[v + 2], idx, l[v + 3]);
}

/** smear_madd_words() with VNNI's word dot product. */
static inline __attribute__((target("avx512vnni"), always_inline)) vin
smear_dot_words(vin acc, vhn p, int32_t w)
{
    return (vin)_mm512_dpwssd_epi32((__m512i)acc, (__m512i)p, _mm512_set1_epi32(w));
}

/** smear_madd_pair() with VNNI's word dot products. */
static inline __attribute__((target("avx512vnni"), always_inline)) void
smear_dot_pair(vin *lo, vin *hi, vhn a, vhn b, int32_t wab)
{
    const __m512i A = (__m512i)a, B = (__m512i)b;
    *lo = smear_dot_words(*lo, (vhn)_mm512_unpacklo_epi16(A, B), wab);
    *hi = smear_dot_words(*hi, (vhn)_mm512_unpackhi_epi16(A, B), wab);
}

/** smear_vin_pair_to_f32() then smear_f32_to_row() at 8 bits, without the
 *  row of floats: the first n (if positive) of the SMEAR_VW samples of lo
 *  and hi, times scale, rounded, to out. */
static inline __attribute__((always_inline)) void
smear_vin_pair_to_u8(uint8_t *out, int n, vin lo, vin hi, float scale)
{
    if (n <= 0)
        return;
    const __m512i L = (__m512i)lo, H = (__m512i)hi;
    const __m512i o[2] = {
        _mm512_permutex2var_epi32(
            L, _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), H),
        _mm512_permutex2var_epi32(
            L, _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), H)
    };
    for (int h = 0; h < 2; h++) {
        __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(o[h]), _mm512_set1_ps(scale));
        v = _mm512_add_ps(v, _mm512_set1_ps(0.5f));
        v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(255.0f));
        const int k = n - 16 * h;
        if (k > 0)
            _mm_mask_storeu_epi8(out + 16 * h, (__mmask16)(k >= 16 ? 0xffff : (1u << k) - 1),
                                 _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)));
    }
}
#endif

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
