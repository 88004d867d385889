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

/* ---- the narrow pass: 16-bit words, where each run sums to below 2^15 ----
 *
 * Samples and column sums are 16-bit words (the sums modulo 2^16: a run's
 * sum is below 2^16, so its difference of two sums is exact), twice as many
 * a load as floats. Each term (a run's mirrored pair of columns where that
 * stays so, else one column of the run; or a tap's four mirrored samples)
 * sums to below 2^15 (DEFOCUS_WORD_SUM); two terms are interleaved and
 * multiplied by their integer weights (see narrow_terms() in defocus.c)
 * into 32-bit sums, exact whatever the instruction set (smear_madd_pair()
 * in simd.h). */

/* Vectors of words computed together (DEFOCUS_TILE is a multiple of
 * their columns). */
#define NW 4
#define NARROW_LANES (NW * SMEAR_VW)

/* The sums of run term t over NARROW_LANES samples from column cx: its
 * columns dx and -dx (paired), or its column dx. */
static inline __attribute__((always_inline)) void
run_sums(const DefocusTerm *t, const uint16_t *const *cr, int cx, vhn s[NW], const int paired)
{
    const uint16_t *hi = cr[t->b + 1] + cx, *lo = cr[t->a] + cx;
    for (int v = 0; v < NW; v++) {
        const int o = SMEAR_VW * v;
        vwn d = vwn_load(hi + t->dx + o) - vwn_load(lo + t->dx + o);
        if (paired)
            d += vwn_load(hi - t->dx + o) - vwn_load(lo - t->dx + o);
        s[v] = (vhn)d;
    }
}

/* The sums of tap term t over NARROW_LANES samples from column cx. */
static inline void tap_sums(const DefocusTerm *t, const uint16_t *const *pr, int cx, vhn s[NW])
{
    const uint16_t *up = pr[-t->dy] + cx, *dn = pr[t->dy] + cx;
    for (int v = 0; v < NW; v++) {
        const int o = SMEAR_VW * v;
        s[v] = (vhn)((vwn_load(up - t->dx + o) + vwn_load(up + t->dx + o)) +
                     (vwn_load(dn - t->dx + o) + vwn_load(dn + t->dx + o)));
    }
}

#if SMEAR_ISA_IS_AVX512
/*
 * The narrow pass without unaligned loads, on CPUs with AVX-512 VNNI.
 * Nearly every load of a term's columns at +-dx crosses a cache line, and
 * such loads run at about one a cycle: they bound the pass above. Here a
 * term's rows are loaded as whole 64-byte lines around the tile, and
 * combined once for all the terms that share them (a tap's row pair -dy and
 * +dy summed, a run's two column sums subtracted; narrow_terms() orders the
 * terms so). Each term's columns are then picked out of those lines with
 * word permutes, and pairs of terms weighted with word dot products. The
 * same integer sums as the loads', so the same bytes. With c the tile's
 * first column cx mod 32, its lines start at column cx - c - 32: a term
 * reaching dx <= SHIFT_REACH reads lines 0 .. NW + 2. A disk reaching
 * further (far) has lines from cx - c - 64, 0 .. NW + 4, for dx <= FAR_REACH:
 * the last tile's last line then ends at most 2 reach - 64 columns past the
 * strip's reach on its right, inside the ring row (smear_lined_row() leaves
 * 2 reach columns and the pad there; no slack left at a reach of 32). */
#define SHIFT_REACH 31
#define FAR_REACH   63
#define FAR_LINES   (SMEAR_LINES + 2)
_Static_assert(NW == 4, "pick_lines() and smear_pick_words() pick four vectors");

/* Four vectors of words from word offset o of the lines L, where o >> 5 is
 * known to be first, first + 1 or (three) first + 2: out[v] = words
 * o + 32 v .. o + 32 v + 31. */
static inline __attribute__((always_inline)) void
pick_lines(const __m512i L[FAR_LINES], int o, __m512i out[4], const int first, const int three)
{
    const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
                                          17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
                                          2, 1, 0);
    const __m512i idx = _mm512_add_epi16(iota, _mm512_set1_epi16((short)(o & 31)));
    const int j = o >> 5;
    /* constant indices, so that the lines stay in registers */
    for (int v = 0; v < 4; v++)
        out[v] = j <= first ? _mm512_permutex2var_epi16(L[first + v], idx, L[first + v + 1])
               : !three || j == first + 1
                   ? _mm512_permutex2var_epi16(L[first + v + 1], idx, L[first + v + 2])
                   : _mm512_permutex2var_epi16(L[first + v + 2], idx, L[first + v + 3]);
}

