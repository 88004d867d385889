/*
 * smear - box (mean) blur.
 *
 * A w x h window of equal weights centred on each sample. Sizes need not be
 * whole: a window of width 4.5 covers 4 whole samples and a quarter of the
 * next one on each side (area weighting), so sizes scaled for subsampled
 * chroma planes stay exact.
 */
#ifndef SMEAR_FILTERS_BOX_H
#define SMEAR_FILTERS_BOX_H

#include "kernel.h"

typedef struct SmearBoxParams {
    double      w, h; ///< window size in samples, >= 1 (1 = no blur along that axis)
    SmearBorder border;
} SmearBoxParams;

extern const SmearKernel smear_kernel_box;

#endif /* SMEAR_FILTERS_BOX_H */
