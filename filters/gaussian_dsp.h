/*
 * smear - Gaussian blur: the plan shared by the set-up (gaussian.c) and the
 * per-instruction-set passes (gaussian_dsp.c).
 *
 * An axis-aligned Gaussian runs in blocks of GAUSS_LANES rows: the block's
 * rows, blurred vertically, are transposed into vectors of GAUSS_LANES
 * samples, one per column, and the horizontal pass filters all the rows of
 * the block at once along x, a vector per step, before they are transposed
 * back. Each 1-D pass is a FIR (the exact sampled Gaussian) for small sigma,
 * or for large sigma a recursive filter whose cost does not depend on
 * sigma: two second-order sections in parallel, causal and anti-causal,
 * fitted to the Gaussian (Deriche's 4th-order fit). A FIR vertical pass is
 * computed block by block from the source; a recursive one needs whole
 * columns, so it runs first over column strips into a scratch plane T laid
 * out strip by strip.
 *
 * A rotated anisotropic Gaussian is factored into a pass along x and a pass
 * along a line slanted from the vertical, sampled with linear interpolation
 * (GaussSlant: a FIR along the line; a kernel spread more along y than
 * along x runs on the transposed plane). A wide one shears the plane so
 * that the line becomes a column and filters it recursively (GaussShear;
 * for a thin one the quadratic B-spline interpolates, which spreads every
 * row alike); a narrow one, where linear interpolation would show, is a
 * plain 2-D FIR (in integers at 8 bits, where it may be split into an x
 * pass and three entries a kernel row). The set-up picks the cheapest
 * route that stays within a level.
 */
#ifndef SMEAR_FILTERS_GAUSSIAN_DSP_H
#define SMEAR_FILTERS_GAUSSIAN_DSP_H

#include <math.h>

#include "cpu.h"
#include "kernel.h"

#define GAUSS_LANES 32        /* rows filtered together in the horizontal pass */
#define GAUSS_STRIP 64        /* columns per strip of the FIR vertical pass */
#define GAUSS_VSTRIP 32       /* columns per strip of the recursive vertical pass: its input
                               * and output strips stay in the second-level cache */
#define GAUSS_MAX_RADIUS 4096 /* FIR taps each side, at most */
#define GAUSS_DIRECT_ROWS 4   /* output rows of a narrow turned kernel computed together (even) */
#define GAUSS_PRE_BITS 14     /* the split direct FIR's x pass: weights' fraction bits */
#define GAUSS_SPLIT_FBITS 4   /* and its output words' */

enum { GAUSS_NONE, GAUSS_FIR, GAUSS_IIR };

/** One 1-D Gaussian along an axis. */
typedef struct GaussAxis {
    int    type;          ///< GAUSS_NONE, GAUSS_FIR or GAUSS_IIR
    int    radius;        ///< FIR: taps each side; IIR: 0
    float *w;             ///< FIR: weights w[0..radius], symmetric, summing to 1 over both sides
    /* IIR: per section s, causal y[n] = b0 x[n] + b1 x[n-1] - a1 y[n-1] - a2 y[n-2],
     * anti-causal u[n] = c1 x[n+1] + c2 x[n+2] - a1 u[n+1] - a2 u[n+2],
     * output the sum of all; steady-state gains for a constant input */
    float  b0[2], b1[2], c1[2], c2[2], a1[2], a2[2];
    float  gc[2], ga[2];  ///< causal and anti-causal gains of each section at DC
    int    pad;           ///< samples of border extension each side (0: steady-state start, replicate)
} GaussAxis;

typedef struct GaussPlan {
    int             w, h, depth;
    SmearBorder     border;
    GaussAxis       vert, horz;
    int             nb_strips; ///< ceil(w / GAUSS_STRIP)
    int             nb_vstrips; ///< ceil(w / GAUSS_VSTRIP)
    int             nb_blocks; ///< ceil(h / GAUSS_LANES)
    int             padx;      ///< columns of border extension for the horizontal pass
    int             pady;      ///< rows of border extension for the vertical pass
    float          *T;         ///< recursive vertical pass: [strip][h][GAUSS_VSTRIP]
    uint8_t        *fill_row;  ///< w + GAUSS_STRIP samples of the fill value
    const uint8_t **rows;      ///< source rows -pady .. h + pady - 1, set per frame
    /* scratch per job */
    int             nb_work;
    size_t          work_floats;
    float          *work;
} GaussPlan;

/* Recursive vertical pass over the column strips [strip0, strip1) into T. */
SMEAR_DSP_DECL(void, smear_gauss_vpass, (const GaussPlan *p, int strip0, int strip1, float *work));
/* Blocks [b0, b1): the vertical pass (FIR, or read from T), then the
 * horizontal one, into dst. */
