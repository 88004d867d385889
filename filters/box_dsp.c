/*
 * smear - box blur: the passes, compiled once per instruction set.
 */
#include "config.h"

#include <string.h>

#include "box_dsp.h"
#include "lanes.h"

/* Row r of the source, r in [-(ry + 1), h + ry]. */
static inline const uint8_t *src_row(const BoxPlan *p, int r)
{
    return p->rows[r + p->y.r + 1];
}

/* acc[x] += row[x] over the plane's width. */
static inline void add_row(int32_t *restrict acc, const uint8_t *row, int w, int depth)
{
    if (depth > 8) {
        const uint16_t *s = (const uint16_t *)row;
        for (int x = 0; x < w; x++)
            acc[x] += s[x];
    } else {
        for (int x = 0; x < w; x++)
            acc[x] += row[x];
    }
}

/* SMEAR_VF samples from column x of a row, as integers (widened by the
 * instruction set's own loads: GCC widens a vector of bytes by
 * __builtin_convertvector() one element at a time). */
static inline vin load_vin(const uint8_t *row, int x, int depth)
{
#if SMEAR_ISA_IS_AVX512
    if (depth > 8)
        return (vin)_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(row + 2 * (ptrdiff_t)x)));
    return (vin)_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(row + x)));
#elif SMEAR_ISA_IS_AVX2
    if (depth > 8)
        return (vin)_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + 2 * (ptrdiff_t)x)));
    return (vin)_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(row + x)));
#else
    vin v;
    for (int i = 0; i < SMEAR_VF; i++)
        v[i] = depth > 8 ? ((const uint16_t *)row)[x + i] : row[x + i];
    return v;
#endif
}

/* Columns [x0, x0 + n) of source row r, n <= BOX_STRIP: in place, or for a
 * strip cut by the plane's edge copied into tmp and padded with zeros. */
static inline const uint8_t *strip_src(const BoxPlan *p, int r, int x0, int n, uint8_t *tmp)
{
    const int bps = p->depth > 8 ? 2 : 1;
    const uint8_t *row = src_row(p, r) + (ptrdiff_t)x0 * bps;
    if (n == BOX_STRIP)
        return row;
    memcpy(tmp, row, (size_t)n * bps);
    memset(tmp + (size_t)n * bps, 0, (size_t)(BOX_STRIP - n) * bps);
    return tmp;
}

#define BOX_AHEAD 2 /* strips */

/* The vertical pass of rows [yb, yb + nrows) over the strip of columns
 * [x0, x0 + n) into tile (LANES rows of BOX_STRIP floats, those from nrows
 * on zero). S holds the strip's column sums over the window of row yb and
 * is left at row yb + nrows; it stays in registers down the block, and the
 * tile in the first-level cache until it is transposed. */
