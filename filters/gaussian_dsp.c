/*
 * smear - Gaussian blur: the passes, compiled once per instruction set.
 *
 * The hot loops work on vfn vectors (simd.h): four per row of a column
 * strip in the vertical pass, two blocks of GAUSS_LANES rows at once in the
 * horizontal one, so several independent recursions are in flight and
 * their latency is hidden. Tiles of 16x16 are transposed between the row
 * layout of the planes and the interleaved layout of the scratch. The
 * arithmetic of each output sample does not depend on how the work is cut
 * into jobs, so any number of threads gives the same bytes.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "gaussian_dsp.h"
#include "sample.h"
#include "lanes.h"
#include "padded.h"
#include "simd.h"

_Static_assert(GAUSS_LANES == LANES, "the block layout is lanes.h's");
#define STRIP GAUSS_STRIP
#define NV (STRIP / SMEAR_VF) /* vectors per strip row */
#define VSTRIP GAUSS_VSTRIP
#define NVV (VSTRIP / SMEAR_VF) /* vectors per row of a recursive strip */


/* Columns [x0, x0 + n) of a source row as floats; width floats are written,
 * those past n are zero. */
static inline void load_strip(float *restrict out, const uint8_t *row, int x0, int n, int depth,
                              const int width)
{
    /* plain loops of a fixed count: the compiler widens and converts them
     * with vector instructions */
    if (n == width && depth <= 8) {
        const uint8_t *s = row + x0;
        for (int x = 0; x < width; x++)
            out[x] = (float)s[x];
        return;
    }
    if (n == width) {
        const uint16_t *s = (const uint16_t *)row + x0;
        for (int x = 0; x < width; x++)
            out[x] = (float)s[x];
        return;
    }
    smear_row_to_f32(out, row + (ptrdiff_t)x0 * (depth > 8 ? 2 : 1), n, depth);
    for (int x = n; x < width; x++)
        out[x] = 0;
}

/* The coefficients of a recursive axis, as locals the compiler keeps in
 * registers (a pointer to them could alias the buffers written). */
typedef struct IIRCoef {
    float b0[2], b1[2], c1[2], c2[2], na1[2], na2[2], gc[2], ga[2];
} IIRCoef;

static inline IIRCoef iir_coef(const GaussAxis *a)
{
    IIRCoef k;
    memcpy(k.b0, a->b0, sizeof(k.b0));
    memcpy(k.b1, a->b1, sizeof(k.b1));
    memcpy(k.c1, a->c1, sizeof(k.c1));
    memcpy(k.c2, a->c2, sizeof(k.c2));
    for (int s = 0; s < 2; s++) {
        k.na1[s] = -a->a1[s];
        k.na2[s] = -a->a2[s];
    }
    memcpy(k.gc, a->gc, sizeof(k.gc));
    memcpy(k.ga, a->ga, sizeof(k.ga));
    return k;
}

/*
 * The recursive Gaussian along lines of N vectors side by side: F holds the
 * input, one group of N vectors per position, positions [0, count); C gets
 * the output. Before the first position and after the last the input
 * continues as the end samples (the steady state), exact for a replicated
 * border and, after padding, negligible for the others. Causal first, into
 * C; then the anti-causal part added to C, from the end.
 */
#define IIR_LINE_S(N, S, F, C, count, AFTER_ANTI)                                           \
    do {                                                                                       \
        vfn y1[2][N], y2[2][N], xp[N];                                                         \
        for (int v = 0; v < N; v++) {                                                          \
            const vfn f0 = vfn_load((F) + SMEAR_VF * v);                                       \
            for (int s = 0; s < 2; s++)                                                        \
                y1[s][v] = y2[s][v] = f0 * k.gc[s];                                            \
            xp[v] = f0;                                                                        \
        }                                                                                      \
        for (int r = 0; r < (count); r++) {                                                    \
            const float *f = (F) + (ptrdiff_t)r * (S);                                          \
            float *c = (C) + (ptrdiff_t)r * (S);                                                \
            for (int v = 0; v < N; v++) {                                                      \
                const vfn x = vfn_load(f + SMEAR_VF * v);                                      \
                /* the terms without y1 first: only the last fused step waits for it */        \
                const vfn s0 = vfn_fmas(y1[0][v], k.na1[0], vfn_fmas(y2[0][v], k.na2[0],       \
                                vfn_fmas(xp[v], k.b1[0], x * k.b0[0])));                       \
                const vfn s1 = vfn_fmas(y1[1][v], k.na1[1], vfn_fmas(y2[1][v], k.na2[1],       \
                                vfn_fmas(xp[v], k.b1[1], x * k.b0[1])));                       \
                y2[0][v] = y1[0][v];                                                           \
                y1[0][v] = s0;                                                                 \
                y2[1][v] = y1[1][v];                                                           \
                y1[1][v] = s1;                                                                 \
                xp[v] = x;                                                                     \
                vfn_store(c + SMEAR_VF * v, s0 + s1);                                          \
            }                                                                                  \
        }                                                                                      \
        vfn x1[N], x2[N];                                                                      \
        const float *fend = (F) + ((ptrdiff_t)(count) - 1) * (S);                               \
        for (int v = 0; v < N; v++) {                                                          \
            const vfn fl = vfn_load(fend + SMEAR_VF * v);                                      \
            for (int s = 0; s < 2; s++)                                                        \
                y1[s][v] = y2[s][v] = fl * k.ga[s];                                            \
            x1[v] = x2[v] = fl;                                                                \
        }                                                                                      \
        for (int r = (count) - 1; r >= 0; r--) {                                               \
            const float *f = (F) + (ptrdiff_t)r * (S);                                          \
            float *c = (C) + (ptrdiff_t)r * (S);                                                \
            for (int v = 0; v < N; v++) {                                                      \
                const vfn s0 = vfn_fmas(y1[0][v], k.na1[0], vfn_fmas(y2[0][v], k.na2[0],       \
                                vfn_fmas(x2[v], k.c2[0], x1[v] * k.c1[0])));                   \
                const vfn s1 = vfn_fmas(y1[1][v], k.na1[1], vfn_fmas(y2[1][v], k.na2[1],       \
                                vfn_fmas(x2[v], k.c2[1], x1[v] * k.c1[1])));                   \
                y2[0][v] = y1[0][v];                                                           \
                y1[0][v] = s0;                                                                 \
                y2[1][v] = y1[1][v];                                                           \
                y1[1][v] = s1;                                                                 \
                x2[v] = x1[v];                                                                 \
                x1[v] = vfn_load(f + SMEAR_VF * v);                                            \
                vfn_store(c + SMEAR_VF * v, vfn_load(c + SMEAR_VF * v) + (s0 + s1));           \
            }                                                                                  \
            AFTER_ANTI;                                                                        \
        }                                                                                      \
    } while (0)

