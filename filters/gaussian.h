/*
 * smear - Gaussian blur.
 *
 * The kernel is the true Gaussian: weights proportional to
 * exp(-(u^2/(2 sigma_x^2) + v^2/(2 sigma_y^2))), where (u, v) are the sample
 * offsets rotated by angle, normalised to sum 1.
 */
#ifndef SMEAR_FILTERS_GAUSSIAN_H
#define SMEAR_FILTERS_GAUSSIAN_H

#include "kernel.h"

typedef struct SmearGaussianParams {
    double      sigma_x; ///< standard deviation along the blur's own x axis, in samples, >= 0
    double      sigma_y; ///< standard deviation along its y axis, in samples, >= 0
    double      angle;   ///< rotation of the blur's x axis from the plane's x axis, radians, counter-clockwise with y down
    SmearBorder border;
} SmearGaussianParams;

extern const SmearKernel smear_kernel_gaussian;

#endif /* SMEAR_FILTERS_GAUSSIAN_H */
