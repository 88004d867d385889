/*
 * smear - motion blur: the pass, compiled once per instruction set.
 */
#include "config.h"

#include "motion_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

/* The integer pass, on 8-bit planes: 16-bit words in the ring, taps in
 * pairs through smear_madd_pair(), NW vectors of words at a time
 * (MOTION_TILE is a multiple of their columns). */
#define NW 4
#define NARROW_LANES (NW * SMEAR_VW)

/* A tile's taps from ring column cx, into lo and hi: the way of the CPU at
 * hand, when it has one. */
typedef void (*TileFn)(const MotionPlan *p, const uint16_t *const *pr, int cx, vin lo[NW],
                       vin hi[NW]);

#if SMEAR_ISA_IS_AVX512
/* With VNNI: the taps of a row (they are in row order) pick their columns
 * out of the row's whole lines around the tile (see smear_pick_words()):
 * the tile's first column cx is c mod 32 and its lines start at column
 * cx - c - 32, so a tap at dx (|dx| <= LINE_REACH) is at offset
 * 32 + c + dx. The same integer sums as the loads', so the same bytes. */
#define LINE_REACH 31
_Static_assert(NW == 4, "smear_pick_words() picks four vectors");

static inline __attribute__((always_inline)) void row_lines(const uint16_t *row, int b,
                                                            __m512i L[SMEAR_LINES])
{
    for (int j = 0; j < SMEAR_LINES; j++)
        L[j] = _mm512_load_si512((const void *)(row + b + 32 * j));
}

static inline __attribute__((target("avx512vnni"), always_inline)) void
lined_taps(const MotionPlan *p, const uint16_t *const *pr, int cx, vin lo[NW], vin hi[NW])
{
    const int c = cx & 31, b = cx - c - 32;
    __m512i L[SMEAR_LINES];
    int dy = p->taps[0].dy;
    row_lines(pr[dy], b, L);
    for (int i = 0; i < p->nb_taps; i += 2) {
        const MotionTap *t = &p->taps[i];
        __m512i a[NW], e[NW];
        if (t[0].dy != dy)
            row_lines(pr[dy = t[0].dy], b, L);
        smear_pick_words(L, 32 + c + t[0].dx, a);
        if (i + 1 == p->nb_tap_real) { /* padding, of weight 0 */
            for (int v = 0; v < NW; v++)
                e[v] = _mm512_setzero_si512();
        } else {
            if (t[1].dy != dy)
                row_lines(pr[dy = t[1].dy], b, L);
            smear_pick_words(L, 32 + c + t[1].dx, e);
        }
        for (int v = 0; v < NW; v++)
            smear_dot_pair(&lo[v], &hi[v], (vhn)a[v], (vhn)e[v], p->qw[i / 2]);
    }
}
#endif

/* Output rows [y0, y1): each tile's taps by tile, or by the loads below. */
static inline __attribute__((always_inline)) void
narrow_rows(const MotionPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0, int y1,
            void *work, TileFn tile)
{
    const int W = p->width, nt = p->nb_taps;
    const int mx = p->mx, my = p->my, nrows = 2 * my + 1, sw = p->sw;
    uint16_t *P = (uint16_t *)work + p->pad; /* column 0 of each ring row after the pad */
    const uint16_t **prow = (const uint16_t **)((float *)work + (size_t)nrows * sw);
#if !SMEAR_ISA_IS_AVX512
    float *acc = (float *)(prow + nrows) + 16 - ((uintptr_t)(prow + nrows) / sizeof(float)) % 16;
#endif
    const int base = y0 - my;
    for (int sx0 = 0; sx0 < W; sx0 += p->strip) {
        const int sn = W - sx0 < p->strip ? W - sx0 : p->strip;
        int next = base;
        for (int y = y0; y < y1; y++) {
            for (; next <= y + my; next++)
                smear_pad_strip_words(P + (ptrdiff_t)((next - base) % nrows) * sw, src,
                                      p->border, next, sx0 - mx, sn + 2 * mx);
            smear_ring_table((const void **)prow, P, sizeof(*P) * sw, nrows, y - y0);
            const uint16_t *const *pr = prow + my;
            for (int x0 = 0; x0 < sn; x0 += NARROW_LANES) {
                vin lo[NW] = { { 0 } }, hi[NW] = { { 0 } };
                if (tile) {
                    tile(p, pr, mx + x0, lo, hi);
                } else {
                    for (int i = 0; i < nt; i += 2) {
                        const MotionTap *ta = &p->taps[i], *tb = ta + 1;
                        const uint16_t *a = pr[ta->dy] + mx + x0 + ta->dx;
                        const uint16_t *b = pr[tb->dy] + mx + x0 + tb->dx;
                        for (int q = 0; q < NW; q++)
                            smear_madd_pair(&lo[q], &hi[q], (vhn)vwn_load(a + SMEAR_VW * q),
                                            (vhn)vwn_load(b + SMEAR_VW * q), p->qw[i / 2]);
                    }
                }
                const int m = sn - x0 < NARROW_LANES ? sn - x0 : NARROW_LANES;
                uint8_t *out = dst->data + (ptrdiff_t)y * dst->stride + sx0 + x0;
#if SMEAR_ISA_IS_AVX512
                for (int q = 0; q < NW; q++)
                    smear_vin_pair_to_u8(out + SMEAR_VW * q, m - SMEAR_VW * q, lo[q], hi[q],
                                         p->qscale);
#else
                for (int q = 0; q < NW; q++)
                    smear_vin_pair_to_f32(acc + SMEAR_VW * q, lo[q], hi[q], p->qscale);
                smear_f32_to_row(out, acc, m, 8);
#endif
            }
        }
    }
}