/* Lines of N vectors side by side, at S floats from one position to the
 * next: as above. IIR_LINES runs a group of N vectors as groups of at most
 * IIR_MAX_VECTORS, whose states stay in registers (16 AVX2 registers do not
 * hold four vectors' states and the coefficients); each lane's arithmetic
 * is its own, so the grouping does not change a byte. */
#define IIR_LINE(N, F, C, count, AFTER_ANTI) IIR_LINE_S(N, (N) * SMEAR_VF, F, C, count, AFTER_ANTI)
#define IIR_MAX_VECTORS (SMEAR_VF == 8 ? 1 : 4)
#define IIR_LINES(N, F, C, count)                                                              \
    do {                                                                                       \
        if ((N) <= IIR_MAX_VECTORS) {                                                          \
            IIR_LINE(N, F, C, count, (void)0);                                                 \
            break;                                                                             \
        }                                                                                      \
        for (int part = 0; part < (N); part += IIR_MAX_VECTORS)                                \
            IIR_LINE_S(IIR_MAX_VECTORS, (N) * SMEAR_VF, (F) + part * SMEAR_VF,                 \
                       (C) + part * SMEAR_VF, count, (void)0);                                 \
    } while (0)

/* The recursive vertical pass over strips st .. st + nst - 1 (nst 1 or 2):
 * their rows loaded together, so that each source row is read a whole
 * cache line at a time and only once, then each strip filtered into T. */
static void vpass_iir(const GaussPlan *p, int st, int nst, float *work)
{
    const IIRCoef k = iir_coef(&p->vert);
    const int P = p->vert.pad, H = p->h, rows = H + 2 * P;
    float *F[2] = { work, work + (ptrdiff_t)rows * VSTRIP }; /* rows -P .. H+P-1 */
    int x0[2], n[2];
    for (int i = 0; i < nst; i++) {
        x0[i] = (st + i) * VSTRIP;
        n[i] = p->w - x0[i] < VSTRIP ? p->w - x0[i] : VSTRIP;
    }
    const int bps = p->depth > 8 ? 2 : 1;
    for (int r = 0; r < rows; r++) {
        /* the strips read a little of many rows: fetch rows ahead, which
         * the hardware does not guess */
        if (r + 16 < rows) {
            const uint8_t *ahead = p->rows[r + 16 - P + p->pady] + (ptrdiff_t)x0[0] * bps;
            __builtin_prefetch(ahead);
            if (bps * nst == 2)
                __builtin_prefetch(ahead + 64);
        }
        const uint8_t *row = p->rows[r - P + p->pady];
        load_strip(F[0] + (ptrdiff_t)r * VSTRIP, row, x0[0], n[0], p->depth, VSTRIP);
        if (nst == 2)
            load_strip(F[1] + (ptrdiff_t)r * VSTRIP, row, x0[1], n[1], p->depth, VSTRIP);
    }
    for (int i = 0; i < nst; i++) {
        float *T = p->T + (ptrdiff_t)(st + i) * H * VSTRIP;
        /* without padding the result goes straight into T */
        float *C = P ? work + (ptrdiff_t)2 * rows * VSTRIP : T;
        IIR_LINES(NVV, F[i], C, rows);
        if (P)
            memcpy(T, C + (ptrdiff_t)P * VSTRIP, sizeof(float) * VSTRIP * (size_t)H);
    }
}

void SMEAR_DSP(smear_gauss_vpass)(const GaussPlan *p, int strip0, int strip1, float *work)
{
    /* 8-bit strips in pairs: two strips' samples are one cache line (at
     * 16 bits, pairs measured slower) */
    const int most = p->depth > 8 ? 1 : 2;
    for (int st = strip0; st < strip1; st += most)
        vpass_iir(p, st, strip1 - st < most ? strip1 - st : most, work);
}

/* The FIR along a line of the lanes layout, positions step floats apart
 * (the lines interleaved within a position): the nv vectors from c out to
 * out, each summing its taps in order from the centre out, in fused steps.
 * The taps outermost, so that the nv sums (a constant) are chains in
 * flight together. */
#define FIR_MAX_VECTORS (64 / SMEAR_VF) /* two columns of LANES, four positions of 16 */
static inline __attribute__((always_inline)) void fir_lanes(float *out, const float *c,
                                                            ptrdiff_t step, const GaussAxis *a,
                                                            const int nv)
{
    const float *w = a->w;
    vfn acc[FIR_MAX_VECTORS];
    for (int v = 0; v < nv; v++)
        acc[v] = vfn_load(c + SMEAR_VF * v) * w[0];
    for (int kk = 1; kk <= a->radius; kk++)
        for (int v = 0; v < nv; v++)
            acc[v] = vfn_fmas(vfn_load(c + SMEAR_VF * v - kk * step) +
                              vfn_load(c + SMEAR_VF * v + kk * step), w[kk], acc[v]);
    for (int v = 0; v < nv; v++)
        vfn_store(out + SMEAR_VF * v, acc[v]);
}
_Static_assert(2 * LANES / SMEAR_VF <= FIR_MAX_VECTORS && 4 * 16 / SMEAR_VF <= FIR_MAX_VECTORS,
               "fir_lanes' sums in flight");

/* The vertically blurred rows of block b as vectors: B[x][lane] for x in
 * [0, w), at B + padx * LANES. */
