/*
 * smear - convolution through the fast Fourier transform: the passes,
 * compiled once per instruction set (see fft.h).
 *
 * A transform of a T x T tile is a radix-2 transform down the columns, as
 * many at a time as the build's vectors hold (each butterfly one vector
 * operation), a transpose, and the same down the columns again. The forward transform
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

/* Forward, decimation in frequency, down the T rows of one strip: the
 * stages of spans T / 2, T / 4, .. 1 (span h pairs rows j and j + h of each
 * block of 2 h, twiddle exp(-2 pi i j / 2h)), two at a time where they
 * can be, which loads and stores each row once for both and leaves the
 * arithmetic as it is. */
static void dif_strip(float *restrict re, float *restrict im, int T, const float *twr,
                      const float *twi)
{
    int half = T / 2, step = 1;
    for (; half >= 2; half >>= 2, step <<= 2) {
        const int q = half / 2;
        for (int blk = 0; blk < T; blk += 2 * half)
            for (int j = 0; j < q; j++) {
                float *r0 = ROW(re, blk + j), *i0 = ROW(im, blk + j);
                float *r1 = ROW(re, blk + j + q), *i1 = ROW(im, blk + j + q);
                float *r2 = ROW(re, blk + j + half), *i2 = ROW(im, blk + j + half);
                float *r3 = ROW(re, blk + j + half + q), *i3 = ROW(im, blk + j + half + q);
                const vfn w0r = vfn_set1(twr[j * step]), w0i = vfn_set1(twi[j * step]);
                const vfn w1r = vfn_set1(twr[(j + q) * step]), w1i = vfn_set1(twi[(j + q) * step]);
                const vfn w2r = vfn_set1(twr[2 * j * step]), w2i = vfn_set1(twi[2 * j * step]);
                vfn ar = vfn_load(r0), ai = vfn_load(i0), br = vfn_load(r1), bi = vfn_load(i1);
                vfn cr = vfn_load(r2), ci = vfn_load(i2), dr = vfn_load(r3), di = vfn_load(i3);
                /* span half: (a, c) and (b, d) */
                vfn tr = ar - cr, ti = ai - ci;
                ar = ar + cr, ai = ai + ci;
                cr = tr * w0r - ti * w0i, ci = tr * w0i + ti * w0r;
                tr = br - dr, ti = bi - di;
                br = br + dr, bi = bi + di;
                dr = tr * w1r - ti * w1i, di = tr * w1i + ti * w1r;
                /* span q: (a, b) and (c, d) */
                tr = ar - br, ti = ai - bi;
                vfn_store(r0, ar + br), vfn_store(i0, ai + bi);
                vfn_store(r1, tr * w2r - ti * w2i), vfn_store(i1, tr * w2i + ti * w2r);
                tr = cr - dr, ti = ci - di;
                vfn_store(r2, cr + dr), vfn_store(i2, ci + di);
                vfn_store(r3, tr * w2r - ti * w2i), vfn_store(i3, tr * w2i + ti * w2r);
            }
    }
    if (half == 1) /* the last stage alone: (x, y) -> (x + y, (x - y) w) */
        for (int blk = 0; blk < T; blk += 2) {
            float *r0 = ROW(re, blk), *i0 = ROW(im, blk), *r1 = ROW(re, blk + 1), *i1 = ROW(im, blk + 1);
            const vfn wr = vfn_set1(twr[0]), wi = vfn_set1(twi[0]);
            const vfn xr = vfn_load(r0), xi = vfn_load(i0), yr = vfn_load(r1), yi = vfn_load(i1);
            const vfn dr = xr - yr, di = xi - yi;
            vfn_store(r0, xr + yr), vfn_store(i0, xi + yi);
            vfn_store(r1, dr * wr - di * wi), vfn_store(i1, dr * wi + di * wr);
        }
}

/* Inverse (conjugate twiddles, no scaling), decimation in time, from
 * bit-reversed order, down the T rows of one strip: the stages of spans 1,
 * 2, .. T / 2, two at a time where they can be. */