/* A term's sums over NARROW_LANES columns from its lines L, o the offset of
 * the tile's first column in them (32 + c, or 64 + c when far): its columns
 * at -dx and +dx (paired; the centre column counted twice), or its column at
 * dx (of either sign). */
static inline __attribute__((always_inline)) void
shifted_sums(const __m512i L[FAR_LINES], int o, int dx, vhn s[NW], const int paired, const int far)
{
    __m512i m[NW], q[NW];
    if (!paired) { /* lines 0 .. 2, or when far 0 .. 2 (dx < 0) or 2 .. 4 */
        if (!far || dx < 0)
            pick_lines(L, o + dx, m, 0, 1);
        else
            pick_lines(L, o + dx, m, 2, 1);
        for (int v = 0; v < NW; v++)
            s[v] = (vhn)m[v];
        return;
    }
    if (!far) {
        /* the common case (a disk up to a radius of 30.5): pick_lines()'s
         * picks, but chosen by the signs of c - dx and c + dx - 32, which
         * measured about 5 % faster over the whole pass */
        const __m512i iota = _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
                                              18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
                                              3, 2, 1, 0);
        const int c = o - 32, sm = c - dx, sp = c + dx;
        if (dx == 0) { /* the centre column, counted twice at half the weight */
            const __m512i idx = _mm512_add_epi16(iota, _mm512_set1_epi16((short)c));
            for (int v = 0; v < NW; v++) {
                m[v] = _mm512_permutex2var_epi16(L[v + 1], idx, L[v + 2]);
                s[v] = (vhn)_mm512_add_epi16(m[v], m[v]);
            }
            return;
        }
        const __m512i im = _mm512_add_epi16(iota, _mm512_set1_epi16((short)(sm & 31)));
        const __m512i ip = _mm512_add_epi16(iota, _mm512_set1_epi16((short)(sp & 31)));
        for (int v = 0; v < NW; v++) {
            m[v] = sm >= 0 ? _mm512_permutex2var_epi16(L[v + 1], im, L[v + 2])
                           : _mm512_permutex2var_epi16(L[v], im, L[v + 1]);
            q[v] = sp < 32 ? _mm512_permutex2var_epi16(L[v + 1], ip, L[v + 2])
                           : _mm512_permutex2var_epi16(L[v + 2], ip, L[v + 3]);
            s[v] = (vhn)_mm512_add_epi16(m[v], q[v]);
        }
        return;
    }
    if (dx == 0) { /* the centre column, counted twice at half the weight */
        pick_lines(L, o, m, 2, 0);
        for (int v = 0; v < NW; v++)
            s[v] = (vhn)_mm512_add_epi16(m[v], m[v]);
        return;
    }
    pick_lines(L, o - dx, m, 0, 1); /* lines 0 .. 2 */
    pick_lines(L, o + dx, q, 2, 1); /* lines 2 .. 4 */
    for (int v = 0; v < NW; v++)
        s[v] = (vhn)_mm512_add_epi16(m[v], q[v]);
}

/* The lines of term t's rows from column b (a multiple of 32): a run's
 * difference of column sums (rows is the ring of sums), or a tap's row pair
 * summed (the ring of rows). */
static inline __attribute__((always_inline)) void
term_lines(const uint16_t *const *rows, const DefocusTerm *t, int b, __m512i L[FAR_LINES],
           const int run, const int far)
{
    const uint16_t *u = run ? rows[t->b + 1] : rows[-t->dy], *w = run ? rows[t->a] : rows[t->dy];
    for (int j = 0; j < (far ? FAR_LINES : SMEAR_LINES); j++) {
        const __m512i x = _mm512_load_si512((const void *)(u + b + 32 * j));
        const __m512i y = _mm512_load_si512((const void *)(w + b + 32 * j));
        L[j] = run ? _mm512_sub_epi16(x, y) : _mm512_add_epi16(x, y);
    }
}

static inline __attribute__((always_inline)) int
same_rows(const DefocusTerm *s, const DefocusTerm *t, const int run)
{
    return run ? s->a == t->a && s->b == t->b : s->dy == t->dy;
}

/* The runs' terms (run) or the taps' terms of a tile from column cx, into
 * lo and hi; the lines are loaded again only where the rows change. */