static void vertical_block(const GaussPlan *p, int b, float *B, float *work)
{
    const GaussAxis *a = &p->vert;
    const int y0 = b * LANES, H = p->h;
    float *Bx = B + (ptrdiff_t)p->padx * LANES;
    float *tile = work; /* LANES rows of STRIP */
    if (a->type == GAUSS_IIR) {
        for (int st = 0; st < p->nb_vstrips; st++) {
            const int x0 = st * VSTRIP, n = p->w - x0 < VSTRIP ? p->w - x0 : VSTRIP;
            const float *T = p->T + ((ptrdiff_t)st * H + y0) * VSTRIP;
            if (y0 + LANES <= H) {
                lanes_from_tile(Bx, x0, n, T, VSTRIP);
            } else {
                memcpy(tile, T, sizeof(float) * VSTRIP * (size_t)(H - y0));
                lanes_from_tile(Bx, x0, n, tile, VSTRIP);
            }
        }
        return;
    }
    const int R = a->type == GAUSS_FIR ? a->radius : 0;
    const int bps = p->depth > 8 ? 2 : 1;
    float *F = tile + (ptrdiff_t)LANES * STRIP; /* rows y0-R .. y0+LANES+R-1 */
    const float w0 = a->type == GAUSS_FIR ? a->w[0] : 1;
    for (int st = 0; st < p->nb_strips; st++) {
        const int x0 = st * STRIP, n = p->w - x0 < STRIP ? p->w - x0 : STRIP;
        for (int r = -R; r < LANES + R; r++) {
            const int y = y0 + r;
            /* rows past the plane's end inside the last block only feed
             * lanes that are never written out */
            const int yy = y < H + p->pady ? y : H + p->pady - 1;
            /* the rows' lines two strips on: the strip walks down rows a
             * plane's width apart, which the hardware does not follow */
            if (x0 + 2 * STRIP < p->w) {
                const uint8_t *ahead = p->rows[yy + p->pady] + (ptrdiff_t)(x0 + 2 * STRIP) * bps;
                __builtin_prefetch(ahead);
                if (bps == 2)
                    __builtin_prefetch(ahead + 64);
            }
            load_strip(F + (ptrdiff_t)(r + R) * STRIP, p->rows[yy + p->pady], x0, n, p->depth, STRIP);
        }
        for (int l = 0; l < LANES; l++) {
            const float *c = F + (ptrdiff_t)(l + R) * STRIP;
            vfn acc[NV];
            for (int v = 0; v < NV; v++)
                acc[v] = vfn_load(c + SMEAR_VF * v) * w0;
            for (int kk = 1; kk <= R; kk++) {
                const float wk = a->w[kk];
                const float *up = c - (ptrdiff_t)kk * STRIP, *dn = c + (ptrdiff_t)kk * STRIP;
                for (int v = 0; v < NV; v++)
                    acc[v] = vfn_fmas(vfn_load(up + SMEAR_VF * v) + vfn_load(dn + SMEAR_VF * v), wk, acc[v]);
            }
            for (int v = 0; v < NV; v++)
                vfn_store(tile + (ptrdiff_t)l * STRIP + SMEAR_VF * v, acc[v]);
        }
        lanes_from_tile(Bx, x0, n, tile, STRIP);
    }
}

void SMEAR_DSP(smear_gauss_hpass)(const GaussPlan *p, const SmearPlane *dst, int b0, int b1,
                                  float *work)
{
    const GaussAxis *a = &p->horz;
    const int W = p->w, X = p->padx;
    float *B = work;                                        /* W + 2X vectors */
    float *O = B + (ptrdiff_t)(W + 2 * X) * LANES;          /* W + 2X vectors */
    float *scratch = O + (ptrdiff_t)(W + 2 * X) * LANES;    /* the vertical pass's */
    for (int b = b0; b < b1; b++) {
        const int rows = p->h - b * LANES < LANES ? p->h - b * LANES : LANES;
        vertical_block(p, b, B, scratch);
        lanes_pad(B + (ptrdiff_t)X * LANES, W, X, p->border);
        if (a->type == GAUSS_FIR) {
            /* two columns at a time (2 LANES / SMEAR_VF sums in flight) */
            int x = 0;
            for (; x + 2 <= W; x += 2)
                fir_lanes(O + (ptrdiff_t)x * LANES, B + (ptrdiff_t)(X + x) * LANES, LANES, a,
                          2 * LANES / SMEAR_VF);
            for (; x < W; x++)
                fir_lanes(O + (ptrdiff_t)x * LANES, B + (ptrdiff_t)(X + x) * LANES, LANES, a,
                          LANES / SMEAR_VF);
            lanes_store(dst, b * LANES, rows, O);
        } else if (a->type == GAUSS_IIR) {
            /* the recursion over x, LANES rows at once, on the padded row */
            const IIRCoef k = iir_coef(a);
            const int P = a->pad, n = W + 2 * P;
            IIR_LINES(LANES / SMEAR_VF, B + (ptrdiff_t)(X - P) * LANES, O, n);
            lanes_store(dst, b * LANES, rows, O + (ptrdiff_t)P * LANES);
        } else {
            lanes_store(dst, b * LANES, rows, B + (ptrdiff_t)X * LANES);
        }
    }
}

/* ------------------------------------------------------- rotated Gaussian */

/* One line of samples through the axis filter (FIR or recursive). */
static void axis_line(const GaussAxis *a, const float *in, int n, int pad, float *out, float *tmp)
{
    if (a->type == GAUSS_FIR) {
        /* each sample sums its taps in order, from the centre out: four
         * vectors of samples at a time (the line as a lanes layout of one
         * sample a position), then one by one, alike */
        const float *c = in + pad;
        int j = 0;
        for (; j + 4 * SMEAR_VF <= n; j += 4 * SMEAR_VF)
            fir_lanes(out + j, c + j, 1, a, 4);
        for (; j < n; j++) {
            float acc = a->w[0] * c[j];
            for (int kk = 1; kk <= a->radius; kk++)
                acc = smear_fmaf(c[j - kk] + c[j + kk], a->w[kk], acc);
            out[j] = acc;
        }
    } else if (a->type == GAUSS_IIR) {
        /* the same recursion, one sample at a time */
        const int count = n + 2 * pad;
        float y1[2], y2[2], x1, x2;
        for (int s = 0; s < 2; s++)
            y1[s] = y2[s] = a->gc[s] * in[0];
        x1 = in[0];
        for (int r = 0; r < count; r++) {
            float s0 = in[r] * a->b0[0] + x1 * a->b1[0] - y2[0] * a->a2[0] - y1[0] * a->a1[0];
            float s1 = in[r] * a->b0[1] + x1 * a->b1[1] - y2[1] * a->a2[1] - y1[1] * a->a1[1];
            y2[0] = y1[0], y1[0] = s0, y2[1] = y1[1], y1[1] = s1, x1 = in[r];
            tmp[r] = s0 + s1;
        }
        for (int s = 0; s < 2; s++)
            y1[s] = y2[s] = a->ga[s] * in[count - 1];
        x1 = x2 = in[count - 1];
        for (int r = count - 1; r >= 0; r--) {
            float s0 = x1 * a->c1[0] + x2 * a->c2[0] - y2[0] * a->a2[0] - y1[0] * a->a1[0];
            float s1 = x1 * a->c1[1] + x2 * a->c2[1] - y2[1] * a->a2[1] - y1[1] * a->a1[1];
            y2[0] = y1[0], y1[0] = s0, y2[1] = y1[1], y1[1] = s1, x2 = x1, x1 = in[r];
            tmp[r] += s0 + s1;
        }
        memcpy(out, tmp + pad, sizeof(float) * (size_t)n);
    } else {
        memcpy(out, in + pad, sizeof(float) * (size_t)n);
    }
}

