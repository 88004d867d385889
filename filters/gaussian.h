/*
 * smear - Gaussian blur.
 *
 * The kernel is the true Gaussian: weights proportional to
 * exp(-(u^2/(2 sigma_x^2) + v^2/(2 sigma_y^2))), normalised to sum 1, where
 * for a sample offset (dx, dy) (y down)
 *     u =  dx cos(angle) + dy sin(angle)
 *     v = -dx sin(angle) + dy cos(angle)
 *
 * A kernel turned off the axes is at least SMEAR_GAUSS_TURNED_MIN samples
 * across (see smear_gaussian_floor()); along the axes any sigma, 0
 * included, is taken as it is.
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

/** Below half a sample across, the samples of a Gaussian turned off the
 *  axes no longer add up to an even line: the sum across it ripples by more
 *  than 0.7 % along it, and at zero it is a row of dots, or the centre alone
 *  where the line passes between samples. */
#define SMEAR_GAUSS_TURNED_MIN 0.5

/** The sigmas the kernel applies: unchanged on an axis (an angle less than
 *  1e-9 right angles from a multiple of a right angle, which is taken as
 *  that multiple) or when equal; otherwise the narrower is raised to
 *  SMEAR_GAUSS_TURNED_MIN, or to the wider if that is less. */
void smear_gaussian_floor(double *sigma_x, double *sigma_y, double angle);

/** The way the instance's last configuration blurs, for tests and the
 *  benchmark: "identity", "axes" (separable), "direct" (the 2-D kernel),
 *  "direct split" (an x pass, then three entries a kernel row), "slanted"
 *  (an x pass and a FIR along the slanted line), "wide" or "wide spline"
 *  (the plane sheared, interpolated linearly or cubically, or by the
 *  quadratic B-spline); all but the first three with " transposed" when
 *  they run on the transposed plane; "none" before a configuration
 *  succeeds. */
const char *smear_gaussian_route(const void *priv);

extern const SmearKernel smear_kernel_gaussian;

#endif /* SMEAR_FILTERS_GAUSSIAN_H */
