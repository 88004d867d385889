/*
 * smear - motion blur along a path.
 *
 * The kernel is the path a point of the scene traces on the sensor during the
 * exposure: a polyline of points (in samples, relative to the output sample)
 * with equal time between consecutive points, the motion along each segment
 * at constant speed. Each input sample is weighted by the time the path
 * spends inside that sample's unit square: for segment i of N-1, the exact
 * length of the segment inside the square divided by the segment's length,
 * times 1/(N-1). For a straight path (or segments of equal length) that is
 * the exact length inside the square over the total length, so a straight
 * path of any angle and fractional length gives an antialiased line kernel.
 */
#ifndef SMEAR_FILTERS_MOTION_H
#define SMEAR_FILTERS_MOTION_H

#include "kernel.h"

#define SMEAR_MOTION_MAX_POINTS 256

typedef struct SmearMotionPoint {
    double x, y;
} SmearMotionPoint;

typedef struct SmearMotionParams {
    int              nb_points; ///< 1..SMEAR_MOTION_MAX_POINTS; 1 point (or a path of length 0) is no blur
    SmearMotionPoint points[SMEAR_MOTION_MAX_POINTS]; ///< the path; output(p) = mean over the path of input(p + path)
    SmearBorder      border;
} SmearMotionParams;

extern const SmearKernel smear_kernel_motion;

#endif /* SMEAR_FILTERS_MOTION_H */
