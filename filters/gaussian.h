/*
 * smear - Gaussian blur.
 *
 * The kernel is the true Gaussian: weights proportional to
 * exp(-(u^2/(2 sigma_x^2) + v^2/(2 sigma_y^2))), normalised to sum 1, where
 * for a sample offset (dx, dy) (y down)
 *     u =  dx cos(angle) + dy sin(angle)
 *     v = -dx sin(angle) + dy cos(angle)
 */
#ifndef SMEAR_FILTERS_GAUSSIAN_H
#define SMEAR_FILTERS_GAUSSIAN_H

#include "kernel.h"

typedef struct SmearGaussianParams {
    double      sigma_x; ///< standard deviation along the blur's own x axis, in samples, >= 0
    double      sigma_y; ///< standard deviation along its y axis, in samples, >= 0
    double      angle;   ///< direction of the blur's own x axis in radians: the unit vector (cos angle, sin angle) in plane coordinates (x right, y down)
    SmearBorder border;
} SmearGaussianParams;

extern const SmearKernel smear_kernel_gaussian;

#endif /* SMEAR_FILTERS_GAUSSIAN_H */
