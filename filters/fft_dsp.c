/*
 * smear - convolution through the fast Fourier transform: the passes,
 * compiled once per instruction set (see fft.h).
 *
 * A transform of a T x T tile is a radix-2 transform down the columns (its
 * stages two at a time, in radix-4 butterflies), as many columns at a time
 * as the build's vectors hold (each butterfly one vector operation), a
 * transpose in place, and the same down the columns again. The forward transform
 * decimates in frequency and leaves its output in bit-reversed order; the
 * inverse decimates in time and takes its input in that order, so no pass
 * reorders. The kernel's spectrum is stored in the same order.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fft.h"
#include "padded.h"
#include "sample.h"
#include "simd.h"

/* Columns of a strip: the build's vector width (simd.h). */
#define L SMEAR_VF

int SMEAR_DSP(smear_fft_lanes)(void)
{
    return L;
}

#define ROW(p, i) ((p) + (size_t)(i) * L)

/* x times w, and x times conj(w), on (real, imaginary) pairs of vectors. */
#define CMUL(xr, xi, wr, wi, outr, outi) \
    (outr = (xr) * (wr) - (xi) * (wi), outi = (xr) * (wi) + (xi) * (wr))
#define CMULC(xr, xi, wr, wi, outr, outi) \
    (outr = (xr) * (wr) + (xi) * (wi), outi = (xi) * (wr) - (xr) * (wi))

/* One radix-4 butterfly of the forward transform: two stages of radix 2
 * (spans 2q and q) on rows a, b, c, d (j, j + q, j + 2q, j + 3q of a block
 * of 4q), as (a + c) +- (b + d), then (a - c) -+ i (b - d), times w^2j,
 * w^j and w^3j (w = exp(-2 pi i / 4q)): three products, none where j is
 * 0 (tw false). */
static inline __attribute__((always_inline)) void dif4(float *r0, float *i0, float *r1, float *i1,
                                                       float *r2, float *i2, float *r3, float *i3,
                                                       const float *twr, const float *twi,
                                                       int k1, int tw)
{
    const vfn ar = vfn_load(r0), ai = vfn_load(i0), br = vfn_load(r1), bi = vfn_load(i1);
    const vfn cr = vfn_load(r2), ci = vfn_load(i2), dr = vfn_load(r3), di = vfn_load(i3);
    const vfn sr = ar + cr, si = ai + ci, tr = ar - cr, ti = ai - ci;
    const vfn ur = br + dr, ui = bi + di, vr = br - dr, vi = bi - di;
    vfn_store(r0, sr + ur), vfn_store(i0, si + ui);
    const vfn xr = sr - ur, xi = si - ui;   /* times w^2j, to b */
    const vfn er = tr + vi, ei = ti - vr;   /* (a - c) - i (b - d): times w^j, to c */
    const vfn fr = tr - vi, fi = ti + vr;   /* (a - c) + i (b - d): times w^3j, to d */
    if (!tw) {
        vfn_store(r1, xr), vfn_store(i1, xi);
        vfn_store(r2, er), vfn_store(i2, ei);
        vfn_store(r3, fr), vfn_store(i3, fi);
        return;
    }
    vfn pr, pi;
    CMUL(xr, xi, vfn_set1(twr[2 * k1]), vfn_set1(twi[2 * k1]), pr, pi);
    vfn_store(r1, pr), vfn_store(i1, pi);
    CMUL(er, ei, vfn_set1(twr[k1]), vfn_set1(twi[k1]), pr, pi);
    vfn_store(r2, pr), vfn_store(i2, pi);
    CMUL(fr, fi, vfn_set1(twr[3 * k1]), vfn_set1(twi[3 * k1]), pr, pi);
    vfn_store(r3, pr), vfn_store(i3, pi);
}

/* Forward, decimation in frequency, down the T rows of one strip: the
 * stages of spans T / 2, T / 4, .. 1, two at a time (dif4) where they can
 * be, which loads and stores each row once for both. */
static void dif_strip(float *restrict re, float *restrict im, int T, const float *twr,
                      const float *twi)
{
    int half = T / 2, step = 1;
    for (; half >= 2; half >>= 2, step <<= 2) {
        const int q = half / 2;
        for (int blk = 0; blk < T; blk += 2 * half)
            for (int j = 0; j < q; j++)
                dif4(ROW(re, blk + j), ROW(im, blk + j), ROW(re, blk + j + q), ROW(im, blk + j + q),
                     ROW(re, blk + j + half), ROW(im, blk + j + half), ROW(re, blk + j + half + q),
                     ROW(im, blk + j + half + q), twr, twi, j * step, j > 0);
    }
    if (half == 1) /* the last stage alone, of twiddle 1: (x, y) -> (x + y, x - y) */
        for (int blk = 0; blk < T; blk += 2) {
            float *r0 = ROW(re, blk), *i0 = ROW(im, blk), *r1 = ROW(re, blk + 1), *i1 = ROW(im, blk + 1);
            const vfn xr = vfn_load(r0), xi = vfn_load(i0), yr = vfn_load(r1), yi = vfn_load(i1);
            vfn_store(r0, xr + yr), vfn_store(i0, xi + yi);
            vfn_store(r1, xr - yr), vfn_store(i1, xi - yi);
        }
}

