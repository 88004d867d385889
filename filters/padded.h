/*
 * smear - padded rows for kernels that read any sample within their reach
 * without checking (defocus, motion). Static inline, for the *_dsp.c files.
 *
 * Such a pass walks down a strip of columns keeping a ring of the input
 * rows its kernel reaches, each converted once (to floats, or 16-bit words
 * for the passes that sum in integers), with its margins
 * filled by the border: input row r in slot (r - first row) % rows.
 */
#ifndef SMEAR_FILTERS_PADDED_H
#define SMEAR_FILTERS_PADDED_H

#include <string.h>

#include "border.h"
#include "kernel.h"
#include "sample.h"

/* Input row r (any integer: the border maps it) at columns c0 .. c0 + n - 1
 * (any integers too), into out as floats, or as 16-bit words when words is
 * set. */
static inline __attribute__((always_inline)) void
smear_pad_strip(void *restrict out, int words, const SmearPlane *src, SmearBorder border, int r,
                int c0, int n)
{
    float *of = out;
    uint16_t *ow = out;
    const int ri = smear_border_index(r, src->h, border.mode);
    if (ri < 0) {
        for (int i = 0; i < n; i++) {
            if (words)
                ow[i] = (uint16_t)border.fill;
            else
                of[i] = (float)border.fill;
        }
        return;
    }
    const uint8_t *row = src->data + (ptrdiff_t)ri * src->stride;
    const int bps = src->depth > 8 ? 2 : 1;
    /* [i0, i1): the columns inside the plane */
    const int i0 = c0 < 0 ? (-c0 < n ? -c0 : n) : 0;
    const int i1 = src->w - c0 < n ? (src->w - c0 > i0 ? src->w - c0 : i0) : n;
    if (border.mode == SMEAR_BORDER_REPLICATE || border.mode == SMEAR_BORDER_CONSTANT) {
        /* each side one value: the edge sample, or the fill */
        const int rep = border.mode == SMEAR_BORDER_REPLICATE;
        const int vl = !rep ? border.fill : bps == 2 ? ((const uint16_t *)row)[0] : row[0];
        const int vr = !rep ? border.fill
                     : bps == 2 ? ((const uint16_t *)row)[src->w - 1] : row[src->w - 1];
        for (int i = 0; i < i0; i++) {
            if (words)
                ow[i] = (uint16_t)vl;
            else
                of[i] = (float)vl;
        }
        for (int i = i1; i < n; i++) {
            if (words)
                ow[i] = (uint16_t)vr;
            else
                of[i] = (float)vr;
        }
    } else {
        for (int i = 0; i < n; i++) {
            if (i == i0)
                i = i1;
            if (i >= n)
                break;
            const int m = smear_border_index((int64_t)c0 + i, src->w, border.mode);
            const int v = m < 0 ? border.fill : bps == 2 ? ((const uint16_t *)row)[m] : row[m];
            if (words)
                ow[i] = (uint16_t)v;
            else
                of[i] = (float)v;
        }
    }
    if (words && bps == 2) {
        memcpy(ow + i0, (const uint16_t *)row + c0 + i0, sizeof(*ow) * (size_t)(i1 - i0));
    } else if (words) {
        const uint8_t *in = row + c0 + i0;
        for (int i = 0; i < i1 - i0; i++)
            ow[i0 + i] = in[i];
    } else {
        smear_row_to_f32(of + i0, row + (ptrdiff_t)(c0 + i0) * bps, i1 - i0, src->depth);
    }
}

/** Input row r at columns c0 .. c0 + n - 1 as floats (see above). */
static inline void smear_pad_strip_row(float *out, const SmearPlane *src, SmearBorder border, int r,
                                       int c0, int n)
{
    smear_pad_strip(out, 0, src, border, r, c0, n);
}

/** The same as 16-bit words. */
static inline void smear_pad_strip_words(uint16_t *out, const SmearPlane *src, SmearBorder border,
                                         int r, int c0, int n)
{
    smear_pad_strip(out, 1, src, border, r, c0, n);
}

/**
 * Output columns per strip for a kernel reaching mx columns each side:
 * wide enough that the columns read on each side cost little, narrower
 * for a huge reach (whose ring would not fit in cache anyway), a multiple
 * of tile and no wider than the plane needs.
 */
static inline int smear_strip_width(int mx, int w, int tile)
{
    int strip = 8 * mx > 256 ? 8 * mx : 256;
    strip = strip > 2048 ? 256 : strip;
    strip = (strip + tile - 1) / tile * tile;
    const int wt = (w + tile - 1) / tile * tile;
    return strip < wt ? strip : wt;
}

/**
 * Output columns per strip for a pass whose ring rows are small (16-bit
 * words): the plane's whole width, a multiple of tile, up to 4096 columns.
 * Each input row is then read once and in order, as the hardware's
 * prefetchers follow; on frames that come from memory that is much faster
 * than short pieces of many rows (a 1080p disk of radius 20: 5.9 ms a frame
 * in strips of 512 columns, 5.0 in whole rows).
 */
static inline int smear_row_strip(int w, int tile)
{
    const int wt = (w + tile - 1) / tile * tile;
    return wt < 4096 ? wt : 4096;
}

/** Values per ring row of a pass that loads whole 64-byte lines around its
 *  tiles: pad values each side of the strip's strip + 2 reach columns,
 *  rounded to whole lines (of 16-bit words; so of 32-bit values too, at
 *  twice the bytes). */
static inline int smear_lined_row(int pad, int strip, int reach)
{
    return (pad + strip + 2 * reach + pad + 31) & ~31;
}

/** tab[k] = the ring row in slot (first + k) % n, for k in [0, n). */
static inline void smear_ring_table(const void **tab, const void *ring, size_t row_bytes, int n,
                                    int first)
{
    for (int k = 0, s = first % n; k < n; k++, s = s + 1 == n ? 0 : s + 1)
        tab[k] = (const uint8_t *)ring + (size_t)s * row_bytes;
}

#endif /* SMEAR_FILTERS_PADDED_H */
