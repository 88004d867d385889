/*
 * smear - affine warps: the plan shared by the set-up (affine.c) and the
 * per-instruction-set rows (affine_dsp.c).
 *
 * Every output row maps to a straight line of input positions. A pure
 * horizontal shear (the rolling-shutter skew) maps each row to a shifted
 * copy of the same input row: the row is filtered with fixed weights, two
 * (bilinear) or four (bicubic) taps. Otherwise each sample is interpolated
 * at its own position: over the span of the row where every tap lies
 * inside the plane, neighbours are gathered straight from the plane (on
 * CPUs with byte permutes, picked out of the few input rows that 16
 * neighbouring samples touch, with no gather); the rest of the row goes
 * through the border mapping sample by sample.
 */
#ifndef SMEAR_FILTERS_AFFINE_DSP_H
#define SMEAR_FILTERS_AFFINE_DSP_H

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
} AffinePlan;

/* Output rows [y0, y1) into dst; work holds 2 * (w + 8) floats. */
SMEAR_DSP_DECL(void, smear_affine_rows, (const AffinePlan *p, const SmearPlane *dst,
                                         const SmearPlane *src, int y0, int y1, float *work));

#endif /* SMEAR_FILTERS_AFFINE_DSP_H */
