/*
 * smear - affine warps (shear, rotation, scale, translation).
 *
 * The matrix maps each output sample position to the input position it
 * samples, with sample centres at whole coordinates:
 *     x_in = m[0] * x + m[1] * y + m[2]
 *     y_in = m[3] * x + m[4] * y + m[5]
 */
#ifndef SMEAR_FILTERS_AFFINE_H
#define SMEAR_FILTERS_AFFINE_H

#include "kernel.h"

typedef enum SmearInterp {
    SMEAR_INTERP_BILINEAR = 0,
    SMEAR_INTERP_BICUBIC  = 1, ///< Catmull-Rom (a = -0.5), clamped to the sample range
} SmearInterp;

typedef struct SmearAffineParams {
    double      m[6];  ///< output -> input mapping, see above
    SmearInterp interp;
    SmearBorder border;
} SmearAffineParams;

extern const SmearKernel smear_kernel_affine;

#endif /* SMEAR_FILTERS_AFFINE_H */
