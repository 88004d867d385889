/*
 * smear - motion blur: the pass, compiled once per instruction set.
 */
#include "config.h"

#include "motion_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

/* The integer pass, on 8-bit planes: 16-bit words in the ring, taps in
 * pairs through smear_madd_pair(). */
static void rows_narrow(const MotionPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0,
                        int y1, void *work)
{
    const int W = p->width, nt = p->nb_taps;
    const int mx = p->mx, my = p->my, nrows = 2 * my + 1, sw = p->sw;
    uint16_t *P = work;
    const uint16_t **prow = (const uint16_t **)((float *)work + (size_t)nrows * sw);
    float *acc = (float *)(prow + nrows) + 16 - ((uintptr_t)(prow + nrows) / sizeof(float)) % 16;
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
            for (int x0 = 0; x0 < sn; x0 += MOTION_TILE) {
                enum { NW = MOTION_TILE / SMEAR_VW };
                vin lo[NW] = { { 0 } }, hi[NW] = { { 0 } };
                for (int i = 0; i < nt; i += 2) {
                    const MotionTap *ta = &p->taps[i], *tb = ta + 1;
                    const uint16_t *a = pr[ta->dy] + mx + x0 + ta->dx;
                    const uint16_t *b = pr[tb->dy] + mx + x0 + tb->dx;
                    for (int q = 0; q < NW; q++)
                        smear_madd_pair(&lo[q], &hi[q], (vhn)vwn_load(a + SMEAR_VW * q),
                                        (vhn)vwn_load(b + SMEAR_VW * q), p->qw[i / 2]);
                }
                for (int q = 0; q < NW; q++)
                    smear_vin_pair_to_f32(acc + SMEAR_VW * q, lo[q], hi[q], p->qscale);
                const int m = sn - x0 < MOTION_TILE ? sn - x0 : MOTION_TILE;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + sx0 + x0, acc, m, 8);
            }
        }
    }
}

void SMEAR_DSP(smear_motion_rows)(const MotionPlan *p, const SmearPlane *dst,
                                  const SmearPlane *src, int y0, int y1, void *work)
{
    if (p->narrow) {
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
            for (int x0 = 0; x0 < sn; x0 += MOTION_TILE) {
                enum { NF = MOTION_TILE / SMEAR_VF };
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
                const int m = sn - x0 < MOTION_TILE ? sn - x0 : MOTION_TILE;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps,
                                 acc, m, p->depth);
            }
        }
    }
}