/* The recursive pass along 16 rows at once, one per vector lane: rows of
 * count samples at in (is floats apart) are transposed into F, filtered,
 * and samples pad .. pad + n - 1 of the first lanes rows transposed back to
 * out (os floats apart). Each lane's arithmetic is its own, so any
 * grouping of rows gives the same bytes. F and C hold 16 x ((count + 15)
 * & ~15) floats each. */
static void iir_rows16(const GaussAxis *a, const float *in, ptrdiff_t is, int count, int pad,
                       int n, float *out, ptrdiff_t os, int lanes, float *F, float *C)
{
    const IIRCoef k = iir_coef(a);
    for (int j = 0; j < count; j += 16)
        transpose16(F + (ptrdiff_t)j * 16, 16, in + j, is);
    IIR_LINES(16 / SMEAR_VF, F, C, count);
    int j = 0;
    if (lanes == 16)
        for (; j + 16 <= n; j += 16)
            transpose16(out + j, os, C + (ptrdiff_t)(j + pad) * 16, 16);
    for (; j < n; j++)
        for (int l = 0; l < lanes; l++)
            out[(ptrdiff_t)l * os + j] = C[(ptrdiff_t)(j + pad) * 16 + l];
}

/* The FIR along 16 rows at once, as iir_rows16() lays them out: each sample
 * sums its taps as axis_line() does, from the centre out, so the bytes are
 * the same; the taps are whole aligned vectors. */
static void fir_rows16(const GaussAxis *a, const float *in, ptrdiff_t is, int count, int pad,
                       int n, float *out, ptrdiff_t os, int lanes, float *F, float *C)
{
    for (int j = 0; j < count; j += 16)
        transpose16(F + (ptrdiff_t)j * 16, 16, in + j, is);
    /* four positions at a time (4 * 16 / SMEAR_VF sums in flight), then one */
    int p = 0;
    for (; p + 4 <= n; p += 4)
        fir_lanes(C + (ptrdiff_t)p * 16, F + (ptrdiff_t)(p + pad) * 16, 16, a, 4 * 16 / SMEAR_VF);
    for (; p < n; p++)
        fir_lanes(C + (ptrdiff_t)p * 16, F + (ptrdiff_t)(p + pad) * 16, 16, a, 16 / SMEAR_VF);
    int j = 0;
    if (lanes == 16)
        for (; j + 16 <= n; j += 16)
            transpose16(out + j, os, C + (ptrdiff_t)j * 16, 16);
    for (; j < n; j++)
        for (int l = 0; l < lanes; l++)
            out[(ptrdiff_t)l * os + j] = C[(ptrdiff_t)j * 16 + l];
}

/* The recursive axis pass over scratch rows [i0, i0 + 16) (those from i1 on
 * are computed but not stored), read whole through the border. */
static void slant_axis_iir16(const GaussSlant *g, const SmearPlane *src, int i0, int i1,
                             float *work)
{
    const int n = g->sw, pad = g->axis.pad, count = n + 2 * pad;
    const int c16 = (count + 15) & ~15;
    /* F: the lines in, C: out, 16 interleaved; rows: 16 rows */
    float *F = work, *C = F + (ptrdiff_t)c16 * 16, *rows = C + (ptrdiff_t)c16 * 16;
    for (int l = 0; l < 16; l++)
        smear_pad_strip_row(rows + (ptrdiff_t)l * c16, src, g->border, i0 + l - g->my,
                            -pad - g->mx, c16);
    iir_rows16(&g->axis, rows, c16, count, pad, n, g->S + (ptrdiff_t)i0 * g->sw, g->sw,
               i1 - i0 < 16 ? i1 - i0 : 16, F, C);
}

/* The split direct FIR's x pass (see GaussSlant): row i of the copy from
 * the plane's row i - my, padded pre_r columns further each side, in words
 * with fbits fraction bits, rounded. Blocks of SMEAR_VW outputs: the 32-bit
 * lanes of a load at x + d hold the words at x + 2 l + d and the next, so
 * that one multiply-add weighs taps d and d + 1 of even output x + 2 l (pre
 * holds them paired, d = -pre_r, -pre_r + 2, ...), and the load one word on
 * of the odd one; the two results, each under 16 bits, are the output's
 * words in order. */
static void split_row(const GaussSlant *g, const SmearPlane *src, int i, float *work)
{
    const int n = g->sw, r = g->pre_r, sh = GAUSS_PRE_BITS - g->fbits;
    uint16_t *in = (uint16_t *)work;
    uint16_t *restrict out = g->Sw + (ptrdiff_t)i * n;
    const int blocks = (n + SMEAR_VW - 1) / SMEAR_VW;
    /* the row padded r + 1 words past the last block's reach */
    smear_pad_strip_words(in, src, g->border, i - g->my, -g->mx - r, blocks * SMEAR_VW + 2 * r + 2);
    const uint16_t *c = in + r; /* sample 0 of the copy's row */
    const vin half = (vin){ 0 } + (1 << (sh - 1));
    for (int b = 0; b < blocks; b++) {
        const int x = b * SMEAR_VW;
        vin even = half, odd = half;
        for (int j = 0; j <= r; j++) {
            const uint16_t *p = c + x - r + 2 * j;
            even = smear_madd_words(even, (vhn)vwn_load(p), g->pre[j]);
            odd = smear_madd_words(odd, (vhn)vwn_load(p + 1), g->pre[j]);
        }
        const vwn words = (vwn)((even >> sh) | ((odd >> sh) << 16));
        if (x + SMEAR_VW <= n) {
            memcpy(out + x, &words, sizeof(words));
        } else { /* the row's last words: the next row's are another job's */
            uint16_t tail[SMEAR_VW];
            memcpy(tail, &words, sizeof(words));
            memcpy(out + x, tail, sizeof(uint16_t) * (size_t)(n - x));
        }
    }
}

/* The axis pass into the padded scratch, rows [i0, i1) of it (plane rows
 * i - my). */
