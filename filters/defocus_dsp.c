/*
 * smear - defocus: the pass, compiled once per instruction set.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "defocus_dsp.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

/* 32-bit sums in vectors of the build's width (see simd.h). */
typedef uint32_t vun __attribute__((vector_size(4 * SMEAR_VF)));

static inline vun vun_load(const uint32_t *p)
{
    vun v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* The exact integer sums (below 2^31 by the plan's run_chunk) as floats. */
static inline vfn vun_to_f(vun v)
{
    return __builtin_convertvector((vin)v, vfn);
}

/* ---- the narrow pass: 8-bit samples, a reach of at most 31 rows ----
 *
 * Samples and column sums are 16-bit words (the sums modulo 2^16: a run's
 * sum is below 2^16, so its difference of two sums is exact), twice as many
 * a load as floats. Each term (a run's mirrored pair of columns, or a tap's
 * four mirrored samples) sums to below 2^15; two terms are interleaved and
 * multiplied by their integer weights (see narrow_terms() in defocus.c)
 * into 32-bit sums, exact whatever the instruction set (smear_madd_pair()
 * in simd.h). */

/* Words (native vectors) in a tile. */
#define NW (DEFOCUS_TILE / SMEAR_VW)

/* The sums of run term t over the 64 samples of a tile. */
static inline void run_sums(const DefocusTerm *t, const uint16_t *const *cr, int cx, vhn s[NW])
{
    const uint16_t *hi = cr[t->b + 1] + cx, *lo = cr[t->a] + cx;
    for (int v = 0; v < NW; v++) {
        const int o = SMEAR_VW * v;
        s[v] = (vhn)((vwn_load(hi + t->dx + o) - vwn_load(lo + t->dx + o)) +
                     (vwn_load(hi - t->dx + o) - vwn_load(lo - t->dx + o)));
    }
}

/* The sums of tap term t over the 64 samples of a tile. */
static inline void tap_sums(const DefocusTerm *t, const uint16_t *const *pr, int cx, vhn s[NW])
{
    const uint16_t *up = pr[-t->dy] + cx, *dn = pr[t->dy] + cx;
    for (int v = 0; v < NW; v++) {
        const int o = SMEAR_VW * v;
        s[v] = (vhn)((vwn_load(up - t->dx + o) + vwn_load(up + t->dx + o)) +
                     (vwn_load(dn - t->dx + o) + vwn_load(dn + t->dx + o)));
    }
}

static void rows_narrow(const DefocusPlan *p, const SmearPlane *dst, const SmearPlane *src,
                        int y0, int y1, void *work)
{
    const int W = p->w, rx = p->rx, ry = p->ry, nt = p->nb_terms, nrt = p->nb_run_terms;
    const int np = 2 * ry + 1, nc = 2 * ry + 2, sw = p->sw;
    DefocusWork wk;
    smear_defocus_work(p, work, &wk);
    uint16_t *P = wk.P, *C = wk.C;
    const uint16_t **prow = (const uint16_t **)wk.prow, **crow = (const uint16_t **)wk.crow;
    float *restrict acc = wk.acc;
    const float scale = p->qscale;

    const int base = y0 - ry; /* slots as in the float pass below */
    for (int sx0 = 0; sx0 < W; sx0 += p->strip) {
        const int sn = W - sx0 < p->strip ? W - sx0 : p->strip;
        const int n = sn + 2 * rx, c0 = sx0 - rx;
        memset(C, 0, sizeof(*C) * (size_t)n);
        int next = base;
        for (int y = y0; y < y1; y++) {
            for (; next <= y + ry; next++) {
                uint16_t *restrict pr = P + (ptrdiff_t)((next - base) % np) * sw;
                smear_pad_strip_words(pr, src, p->border, next, c0, n);
                const uint16_t *cp = C + (ptrdiff_t)((next - base) % nc) * sw;
                uint16_t *restrict cn = C + (ptrdiff_t)((next + 1 - base) % nc) * sw;
                for (int i = 0; i < n; i++)
                    cn[i] = (uint16_t)(cp[i] + pr[i]);
            }
            smear_ring_table((const void **)prow, P, sizeof(*P) * sw, np, y - y0);
            smear_ring_table((const void **)crow, C, sizeof(*C) * sw, nc, y - y0);
            const uint16_t *const *pr = prow + ry, *const *cr = crow + ry;
            for (int x0 = 0; x0 < sn; x0 += DEFOCUS_TILE) {
                const int cx = rx + x0;
                vin lo[NW] = { { 0 } }, hi[NW] = { { 0 } };
                for (int i = 0; i < nrt; i += 2) {
                    vhn a[NW], b[NW];
                    run_sums(&p->terms[i], cr, cx, a);
                    run_sums(&p->terms[i + 1], cr, cx, b);
                    for (int v = 0; v < NW; v++)
                        smear_madd_pair(&lo[v], &hi[v], a[v], b[v], p->qw[i / 2]);
                }
                for (int i = nrt; i < nt; i += 2) {
                    vhn a[NW], b[NW];
                    tap_sums(&p->terms[i], pr, cx, a);
                    tap_sums(&p->terms[i + 1], pr, cx, b);
                    for (int v = 0; v < NW; v++)
                        smear_madd_pair(&lo[v], &hi[v], a[v], b[v], p->qw[i / 2]);
                }
                for (int v = 0; v < NW; v++)
                    smear_vin_pair_to_f32(acc + SMEAR_VW * v, lo[v], hi[v], scale);
                const int m = sn - x0 < DEFOCUS_TILE ? sn - x0 : DEFOCUS_TILE;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + sx0 + x0, acc, m, 8);
            }
        }
    }
}

/* ---- the float pass: any depth, any reach ---- */

void SMEAR_DSP(smear_defocus_rows)(const DefocusPlan *p, const SmearPlane *dst,
                                   const SmearPlane *src, int y0, int y1, void *work)
{
    if (p->narrow) {
        rows_narrow(p, dst, src, y0, y1, work);
        return;
    }
    const int W = p->w, rx = p->rx, ry = p->ry, nr = p->nb_runs, nt = p->nb_taps;
    const int np = 2 * ry + 1, nc = 2 * ry + 2, sw = p->sw;
    const int bps = p->depth > 8 ? 2 : 1;
    DefocusWork wk;
    smear_defocus_work(p, work, &wk);
    float *P = wk.P;
    uint32_t *C = wk.C;
    const float **prow = (const float **)wk.prow;
    const uint32_t **crow = (const uint32_t **)wk.crow;
    float *restrict acc = wk.acc;

    /* ring slots: input row r at P slot (r - base) % np, the sums of rows
     * base .. r - 1 at C slot (r - base) % nc */
    const int base = y0 - ry;
    for (int sx0 = 0; sx0 < W; sx0 += p->strip) {
        const int sn = W - sx0 < p->strip ? W - sx0 : p->strip;
        const int n = sn + 2 * rx, c0 = sx0 - rx;
        memset(C, 0, sizeof(*C) * (size_t)n);
        int next = base; /* next input row into the ring */
        for (int y = y0; y < y1; y++) {
            for (; next <= y + ry; next++) {
                float *pr = P + (ptrdiff_t)((next - base) % np) * sw;
                smear_pad_strip_row(pr, src, p->border, next, c0, n);
                const uint32_t *cp = C + (ptrdiff_t)((next - base) % nc) * sw;
                uint32_t *restrict cn = C + (ptrdiff_t)((next + 1 - base) % nc) * sw;
                for (int i = 0; i < n; i++)
                    cn[i] = cp[i] + (uint32_t)(int32_t)pr[i];
            }
            smear_ring_table((const void **)prow, P, sizeof(*P) * sw, np, y - y0);
            smear_ring_table((const void **)crow, C, sizeof(*C) * sw, nc, y - y0);
            const float *const *pr = prow + ry;      /* pr[dy], dy in [-ry, ry] */
            const uint32_t *const *cr = crow + ry;   /* cr[k]: sums of rows y - ry .. y + k - 1 */
            for (int x0 = 0; x0 < sn; x0 += DEFOCUS_TILE) {
                const int cx = rx + x0;
                /* a whole tile per run and per tap, in registers */
                enum { NF = DEFOCUS_TILE / SMEAR_VF };
                vfn S[NF];
                for (int v = 0; v < NF; v++)
                    S[v] = vfn_set1(0);
                for (int i = 0; i < nr; i += p->run_chunk) {
                    const int end = nr - i < p->run_chunk ? nr : i + p->run_chunk;
                    vun T[NF];
                    for (int v = 0; v < NF; v++)
                        T[v] = (vun){ 0 };
                    for (int k = i; k < end; k++) {
                        const DefocusRun *r = &p->runs[k];
                        const uint32_t *hi = cr[r->b + 1] + cx, *lo = cr[r->a] + cx;
                        const uint32_t *h0 = hi + r->dx, *l0 = lo + r->dx;
                        const uint32_t *h1 = hi - r->dx, *l1 = lo - r->dx;
                        for (int v = 0; v < NF; v++) {
                            const int o = SMEAR_VF * v;
                            T[v] += (vun_load(h0 + o) - vun_load(l0 + o)) +
                                    (vun_load(h1 + o) - vun_load(l1 + o));
                        }
                    }
                    for (int v = 0; v < NF; v++)
                        S[v] += vun_to_f(T[v]);
                }
                if (p->has_centre_run) {
                    const DefocusRun *r = &p->centre_run;
                    const uint32_t *hi = cr[r->b + 1] + cx, *lo = cr[r->a] + cx;
                    for (int v = 0; v < NF; v++)
                        S[v] += vun_to_f(vun_load(hi + SMEAR_VF * v) - vun_load(lo + SMEAR_VF * v));
                }
                for (int i = 0; i < nt; i++) {
                    const DefocusTap *t = &p->taps[i];
                    const float *up = pr[-t->dy] + cx, *dn = pr[t->dy] + cx;
                    const float *a = up - t->dx, *b = up + t->dx;
                    const float *c = dn - t->dx, *d = dn + t->dx;
                    for (int v = 0; v < NF; v++) {
                        const int o = SMEAR_VF * v;
                        S[v] = vfn_fmas((vfn_load(a + o) + vfn_load(b + o)) +
                                            (vfn_load(c + o) + vfn_load(d + o)),
                                        t->w, S[v]);
                    }
                }
                for (int v = 0; v < NF; v++)
                    vfn_store(acc + SMEAR_VF * v, S[v] * p->inv_total);
                const int m = sn - x0 < DEFOCUS_TILE ? sn - x0 : DEFOCUS_TILE;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps,
                                 acc, m, p->depth);
            }
        }
    }
}
