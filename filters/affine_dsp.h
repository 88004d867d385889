/*
 * smear - affine warps: the plan shared by the set-up (affine.c) and the
 * per-instruction-set rows (affine_dsp.c).
 *
 * Every output row maps to a straight line of input positions. A pure
 * horizontal shear (the rolling-shutter skew) maps each row to a shifted
 * copy of the same input row: the row is filtered with fixed weights, two
 * (bilinear) or four (bicubic) taps. A pure vertical shear of slope at most
 * 1 maps each column to a shifted copy of the same input column: for a tile
 * of 64 columns the few input rows its columns reach are loaded whole and
 * each column's taps picked out of them with byte masks, then weighted by
 * the column's fixed weights. Otherwise each sample is interpolated
 * at its own position: over the span of the row where every tap lies
 * inside the plane, taps are gathered straight from the plane (on CPUs
 * with byte permutes, picked out of the few input rows that 16
 * neighbouring samples touch, with no gather, bilinear or bicubic, at any
 * depth); the rest of the row maps its taps through the border 16 samples
 * at a time (with byte permutes and the replicated border, it is picked
 * out as inside, taps clamped to the plane).
 */
#ifndef SMEAR_FILTERS_AFFINE_DSP_H
#define SMEAR_FILTERS_AFFINE_DSP_H

#include <stdint.h>

#include "affine.h"
#include "cpu.h"
#include "kernel.h"

typedef struct AffinePlan {
    int         w, h, depth;
    double      m[6];
    SmearInterp interp;
    SmearBorder border;
    int         xshear;  ///< m is [1 s t; 0 1 0]: each row is a shifted input row
    int         vbmi;    ///< the CPU has byte permutes (AVX-512 VBMI)
    int         yshear;  ///< m is [1 0 0; s 1 t] with |s| <= 1: each column is a shifted input column
    /* the vertical shear's tables, per column x: K(x) = floor(s x + t) */
    int         ykmin, ykmax; ///< the least and greatest K
    int        *ytile_k;    ///< per tile of 64 columns: the least K of its columns
    int        *ytile_span; ///< per tile: the greatest K less the least
    uint8_t    *yrel8;      ///< per column: K less its tile's least (w + 64 entries)
    uint16_t   *yrel16;     ///< the same as 16-bit words (w + 64 entries)
    float      *yw;         ///< per column: its taps' weights (2 or 4 a column)
    uint8_t    *yfill;      ///< a row of the border's fill value (w + 64 samples)
} AffinePlan;

/** Catmull-Rom weights for the taps at -1, 0, 1, 2 around a fraction t. */
static inline void smear_cubic_weights(float t, float w[4])
{
    const float t2 = t * t, t3 = t2 * t;
    w[0] = -0.5f * t3 + t2 - 0.5f * t;
    w[1] = 1.5f * t3 - 2.5f * t2 + 1.0f;
    w[2] = -1.5f * t3 + 2.0f * t2 + 0.5f * t;
    w[3] = 0.5f * t3 - 0.5f * t2;
}

/** Builds the vertical shear's tables of p (whose m, w and interp are set);
 *  0 or -ENOMEM. */
int  smear_affine_yshear_init(AffinePlan *p);
void smear_affine_yshear_free(AffinePlan *p);

/** Input rows a tile of a vertical shear reads, at most (a span of 64 for a
 *  slope of 1, and 4 taps). */
#define YSHEAR_MAX_ROWS 68

/** Bytes of scratch a job of a vertical shear needs besides its output row:
 *  taps, copies of a tile's rows, the band's rows. */
static inline size_t smear_affine_yshear_scratch(const AffinePlan *p)
{
    return 512 + (128 + sizeof(void *)) * YSHEAR_MAX_ROWS +
           sizeof(void *) * ((size_t)p->h + (size_t)(p->ykmax - p->ykmin) + 4);
}

/* Output rows [y0, y1) into dst; work holds 2 * (w + 16) floats and, for a
 * vertical shear, smear_affine_yshear_scratch() bytes more. */
SMEAR_DSP_DECL(void, smear_affine_rows, (const AffinePlan *p, const SmearPlane *dst,
                                         const SmearPlane *src, int y0, int y1, float *work));

#endif /* SMEAR_FILTERS_AFFINE_DSP_H */
