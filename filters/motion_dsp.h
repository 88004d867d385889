/*
 * smear - motion blur: the plan shared by the set-up (motion.c) and the
 * pass (motion_dsp.c).
 *
 * The path's kernel is sparse: about two samples per sample of length. It
 * is applied column by column of the kernel (the rows each column covers),
 * to a tile of up to MOTION_TILE columns at a time with the sums in
 * registers, walking down strips of columns over a ring of the padded input
 * rows within the kernel's reach (see padded.h). On 8-bit planes the ring
 * holds 16-bit words in whole rows, the taps go row by row and are summed
 * two at a time in integers (half the loads of floats, identical bytes in
 * every build); with AVX-512 VNNI each row's taps pick their columns out of
 * whole cache lines around the tile.
 */
#ifndef SMEAR_FILTERS_MOTION_DSP_H
#define SMEAR_FILTERS_MOTION_DSP_H

#include <stddef.h>

#include "cpu.h"
#include "kernel.h"

/** Output columns a strip is a multiple of: the passes compute up to this
 *  many together, in registers. */
#define MOTION_TILE 128

/** Words before and after the columns of a ring row of the integer pass:
 *  a row's column 0 starts a 64-byte line, and loads of whole lines around
 *  a tile's columns stay inside the ring. */
#define MOTION_PAD 64

/** Column dx of the kernel: rows dy0 .. dy0 + n - 1 (weights w, some may be 0). */
typedef struct MotionCol {
    int dx, dy0, n;
    int w;                 ///< index of its first weight in MotionPlan.w
} MotionCol;

/** A tap of the integer pass. */
typedef struct MotionTap {
    int dx, dy;
} MotionTap;

typedef struct MotionPlan {
    int         width, h, depth;
    SmearBorder border;
    int         mx, my;    ///< the kernel's reach each side
    MotionCol  *cols;
    int         nb_cols;
    float      *w;         ///< the columns' weights, the kernel's sum 1
    /* the integer pass, on 8-bit planes */
    int         narrow;
    MotionTap  *taps;      ///< the nonzero samples by row, an even count (the last may weigh 0)
    int         nb_taps;
    int         nb_tap_real; ///< taps before the padding (nb_taps if none)
    int32_t    *qw;        ///< per pair of taps: the first's integer weight | the second's << 16
    float       qscale;    ///< 1 / the sum of the integer weights
    int         strip;     ///< output columns per strip, a multiple of MOTION_TILE
    int         sw;        ///< floats per ring row: strip + 2 mx + slack
    int         pad;       ///< the integer pass: words before a ring row's column 0
    int         vnni;      ///< the CPU has AVX-512 word dot products (SMEAR_CPU_VNNI)
} MotionPlan;

/** Bytes of scratch one job needs: a ring of 2 my + 1 rows, its table, a tile. */
static inline size_t smear_motion_work_size(const MotionPlan *p)
{
    const size_t rows = 2 * (size_t)p->my + 1;
    return sizeof(float) * rows * p->sw + sizeof(void *) * rows + sizeof(float) * (MOTION_TILE + 16);
}

/* Output rows [y0, y1); work: smear_motion_work_size() bytes, 64-byte aligned. */
SMEAR_DSP_DECL(void, smear_motion_rows, (const MotionPlan *p, const SmearPlane *dst,
                                         const SmearPlane *src, int y0, int y1, void *work));

#endif /* SMEAR_FILTERS_MOTION_DSP_H */
