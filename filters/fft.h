/*
 * smear - convolution through the fast Fourier transform, tile by tile.
 *
 * For kernels that no cheaper decomposition serves, such as a disk with a
 * soft edge, whose every edge sample would be a tap: its cost per sample
 * does not depend on the kernel's shape, only (through the tile size) on
 * its reach.
 *
 * The output is cut into tiles of (T - 2 rx) x (T - 2 ry) samples; each
 * tile's input, T x T samples with the kernel's reach around it (the
 * border fills what lies outside the plane), is transformed, multiplied by
 * the kernel's spectrum and transformed back; the samples the circular
 * convolution wraps into are the margins, dropped. Two tiles share one
 * complex transform: one is its real part, the other its imaginary part,
 * which a real kernel keeps apart. Every tile is computed alone, in float,
 * with the same arithmetic in every instruction-set build, so the output
 * does not depend on the build or on the cut into jobs (runs of pairs of
 * tiles).
 *
 * Layout: a T x T array of floats is stored as T / L strips of L columns,
 * each strip row after row (L floats a row), so that a pass down the
 * columns works on L of them at once in a vector; L is the build's vector
 * width (16, 8 or 4 floats). The arithmetic of each column does not
 * depend on it.
 */
#ifndef SMEAR_FILTERS_FFT_H
#define SMEAR_FILTERS_FFT_H

#include <stddef.h>

#include "cpu.h"
#include "kernel.h"

typedef struct SmearFftConv {
    int         w, h, depth;
    SmearBorder border;
    int         rx, ry;    ///< the kernel's reach each side
    int         T;         ///< tile size, a power of two, at least 32
    int         lanes;     ///< columns of a strip in the layout of the build picked
    int         vx, vy;    ///< outputs of a tile along x and y: T - 2 rx, T - 2 ry
    int         tx, ty;    ///< tiles across and down the plane
    float      *twr, *twi; ///< exp(-2 pi i k / T), k < 3 T / 4
    float      *kr;        ///< the kernel's spectrum in the passes' layout, times 1 / T^2:
                           ///< real, as the kernel is symmetric (in the caller's memory)
} SmearFftConv;

/** The tile size for a w x h plane: the power of two from 32 to max_t, at
 *  least twice the kernel's extent, of the least smear_fft_cost(); 0 if
 *  the kernel is too big for max_t. */
int smear_fft_tile(int w, int h, int rx, int ry, int max_t);

/** The work of the convolution per output sample: the butterflies of the
 *  transforms there and back, over pairs of tiles of T (INFINITY if the
 *  kernel leaves no output in a tile). */
double smear_fft_cost(int w, int h, int rx, int ry, int T);

/** Bytes of scratch a job needs on tiles of T (64-byte aligned), and
 *  bytes the kernel's spectrum takes. */
static inline size_t smear_fft_conv_work(int T)
{
    return (2 * (size_t)T * T + (size_t)T + 64) * sizeof(float);
}
static inline size_t smear_fft_conv_spectrum(int T)
{
    return (size_t)T * T * sizeof(float);
}

/** Sets c up for the kernel k, (2 ry + 1) rows of 2 rx + 1 weights with
 *  the sum total, as out(x, y) = sum of k[dy][dx] in(x + dx, y + dy) / total,
 *  symmetric about its centre (k[dy][dx] = k[-dy][-dx], as a disk's),
 *  whose spectrum is real,
 *  on tiles of T (see smear_fft_tile()): its spectrum into spectrum
 *  (smear_fft_conv_spectrum() bytes, 64-byte aligned, which the caller
 *  keeps while c is used), with a job's scratch (smear_fft_conv_work()
 *  bytes) to work in. 0 or a negative errno. */
int  smear_fft_conv_init(SmearFftConv *c, const double *k, int rx, int ry, double total, int T,
                         const SmearPlaneInfo *info, SmearBorder border, unsigned cpu,
                         float *spectrum, void *scratch);
void smear_fft_conv_free(SmearFftConv *c);

/** The columns of a strip in the build's layout. */
SMEAR_DSP_DECL(int, smear_fft_lanes, (void));

/** The forward transform of the T x T array (re, im) in place, into the
 *  passes' own order (bit-reversed, transposed). */
SMEAR_DSP_DECL(void, smear_fft_forward, (const SmearFftConv *c, float *re, float *im));

/** Pairs of tiles a plane's convolution transforms: the pairs of each
 *  row of tiles, left to right, then the next row. */
static inline int smear_fft_conv_pairs(const SmearFftConv *c)
{
    return c->ty * ((c->tx + 1) / 2);
}

/** The outputs of pairs of tiles [p0, p1) (see smear_fft_conv_pairs()). */
SMEAR_DSP_DECL(void, smear_fft_conv_pairs_run, (const SmearFftConv *c, const SmearPlane *dst,
                                                const SmearPlane *src, int p0, int p1,
                                                void *work));

#endif /* SMEAR_FILTERS_FFT_H */
