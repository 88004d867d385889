/*
 * smear - motion blur: the pass, compiled once per instruction set.
 */
#include "config.h"

#include "motion_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

void SMEAR_DSP(smear_motion_rows)(const MotionPlan *p, const SmearPlane *dst,
                                  const SmearPlane *src, int y0, int y1, void *work)
{
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