SMEAR_DSP_DECL(void, smear_gauss_hpass, (const GaussPlan *p, const SmearPlane *dst,
                                         int b0, int b1, float *work));

/** A rotated Gaussian: an axis pass, then a slanted pass. */
typedef struct GaussSlant {
    int         w, h, depth;
    SmearBorder border;
    GaussAxis   axis;        ///< the axis pass (FIR or IIR)
    int         radius;      ///< slanted taps each side
    float      *wt;          ///< slanted weights for t = -radius..radius, stored from 0
    float       slope;       ///< the slanted line's shift along x per row
    int         direct;      ///< small rotated kernels: a plain 2-D FIR (below)
    int         rx, ry;      ///< direct: the kernel's reach
    /* direct: the kernel for a block of R = GAUSS_DIRECT_ROWS output rows at
     * once, over the entries that any of them reads (input row offsets -ry
     * .. ry + R - 1, raster order). The block is symmetric about its centre:
     * entry e (dx, r) and its mirror e' (-dx, R - 1 - r) weigh for row
     * R - 1 - j what they weigh for row j the other way round. Per pair,
     * pair_off[2p], [2p + 1]: where e and e' read the scratch, in floats
     * from the first row's output; for j < R / 2, pair_wt[R p + j]:
     * w_j(e) + w_j(e'), weighing in(e) + in(e'), and pair_wt[R p + R / 2 + j]:
     * w_j(e) - w_j(e'), weighing in(e) - in(e'). Summed over the pairs into
     * S_j and D_j, row j is (S_j + D_j) / 2 and row R - 1 - j is
     * (S_j - D_j) / 2: half the multiplies of the rows one by one. Blocks
     * start at multiples of R, so the bytes do not depend on how the plane is
     * cut into jobs. */
    int         nb_pairs;
    ptrdiff_t  *pair_off;
    float      *pair_wt;
    /* direct at 8 bits: the same sums in integers, exact, on a padded copy
     * of 16-bit words (Sw). The kernel is rounded to integer weights that
     * sum to 1 << bits. Row j of the block is computed shift_x[j] columns
     * to the right (shift_x[R - 1 - j] = -shift_x[j]), so that the rows'
     * kernels line up and the entries that some row reads are fewer; the
     * block stays symmetric. An input row r above the block's middle
     * (r < R / 2) and its mirror row R - 1 - r are read together, in units
     * of two entries: unit i of row r loads the words at columns x + d and
     * x + d + 1 (d = run start + 2 i) as one 32-bit lane per even output
     * column x, and the mirror row's at x - d - 1 and x - d, swapped. The
     * same loads give the odd columns their pairs (d - 1, d), with the
     * previous unit's mirror. Per unit, iwt holds 8 pairs of 16-bit
     * weights: for the even columns, then the odd ones, the sum weights of
     * rows 0 and 1, then the difference weights (as pair_wt). Row u's
     * units: urow_n[u], loaded from urow_a[u] (words from the block's row
     * 0, column 0, at x = 0) and its mirror's from urow_b[u]. */
    int         integer;
    int         bits;
    /* direct at 8 bits, split (a kernel whose rows are at least
     * GAUSS_SPLIT_MIN across): the copy is first blurred along x by the
     * rows' common spread less the quadratic B-spline's, taps -pre_r ..
     * pre_r summing to 1 << GAUSS_PRE_BITS (pre[j]: taps 2 j - pre_r and
     * the next, as the low and high words; a tap past pre_r is 0), and holds
     * the result with fbits fraction bits; each kernel row is then three
     * entries, the B-spline at the row's own shift (see configure_direct()) */
    int         fbits;
    int         pre_r;
    int32_t    *pre;
    int         shift_x[GAUSS_DIRECT_ROWS];
    int         vnni;        ///< AVX-512 VNNI: word dot products
    int         nb_urows;
    int        *urow_n;
    ptrdiff_t  *urow_a, *urow_b;
    int32_t    *iwt;
    uint16_t   *Sw;
    int         mx, my;      ///< margins of the padded scratch
    int         sw, sh;      ///< padded scratch size
    float      *S;           ///< padded scratch of the axis pass, row-major
    int         nb_work;
    size_t      work_floats;
    float      *work;
} GaussSlant;

