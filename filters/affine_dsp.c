/*
 * smear - affine warps: output rows, compiled once per instruction set.
 *
 * Positions are computed in float the same way in every build and on every
 * path, so the builds and any split into jobs give the same bytes.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "affine_dsp.h"
#include "border.h"
#include "sample.h"
#include "simd.h"

static inline float pixel(const SmearPlane *src, int x, int y)
{
    const uint8_t *row = src->data + (ptrdiff_t)y * src->stride;
    return src->depth > 8 ? (float)((const uint16_t *)row)[x] : (float)row[x];
}

/* Input sample (x, y), any integers, by the border. */
static inline float sample(const AffinePlan *p, const SmearPlane *src, int64_t x, int64_t y)
{
    const int mx = smear_border_index(x, p->w, p->border.mode);
    const int my = smear_border_index(y, p->h, p->border.mode);
    if (mx < 0 || my < 0)
        return (float)p->border.fill;
    return pixel(src, mx, my);
}

/* Catmull-Rom weights for the taps at -1, 0, 1, 2 around a fraction t. */
static inline void cubic_weights(float t, float w[4])
{
    const float t2 = t * t, t3 = t2 * t;
    w[0] = -0.5f * t3 + t2 - 0.5f * t;
    w[1] = 1.5f * t3 - 2.5f * t2 + 1.0f;
    w[2] = -1.5f * t3 + 2.0f * t2 + 0.5f * t;
    w[3] = 0.5f * t3 - 0.5f * t2;
}

/* One output sample at input position (sx, sy), through the border. */
static float interp_mapped(const AffinePlan *p, const SmearPlane *src, float sx, float sy)
{
    const float fx0 = floorf(sx), fy0 = floorf(sy);
    const int64_t ix = (int64_t)fx0, iy = (int64_t)fy0;
    const float fx = sx - fx0, fy = sy - fy0;
    if (p->interp == SMEAR_INTERP_BICUBIC) {
        float wx[4], wy[4], acc = 0;
        cubic_weights(fx, wx);
        cubic_weights(fy, wy);
        for (int j = 0; j < 4; j++) {
            float r = 0;
            for (int i = 0; i < 4; i++)
                r += wx[i] * sample(p, src, ix - 1 + i, iy - 1 + j);
            acc += wy[j] * r;
        }
        return acc;
    }
    const float a = sample(p, src, ix, iy), b = sample(p, src, ix + 1, iy);
    const float c = sample(p, src, ix, iy + 1), d = sample(p, src, ix + 1, iy + 1);
    const float top = a * (1.0f - fx) + b * fx, bot = c * (1.0f - fx) + d * fx;
    return top * (1.0f - fy) + bot * fy;
}

/* A horizontally sheared row: input row y shifted by s. */
static void xshear_row(const AffinePlan *p, const SmearPlane *src, int y, float *out, float *ext)
{
    const int W = p->w;
    const double s = p->m[1] * y + p->m[2];
    const double k = floor(s);
    const float f = (float)(s - k);
    /* ext[j] is input column k - 1 + j of row y, through the border */
    const int64_t first = (int64_t)k - 1;
    const int n = W + 3;
    const int my = smear_border_index(y, p->h, p->border.mode);
    int64_t lo = -first, hi = (int64_t)W - first; /* j with the column inside */
    lo = lo < 0 ? 0 : lo > n ? n : lo;
    hi = hi < lo ? lo : hi > n ? n : hi;
    for (int j = 0; j < lo; j++)
        ext[j] = sample(p, src, first + j, y);
    if (hi > lo) {
        if (my < 0) {
            for (int64_t j = lo; j < hi; j++)
                ext[j] = (float)p->border.fill;
        } else {
            const uint8_t *row = src->data + (ptrdiff_t)my * src->stride;
            smear_row_to_f32(ext + lo, row + (first + lo) * (p->depth > 8 ? 2 : 1),
                             (int)(hi - lo), p->depth);
        }
    }
    for (int64_t j = hi; j < n; j++)
        ext[j] = sample(p, src, first + j, y);
    if (p->interp == SMEAR_INTERP_BICUBIC) {
        float w[4];
        cubic_weights(f, w);
        for (int x = 0; x < W; x++)
            out[x] = w[0] * ext[x] + w[1] * ext[x + 1] + w[2] * ext[x + 2] + w[3] * ext[x + 3];
    } else {
        const float f0 = 1.0f - f;
        for (int x = 0; x < W; x++)
            out[x] = ext[x + 1] * f0 + ext[x + 2] * f;
    }
}

