/*
 * smear - the kernels' float64 references, written plainly from the
 * definitions and shared by the unit tests and the kernels' fuzz target.
 *
 * The blurs are direct 2-D convolutions with a table of weights (RefTaps)
 * built from the analytic kernel: the continuous Gaussian sampled out to 5
 * sigma, the box's area weights, the disk's area (or its soft profile)
 * over each sample square found by fine numerical integration (the kernel
 * uses closed forms and, on a soft ramp, a few points), the path's length
 * over each square found by walking it in tiny steps (the kernel computes
 * the crossings). The affine warp is bilinear or
 * Catmull-Rom interpolation at the exact transformed position. Samples
 * outside the plane come from the border mode. None of this shares code
 * with the kernels beyond smear_border_index().
 */
#ifndef SMEAR_TESTS_REFERENCE_H
#define SMEAR_TESTS_REFERENCE_H

#include <stddef.h>

#include "affine.h"
#include "box.h"
#include "defocus.h"
#include "gaussian.h"
#include "kernel.h"
#include "motion.h"

/** Weights w[j * kw + i] for the input sample at offset (x0 + i, y0 + j)
 *  from the output sample, summing to 1. */
typedef struct RefTaps {
    int         x0, y0, kw, kh;
    double     *w;
    SmearBorder border;
} RefTaps;

/* Each builder returns 0, or -1 when out of memory (taps->w is then NULL). */
int ref_taps_gaussian(RefTaps *taps, const SmearGaussianParams *gp);
int ref_taps_box(RefTaps *taps, const SmearBoxParams *bp);
int ref_taps_defocus(RefTaps *taps, const SmearDefocusParams *dp);
int ref_taps_motion(RefTaps *taps, const SmearMotionParams *mp);
/** The taps of any of the four convolutions (Gaussian, box, defocus,
 *  motion) with its parameters; -1 for another kernel or out of memory. */
int ref_taps_kernel(RefTaps *taps, const SmearKernel *k, const void *params);
void ref_taps_free(RefTaps *taps);


/** Sample (x, y) of the plane, which must lie inside it. */
double ref_sample(const SmearPlane *in, int x, int y);

/** How many levels of the depth got is off ref rounded half up and clamped
 *  to the samples' range, as an output is (INT_MAX for a ref that is not
 *  finite). */
int ref_levels_off(double ref, int got, int depth);

/** The exact (unrounded) output sample (x, y) of the convolution. */
double ref_taps_at(const RefTaps *taps, const SmearPlane *in, int x, int y);

/** The exact (unrounded) output sample (x, y) of the affine warp. */
double ref_affine_at(const SmearAffineParams *ap, const SmearPlane *in, int x, int y);

#endif /* SMEAR_TESTS_REFERENCE_H */