static void dit_strip(float *restrict re, float *restrict im, int T, const float *twr,
                      const float *twi)
{
    int half = 1, step = T / 2;
    for (; 2 * half < T; half <<= 2, step >>= 2) {
        for (int blk = 0; blk < T; blk += 4 * half)
            for (int j = 0; j < half; j++) {
                float *r0 = ROW(re, blk + j), *i0 = ROW(im, blk + j);
                float *r1 = ROW(re, blk + j + half), *i1 = ROW(im, blk + j + half);
                float *r2 = ROW(re, blk + j + 2 * half), *i2 = ROW(im, blk + j + 2 * half);
                float *r3 = ROW(re, blk + j + 3 * half), *i3 = ROW(im, blk + j + 3 * half);
                const vfn w0r = vfn_set1(twr[j * step]), w0i = vfn_set1(twi[j * step]);
                const vfn w1r = vfn_set1(twr[j * (step / 2)]), w1i = vfn_set1(twi[j * (step / 2)]);
                const vfn w2r = vfn_set1(twr[(j + half) * (step / 2)]);
                const vfn w2i = vfn_set1(twi[(j + half) * (step / 2)]);
                vfn ar = vfn_load(r0), ai = vfn_load(i0), br = vfn_load(r1), bi = vfn_load(i1);
                vfn cr = vfn_load(r2), ci = vfn_load(i2), dr = vfn_load(r3), di = vfn_load(i3);
                /* span half: (a, b) and (c, d) */
                vfn yr = br * w0r + bi * w0i, yi = bi * w0r - br * w0i;
                br = ar - yr, bi = ai - yi;
                ar = ar + yr, ai = ai + yi;
                yr = dr * w0r + di * w0i, yi = di * w0r - dr * w0i;
                dr = cr - yr, di = ci - yi;
                cr = cr + yr, ci = ci + yi;
                /* span 2 half: (a, c) and (b, d) */
                yr = cr * w1r + ci * w1i, yi = ci * w1r - cr * w1i;
                vfn_store(r0, ar + yr), vfn_store(i0, ai + yi);
                vfn_store(r2, ar - yr), vfn_store(i2, ai - yi);
                yr = dr * w2r + di * w2i, yi = di * w2r - dr * w2i;
                vfn_store(r1, br + yr), vfn_store(i1, bi + yi);
                vfn_store(r3, br - yr), vfn_store(i3, bi - yi);
            }
    }
    if (half < T) /* the last stage alone: (x, y) -> (x + y w', x - y w') */
        for (int j = 0; j < half; j++) {
            float *r0 = ROW(re, j), *i0 = ROW(im, j), *r1 = ROW(re, j + half), *i1 = ROW(im, j + half);
            const vfn wr = vfn_set1(twr[j * step]), wi = vfn_set1(twi[j * step]);
            const vfn br = vfn_load(r1), bi = vfn_load(i1), xr = vfn_load(r0), xi = vfn_load(i0);
            const vfn yr = br * wr + bi * wi, yi = bi * wr - br * wi;
            vfn_store(r0, xr + yr), vfn_store(i0, xi + yi);
            vfn_store(r1, xr - yr), vfn_store(i1, xi - yi);
        }
}

/* dst = the transpose of src (both T x T in the strip layout), a block of
 * L x L at a time: each block is L^2 consecutive floats. */
static void transpose(float *restrict dst, const float *restrict src, int T)
{
    const int nb = T / L;
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < nb; j++) {
            const float *restrict s = src + ((size_t)j * T + (size_t)i * L) * L;
            float *restrict d = dst + ((size_t)i * T + (size_t)j * L) * L;
            for (int a = 0; a < L; a++)
                for (int b = 0; b < L; b++)
                    d[b * L + a] = s[a * L + b];
        }
}

/* The 2-D transform of (re, im) into (out_re, out_im), forward or inverse:
 * down the columns, transposed, down the columns again; (re, im) is
 * overwritten. */
static void transform(const SmearFftConv *c, float *re, float *im, float *out_re, float *out_im,
                      int inverse)
{
    const int T = c->T;
    const size_t strip = (size_t)T * L;
    void (*pass)(float *restrict, float *restrict, int, const float *, const float *) =
        inverse ? dit_strip : dif_strip;
    for (int s = 0; s < T / L; s++)
        pass(re + s * strip, im + s * strip, T, c->twr, c->twi);
    transpose(out_re, re, T);
    transpose(out_im, im, T);
    for (int s = 0; s < T / L; s++)
        pass(out_re + s * strip, out_im + s * strip, T, c->twr, c->twi);
}

void SMEAR_DSP(smear_fft_forward)(const SmearFftConv *c, float *re, float *im, float *fr, float *fi)
{
    transform(c, re, im, fr, fi, 0);
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

void SMEAR_DSP(smear_fft_conv_pairs_run)(const SmearFftConv *c, const SmearPlane *dst,
                                         const SmearPlane *src, int p0, int p1, void *work)
{
    const int T = c->T, per_row = (c->tx + 1) / 2;
    const size_t TT = (size_t)T * T;
    float *re = work, *im = re + TT, *fr = im + TT, *fi = fr + TT, *row = fi + TT;
    for (int p = p0; p < p1; p++) {
        const int j = p / per_row, i = 2 * (p % per_row);
        /* tiles i and i + 1 as the real and imaginary parts */
        load_tile(c, src, i, j, re, row);
        if (i + 1 < c->tx)
            load_tile(c, src, i + 1, j, im, row);
        else
            memset(im, 0, sizeof(float) * TT);
        transform(c, re, im, fr, fi, 0);
        for (size_t k = 0; k < TT; k++) {
            const float a = fr[k], b = fi[k];
            fr[k] = a * c->kr[k] - b * c->ki[k];
            fi[k] = a * c->ki[k] + b * c->kr[k];
        }
        transform(c, fr, fi, re, im, 1);
        store_tile(c, dst, i, j, re, row);
        if (i + 1 < c->tx)
            store_tile(c, dst, i + 1, j, im, row);
    }
}