void SMEAR_DSP(smear_gauss_slant_axis)(const GaussSlant *g, const SmearPlane *src, int i0,
                                       int i1, float *work)
{
    const GaussAxis *a = &g->axis;
    const int n = g->sw;
    if (g->integer && g->pre_r) {
        for (int i = i0; i < i1; i++)
            split_row(g, src, i, work);
        return;
    }
    if (g->integer) { /* the direct FIR's copy, in words */
        for (int i = i0; i < i1; i++)
            smear_pad_strip_words(g->Sw + (ptrdiff_t)i * n, src, g->border, i - g->my, -g->mx, n);
        return;
    }
    if (a->type == GAUSS_IIR) {
        for (int i = i0; i < i1; i += 16)
            slant_axis_iir16(g, src, i, i1, work);
        return;
    }
    const int pad = a->type == GAUSS_FIR ? a->radius : 0;
    float *F = work, *tmp = work + (n + 2 * pad), *out = tmp + (n + 2 * pad);
    for (int i = i0; i < i1; i++) {
        smear_pad_strip_row(F, src, g->border, i - g->my, -g->mx - pad, n + 2 * pad);
        axis_line(a, F, n, pad, out, tmp);
        memcpy(g->S + (ptrdiff_t)i * g->sw, out, sizeof(float) * (size_t)n);
    }
}

/* The direct 2-D FIR (narrow turned kernels), blocks of GAUSS_DIRECT_ROWS
 * output rows from a multiple of it (see GaussSlant): each pair of entries'
 * samples loaded once, summed and subtracted, and weighed for the block's
 * rows 0 and 1; rows 2 and 3 follow from the same sums. The plane's last
 * block computes all its rows (the scratch has rows for them) and writes
 * out those inside. */
#define DNV (SMEAR_VF == 8 ? 2 : 4) /* vectors per row of a strip: 16 AVX2 registers hold 8 sums */
static void direct_rows(const GaussSlant *g, const SmearPlane *dst, int y0, int y1, float *work)
{
    enum { ROWS = GAUSS_DIRECT_ROWS, HALF = ROWS / 2, DS = DNV * SMEAR_VF };
    const int W = g->w;
    const ptrdiff_t sw = g->sw;
    float *acc = work; /* ROWS rows of whole strips */
    const ptrdiff_t aw = (W + STRIP - 1) & ~(ptrdiff_t)(STRIP - 1);
    for (int y = y0; y < y1; y += ROWS) {
        const int rows = y1 - y < ROWS ? y1 - y : ROWS;
        const float *c = g->S + (ptrdiff_t)(y + g->my) * sw + g->mx;
        for (int x = 0; x < W; x += DS) {
            vfn sum[HALF][DNV], dif[HALF][DNV];
            for (int j = 0; j < HALF; j++)
                for (int v = 0; v < DNV; v++)
                    sum[j][v] = dif[j][v] = vfn_set1(0.0f);
            for (int e = 0; e < g->nb_pairs; e++) {
                const float *p = c + x + g->pair_off[2 * e], *q = c + x + g->pair_off[2 * e + 1];
                const float *wt = g->pair_wt + (ptrdiff_t)ROWS * e;
                for (int v = 0; v < DNV; v++) {
                    const vfn a = vfn_load(p + SMEAR_VF * v), b = vfn_load(q + SMEAR_VF * v);
                    const vfn s = a + b, d = a - b;
                    for (int j = 0; j < HALF; j++) {
                        sum[j][v] = vfn_fmas(s, wt[j], sum[j][v]);
                        dif[j][v] = vfn_fmas(d, wt[HALF + j], dif[j][v]);
                    }
                }
            }
            for (int j = 0; j < HALF; j++)
                for (int v = 0; v < DNV; v++) {
                    const vfn h = vfn_set1(0.5f);
                    vfn_store(acc + j * aw + x + SMEAR_VF * v, (sum[j][v] + dif[j][v]) * h);
                    vfn_store(acc + (ROWS - 1 - j) * aw + x + SMEAR_VF * v,
                              (sum[j][v] - dif[j][v]) * h);
                }
        }
        for (int j = 0; j < rows; j++)
            smear_f32_to_row(dst->data + (ptrdiff_t)(y + j) * dst->stride, acc + j * aw, W, g->depth);
    }
}

/* The direct FIR at 8 bits, in integers (see GaussSlant): blocks of
 * GAUSS_DIRECT_ROWS output rows from a multiple of it, in strips of DI
 * columns, IV vectors of word pairs for the even columns and IV for the odd
 * ones. Each unit's two loads are summed and subtracted in words and
 * weighed with dot (madd, or VNNI's dot product); the 32-bit sums are exact,
 * so every build gives the same bytes. */
#define IV (SMEAR_VF == 16 ? 2 : 1)
#define DI (2 * SMEAR_VF * IV)
typedef vin (*DotWords)(vin, vhn, int32_t);