static inline __attribute__((target("avx512vnni"), always_inline)) void
shifted_terms(const DefocusPlan *p, const uint16_t *const *rows, int cx, vin lo[NW], vin hi[NW],
              const int run, const int paired, const int far)
{
    const int first = run ? 0 : p->nb_run_terms, end = run ? p->nb_run_terms : p->nb_terms;
    const int real = run ? p->nb_run_real : p->nb_term_real; /* then a padding term */
    const int pair = run ? paired : 1; /* a tap's term is always its mirrored samples */
    if (first == end)
        return;
    const int c = cx & 31, o = (far ? 64 : 32) + c, b = cx - o;
    __m512i L[FAR_LINES];
    const DefocusTerm *cur = &p->terms[first];
    term_lines(rows, cur, b, L, run, far);
    for (int i = first; i < end; i += 2) {
        const DefocusTerm *t = &p->terms[i];
        vhn a[NW], e[NW];
        if (!same_rows(&t[0], cur, run))
            term_lines(rows, cur = &t[0], b, L, run, far);
        shifted_sums(L, o, t[0].dx, a, pair, far);
        if (i + 1 == real) {
            for (int v = 0; v < NW; v++)
                e[v] = (vhn){ 0 };
        } else {
            if (!same_rows(&t[1], cur, run))
                term_lines(rows, cur = &t[1], b, L, run, far);
            shifted_sums(L, o, t[1].dx, e, pair, far);
        }
        for (int v = 0; v < NW; v++)
            smear_dot_pair(&lo[v], &hi[v], a[v], e[v], p->qw[i / 2]);
    }
}
#endif

/* A tile's terms from column cx, into lo and hi: the way of the CPU at
 * hand, when it has one. */
typedef void (*TileFn)(const DefocusPlan *p, const uint16_t *const *pr, const uint16_t *const *cr,
                       int cx, vin lo[NW], vin hi[NW]);

#if SMEAR_ISA_IS_AVX512
#define SHIFTED_TILE(name, paired, far)                                                         \
    static inline __attribute__((target("avx512vnni"), always_inline)) void name(              \
        const DefocusPlan *p, const uint16_t *const *pr, const uint16_t *const *cr, int cx,    \
        vin lo[NW], vin hi[NW])                                                                 \
    {                                                                                           \
        shifted_terms(p, cr, cx, lo, hi, 1, paired, far);                                       \
        shifted_terms(p, pr, cx, lo, hi, 0, paired, far);                                       \
    }
SHIFTED_TILE(tile_paired, 1, 0)
SHIFTED_TILE(tile_single, 0, 0)
SHIFTED_TILE(tile_paired_far, 1, 1)
SHIFTED_TILE(tile_single_far, 0, 1)
#undef SHIFTED_TILE
#endif

/* Output rows [y0, y1): each tile's terms by tile, or by the loads below. */
static inline __attribute__((always_inline)) void
narrow_rows(const DefocusPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0, int y1,
            void *work, TileFn tile, const int paired)
{
    const int W = p->w, rx = p->rx, ry = p->ry, nt = p->nb_terms, nrt = p->nb_run_terms;
    const int np = 2 * ry + 1, nc = 2 * ry + 2, sw = p->sw, bps = p->depth > 8 ? 2 : 1;
    DefocusWork wk;
    smear_defocus_work(p, work, &wk);
    /* column 0 of each ring row after the pad */
    uint16_t *P = (uint16_t *)wk.P + p->pad, *C = (uint16_t *)wk.C + p->pad;
    const uint16_t **prow = (const uint16_t **)wk.prow, **crow = (const uint16_t **)wk.crow;
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
            for (int x0 = 0; x0 < sn; x0 += NARROW_LANES) {
                const int cx = rx + x0;
                vin lo[NW] = { { 0 } }, hi[NW] = { { 0 } };
                if (tile) {
                    tile(p, pr, cr, cx, lo, hi);
                } else {
                    for (int i = 0; i < nrt; i += 2) {
                        vhn a[NW], b[NW];
                        run_sums(&p->terms[i], cr, cx, a, paired);
                        run_sums(&p->terms[i + 1], cr, cx, b, paired);
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
                }
                const int m = sn - x0 < NARROW_LANES ? sn - x0 : NARROW_LANES;
                uint8_t *out = dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps;
#if SMEAR_ISA_IS_AVX512
                if (bps == 1) {
                    for (int v = 0; v < NW; v++)
                        smear_vin_pair_to_u8(out + SMEAR_VW * v, m - SMEAR_VW * v, lo[v], hi[v],
                                             scale);
                    continue;
                }
#endif
                for (int v = 0; v < NW; v++)
                    smear_vin_pair_to_f32(wk.acc + SMEAR_VW * v, lo[v], hi[v], scale);
                smear_f32_to_row(out, wk.acc, m, p->depth);
            }
        }
    }
}