/** A wide turned Gaussian at a cost that does not grow with sigma: the
 *  plane sheared so that the slanted line becomes a column (each row moved
 *  by slope times its index, interpolated), a recursive pass down the
 *  sheared columns, the rows moved back (interpolated again), and last the
 *  pass along x, which takes the rest of the spread. Linear interpolation
 *  spreads a row by f (1 - f), unevenly from row to row: the x pass takes
 *  that much less on average, and must be wide enough to hide the rest.
 *  Below that, cubic interpolation, which spreads nothing; for the
 *  narrowest, the quadratic B-spline, which spreads each row by 1/4
 *  whatever f (the x pass takes 1/2 less), so that even a thin x pass has
 *  nothing uneven to hide. T holds the
 *  sheared rows -my .. h + my - 1, columns u0 .. u0 + nu - 1, row by row
 *  (floats, or 16-bit fixed point up to 12 bits): sample (row r, column u)
 *  is the plane's at (r, u + slope r). Of each row only the strips within
 *  reach of an output are made and filtered (a parallelogram: see
 *  strip_rows); the rest is neither written nor read. */
typedef struct GaussShear {
    int         w, h, depth;
    SmearBorder border;
    double      slope;     ///< the line's shift along x per row
    int         cubic;     ///< interpolations over four samples (cubic or spline), else linear
    int         spline;    ///< the four samples' weights: the quadratic B-spline's, not Keys's cubic
    GaussAxis   line;      ///< down the sheared columns (recursive)
    GaussAxis   axis;      ///< along x, last (FIR or recursive)
    int         my;        ///< rows of run-up above and below the plane
    int         px;        ///< samples the x pass reaches each side
    int         reach;     ///< plane columns each side of [-px, w + px) a sheared row reads exactly
    int         u0, nu;    ///< sheared columns (nu: whole strips)
    int         rows;      ///< h + 2 my
    /** per strip of T, the rows the recursive pass filters: [strip_rows[2 s],
     *  strip_rows[2 s + 1]), those where some column of the strip is
     *  interpolated (see smear_gauss_shear_span()); beyond them the strip
     *  lies wholly out of reach, is never written and never read */
    int        *strip_rows;
    float      *T;         ///< rows of nu floats, or with fixed:
    int16_t    *T16;       ///< ... rows of nu samples times tscale, rounded (planes up to 12 bits)
    int         fixed;
    float       tscale;    ///< a power of two: 64 at 8 bits, 4 at 12
    int         nb_work;
    size_t      work_floats;
    float      *work;
} GaussShear;

/** Row r of T (0 is plane row -my) as shear_rows makes it: *k, the plane
 *  column of its column 0 rounded down, and *f the fraction; [*a, *b), the
 *  columns interpolated from plane columns within reach of an output
 *  (-px - reach .. w + px + reach). The rest of the strips they lie in,
 *  more than the line's run-up away from any output, repeats their ends;
 *  the other strips of the row are not made. Empty (*a == *b) for a row
 *  wholly beyond reach. */
static inline void smear_gauss_shear_span(const GaussShear *g, int r, int *k, float *f, int *a,
                                          int *b)
{
    const int lo_x = -g->px - g->reach, hi_x = g->w + g->px + g->reach;
    const double xs = g->u0 + g->slope * (r - g->my); /* plane column of sheared column 0 */
    const int c = g->cubic; /* taps before the sample: c, after it: 1 + c */
    *k = (int)floor(xs);
    *f = (float)(xs - *k);
    int lo = lo_x - *k + c, hi = hi_x - *k - 1 - c;
    lo = lo < 0 ? 0 : lo > g->nu ? g->nu : lo;
    hi = hi > g->nu ? g->nu : hi < lo ? lo : hi;
    *a = lo;
    *b = hi;
}

/* Sheared rows [r0, r1) of T (0 is plane row -my). */
SMEAR_DSP_DECL(void, smear_gauss_shear_rows, (const GaussShear *g, const SmearPlane *src,
                                              int r0, int r1, float *work));
/* The recursive pass down strips [s0, s1) of T. */
SMEAR_DSP_DECL(void, smear_gauss_shear_down, (const GaussShear *g, int s0, int s1, float *work));
/* Output rows in blocks of 16, [b0, b1): moved back, the x pass, stored. */
SMEAR_DSP_DECL(void, smear_gauss_shear_out, (const GaussShear *g, const SmearPlane *dst,
                                             int b0, int b1, float *work));

/* Axis pass for rows [i0, i1) of the padded scratch, reading src with the
 * border mapping. */
SMEAR_DSP_DECL(void, smear_gauss_slant_axis, (const GaussSlant *g, const SmearPlane *src,
                                              int i0, int i1, float *work));
/* Slanted pass for output rows [y0, y1). */
SMEAR_DSP_DECL(void, smear_gauss_slant_pass, (const GaussSlant *g, const SmearPlane *dst,
                                              int y0, int y1, float *work));

#endif /* SMEAR_FILTERS_GAUSSIAN_DSP_H */
