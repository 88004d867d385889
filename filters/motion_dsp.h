/*
 * smear - motion blur: the plan shared by the set-up (motion.c) and the
 * pass (motion_dsp.c).
 *
 * The path's kernel is sparse: about two samples per sample of length. It
 * is applied as a list of taps over a padded float copy of the plane, a
 * tile of 64 columns at a time moving down the plane, so the rows within
 * the kernel's reach stay in cache and the sums stay in registers.
 */
#ifndef SMEAR_FILTERS_MOTION_DSP_H
#define SMEAR_FILTERS_MOTION_DSP_H

#include "cpu.h"
#include "kernel.h"

typedef struct MotionTap {
    int   dx, dy;
    float w;
} MotionTap;

typedef struct MotionPlan {
    int         w, h, depth;
    SmearBorder border;
    int         mx, my;    ///< margins of the padded copy
    int         pw, ph;
    MotionTap  *taps;
    int         nb_taps;
    float      *P;         ///< padded copy, pw x ph floats (+ slack)
} MotionPlan;

SMEAR_DSP_DECL(void, smear_motion_pad, (const MotionPlan *p, const SmearPlane *src, int r0, int r1));
/* Output rows [y0, y1); work holds 64 floats. */
SMEAR_DSP_DECL(void, smear_motion_rows, (const MotionPlan *p, const SmearPlane *dst, int y0, int y1,
                                         float *work));

#endif /* SMEAR_FILTERS_MOTION_DSP_H */
