/*
 * smear - border handling shared by every kernel.
 *
 * A kernel never invents its own edge rule: it maps outside coordinates with
 * smear_border_index(), or pads a row of floats with smear_border_pad_f32().
 */
#ifndef SMEAR_FILTERS_BORDER_H
#define SMEAR_FILTERS_BORDER_H

#include "kernel.h"

/**
 * Maps coordinate i (any integer) onto [0, n) by the border mode.
 * Returns -1 for SMEAR_BORDER_CONSTANT when i lies outside: the caller then
 * uses the fill value.
 */
static inline int smear_border_index(int64_t i, int n, SmearBorderMode mode)
{
    if (i >= 0 && i < n)
        return (int)i;
    switch (mode) {
    case SMEAR_BORDER_REFLECT: {
        int64_t p = 2 * (int64_t)n; /* period of the mirrored signal */
        int64_t m = i % p;
        if (m < 0)
            m += p;
        return (int)(m < n ? m : p - 1 - m);
    }
    case SMEAR_BORDER_WRAP: {
        int64_t m = i % n;
        return (int)(m < 0 ? m + n : m);
    }
    case SMEAR_BORDER_CONSTANT:
        return -1;
    case SMEAR_BORDER_REPLICATE:
    default:
        return i < 0 ? 0 : n - 1;
    }
}

/**
 * Fills row[-left .. -1] and row[n .. n+right-1] from row[0 .. n-1] by the
 * border mode. fill is the value used by SMEAR_BORDER_CONSTANT.
 */
void smear_border_pad_f32(float *row, int n, int left, int right,
                          SmearBorderMode mode, float fill);

/** Name of a border mode ("replicate", ...), for messages and logs. */
const char *smear_border_name(SmearBorderMode mode);

#endif /* SMEAR_FILTERS_BORDER_H */
