/*
 * smear - convolution through the fast Fourier transform: the set-up (the
 * passes are in fft_dsp.c; see fft.h).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fft.h"

/* Complex transforms of T x T a w x h plane takes: pairs of tiles. */
static double transforms(int w, int h, int rx, int ry, int T)
{
    const int vx = T - 2 * rx, vy = T - 2 * ry;
    if (vx < 1 || vy < 1)
        return INFINITY;
    const double tx = ceil((double)w / vx), ty = ceil((double)h / vy);
    return ceil(tx / 2) * ty;
}

double smear_fft_cost(int w, int h, int rx, int ry, int T)
{
    const double n = transforms(w, h, rx, ry, T);
    int lg = 0;
    while ((1 << lg) < T)
        lg++;
    /* two transforms (there and back) of T^2 log2(T^2) / 2 butterflies */
    return n * 2 * (double)T * T * lg / ((double)w * h);
}

int smear_fft_tile(int w, int h, int rx, int ry, int max_t)
{
    int best = 0;
    double best_cost = INFINITY;
    for (int T = 32; T <= max_t; T *= 2) {
        if (T < 2 * (2 * (rx > ry ? rx : ry) + 1))
            continue;
        const double cost = smear_fft_cost(w, h, rx, ry, T);
        if (cost < best_cost)
            best = T, best_cost = cost;
    }
    return best;
}

void smear_fft_conv_free(SmearFftConv *c)
{
    free(c->twr);
    free(c->twi);
    memset(c, 0, sizeof(*c));
}

int smear_fft_conv_init(SmearFftConv *c, const double *k, int rx, int ry, double total, int T,
                        const SmearPlaneInfo *info, SmearBorder border, unsigned cpu,
                        float *spectrum, void *scratch)
{
    memset(c, 0, sizeof(*c));
    if (T < 32 || (T & (T - 1)) || T - 2 * rx < 1 || T - 2 * ry < 1 || !(total > 0))
        return -EINVAL;
    /* symmetric about the centre, to rounding: the spectrum is real, and
     * what the transform leaves in its imaginary part is rounding */
    const size_t nk = (size_t)(2 * rx + 1) * (2 * ry + 1);
    double kmax = 0;
    for (size_t e = 0; e < nk; e++)
        kmax = fabs(k[e]) > kmax ? fabs(k[e]) : kmax;
    for (size_t e = 0; e < nk; e++)
        if (!(fabs(k[e] - k[nk - 1 - e]) <= 1e-12 * kmax))
            return -EINVAL;
    c->w = info->w;
    c->h = info->h;
    c->depth = info->depth;
    c->border = border;
    c->rx = rx;
    c->ry = ry;
    c->T = T;
    c->vx = T - 2 * rx;
    c->vy = T - 2 * ry;
    c->tx = (c->w + c->vx - 1) / c->vx;
    c->ty = (c->h + c->vy - 1) / c->vy;
    c->lanes = SMEAR_DSP_PICK(smear_fft_lanes, cpu)();
    const size_t TT = (size_t)T * T;
    c->twr = malloc(sizeof(float) * 3 * T / 4);
    c->twi = malloc(sizeof(float) * 3 * T / 4);
    c->kr = spectrum;
    float *re = spectrum, *im = scratch;
    if (!c->twr || !c->twi) {
        smear_fft_conv_free(c);
        return -ENOMEM;
    }
    for (int i = 0; i < 3 * T / 4; i++) {
        c->twr[i] = (float)cos(-2 * M_PI * i / T);
        c->twi[i] = (float)sin(-2 * M_PI * i / T);
    }
    /* the circular convolution's kernel: out(p) = sum of in(q) g(p - q), so
     * g(e) = k(-e), at e modulo T; with the inverse's 1 / T^2 */
    memset(re, 0, sizeof(float) * TT);
    memset(im, 0, sizeof(float) * TT);
    const double scale = 1 / (total * (double)TT);
    for (int dy = -ry; dy <= ry; dy++)
        for (int dx = -rx; dx <= rx; dx++) {
            const int ex = (-dx + T) % T, ey = (-dy + T) % T;
            re[((size_t)(ex / c->lanes) * T + ey) * c->lanes + ex % c->lanes] =
                (float)(k[(size_t)(dy + ry) * (2 * rx + 1) + dx + rx] * scale);
        }
    SMEAR_DSP_PICK(smear_fft_forward, cpu)(c, re, im);
    return 0;
}
