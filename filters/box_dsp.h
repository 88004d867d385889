/*
 * smear - box blur: the plan shared by the set-up (box.c) and the passes
 * (box_dsp.c).
 *
 * A box of width W (any real >= 1) covers R = floor(W/2 - 1/2) whole
 * samples each side of the centre and a fraction e = W/2 - 1/2 - R of the
 * next one, all over W. Both passes are running sums, so the cost does not
 * depend on the size: the vertical one in integers down the columns (exact),
 * LANES rows by BOX_STRIP columns at a time with the strip's sums in
 * registers, each such tile handed to the horizontal one as vectors
 * (lanes.h) while still in the first-level cache.
 */
#ifndef SMEAR_FILTERS_BOX_DSP_H
#define SMEAR_FILTERS_BOX_DSP_H

#include "cpu.h"
#include "kernel.h"

#define BOX_STRIP 64 /* columns of the vertical pass's strips */

typedef struct BoxAxis {
    int   r;     ///< whole samples each side
    float e;     ///< weight of the partial sample on each side, 0..1
    float inv;   ///< 1 / width
    int   none;  ///< width 1: nothing to do along this axis
} BoxAxis;

typedef struct BoxPlan {
    int             w, h, depth;
    SmearBorder     border;
    BoxAxis         x, y;
    uint8_t        *fill_row;   ///< w samples of the fill value
    const uint8_t **rows;       ///< source rows -(y.r + 1) .. h + y.r, set per frame
} BoxPlan;

/* Output rows [y0, y1) (y0 a multiple of LANES) into dst. */
SMEAR_DSP_DECL(void, smear_box_rows, (const BoxPlan *p, const SmearPlane *dst, int y0, int y1,
                                      float *work));

/** Floats of work smear_box_rows needs: the column sums (whole strips), a
 * tile of the vertical pass, the block as vectors with its padding, and
 * the result. */
static inline size_t smear_box_work_floats(const BoxPlan *p)
{
    const size_t w = (size_t)p->w, pad = (size_t)p->x.r + 1;
    const size_t ws = (w + BOX_STRIP - 1) / BOX_STRIP * BOX_STRIP;
    return ws + SMEAR_LANES * BOX_STRIP + (w + 2 * pad) * SMEAR_LANES + w * SMEAR_LANES + 64;
}

#endif /* SMEAR_FILTERS_BOX_DSP_H */
