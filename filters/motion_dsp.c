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
                vi16 lo0 = { 0 }, hi0 = lo0, lo1 = lo0, hi1 = lo0;
                for (int i = 0; i < nt; i += 2) {
                    const MotionTap *ta = &p->taps[i], *tb = ta + 1;
                    const uint16_t *a = pr[ta->dy] + mx + x0 + ta->dx;
                    const uint16_t *b = pr[tb->dy] + mx + x0 + tb->dx;
                    smear_madd_pair(&lo0, &hi0, (vh32)smear_vw32_load(a), (vh32)smear_vw32_load(b),
                                    p->qw[i / 2]);
                    smear_madd_pair(&lo1, &hi1, (vh32)smear_vw32_load(a + 32),
                                    (vh32)smear_vw32_load(b + 32), p->qw[i / 2]);
                }
                smear_vi16_pair_to_f32(acc, lo0, hi0, p->qscale);
                smear_vi16_pair_to_f32(acc + 32, lo1, hi1, p->qscale);
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
                vf16 s0 = vf16_set1(0), s1 = s0, s2 = s0, s3 = s0;
                for (int c = 0; c < nc; c++) {
                    const MotionCol *col = &p->cols[c];
                    const float *w = p->w + col->w;
                    const int off = mx + x0 + col->dx;
                    for (int e = 0; e < col->n; e++) {
                        if (w[e] == 0)
                            continue;
                        const float *q = pr[col->dy0 + e] + off;
                        s0 = vf16_fmas(vf16_load(q), w[e], s0);
                        s1 = vf16_fmas(vf16_load(q + 16), w[e], s1);
                        s2 = vf16_fmas(vf16_load(q + 32), w[e], s2);
                        s3 = vf16_fmas(vf16_load(q + 48), w[e], s3);
                    }
                }
                vf16_store(acc, s0);
                vf16_store(acc + 16, s1);
                vf16_store(acc + 32, s2);
                vf16_store(acc + 48, s3);
                const int m = sn - x0 < MOTION_TILE ? sn - x0 : MOTION_TILE;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps,
                                 acc, m, p->depth);
            }
        }
    }
}
