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
 * The ring of a strip stays in the second-level cache (for 1080p, the
 * words' strips are whole rows up to a reach of 37: smear_row_strip()), and
 * each input row is converted and summed once per strip as it enters the
 * ring. Where every run of the disk's columns sums to below 2^15
 * (DEFOCUS_WORD_SUM: a disk of radius below 64.5 at 8 bits, 16.5 at 10,
 * 4.5 at 12), the ring holds 16-bit words instead and the sums are
 * integers throughout (half the loads; see defocus_dsp.c). With AVX-512
 * (and VNNI, for the words), both passes load whole cache lines around a
 * tile and pick the terms' columns out of them with permutes, as long as
 * the disk reaches at most 63 (words) or 32 (floats) columns.
 *
 * A disk whose edge is soft (every sample on its ramp a tap) or that is
 * big enough goes through the Fourier transform instead (fft.h), at a
 * cost that does not depend on its shape; defocus.c picks the way from
 * the kernel and the plane's size.
 */
#ifndef SMEAR_FILTERS_DEFOCUS_DSP_H
#define SMEAR_FILTERS_DEFOCUS_DSP_H

#include <stddef.h>

#include "cpu.h"
#include "kernel.h"

/** Output columns a strip is a multiple of: the passes compute up to this
 *  many together, in registers. */
#define DEFOCUS_TILE 128

typedef struct DefocusRun {
    int dx, a, b;     ///< rows a .. b (relative) of columns dx and -dx are fully covered
} DefocusRun;

/** Four mirrored samples (+-dx, +-dy) of equal weight; on an axis the same
 *  sample comes twice (or four times), and w is divided to match. */
typedef struct DefocusTap {
    int   dx, dy;     ///< >= 0
    float w;
} DefocusTap;

/** The narrow pass's terms sum to below this: each run's column (or, where
 *  that stays below it too, its mirrored pair of columns, then one term),
 *  and each tap's four samples. */
#define DEFOCUS_WORD_SUM 32768

/** Values (words, floats or 32-bit sums) around the columns of a ring row,
 *  each side: a row's column 0 starts a 64-byte line, and loads of whole
 *  lines around a tile's columns stay inside the ring. */
#define DEFOCUS_PAD 64

/** A term of the narrow pass: a run's mirrored pair of columns (the centre
 *  column's counted twice, at half the weight) when the plan's runs are
 *  paired, else the run's one column dx (of either sign: a run makes two
 *  terms, its centre column one); or a tap's four mirrored samples. Padding
 *  terms have weight 0. */
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
    float       inv_total;     ///< 1 / the kernel's sum, in the taps' weights' units
    /* the narrow pass (see DEFOCUS_WORD_SUM): 16-bit words, integer
     * weights */
    int         narrow;
    int         paired;        ///< a run term is the run's mirrored pair of columns
    DefocusTerm *terms;        ///< the runs, then the taps, an even count of each
    int         nb_run_terms;
    int         nb_terms;
    int         nb_run_real;   ///< terms before the runs' padding (nb_run_terms if none)
    int         nb_term_real;  ///< terms before the taps' padding (nb_terms if none)
    int32_t    *qw;            ///< per pair of terms: the first's weight | the second's << 16
    float       qscale;        ///< 1 / the sum of the integer weights over the kernel
    int         strip;         ///< output columns per strip, a multiple of DEFOCUS_TILE
    int         sw;            ///< floats (or integers) per ring row: strip + 2 rx + slack
    int         pad;           ///< values before a ring row's column 0
    int         vnni;          ///< the CPU has AVX-512 word dot products (SMEAR_CPU_VNNI)
} DefocusPlan;

/** A job's scratch: the ring of padded rows (floats, or 16-bit words in
 *  the narrow pass), the ring of column sums (32-bit, or 16-bit words), the
 *  rings' row tables and a tile of output. */
typedef struct DefocusWork {
    void        *P, *C;
    const void **prow, **crow;
    float       *acc;
} DefocusWork;

/** Lays a job's scratch out from base (64-byte aligned; NULL to size it
 *  only) and returns its size in bytes. */
static inline size_t smear_defocus_work(const DefocusPlan *p, void *base, DefocusWork *w)
{
    const size_t np = 2 * (size_t)p->ry + 1, nc = np + 1;
    const size_t sizes[5] = { sizeof(float) * np * p->sw, sizeof(uint32_t) * nc * p->sw,
                              sizeof(void *) * np, sizeof(void *) * nc,
                              sizeof(float) * DEFOCUS_TILE };
    void *at[5];
    size_t off = 0;
    for (int i = 0; i < 5; i++) {
        at[i] = base ? (uint8_t *)base + off : NULL;
        off += (sizes[i] + 63) & ~(size_t)63;
    }
    if (w)
        *w = (DefocusWork){ at[0], at[1], (const void **)at[2], (const void **)at[3], at[4] };
    return off;
}

/* Output rows [y0, y1); work: smear_defocus_work() bytes, 64-byte aligned. */
SMEAR_DSP_DECL(void, smear_defocus_rows, (const DefocusPlan *p, const SmearPlane *dst,
                                          const SmearPlane *src, int y0, int y1, void *work));

#endif /* SMEAR_FILTERS_DEFOCUS_DSP_H */
