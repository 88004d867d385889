/*
 * smear - the augmentation chain: "blur=sigma=2:border=reflect,shear=x=0.1".
 *
 * Filters are separated by commas, options by colons, as in an FFmpeg filter
 * chain; a value may be quoted with '...' and commas or colons inside
 * parentheses do not split, so "blur=sigma=keys(0:1,2:4)" needs no quotes.
 * An option without a name takes the next option in the filter's order.
 *
 * Each kind of filter is described by data (ChainFilterDef, in
 * chain_filters.c): its options with defaults and ranges, the kernel it
 * drives, and how a frame's option values become each plane's kernel
 * parameters.
 */
#ifndef SMEAR_SRC_CHAIN_H
#define SMEAR_SRC_CHAIN_H

#include <stdint.h>

#include <libavutil/bprint.h>

#include "kernel.h"
#include "schedule.h"

#define CHAIN_MAX_OPTIONS 24
#define CHAIN_MAX_FILTERS 32

typedef enum ChainOptType {
    OPT_NUM,   ///< a number, or a schedule evaluated per frame
    OPT_ENUM,  ///< one of a list of names
    OPT_COLOR, ///< a colour for constant borders (name, #rrggbb, 0xrrggbb[aa]), as FFmpeg parses it
    OPT_STR,   ///< text read by the filter's init() (a motion path, say)
} ChainOptType;

typedef struct ChainOption {
    const char         *name;
    ChainOptType        type;
    const char         *def;   ///< default text; NULL for a number that is unset unless given
    double              min, max;
    const char *const  *names; ///< OPT_ENUM: the accepted names, NULL-terminated
    const char         *help;
} ChainOption;

/** How a plane relates to the frame: sizes and where its samples sit in
 *  luma coordinates (x_luma = x * scale_x + off_x). */
typedef struct ChainPlane {
    int      index;        ///< plane number in the frame
    int      w, h, depth;
    int      frame_w, frame_h;
    double   scale_x, scale_y; ///< 1, or 2 and 2 for 4:2:0 chroma, ...
    double   off_x, off_y;     ///< chroma siting, in luma samples
    int      fill;             ///< the filter's fill colour as a sample value of this plane
} ChainPlane;

typedef struct ChainFilterDef {
    const char         *name;
    const char         *help;
    const ChainOption  *options;      ///< NULL-terminated by name
    const SmearKernel  *kernel;
    size_t              kparams_size;
    size_t              state_size;   ///< the filter's own state (0: none)
    /** Reads the OPT_STR options into state after parsing. Returns 0 or a
     *  negative AVERROR with one error logged. */
    int (*init)(void *state, char *const *str, void *log_ctx, const char *what);
    /** Checks and completes one frame's values in place (unset options
     *  resolved from others, cross-option limits) and derives per-frame
     *  state (a shake path, say). Returns 0 or a negative AVERROR with an
     *  error logged. */
    int (*resolve)(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                   void *log_ctx, const char *what);
    /** Appends fields of the state to the frame's JSON object (",\"k\":v"). */
    void (*json)(const void *state, AVBPrint *bp);
    /** Fills the kernel parameters for one plane. Returns 1 when the
     *  filter leaves that plane unchanged (nothing to run), else 0. */
    int (*bind)(const double *v, const void *state, const ChainPlane *pl, void *kparams);
} ChainFilterDef;

/** One filter of a parsed chain, with its kernel instances per plane. */
typedef struct ChainFilter {
    const ChainFilterDef *def;
    char                  what[48];          ///< "blur" or "blur#2" for messages
    int                   nb_options;
    SmearSchedule        *sched[CHAIN_MAX_OPTIONS]; ///< OPT_NUM; NULL when unset
    double                v[CHAIN_MAX_OPTIONS];     ///< this frame's values (enums as index)
    uint8_t               rgba[CHAIN_MAX_OPTIONS][4];
    char                 *str[CHAIN_MAX_OPTIONS];   ///< OPT_STR values
    void                 *state;                    ///< def->state_size bytes
    /* kernel instances, one per plane, rebuilt only when parameters change */
    void                 *kpriv[4];
    void                 *kparams[4];
    void                 *kparams_new[4];    ///< this frame's parameters, per plane
    SmearPlaneInfo        kinfo[4];
    int                   kready[4];
} ChainFilter;

typedef struct SmearChain {
    ChainFilter filters[CHAIN_MAX_FILTERS];
    int         nb_filters;
    uint64_t    seed;
} SmearChain;

/** The filters a chain can use, NULL-terminated. */
extern const ChainFilterDef *const smear_chain_filters[];
const ChainFilterDef *smear_chain_find(const char *name);

/** Parses text into chain. Errors are logged on log_ctx as one line. */
int  smear_chain_parse(SmearChain *chain, const char *text, uint64_t seed, void *log_ctx);
void smear_chain_uninit(SmearChain *chain);
/** Restarts every schedule with a new seed. */
void smear_chain_reseed(SmearChain *chain, uint64_t seed);
/** Evaluates every schedule over the first minute at fps, so that an
 *  expression that stops being finite fails before the first frame (see
 *  smear_schedule_check). Returns 0 or AVERROR(EINVAL) (logged). */
int  smear_chain_check(SmearChain *chain, double fps);

/** Evaluates every option for one frame (schedules, clamping to the option's
 *  range, resolve()). Returns 0 or a negative AVERROR. */
int smear_chain_eval(SmearChain *chain, const SmearScheduleVars *vars, void *log_ctx);

/** Appends the chain's current values as a JSON array of objects. */
void smear_chain_json(const SmearChain *chain, AVBPrint *bp);

/** Prints the filters and their options (for --help). */
void smear_chain_print_help(AVBPrint *bp, const char *filter_name);

/** Index of option name in def, or -1. */
int smear_chain_option_index(const ChainFilterDef *def, const char *name);

#endif /* SMEAR_SRC_CHAIN_H */