static void rows_narrow(const DefocusPlan *p, const SmearPlane *dst, const SmearPlane *src,
                        int y0, int y1, void *work)
{
    if (p->paired)
        narrow_rows(p, dst, src, y0, y1, work, NULL, 1);
    else
        narrow_rows(p, dst, src, y0, y1, work, NULL, 0);
}

#if SMEAR_ISA_IS_AVX512
/* The narrow pass with lines (see above), one function per kind of term
 * and reach, each with registers of its own. */
#define ROWS_SHIFTED(name, tile, paired)                                                      \
    static __attribute__((target("avx512vnni"), noinline)) void name(                        \
        const DefocusPlan *p, const SmearPlane *dst, const SmearPlane *src, int y0, int y1,  \
        void *work)                                                                           \
    {                                                                                         \
        narrow_rows(p, dst, src, y0, y1, work, tile, paired);                                 \
    }
ROWS_SHIFTED(rows_paired, tile_paired, 1)
ROWS_SHIFTED(rows_single, tile_single, 0)
ROWS_SHIFTED(rows_paired_far, tile_paired_far, 1)
ROWS_SHIFTED(rows_single_far, tile_single_far, 0)
#undef ROWS_SHIFTED

static void rows_narrow_shifted(const DefocusPlan *p, const SmearPlane *dst, const SmearPlane *src,
                                int y0, int y1, void *work)
{
    if (p->rx <= SHIFT_REACH)
        (p->paired ? rows_paired : rows_single)(p, dst, src, y0, y1, work);
    else
        (p->paired ? rows_paired_far : rows_single_far)(p, dst, src, y0, y1, work);
}
#endif

/* ---- the float pass: any depth, any reach ---- */

/* Vectors of floats computed together (DEFOCUS_TILE is a multiple of their
 * columns). */
#define NF 8
#define FLOAT_LANES (NF * SMEAR_VF)

#if SMEAR_ISA_IS_AVX512
/*
 * The float pass without unaligned loads, as the narrow pass's above, on
 * 32-bit lanes: four vectors of 16 columns at a time, the terms' lines
 * (runs' differences of sums, taps' row pairs summed) loaded whole and
 * their columns at +-dx picked out with permutes. The sums are the same
 * integers (a row pair's samples summed in any order are exact in a
 * float), in the same order, so the same bytes. The lines start at column
 * cx - c - 32 (c = cx mod 16): a term reaching dx <= FLINE_REACH reads
 * lines 0 .. 8.
 */
#define FLINE_REACH 32
#define FLINES 9

/* Four vectors of 32-bit values from offset o (0 .. 79) of the lines l. */
static inline __attribute__((always_inline)) void pick_dwords(const __m512i l[FLINES], int o,
                                                              __m512i out[4])
{
    const __m512i idx = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                                           12, 13, 14, 15),
                                         _mm512_set1_epi32(o & 15));
    /* a case per line, so that the lines stay in registers */
#define PICK(J)                                                                   \
    case J:                                                                       \
        for (int v = 0; v < 4; v++)                                               \
            out[v] = _mm512_permutex2var_epi32(l[J + v], idx, l[J + v + 1]);      \
        break;
    switch (o >> 4) {
    PICK(0)
    PICK(1)
    PICK(2)
    PICK(3)
    default:
    PICK(4)
    }
#undef PICK
}

/* Run r's lines, its difference of column sums, from column b. */
static inline __attribute__((always_inline)) void
run_lines32(const uint32_t *const *cr, const DefocusRun *r, int b, __m512i L[FLINES])
{
    const uint32_t *hi = cr[r->b + 1] + b, *lo = cr[r->a] + b;
    for (int j = 0; j < FLINES; j++)
        L[j] = _mm512_sub_epi32(_mm512_load_si512((const void *)(hi + 16 * j)),
                                _mm512_load_si512((const void *)(lo + 16 * j)));
}