static inline __attribute__((always_inline)) void
direct_int_rows(const GaussSlant *g, const SmearPlane *dst, int y0, int y1, DotWords dot)
{
    enum { ROWS = GAUSS_DIRECT_ROWS, HALF = ROWS / 2 };
    _Static_assert(ROWS == 4, "the sums are laid out for blocks of four rows");
    const int W = g->w;
    const ptrdiff_t sw = g->sw;
    const int shift = g->bits + g->fbits + 1; /* the weights' and the copy's fractions, and the halving */
    const vin round = (vin){ 0 } + (1 << (shift - 1)), zero = (vin){ 0 }, top = zero + 255;
    /* the strips cover each row, moved, from column 0 to W - 1 */
    const int reach = abs(g->shift_x[ROWS - 1]);
    for (int y = y0; y < y1; y += ROWS) {
        const int rows = y1 - y < ROWS ? y1 - y : ROWS;
        const uint16_t *c = g->Sw + (ptrdiff_t)(y + g->my) * sw + g->mx;
        for (int x = -reach; x < W + reach; x += DI) {
            /* acc[odd][sd][j][v]: the even or odd columns' sums (sd 0) and
             * differences (sd 1) for rows j and ROWS - 1 - j */
            vin acc[2][2][HALF][IV];
            for (int o = 0; o < 2; o++)
                for (int sd = 0; sd < 2; sd++)
                    for (int j = 0; j < HALF; j++)
                        for (int v = 0; v < IV; v++)
                            acc[o][sd][j][v] = zero;
            const int32_t *wt = g->iwt;
            for (int u = 0; u < g->nb_urows; u++) {
                const uint16_t *pa = c + x + g->urow_a[u], *pb = c + x + g->urow_b[u];
                for (int i = 0; i < g->urow_n[u]; i++, wt += 8) {
                    pb -= 2;
                    for (int v = 0; v < IV; v++) {
                        /* the odd columns pair the unit with the previous
                         * unit's mirror (loaded again: kept, it would take
                         * registers that the sums need) */
                        const vhn a = (vhn)vwn_load(pa + 2 * i + SMEAR_VW * v);
                        const vhn b = smear_swap_words((vhn)vwn_load(pb + SMEAR_VW * v));
                        const vhn p = smear_swap_words((vhn)vwn_load(pb + 2 + SMEAR_VW * v));
                        const vhn sum[2] = { a + b, a + p }, dif[2] = { a - b, a - p };
                        for (int o = 0; o < 2; o++)
                            for (int j = 0; j < HALF; j++) {
                                acc[o][0][j][v] = dot(acc[o][0][j][v], sum[o], wt[4 * o + j]);
                                acc[o][1][j][v] = dot(acc[o][1][j][v], dif[o], wt[4 * o + HALF + j]);
                            }
                    }
                }
            }
            /* row j: (S + D) / 2, row ROWS - 1 - j: (S - D) / 2, both over
             * 1 << bits, rounded; even and odd columns interleaved as words */
            for (int j = 0; j < ROWS; j++) {
                if (j >= rows)
                    break;
                const int x0 = x + g->shift_x[j], skip = x0 < 0 ? -x0 : 0;
                const int n = (W - x0 < DI ? W - x0 : DI) - skip;
                const int h = j < HALF ? j : ROWS - 1 - j, sign = j < HALF ? 1 : -1;
                uint8_t out[DI];
                for (int v = 0; v < IV; v++) {
                    vin r[2];
                    for (int o = 0; o < 2; o++) {
                        vin t = (acc[o][0][h][v] + sign * acc[o][1][h][v] + round) >> shift;
                        t &= ~(t >> 31); /* at least 0 */
                        const vin over = t > top;
                        r[o] = (t & ~over) | (top & over);
                    }
                    const vhn words = (vhn)(r[0] | (r[1] << 16));
                    typedef uint8_t vbn __attribute__((vector_size(2 * SMEAR_VF)));
                    const vbn bytes = __builtin_convertvector(words, vbn);
                    memcpy(out + SMEAR_VW * v, &bytes, sizeof(bytes));
                }
                if (n > 0)
                    memcpy(dst->data + (ptrdiff_t)(y + j) * dst->stride + x0 + skip, out + skip,
                           (size_t)n);
            }
        }
    }
}

static vin dot_madd(vin acc, vhn p, int32_t w)
{
    return smear_madd_words(acc, p, w);
}

static void direct_int(const GaussSlant *g, const SmearPlane *dst, int y0, int y1)
{
    direct_int_rows(g, dst, y0, y1, dot_madd);
}

#if SMEAR_ISA_IS_AVX512
static inline __attribute__((target("avx512vnni"), always_inline)) vin dot_vnni(vin acc, vhn p,
                                                                               int32_t w)
{
    return smear_dot_words(acc, p, w);
}

static __attribute__((target("avx512vnni"))) void direct_int_vnni(const GaussSlant *g,
                                                                  const SmearPlane *dst, int y0,
                                                                  int y1)
{
    direct_int_rows(g, dst, y0, y1, dot_vnni);
}
#endif

void SMEAR_DSP(smear_gauss_slant_pass)(const GaussSlant *g, const SmearPlane *dst, int y0, int y1,
                                       float *work)
{
    if (g->integer) {
#if SMEAR_ISA_IS_AVX512
        if (g->vnni) {
            direct_int_vnni(g, dst, y0, y1);
            return;
        }
#endif
        direct_int(g, dst, y0, y1);
        return;
    }
    const int W = g->w, R = g->radius;
    float *acc = work;
    if (g->direct) {
        direct_rows(g, dst, y0, y1, work);
        return;
    }
    for (int y = y0; y < y1; y++) {
        /* the taps by mirrored pairs: tap t > 0 (row y + t) falls between
         * two samples, at p0 and p1 (columns kk and kk + 1 of the row), with
         * weights w0 and w1; tap -t between their mirror images about the
         * output, at the same weights, so each weight multiplies a sum of
         * two samples. Entry 0 is the centre tap (on a sample). */
        const float **p0 = (const float **)(acc + ((W + STRIP - 1) & ~(STRIP - 1)));
        const float **p1 = p0 + (R + 1);
        const float **q0 = p1 + (R + 1), **q1 = q0 + (R + 1);
        float *w0 = (float *)(q1 + (R + 1)), *w1 = w0 + (R + 1);
        const ptrdiff_t sw = g->sw;
        const float *centre = g->S + (ptrdiff_t)(y + g->my) * g->sw + g->mx;
        for (int t = 0; t <= R; t++) {
            const float wt = g->wt[t + R];
            const float shift = g->slope * (float)t;
            const int kk = (int)floorf(shift);
            const float f = shift - (float)kk;
            w0[t] = wt * (1.0f - f);
            w1[t] = wt * f;
            p0[t] = centre + t * sw + kk;
            p1[t] = p0[t] + 1;
            q0[t] = centre - t * sw - kk;
            q1[t] = q0[t] - 1;
        }
        /* 64 outputs at a time kept in registers over every tap (the last
         * strip's lanes past the row are computed but not stored) */
        int x = 0;
#if SMEAR_ISA_IS_AVX512
        {
            /* a tap's two samples are neighbours in one row: its 65 floats
             * for 64 outputs come from five aligned loads, shifted into
             * place by permutes, not from eight loads across cache lines */
            const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                                    14, 15);
            for (; x < W; x += STRIP) {
                __m512 a[NV];
                for (int v = 0; v < NV; v++)
                    a[v] = _mm512_mul_ps(_mm512_loadu_ps(p0[0] + x + 16 * v), _mm512_set1_ps(w0[0]));
                for (int t = 1; t <= R; t++) {
                    const int kp = (int)(((uintptr_t)(p0[t] + x) >> 2) & 15);
                    const int kq = (int)(((uintptr_t)(q1[t] + x) >> 2) & 15);
                    const float *bp = p0[t] + x - kp, *bq = q1[t] + x - kq;
                    const __m512i ip0 = _mm512_add_epi32(lanes, _mm512_set1_epi32(kp));
                    const __m512i ip1 = _mm512_add_epi32(ip0, _mm512_set1_epi32(1));
                    const __m512i iq1 = _mm512_add_epi32(lanes, _mm512_set1_epi32(kq));
                    const __m512i iq0 = _mm512_add_epi32(iq1, _mm512_set1_epi32(1));
                    const __m512 ww0 = _mm512_set1_ps(w0[t]), ww1 = _mm512_set1_ps(w1[t]);
                    __m512 P = _mm512_load_ps(bp), Q = _mm512_load_ps(bq);
                    for (int v = 0; v < NV; v++) {
                        const __m512 Pn = _mm512_load_ps(bp + 16 * (v + 1));
                        const __m512 Qn = _mm512_load_ps(bq + 16 * (v + 1));
                        const __m512 s0 = _mm512_add_ps(_mm512_permutex2var_ps(P, ip0, Pn),
                                                        _mm512_permutex2var_ps(Q, iq0, Qn));
                        const __m512 s1 = _mm512_add_ps(_mm512_permutex2var_ps(P, ip1, Pn),
                                                        _mm512_permutex2var_ps(Q, iq1, Qn));
                        a[v] = _mm512_fmadd_ps(s0, ww0, a[v]);
                        a[v] = _mm512_fmadd_ps(s1, ww1, a[v]);
                        P = Pn;
                        Q = Qn;
                    }
                }
                for (int v = 0; v < NV; v++)
                    _mm512_storeu_ps(acc + x + 16 * v, a[v]);
            }
        }
#endif
        for (; x < W; x += STRIP) {
            vfn a[NV];
            for (int v = 0; v < NV; v++)
                a[v] = vfn_load(p0[0] + x + SMEAR_VF * v) * w0[0];
            for (int t = 1; t <= R; t++)
                for (int v = 0; v < NV; v++) {
                    const int o = x + SMEAR_VF * v;
                    a[v] = vfn_fmas(vfn_load(p0[t] + o) + vfn_load(q0[t] + o), w0[t], a[v]);
                    a[v] = vfn_fmas(vfn_load(p1[t] + o) + vfn_load(q1[t] + o), w1[t], a[v]);
                }
            for (int v = 0; v < NV; v++)
                vfn_store(acc + x + SMEAR_VF * v, a[v]);
        }
        smear_f32_to_row(dst->data + y * dst->stride, acc, W, g->depth);
    }
}