static void vertical_strip(const BoxPlan *p, int32_t *S, int x0, int n, int yb, int nrows,
                           float *tile)
{
    enum { NV = BOX_STRIP / SMEAR_VF };
    _Alignas(64) uint8_t tmp[3][2 * BOX_STRIP]; /* 16-bit samples are read as words */
    const int depth = p->depth, r = p->y.r;
    const float e = p->y.e, inv = p->y.inv;
    vin s[NV];
    for (int v = 0; v < NV; v++)
        memcpy(&s[v], S + SMEAR_VF * v, sizeof(vin));
    for (int l = 0; l < nrows; l++) {
        const int y = yb + l;
        float *out = tile + (ptrdiff_t)l * BOX_STRIP;
        /* the new row's line BOX_AHEAD strips on: a strip walks down rows
         * a plane's width apart, which the hardware does not follow */
        if (x0 + (BOX_AHEAD + 1) * BOX_STRIP <= p->w) {
            const uint8_t *ahead = src_row(p, p->y.none ? y : y + r + 1) +
                                   (ptrdiff_t)(x0 + BOX_AHEAD * BOX_STRIP) * (depth > 8 ? 2 : 1);
            __builtin_prefetch(ahead);
            if (depth > 8)
                __builtin_prefetch(ahead + 64);
        }
        if (p->y.none) {
            const uint8_t *c = strip_src(p, y, x0, n, tmp[0]);
            for (int v = 0; v < NV; v++)
                vfn_store(out + SMEAR_VF * v, __builtin_convertvector(load_vin(c, SMEAR_VF * v, depth), vfn));
            continue;
        }
        /* rows y - r - 1 and y + r + 1 weigh e; then the window moves on:
         * row y + r + 1 in, row y - r out */
        const uint8_t *a = strip_src(p, y - r - 1, x0, n, tmp[0]);
        const uint8_t *b = strip_src(p, y + r + 1, x0, n, tmp[1]);
        const uint8_t *o = strip_src(p, y - r, x0, n, tmp[2]);
        for (int v = 0; v < NV; v++) {
            const vin va = load_vin(a, SMEAR_VF * v, depth), vb = load_vin(b, SMEAR_VF * v, depth);
            vfn_store(out + SMEAR_VF * v,
                      (__builtin_convertvector(s[v], vfn) + e * __builtin_convertvector(va + vb, vfn)) * inv);
            s[v] += vb - load_vin(o, SMEAR_VF * v, depth);
        }
    }
    for (int v = 0; v < NV; v++)
        memcpy(S + SMEAR_VF * v, &s[v], sizeof(vin));
    memset(tile + (ptrdiff_t)nrows * BOX_STRIP, 0, sizeof(float) * BOX_STRIP * (size_t)(LANES - nrows));
}

/* The running sum along x, on LANES rows at once: B at column 0, padded by
 * r + 1 columns each side. */
static void horizontal(const BoxPlan *p, const float *B, float *O)
{
    const int w = p->w, r = p->x.r;
    const float e = p->x.e, inv = p->x.inv;
    for (int v = 0; v < LANES / SMEAR_VF; v++) {
        vfn S = vfn_set1(0);
        for (int j = -r; j <= r; j++)
            S += vfn_load(B + (ptrdiff_t)j * LANES + SMEAR_VF * v);
        for (int x = 0; x < w; x++) {
            const vfn lo = vfn_load(B + (ptrdiff_t)(x - r - 1) * LANES + SMEAR_VF * v);
            const vfn hi = vfn_load(B + (ptrdiff_t)(x + r + 1) * LANES + SMEAR_VF * v);
            vfn_store(O + (ptrdiff_t)x * LANES + SMEAR_VF * v, (S + (lo + hi) * e) * inv);
            S += hi - vfn_load(B + (ptrdiff_t)(x - r) * LANES + SMEAR_VF * v);
        }
    }
}

void SMEAR_DSP(smear_box_rows)(const BoxPlan *p, const SmearPlane *dst, int y0, int y1,
                               float *work)
{
    const int w = p->w, pad = p->x.r + 1;
    const int ws = (w + BOX_STRIP - 1) / BOX_STRIP * BOX_STRIP;
    int32_t *S = (int32_t *)work;
    float *tile = work + ws;
    float *B = tile + (ptrdiff_t)LANES * BOX_STRIP + (ptrdiff_t)pad * LANES; /* column 0 */
    float *O = B + (ptrdiff_t)(w + pad) * LANES;

    /* the column sums over the window of row y0 (past w: zero) */
    memset(S, 0, sizeof(*S) * (size_t)ws);
    if (!p->y.none)
        for (int r = y0 - p->y.r; r <= y0 + p->y.r; r++)
            add_row(S, src_row(p, r), w, p->depth);
    for (int yb = y0; yb < y1; yb += LANES) {
        const int nrows = y1 - yb < LANES ? y1 - yb : LANES;
        for (int x0 = 0; x0 < w; x0 += BOX_STRIP) {
            const int n = w - x0 < BOX_STRIP ? w - x0 : BOX_STRIP;
            vertical_strip(p, S + x0, x0, n, yb, nrows, tile);
            lanes_from_tile(B, x0, n, tile, BOX_STRIP);
        }
        if (p->x.none) {
            lanes_store(dst, yb, nrows, B);
            continue;
        }
        lanes_pad(B, w, pad, p->border);
        horizontal(p, B, O);
        lanes_store(dst, yb, nrows, O);
    }
}