/* The span [*xa, *xb) of output columns whose taps all lie inside the
 * plane, for a position u(x) = c0 + d x along an axis of n samples, with
 * taps from lo_tap to hi_tap around floor(u). Conservative by a column. */
static void inside_span(double c0, double d, int n, int lo_tap, int hi_tap, int w,
                        int64_t *xa, int64_t *xb)
{
    /* floor(u) + lo_tap >= 0 and floor(u) + hi_tap <= n - 1 hold for
     * u in [-lo_tap, n - hi_tap) */
    const double umin = -lo_tap, umax = (double)n - hi_tap;
    double a, b;
    if (umax <= umin) {
        *xa = *xb = 0;
        return;
    }
    if (d == 0) {
        if (c0 >= umin && c0 < umax)
            a = -1e18, b = 1e18;
        else
            a = b = 0;
    } else {
        double x1 = (umin - c0) / d, x2 = (umax - c0) / d;
        a = x1 < x2 ? x1 : x2;
        b = x1 < x2 ? x2 : x1;
    }
    int64_t ia = (int64_t)ceil(a > -1e9 ? a : -1e9) + 1, ib = (int64_t)floor(b < 1e9 ? b : 1e9) - 1;
    ia = ia < 0 ? 0 : ia > w ? w : ia;
    ib = ib > w ? w : ib;
    *xa = ia;
    *xb = ib > ia ? ib : ia;
}

/* Bilinear samples of a row span straight from the plane, 16 at a time:
 * each 32-bit word gathered holds a sample and its right neighbour. */
static void bilinear_span(const AffinePlan *p, const SmearPlane *src, int x0, int x1, float c0,
                          float c1, float m0, float m3, float *out)
{
    const int deep = p->depth > 8;
    const int32_t stride = (int32_t)src->stride;
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        float sx[16], sy[16], fx[16], fy[16], v[16];
        int32_t i0[16], i1[16];
        uint32_t w0[16], w1[16];
        for (int l = 0; l < 16; l++) {
            const float xf = (float)(x + (l < n ? l : 0));
            sx[l] = m0 * xf + c0;
            sy[l] = m3 * xf + c1;
            const int ix = (int)sx[l], iy = (int)sy[l]; /* both >= 0 here: truncation is floor */
            fx[l] = sx[l] - (float)ix;
            fy[l] = sy[l] - (float)iy;
            i0[l] = iy * stride + (deep ? 2 * ix : ix);
            i1[l] = i0[l] + stride;
        }
        smear_gather32(w0, src->data, i0);
        smear_gather32(w1, src->data, i1);
        for (int l = 0; l < 16; l++) {
            const float a = deep ? (float)(w0[l] & 0xffff) : (float)(w0[l] & 0xff);
            const float b = deep ? (float)(w0[l] >> 16) : (float)((w0[l] >> 8) & 0xff);
            const float c = deep ? (float)(w1[l] & 0xffff) : (float)(w1[l] & 0xff);
            const float d = deep ? (float)(w1[l] >> 16) : (float)((w1[l] >> 8) & 0xff);
            const float top = a * (1.0f - fx[l]) + b * fx[l], bot = c * (1.0f - fx[l]) + d * fx[l];
            v[l] = top * (1.0f - fy[l]) + bot * fy[l];
        }
        memcpy(out + x, v, sizeof(float) * (size_t)n);
    }
}

/* Bicubic samples of a row span of an 8-bit plane straight from the plane:
 * each 32-bit word gathered holds the four taps of a row. */
