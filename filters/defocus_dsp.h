/*
 * smear - defocus: the plan shared by the set-up (defocus.c) and the
 * passes (defocus_dsp.c).
 *
 * The disk's kernel is split, column by column, into a run of samples it
 * covers fully (weight 1) and the samples of its edge it covers in part.
 * A run is a difference of two column prefix sums, so only the edge costs
 * a load per sample: about 2 pi r taps plus two loads per column, instead
 * of pi r^2; samples mirrored about the centre share one multiply.
 */
#ifndef SMEAR_FILTERS_DEFOCUS_DSP_H
#define SMEAR_FILTERS_DEFOCUS_DSP_H

#include "cpu.h"
#include "kernel.h"

typedef struct DefocusRun {
    int dx, a, b;     ///< rows a .. b (relative) of columns dx and -dx are fully covered
} DefocusRun;

/** Four mirrored samples (+-dx, +-dy) of equal weight; on an axis the same
 *  sample comes twice (or four times), and w is divided to match. */
typedef struct DefocusTap {
    int   dx, dy;     ///< >= 0
    float w;
} DefocusTap;

typedef struct DefocusPlan {
    int         w, h, depth;
    SmearBorder border;
    int         rx, ry;        ///< kernel reach each side
    int         pw, ph;        ///< padded plane: (w + 2 rx) x (h + 2 ry + 1)
    DefocusRun *runs;          ///< columns dx > 0 (and their mirror -dx)
    int         nb_runs;
    DefocusRun  centre_run;    ///< column 0, when has_centre_run
    int         has_centre_run;
    DefocusTap *taps;
    int         nb_taps;
    float       inv_total;     ///< 1 / the kernel's sum
    float      *P;             ///< the padded plane as floats
    float      *C;             ///< column prefix sums of P: row j holds rows 0 .. j-1
} DefocusPlan;

/* Builds rows [r0, r1) of the padded plane from src. */
SMEAR_DSP_DECL(void, smear_defocus_pad, (const DefocusPlan *p, const SmearPlane *src, int r0, int r1));
/* Prefix sums of padded columns [x0, x1). */
SMEAR_DSP_DECL(void, smear_defocus_prefix, (const DefocusPlan *p, int x0, int x1));
/* Output rows [y0, y1); work holds w floats. */
SMEAR_DSP_DECL(void, smear_defocus_rows, (const DefocusPlan *p, const SmearPlane *dst, int y0,
                                          int y1, float *work));

#endif /* SMEAR_FILTERS_DEFOCUS_DSP_H */