/* One radix-4 butterfly of the inverse: rows a, b, c, d (j, j + h, j + 2h,
 * j + 3h of a block of 4h, in the order the forward transform left), taken
 * times conj(w)^0, conj(w)^2j, conj(w)^j, conj(w)^3j (w = exp(-2 pi i /
 * 4h); none where j is 0, tw false), then two stages of radix 2 (spans h
 * and 2h): (a +- b) +- (c + d) and (a -+ b) +- i (c - d). */
static inline __attribute__((always_inline)) void dit4(float *r0, float *i0, float *r1, float *i1,
                                                       float *r2, float *i2, float *r3, float *i3,
                                                       const float *twr, const float *twi,
                                                       int k1, int tw)
{
    const vfn ar = vfn_load(r0), ai = vfn_load(i0);
    vfn br = vfn_load(r1), bi = vfn_load(i1), cr = vfn_load(r2), ci = vfn_load(i2);
    vfn dr = vfn_load(r3), di = vfn_load(i3);
    if (tw) {
        vfn xr, xi;
        CMULC(br, bi, vfn_set1(twr[2 * k1]), vfn_set1(twi[2 * k1]), xr, xi);
        br = xr, bi = xi;
        CMULC(cr, ci, vfn_set1(twr[k1]), vfn_set1(twi[k1]), xr, xi);
        cr = xr, ci = xi;
        CMULC(dr, di, vfn_set1(twr[3 * k1]), vfn_set1(twi[3 * k1]), xr, xi);
        dr = xr, di = xi;
    }
    const vfn sr = ar + br, si = ai + bi, tr = ar - br, ti = ai - bi;
    const vfn ur = cr + dr, ui = ci + di;
    const vfn vr = ci - di, vi = dr - cr; /* -i (c - d) */
    vfn_store(r0, sr + ur), vfn_store(i0, si + ui);
    vfn_store(r2, sr - ur), vfn_store(i2, si - ui);
    vfn_store(r1, tr - vr), vfn_store(i1, ti - vi);
    vfn_store(r3, tr + vr), vfn_store(i3, ti + vi);
}

/* Inverse (conjugate twiddles, no scaling), decimation in time, from
 * bit-reversed order, down the T rows of one strip: the stages of spans 1,
 * 2, .. T / 2, two at a time (dit4) where they can be. */
static void dit_strip(float *restrict re, float *restrict im, int T, const float *twr,
                      const float *twi)
{
    int half = 1, step = T / 2;
    for (; 2 * half < T; half <<= 2, step >>= 2)
        for (int blk = 0; blk < T; blk += 4 * half)
            for (int j = 0; j < half; j++)
                dit4(ROW(re, blk + j), ROW(im, blk + j), ROW(re, blk + j + half),
                     ROW(im, blk + j + half), ROW(re, blk + j + 2 * half), ROW(im, blk + j + 2 * half),
                     ROW(re, blk + j + 3 * half), ROW(im, blk + j + 3 * half), twr, twi,
                     j * (step / 2), j > 0);
    if (half < T) /* the last stage alone: (x, y) -> (x + y w', x - y w') */
        for (int j = 0; j < half; j++) {
            float *r0 = ROW(re, j), *i0 = ROW(im, j), *r1 = ROW(re, j + half), *i1 = ROW(im, j + half);
            vfn br = vfn_load(r1), bi = vfn_load(i1);
            const vfn xr = vfn_load(r0), xi = vfn_load(i0);
            if (j) {
                vfn yr, yi;
                CMULC(br, bi, vfn_set1(twr[j * step]), vfn_set1(twi[j * step]), yr, yi);
                br = yr, bi = yi;
            }
            vfn_store(r0, xr + br), vfn_store(i0, xi + bi);
            vfn_store(r1, xr - br), vfn_store(i1, xi - bi);
        }
}

/* The L x L block b transposed into d (blocks are L^2 consecutive floats). */
static inline void block_transpose(float *restrict d, const float *restrict b)
{
    for (int a = 0; a < L; a++)
        for (int k = 0; k < L; k++)
            d[k * L + a] = b[a * L + k];
}

/* The T x T array x (in the strip layout) transposed in place, a pair of
 * L x L blocks at a time, which keeps a tile's scratch to two arrays. */
static void transpose(float *x, int T)
{
    const int nb = T / L;
    float tmp[L * L] __attribute__((aligned(64)));
    for (int i = 0; i < nb; i++)
        for (int j = i; j < nb; j++) {
            /* rows i L .. of strip j, and rows j L .. of strip i */
            float *a = x + ((size_t)j * T + (size_t)i * L) * L;
            float *b = x + ((size_t)i * T + (size_t)j * L) * L;
            memcpy(tmp, a, sizeof(tmp));
            if (a != b)
                block_transpose(a, b);
            block_transpose(b, tmp);
        }
}

