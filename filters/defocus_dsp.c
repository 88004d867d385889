/*
 * smear - defocus: the passes, compiled once per instruction set.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "border.h"
#include "defocus_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

void SMEAR_DSP(smear_defocus_pad)(const DefocusPlan *p, const SmearPlane *src, int r0, int r1)
{
    smear_pad_rows(p->P, p->pw, src, p->rx, p->ry, p->border, r0, r1);
}

void SMEAR_DSP(smear_defocus_prefix)(const DefocusPlan *p, int x0, int x1)
{
    const int n = x1 - x0;
    float *c = p->C + x0;
    memset(c, 0, sizeof(float) * (size_t)n);
    for (int j = 0; j < p->ph; j++) {
        const float *prev = c + (ptrdiff_t)j * p->pw, *row = p->P + (ptrdiff_t)j * p->pw + x0;
        float *next = c + (ptrdiff_t)(j + 1) * p->pw;
        for (int x = 0; x < n; x++)
            next[x] = prev[x] + row[x];
    }
}

/* Columns per tile: the tile's rows of P and C within the kernel's reach
 * (2 ry + 2 of each) stay in the first-level cache while the tile moves
 * down, so each row loaded serves every tap that reaches it. */
#define TILE 64

void SMEAR_DSP(smear_defocus_rows)(const DefocusPlan *p, const SmearPlane *dst, int y0, int y1,
                                   float *work)
{
    const int W = p->w, nr = p->nb_runs, nt = p->nb_taps;
    const int bps = p->depth > 8 ? 2 : 1;
    const ptrdiff_t pw = p->pw;
    float *restrict acc = work;
    for (int x0 = 0; x0 < W; x0 += TILE) {
        const int n = W - x0 < TILE ? W - x0 : TILE;
        for (int y = y0; y < y1; y++) {
            const float *centre = p->P + (ptrdiff_t)(y + p->ry) * pw + p->rx + x0;
            const float *cbase = p->C + (ptrdiff_t)(y + p->ry) * pw + p->rx + x0;
            /* a whole tile (four vectors) per run and per tap, in registers */
            vf16 s0 = vf16_set1(0), s1 = s0, s2 = s0, s3 = s0;
            for (int i = 0; i < nr; i++) {
                const DefocusRun *r = &p->runs[i];
                const float *hi = cbase + (ptrdiff_t)(r->b + 1) * pw, *lo = cbase + (ptrdiff_t)r->a * pw;
                const float *h0 = hi + r->dx, *l0 = lo + r->dx, *h1 = hi - r->dx, *l1 = lo - r->dx;
#define RUN(S, o) S += (vf16_load(h0 + o) - vf16_load(l0 + o)) + (vf16_load(h1 + o) - vf16_load(l1 + o))
                RUN(s0, 0);
                RUN(s1, 16);
                RUN(s2, 32);
                RUN(s3, 48);
#undef RUN
            }
            if (p->has_centre_run) {
                const DefocusRun *r = &p->centre_run;
                const float *hi = cbase + (ptrdiff_t)(r->b + 1) * pw, *lo = cbase + (ptrdiff_t)r->a * pw;
                s0 += vf16_load(hi) - vf16_load(lo);
                s1 += vf16_load(hi + 16) - vf16_load(lo + 16);
                s2 += vf16_load(hi + 32) - vf16_load(lo + 32);
                s3 += vf16_load(hi + 48) - vf16_load(lo + 48);
            }
            for (int i = 0; i < nt; i++) {
                const DefocusTap *t = &p->taps[i];
                const ptrdiff_t ox = t->dx, oy = (ptrdiff_t)t->dy * pw;
                const float *a = centre - oy - ox, *b = centre - oy + ox;
                const float *c = centre + oy - ox, *d = centre + oy + ox;
                const float w = t->w;
#define TAP(S, o) S = vf16_fmas((vf16_load(a + o) + vf16_load(b + o)) + \
                                (vf16_load(c + o) + vf16_load(d + o)), w, S)
                TAP(s0, 0);
                TAP(s1, 16);
                TAP(s2, 32);
                TAP(s3, 48);
#undef TAP
            }
            const float inv = p->inv_total;
            vf16_store(acc, s0 * inv);
            vf16_store(acc + 16, s1 * inv);
            vf16_store(acc + 32, s2 * inv);
            vf16_store(acc + 48, s3 * inv);
            smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)x0 * bps, acc, n,
                             p->depth);
        }
    }
}