/* ------------------------------------------------ wide turned Gaussian */

/* Keys's cubic (a = -1/2) at fraction f: the weights of the samples at
 * -1, 0, 1 and 2. It reproduces quadratics, so it adds no spread. */
static inline void cubic_weights(float f, float w[4])
{
    const float f2 = f * f, f3 = f2 * f;
    w[0] = 0.5f * (2.0f * f2 - f3 - f);
    w[1] = 1.5f * f3 - 2.5f * f2 + 1.0f;
    w[2] = 0.5f * (4.0f * f2 - 3.0f * f3 + f);
    w[3] = 0.5f * (f3 - f2);
}

/* The quadratic B-spline centred at f in [0, 1): the weights of the samples
 * at -1, 0, 1 and 2 (three of them non-zero); its spread is 1/4 at any f. */
static inline void spline_weights(float f, float w[4])
{
    const float g = f <= 0.5f ? f : f - 1.0f; /* the centre from the nearest sample */
    const float lo = 0.5f * (g - 0.5f) * (g - 0.5f), mid = 0.75f - g * g;
    const float hi = 0.5f * (g + 0.5f) * (g + 0.5f);
    w[0] = f <= 0.5f ? lo : 0.0f;
    w[1] = f <= 0.5f ? mid : lo;
    w[2] = f <= 0.5f ? hi : mid;
    w[3] = f <= 0.5f ? 0.0f : hi;
}

/* n samples of a line interpolated at i + f, i = 0 .. n - 1: linear (reads
 * in[0 .. n]), or with mode 1 cubic and 2 the B-spline (reads in[-1 .. n +
 * 1]). */
static inline void interp_line(float *out, const float *in, int n, float f, int mode)
{
    int i = 0;
    if (mode) {
        float w[4];
        if (mode == 2)
            spline_weights(f, w);
        else
            cubic_weights(f, w);
        for (; i + SMEAR_VF <= n; i += SMEAR_VF)
            vfn_store(out + i, vfn_load(in + i - 1) * w[0] + vfn_load(in + i) * w[1] +
                               vfn_load(in + i + 1) * w[2] + vfn_load(in + i + 2) * w[3]);
        for (; i < n; i++)
            out[i] = in[i - 1] * w[0] + in[i] * w[1] + in[i + 1] * w[2] + in[i + 2] * w[3];
        return;
    }
    const float gf = 1.0f - f;
    for (; i + SMEAR_VF <= n; i += SMEAR_VF)
        vfn_store(out + i, vfn_load(in + i) * gf + vfn_load(in + i + 1) * f);
    for (; i < n; i++)
        out[i] = in[i] * gf + in[i + 1] * f;
}

/* T in 16-bit fixed point (GaussShear.fixed): n samples stored, times
 * scale, rounded to the nearest (even) integer by adding 1.5 * 2^23, whose
 * low bits are then the integer; and loaded back, over scale. Plain
 * multiplies and adds, so every build rounds alike. */
static inline int16_t fix1(float x, float scale)
{
    const float y = x * scale + 12582912.0f;
    int32_t i;
    memcpy(&i, &y, sizeof(i));
    return (int16_t)(i - 0x4B400000);
}

static inline void fix_store(int16_t *out, const float *in, int n, float scale)
{
    typedef int16_t vsh __attribute__((vector_size(2 * SMEAR_VF)));
    int i = 0;
    for (; i + SMEAR_VF <= n; i += SMEAR_VF) {
        const vfn y = vfn_load(in + i) * scale + 12582912.0f;
        const vsh h = __builtin_convertvector((vin)y - 0x4B400000, vsh);
        memcpy(out + i, &h, sizeof(h));
    }
    for (; i < n; i++)
        out[i] = fix1(in[i], scale);
}

static inline void fix_load(float *out, const int16_t *in, int n, float inv)
{
    typedef int16_t vsh __attribute__((vector_size(2 * SMEAR_VF)));
    int i = 0;
    for (; i + SMEAR_VF <= n; i += SMEAR_VF) {
        vsh h;
        memcpy(&h, in + i, sizeof(h));
        vfn_store(out + i, __builtin_convertvector(h, vfn) * inv);
    }
    for (; i < n; i++)
        out[i] = (float)in[i] * inv;
}

/* Sheared row r of T: plane row r - my read at columns u + slope (r - my),
 * interpolated, over the columns within reach of an output (see
 * smear_gauss_shear_span()); the rest of the strips those columns lie in
 * repeats the row's ends. Strips wholly beyond reach are not written. */
