/*
 * smear - defocus: the plan shared by the set-up (defocus.c) and the
 * pass (defocus_dsp.c).
 *
 * The disk's kernel is split, column by column, into a run of samples it
 * covers fully (weight 1) and the samples of its edge it covers in part.
 * A run is a difference of two column prefix sums, so only the edge costs
 * a load per sample: about 2 pi r taps plus two loads per column, instead
 * of pi r^2; samples mirrored about the centre share one multiply.
 *
 * The pass walks down a strip of columns with a ring of the rows the
 * kernel reaches: the padded input as floats, and its column prefix sums
 * as 32-bit integers (exact, so a run's sum does not depend on where the
 * sums started, and the output not on how the plane is cut into jobs).
 * The ring of a strip stays in the second-level cache, and each input row
 * is converted and summed once per strip as it enters the ring. On 8-bit
 * planes with a reach of up to DEFOCUS_NARROW_REACH rows, the ring holds
 * 16-bit words instead and the sums are integers throughout (half the
 * loads; see defocus_dsp.c).
 */
#ifndef SMEAR_FILTERS_DEFOCUS_DSP_H
#define SMEAR_FILTERS_DEFOCUS_DSP_H

#include <stddef.h>

#include "cpu.h"
#include "kernel.h"

/** Output columns computed together, in registers. */
#define DEFOCUS_TILE 64

typedef struct DefocusRun {
    int dx, a, b;     ///< rows a .. b (relative) of columns dx and -dx are fully covered
} DefocusRun;

/** Four mirrored samples (+-dx, +-dy) of equal weight; on an axis the same
 *  sample comes twice (or four times), and w is divided to match. */
typedef struct DefocusTap {
    int   dx, dy;     ///< >= 0
    float w;
} DefocusTap;

/** The narrow pass's reach, at most: a mirrored pair of runs of 2 ry + 1
 *  samples of 8 bits sums to below 2^15. */
#define DEFOCUS_NARROW_REACH 31

/** A term of the narrow pass: a run's mirrored pair of columns (the centre
 *  column's counted twice, at half the weight), or a tap's four mirrored
 *  samples; padding terms have weight 0. */
typedef struct DefocusTerm {
    int dx, dy, a, b;
} DefocusTerm;

typedef struct DefocusPlan {
    int         w, h, depth;
    SmearBorder border;
    int         rx, ry;        ///< kernel reach each side
    DefocusRun *runs;          ///< columns dx > 0 (and their mirror -dx)
    int         nb_runs;
    int         run_chunk;     ///< runs summed as integers before one conversion (no overflow)
    DefocusRun  centre_run;    ///< column 0, when has_centre_run
    int         has_centre_run;
    DefocusTap *taps;
    int         nb_taps;
    float       inv_total;     ///< 1 / the kernel's sum
    /* the narrow pass (8-bit samples, ry <= DEFOCUS_NARROW_REACH): 16-bit
     * words, integer weights */
    int         narrow;
    DefocusTerm *terms;        ///< the runs, then the taps, an even count of each
    int         nb_run_terms;
    int         nb_terms;
    int32_t    *qw;            ///< per pair of terms: the first's weight | the second's << 16
    float       qscale;        ///< 1 / the sum of the integer weights over the kernel
    int         strip;         ///< output columns per strip, a multiple of DEFOCUS_TILE
    int         sw;            ///< floats (or integers) per ring row: strip + 2 rx + slack
} DefocusPlan;

/** Bytes of scratch one job needs (its rings, row tables and a tile). */
size_t smear_defocus_work_size(const DefocusPlan *p);

/* Output rows [y0, y1); work: smear_defocus_work_size() bytes, 64-byte aligned. */
SMEAR_DSP_DECL(void, smear_defocus_rows, (const DefocusPlan *p, const SmearPlane *dst,
                                          const SmearPlane *src, int y0, int y1, void *work));

#endif /* SMEAR_FILTERS_DEFOCUS_DSP_H */