/* Columns cx .. cx + 63 of the float pass's sums, into S. */
static inline __attribute__((always_inline)) void
lined_float_tile(const DefocusPlan *p, const float *const *pr, const uint32_t *const *cr, int cx,
                 vfn S[4])
{
    const int c = cx & 15, b = cx - c - 32;
    __m512i L[FLINES], m[4], q[4];
    for (int j = 0; j < FLINES; j++) /* each term loads its lines before its picks */
        L[j] = _mm512_setzero_si512();
    for (int i = 0; i < p->nb_runs; i += p->run_chunk) {
        const int end = p->nb_runs - i < p->run_chunk ? p->nb_runs : i + p->run_chunk;
        __m512i T[4];
        for (int v = 0; v < 4; v++)
            T[v] = _mm512_setzero_si512();
        for (int k = i; k < end; k++) {
            const DefocusRun *r = &p->runs[k];
            if (k == i || r->a != r[-1].a || r->b != r[-1].b)
                run_lines32(cr, r, b, L);
            pick_dwords(L, 32 + c + r->dx, m);
            pick_dwords(L, 32 + c - r->dx, q);
            for (int v = 0; v < 4; v++)
                T[v] = _mm512_add_epi32(T[v], _mm512_add_epi32(m[v], q[v]));
        }
        for (int v = 0; v < 4; v++)
            S[v] += vun_to_f((vun)T[v]);
    }
    if (p->has_centre_run) {
        run_lines32(cr, &p->centre_run, b, L);
        pick_dwords(L, 32 + c, m);
        for (int v = 0; v < 4; v++)
            S[v] += vun_to_f((vun)m[v]);
    }
    for (int i = 0; i < p->nb_taps; i++) {
        const DefocusTap *t = &p->taps[i];
        if (i == 0 || t->dy != t[-1].dy) {
            const float *up = pr[-t->dy] + b, *dn = pr[t->dy] + b;
            for (int j = 0; j < FLINES; j++)
                L[j] = _mm512_castps_si512(
                    _mm512_add_ps(_mm512_load_ps(up + 16 * j), _mm512_load_ps(dn + 16 * j)));
        }
        pick_dwords(L, 32 + c - t->dx, m);
        pick_dwords(L, 32 + c + t->dx, q);
        for (int v = 0; v < 4; v++)
            S[v] = vfn_fmas((vfn)_mm512_castsi512_ps(m[v]) + (vfn)_mm512_castsi512_ps(q[v]), t->w,
                            S[v]);
    }
}
#endif

void SMEAR_DSP(smear_defocus_rows)(const DefocusPlan *p, const SmearPlane *dst,
                                   const SmearPlane *src, int y0, int y1, void *work)
{
    if (p->narrow) {
#if SMEAR_ISA_IS_AVX512
        if (p->vnni && p->rx <= FAR_REACH) {
            rows_narrow_shifted(p, dst, src, y0, y1, work);
            return;
        }
#endif
        rows_narrow(p, dst, src, y0, y1, work);
        return;
    }
    const int W = p->w, rx = p->rx, ry = p->ry, nr = p->nb_runs, nt = p->nb_taps;
    const int np = 2 * ry + 1, nc = 2 * ry + 2, sw = p->sw;
    const int bps = p->depth > 8 ? 2 : 1;
#if SMEAR_ISA_IS_AVX512
    const int lined = rx <= FLINE_REACH;
#endif
    DefocusWork wk;
    smear_defocus_work(p, work, &wk);
    /* column 0 of each ring row after the pad */
    float *P = (float *)wk.P + p->pad;
    uint32_t *C = (uint32_t *)wk.C + p->pad;
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
            for (int x0 = 0; x0 < sn; x0 += FLOAT_LANES) {
                const int cx = rx + x0;
                /* FLOAT_LANES columns per run and per tap, in registers */
                vfn S[NF];
                for (int v = 0; v < NF; v++)
                    S[v] = vfn_set1(0);
#if SMEAR_ISA_IS_AVX512
                if (lined) {
                    for (int h = 0; h < NF; h += 4)
                        lined_float_tile(p, pr, cr, cx + SMEAR_VF * h, S + h);
                } else
#endif
                {
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
                }
                for (int v = 0; v < NF; v++)
                    vfn_store(acc + SMEAR_VF * v, S[v] * p->inv_total);
                const int m = sn - x0 < FLOAT_LANES ? sn - x0 : FLOAT_LANES;
                smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride + (ptrdiff_t)(sx0 + x0) * bps,
                                 acc, m, p->depth);
            }
        }
    }
}