void SMEAR_DSP(smear_fft_forward)(const SmearFftConv *c, float *re, float *im)
{
    const int T = c->T;
    const size_t strip = (size_t)T * L;
    for (int s = 0; s < T / L; s++)
        dif_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
    transpose(re, T);
    transpose(im, T);
    for (int s = 0; s < T / L; s++)
        dif_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
}

/* Tile (i, j)'s input, T x T from (i vx - rx, j vy - ry), into d; row: T
 * floats of scratch. */
static void load_tile(const SmearFftConv *c, const SmearPlane *src, int i, int j, float *d,
                      float *row)
{
    const int T = c->T, x0 = i * c->vx - c->rx, y0 = j * c->vy - c->ry;
    if (x0 >= 0 && y0 >= 0 && x0 + T <= c->w && y0 + T <= c->h) {
        /* inside the plane: straight from its rows */
        for (int r = 0; r < T; r++) {
            const uint8_t *in = src->data + (ptrdiff_t)(y0 + r) * src->stride;
            if (c->depth > 8) {
                const uint16_t *in16 = (const uint16_t *)in + x0;
                for (int s = 0; s < T / L; s++)
                    for (int l = 0; l < L; l++)
                        d[((size_t)s * T + r) * L + l] = (float)in16[s * L + l];
            } else {
                for (int s = 0; s < T / L; s++)
                    for (int l = 0; l < L; l++)
                        d[((size_t)s * T + r) * L + l] = (float)in[x0 + s * L + l];
            }
        }
        return;
    }
    for (int r = 0; r < T; r++) {
        smear_pad_strip(row, 0, src, c->border, y0 + r, x0, T);
        for (int s = 0; s < T / L; s++)
            memcpy(d + ((size_t)s * T + r) * L, row + s * L, sizeof(float) * L);
    }
}

/* Tile (i, j)'s outputs from d (rows ry .., columns rx .. of the tile). */
static void store_tile(const SmearFftConv *c, const SmearPlane *dst, int i, int j, const float *d,
                       float *row)
{
    const int T = c->T, x0 = i * c->vx, y0 = j * c->vy;
    const int n = c->w - x0 < c->vx ? c->w - x0 : c->vx;
    const int deep = c->depth > 8;
    for (int a = 0; a < c->vy && y0 + a < c->h; a++) {
        const int r = c->ry + a;
        for (int s = 0; s < T / L; s++)
            memcpy(row + s * L, d + ((size_t)s * T + r) * L, sizeof(float) * L);
        smear_f32_to_row(dst->data + (ptrdiff_t)(y0 + a) * dst->stride + ((ptrdiff_t)x0 << deep),
                         row + c->rx, n, c->depth);
    }
}

/* The spectrum of strip s of (fr, fi) times the kernel's (real). */
static void spectrum_times_kernel(const SmearFftConv *c, float *restrict fr, float *restrict fi,
                                  size_t s)
{
    const size_t n = (size_t)c->T * L, o = s * n;
    const float *restrict kr = c->kr + o;
    fr += o, fi += o;
    for (size_t k = 0; k < n; k++) {
        fr[k] = fr[k] * kr[k];
        fi[k] = fi[k] * kr[k];
    }
}

void SMEAR_DSP(smear_fft_conv_pairs_run)(const SmearFftConv *c, const SmearPlane *dst,
                                         const SmearPlane *src, int p0, int p1, void *work)
{
    const int T = c->T, per_row = (c->tx + 1) / 2;
    const size_t TT = (size_t)T * T, strip = (size_t)T * L;
    float *re = work, *im = re + TT, *row = im + TT;
    for (int p = p0; p < p1; p++) {
        const int j = p / per_row, i = 2 * (p % per_row);
        /* tiles i and i + 1 as the real and imaginary parts */
        load_tile(c, src, i, j, re, row);
        if (i + 1 < c->tx)
            load_tile(c, src, i + 1, j, im, row);
        else
            memset(im, 0, sizeof(float) * TT);
        /* the transform there and back (as smear_fft_forward()), with each
         * strip's second pass there, its product with the kernel and its
         * first pass back in a row, while the strip is in the cache */
        for (int s = 0; s < T / L; s++)
            dif_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
        transpose(re, T);
        transpose(im, T);
        for (int s = 0; s < T / L; s++) {
            dif_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
            spectrum_times_kernel(c, re, im, (size_t)s);
            dit_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
        }
        transpose(re, T);
        transpose(im, T);
        for (int s = 0; s < T / L; s++)
            dit_strip(re + s * strip, im + s * strip, T, c->twr, c->twi);
        store_tile(c, dst, i, j, re, row);
        if (i + 1 < c->tx)
            store_tile(c, dst, i + 1, j, im, row);
    }
}