static void rows_narrow(const MotionPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0,
                        int y1, void *work)
{
    narrow_rows(p, dst, src, y0, y1, work, NULL);
}

#if SMEAR_ISA_IS_AVX512
static __attribute__((target("avx512vnni"))) void
rows_lined(const MotionPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0, int y1,
           void *work)
{
    narrow_rows(p, dst, src, y0, y1, work, lined_taps);
}
#endif

/* The float pass: any depth, FLOAT_LANES columns at a time. */
#define NF 8
#define FLOAT_LANES (NF * SMEAR_VF)

void SMEAR_DSP(smear_motion_rows)(const MotionPlan *p, const SmearPlane *dst,
                                  const SmearPlane *src, int y0, int y1, void *work)
{
    if (p->narrow) {
#if SMEAR_ISA_IS_AVX512
        if (p->vnni && p->mx <= LINE_REACH) {
            rows_lined(p, dst, src, y0, y1, work);
            return;
        }
#endif
        rows_narrow(p, dst, src, y0, y1, work);
        return;
    }
    const int W = p->width, nc = p->nb_cols, bps = p->depth > 8 ? 2 : 1;
    const int mx = p->mx, my = p->my, nrows = 2 * my + 1, sw = p->sw;
    float *P = work;
    const float **prow = (const float **)(P + (size_t)nrows * sw);
    float *acc = (float *)(prow + nrows) + 16 - ((uintptr_t)(prow + nrows) / sizeof(float)) % 16;
    const int base = y0 - my; /* input row r in slot (r - base) % nrows */
    for (int sx0 = 0; sx0 < W; sx0 += p->strip) {
        const int sn = W - sx0 < p->strip ? W - sx0 : p->strip;
        int next = base;
        for (int y = y0; y < y1; y++) {
            for (; next <= y + my; next++)
                smear_pad_strip_row(P + (ptrdiff_t)((next - base) % nrows) * sw, src, p->border,
                                    next, sx0 - mx, sn + 2 * mx);
            /* pr[dy]: input row y + dy, for dy in [-my, my] */
            smear_ring_table((const void **)prow, P, sizeof(*P) * sw, nrows, y - y0);
            const float *const *pr = prow + my;
            for (int x0 = 0; x0 < sn; x0 += FLOAT_LANES) {
                vfn S[NF];
                for (int v = 0; v < NF; v++)
                    S[v] = vfn_set1(0);
                for (int c = 0; c < nc; c++) {
                    const MotionCol *col = &p->cols[c];
                    const float *w = p->w + col->w;
                    const int off = mx + x0 + col->dx;
                    for (int e = 0; e < col->n; e++) {
                        if (w[e] == 0)
                            continue;
                        const float *q = pr[col->dy0 + e] + off;
                        for (int v = 0; v < NF; v++)
                            S[v] = vfn_fmas(vfn_load(q + SMEAR_VF * v), w[e], S[v]);
                    }
                }
                for (int v = 0; v < NF; v++)
                    vfn_store(acc + SMEAR_VF * v, S[v]);
                const int m = sn - x0 < FLOAT_LANES ? sn - x0 : FLOAT_LANES;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps,
                                 acc, m, p->depth);
            }
        }
    }
}
