/*
 * smear - motion blur: the pass, compiled once per instruction set.
 */
#include "config.h"

#include "motion_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

#define TILE 64

void SMEAR_DSP(smear_motion_pad)(const MotionPlan *p, const SmearPlane *src, int r0, int r1)
{
    smear_pad_rows(p->P, p->pw, src, p->mx, p->my, p->border, r0, r1);
}

void SMEAR_DSP(smear_motion_rows)(const MotionPlan *p, const SmearPlane *dst, int y0, int y1,
                                  float *work)
{
    const int W = p->w, nt = p->nb_taps, bps = p->depth > 8 ? 2 : 1;
    const ptrdiff_t pw = p->pw;
    for (int x0 = 0; x0 < W; x0 += TILE) {
        const int n = W - x0 < TILE ? W - x0 : TILE;
        for (int y = y0; y < y1; y++) {
            const float *base = p->P + (ptrdiff_t)(y + p->my) * pw + p->mx + x0;
            vf16 s0 = vf16_set1(0), s1 = s0, s2 = s0, s3 = s0;
            for (int i = 0; i < nt; i++) {
                const float *q = base + (ptrdiff_t)p->taps[i].dy * pw + p->taps[i].dx;
                const float w = p->taps[i].w;
                s0 = vf16_fmas(vf16_load(q), w, s0);
                s1 = vf16_fmas(vf16_load(q + 16), w, s1);
                s2 = vf16_fmas(vf16_load(q + 32), w, s2);
                s3 = vf16_fmas(vf16_load(q + 48), w, s3);
            }
            vf16_store(work, s0);
            vf16_store(work + 16, s1);
            vf16_store(work + 32, s2);
            vf16_store(work + 48, s3);
            smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)x0 * bps, work, n,
                             p->depth);
        }
    }
}