void SMEAR_DSP(smear_gauss_shear_rows)(const GaussShear *g, const SmearPlane *src, int r0, int r1,
                                       float *work)
{
    const int nu = g->nu;
    const int c = g->cubic; /* taps before the sample: c, after it: 1 + c */
    float *line = work + 1; /* the row's samples at integer columns */
    float *frow = work + nu + 56; /* the row made in floats, when T is fixed */
    for (int r = r0; r < r1; r++) {
        float *row = g->fixed ? frow : g->T + (ptrdiff_t)r * nu;
        int k, a, b;
        float f;
        smear_gauss_shear_span(g, r, &k, &f, &a, &b);
        if (b <= a)
            continue;
        smear_pad_strip_row(line + a - c, src, g->border, r - g->my, k + a - c, b - a + 1 + 2 * c);
        interp_line(row + a, line + a, b - a, f, c + g->spline);
        /* the whole strips the columns lie in */
        const int sa = a / VSTRIP * VSTRIP, sb = (b + VSTRIP - 1) / VSTRIP * VSTRIP;
        for (int i = sa; i < a; i++)
            row[i] = row[a];
        for (int i = b; i < sb; i++)
            row[i] = row[b - 1];
        if (g->fixed)
            fix_store(g->T16 + (ptrdiff_t)r * nu + sa, row + sa, sb - sa, g->tscale);
    }
}

#define SHEAR_AHEAD 64 /* rows */
_Static_assert(VSTRIP == 32, "a strip row is two cache lines");

/* Strips of GAUSS_VSTRIP columns of T [s0, s1), each read down into the
 * scratch, filtered, and written back. */
void SMEAR_DSP(smear_gauss_shear_down)(const GaussShear *g, int s0, int s1, float *work)
{
    const IIRCoef k = iir_coef(&g->line);
    const int nu = g->nu;
    float *F = work, *C = work + (ptrdiff_t)g->rows * VSTRIP;
    for (int st = s0; st < s1; st++) {
        /* the strip's rows within reach of an output, the run-up included */
        const int ra = g->strip_rows[2 * st], rows = g->strip_rows[2 * st + 1] - ra;
        if (rows <= 0)
            continue;
        if (g->fixed) {
            int16_t *T = g->T16 + (ptrdiff_t)ra * nu + (ptrdiff_t)st * VSTRIP;
            for (int r = 0; r < rows; r++) {
                if (r + SHEAR_AHEAD < rows) /* a line a row */
                    __builtin_prefetch(T + (ptrdiff_t)(r + SHEAR_AHEAD) * nu);
                fix_load(F + (ptrdiff_t)r * VSTRIP, T + (ptrdiff_t)r * nu, VSTRIP, 1 / g->tscale);
            }
            IIR_LINES(NVV, F, C, rows);
            for (int r = 0; r < rows; r++)
                fix_store(T + (ptrdiff_t)r * nu, C + (ptrdiff_t)r * VSTRIP, VSTRIP, g->tscale);
            continue;
        }
        float *T = g->T + (ptrdiff_t)ra * nu + (ptrdiff_t)st * VSTRIP;
        for (int r = 0; r < rows; r++) {
            /* the strip's two lines of each row, fetched well ahead: the
             * rows are a page apart, which the hardware does not follow */
            if (r + SHEAR_AHEAD < rows) {
                __builtin_prefetch(T + (ptrdiff_t)(r + SHEAR_AHEAD) * nu);
                __builtin_prefetch(T + (ptrdiff_t)(r + SHEAR_AHEAD) * nu + 16);
            }
            for (int v = 0; v < NVV; v++)
                vfn_store(F + (ptrdiff_t)r * VSTRIP + SMEAR_VF * v,
                          vfn_load(T + (ptrdiff_t)r * nu + SMEAR_VF * v));
        }
        IIR_LINES(NVV, F, C, rows);
        for (int r = 0; r < rows; r++)
            for (int v = 0; v < NVV; v++)
                vfn_store(T + (ptrdiff_t)r * nu + SMEAR_VF * v,
                          vfn_load(C + (ptrdiff_t)r * VSTRIP + SMEAR_VF * v));
    }
}

/* Output row y moved back from T into line[-px .. w + px) (line points at
 * sample 0); tmp: n + 3 floats, for a fixed T's samples. */
static void shear_back(const GaussShear *g, int y, float *line, float *tmp)
{
    const int n = g->w + 2 * g->px, r = y + g->my;
    const double us = -g->px - g->slope * y - g->u0; /* T column of line[-px] */
    const int k = (int)floor(us);
    const float *t;
    if (g->fixed) { /* columns k - 1 .. k + n + 1 */
        fix_load(tmp, g->T16 + (ptrdiff_t)r * g->nu + k - 1, n + 3, 1 / g->tscale);
        t = tmp + 1;
    } else {
        t = g->T + (ptrdiff_t)r * g->nu + k;
    }
    interp_line(line - g->px, t, n, (float)(us - k), g->cubic + g->spline);
}

void SMEAR_DSP(smear_gauss_shear_out)(const GaussShear *g, const SmearPlane *dst, int b0, int b1,
                                      float *work)
{
    const GaussAxis *a = &g->axis;
    const int W = g->w, px = g->px, n = W + 2 * px;
    const int c16 = (n + 15) & ~15;
    /* 16 lines moved back, then interleaved in, filtered and out */
    float *lines = work, *F = lines + (ptrdiff_t)16 * c16, *C = F + (ptrdiff_t)16 * c16;
    float *out = C + (ptrdiff_t)16 * c16;
    float *trow = out + (ptrdiff_t)16 * c16; /* a fixed T's row in floats */
    for (int b = b0; b < b1; b++) {
        const int y0 = 16 * b, nl = g->h - y0 < 16 ? g->h - y0 : 16;
        for (int l = 0; l < 16; l++) /* lines past the plane repeat its last */
            shear_back(g, y0 + (l < nl ? l : nl - 1), lines + (ptrdiff_t)l * c16 + px, trow);
        if (a->type == GAUSS_IIR)
            iir_rows16(a, lines, c16, n, px, W, out, c16, 16, F, C);
        else if (a->type == GAUSS_FIR)
            fir_rows16(a, lines, c16, n, px, W, out, c16, 16, F, C);
        else /* no x pass (the set-up keeps its sigma at 2 or more) */
            for (int l = 0; l < nl; l++)
                memcpy(out + (ptrdiff_t)l * c16, lines + (ptrdiff_t)l * c16 + px,
                       sizeof(float) * (size_t)W);
        for (int l = 0; l < nl; l++)
            smear_f32_to_row(dst->data + (ptrdiff_t)(y0 + l) * dst->stride,
                             out + (ptrdiff_t)l * c16, W, g->depth);
    }
}