static void bicubic_span(const SmearPlane *src, int x0, int x1, float c0, float c1, float m0,
                         float m3, float *out)
{
    const int32_t stride = (int32_t)src->stride;
    for (int x = x0; x < x1; x += 16) {
        const int n = x1 - x < 16 ? x1 - x : 16;
        float wx[4][16], wy[4][16], v[16];
        int32_t idx[16];
        uint32_t wd[4][16];
        for (int l = 0; l < 16; l++) {
            const float xf = (float)(x + (l < n ? l : 0));
            const float sx = m0 * xf + c0, sy = m3 * xf + c1;
            const int ix = (int)sx, iy = (int)sy; /* >= 1 here: truncation is floor */
            float w[4];
            cubic_weights(sx - (float)ix, w);
            for (int i = 0; i < 4; i++)
                wx[i][l] = w[i];
            cubic_weights(sy - (float)iy, w);
            for (int i = 0; i < 4; i++)
                wy[i][l] = w[i];
            idx[l] = (iy - 1) * stride + ix - 1;
        }
        for (int j = 0; j < 4; j++) {
            smear_gather32(wd[j], src->data, idx);
            for (int l = 0; l < 16; l++)
                idx[l] += stride;
        }
        for (int l = 0; l < 16; l++) {
            float acc = 0;
            for (int j = 0; j < 4; j++) {
                const uint32_t q = wd[j][l];
                const float r = wx[0][l] * (float)(q & 0xff) + wx[1][l] * (float)((q >> 8) & 0xff) +
                                wx[2][l] * (float)((q >> 16) & 0xff) + wx[3][l] * (float)(q >> 24);
                acc += wy[j][l] * r;
            }
            v[l] = acc;
        }
        memcpy(out + x, v, sizeof(float) * (size_t)n);
    }
}

static void general_row(const AffinePlan *p, const SmearPlane *src, int y, float *out)
{
    const int W = p->w;
    const float m0 = (float)p->m[0], m3 = (float)p->m[3];
    const double c0d = p->m[1] * y + p->m[2], c1d = p->m[4] * y + p->m[5];
    const float c0 = (float)c0d, c1 = (float)c1d;
    int64_t xa = 0, xb = 0;
    if (p->interp == SMEAR_INTERP_BILINEAR) {
        /* taps at 0 and +1; the gathered word reaches 3 (8-bit) or 1 more */
        const int right = p->depth > 8 ? 1 : 3;
        int64_t ya, yb;
        inside_span(c0d, p->m[0], p->w, 0, right, W, &xa, &xb);
        inside_span(c1d, p->m[3], p->h, 0, 1, W, &ya, &yb);
        xa = xa > ya ? xa : ya;
        xb = xb < yb ? xb : yb;
        if (xb < xa)
            xb = xa;
    } else if (p->depth <= 8) {
        /* taps at -1 .. +2, all in the gathered word */
        int64_t ya, yb;
        inside_span(c0d, p->m[0], p->w, -1, 2, W, &xa, &xb);
        inside_span(c1d, p->m[3], p->h, -1, 2, W, &ya, &yb);
        xa = xa > ya ? xa : ya;
        xb = xb < yb ? xb : yb;
        if (xb < xa)
            xb = xa;
    }
    for (int64_t x = 0; x < xa; x++)
        out[x] = interp_mapped(p, src, m0 * (float)x + c0, m3 * (float)x + c1);
    if (xb > xa && p->interp == SMEAR_INTERP_BILINEAR)
        bilinear_span(p, src, (int)xa, (int)xb, c0, c1, m0, m3, out);
    else if (xb > xa)
        bicubic_span(src, (int)xa, (int)xb, c0, c1, m0, m3, out);
    for (int64_t x = xb; x < W; x++)
        out[x] = interp_mapped(p, src, m0 * (float)x + c0, m3 * (float)x + c1);
}

void SMEAR_DSP(smear_affine_rows)(const AffinePlan *p, const SmearPlane *dst,
                                  const SmearPlane *src, int y0, int y1, float *work)
{
    float *out = work, *ext = work + p->w + 8;
    for (int y = y0; y < y1; y++) {
        if (p->xshear)
            xshear_row(p, src, y, out, ext);
        else
            general_row(p, src, y, out);
        smear_f32_to_row(dst->data + (ptrdiff_t)y * dst->stride, out, p->w, p->depth);
    }
}
