/*
 * smear - defocus (out-of-focus disk, "pillbox") blur.
 *
 * Each output sample is the mean of the input over an ellipse (a disk when
 * radius_x == radius_y) centred on it, with every input sample weighted by
 * the exact area of the ellipse over that sample's unit square, so the
 * radius can change by a fraction of a sample without a jump.
 */
#ifndef SMEAR_FILTERS_DEFOCUS_H
#define SMEAR_FILTERS_DEFOCUS_H

#include "kernel.h"

typedef struct SmearDefocusParams {
    double      radius_x; ///< radius along x in samples, >= 0 (0 on either axis: no blur at all;
                          ///< a radius above 0, however small, is an ellipse that thin, a line
                          ///< along the other axis)
    double      radius_y; ///< radius along y in samples, >= 0
    double      soft;     ///< width of a soft (linear) edge as a fraction of the radius, 0..1 (0 = hard disk)
    SmearBorder border;
} SmearDefocusParams;

extern const SmearKernel smear_kernel_defocus;

/** 1 if a configured defocus kernel (its priv) filters through the Fourier
 *  transform (big or soft-edged disks, see fft.h), 0 if by the disk's
 *  runs and taps; the choice depends on the kernel and the plane's size
 *  only. */
int smear_defocus_is_fourier(const void *priv);

/** The bytes of scratch a configured defocus kernel holds. */
size_t smear_defocus_scratch_bytes(const void *priv);

#endif /* SMEAR_FILTERS_DEFOCUS_H */
