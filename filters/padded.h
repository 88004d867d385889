/*
 * smear - a float copy of a plane with margins filled by the border, for
 * kernels that read any sample within their reach without checking
 * (defocus, motion). Static inline, for the *_dsp.c files.
 */
#ifndef SMEAR_FILTERS_PADDED_H
#define SMEAR_FILTERS_PADDED_H

#include "border.h"
#include "kernel.h"
#include "sample.h"

/**
 * Rows [r0, r1) of the padded copy P (pw floats a row) of src: P row r is
 * plane row r - my, P column c plane column c - mx, through the border.
 */
static inline void smear_pad_rows(float *P, int pw, const SmearPlane *src, int mx, int my,
                                  SmearBorder border, int r0, int r1)
{
    const int bps = src->depth > 8 ? 2 : 1;
    for (int r = r0; r < r1; r++) {
        float *out = P + (ptrdiff_t)r * pw;
        const int row_index = smear_border_index((long long)r - my, src->h, border.mode);
        if (row_index < 0) {
            for (int x = 0; x < pw; x++)
                out[x] = (float)border.fill;
            continue;
        }
        const uint8_t *row = src->data + (ptrdiff_t)row_index * src->stride;
        smear_row_to_f32(out + mx, row, src->w, src->depth);
        for (int x = 0; x < pw; x++) {
            if (x == mx)
                x = mx + src->w;
            if (x >= pw)
                break;
            const int m = smear_border_index((long long)x - mx, src->w, border.mode);
            out[x] = m >= 0 ? (bps == 2 ? ((const uint16_t *)row)[m] : row[m]) : (float)border.fill;
        }
    }
}

#endif /* SMEAR_FILTERS_PADDED_H */
