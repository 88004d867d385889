/*
 * smear - parameter schedules: how one numeric option of one filter
 * changes from frame to frame.
 *
 * A schedule is written as an expression of libavutil's evaluator with the
 * variables t (seconds since the first frame), n (frame index), w, h (frame
 * size) and fps, in which generator calls may appear:
 *
 *   uniform(a, b)[@clip|@frame]     uniform draw, once per clip (default) or per frame
 *   normal(mu, sd)[@clip|@frame]    Gaussian draw, once per clip (default) or per frame
 *   drift(mean, sd, tau[, lo, hi])  Ornstein-Uhlenbeck process: stationary mean and
 *                                   spread, correlation time tau seconds, reflected
 *                                   into [lo, hi] when given
 *   keys(t0:v0, t1:v1, ...)[@linear|@smooth|@step]
 *                                   keyframes in seconds; @smooth is a monotone cubic
 *   burst(rate, amp, decay)         events at random times (rate per second), each
 *                                   jumping by amp and decaying with time constant decay
 *
 * e.g. "1.5+1.2*sin(2*PI*t/4)", "uniform(1,3)@frame", "0.5+drift(2,1,3,0,6)".
 *
 * Every draw is a function of the seed, the schedule's stream number and the
 * frame index or event number alone, so the values do not depend on how
 * many threads run or how far a run got before.
 */
#ifndef SMEAR_SRC_SCHEDULE_H
#define SMEAR_SRC_SCHEDULE_H

#include <stdint.h>

typedef struct SmearSchedule SmearSchedule;

typedef struct SmearScheduleVars {
    double t;   ///< seconds since the first frame's timestamp
    double n;   ///< frame index from 0
    double w, h;
    double fps;
} SmearScheduleVars;

/**
 * Parses text. what names the option in messages ("blur: sigma").
 * Unknown names, bad syntax and bad generator arguments fail here with one
 * error line (av_log on log_ctx). Returns 0 or a negative AVERROR.
 */
int smear_schedule_parse(SmearSchedule **ps, const char *text, uint64_t seed,
                         uint64_t stream, void *log_ctx, const char *what);

/**
 * Value for one frame. Frames must be evaluated in order (drift keeps
 * state); evaluating the same frame again returns the same value.
 * Returns 0, or AVERROR(EDOM) with an error logged when the value is not
 * finite (a division by zero, say).
 */
int smear_schedule_eval(SmearSchedule *s, const SmearScheduleVars *v, double *value);

/**
 * Evaluates the schedule over the first seconds at fps on a w x h frame and
 * starts it afresh: an expression that is finite at first and not later
 * (1/(t-2)) fails here, before any frame. Expressions that keep state
 * between frames are left alone. Returns 0 or AVERROR(EDOM) (logged).
 */
int smear_schedule_check(SmearSchedule *s, double fps, double seconds, int w, int h);

/** 1 and *value set when the schedule is a plain constant, else 0. */
int smear_schedule_constant(const SmearSchedule *s, double *value);

/** Restarts the schedule at frame 0 with another seed (a new clip or variant). */
void smear_schedule_reseed(SmearSchedule *s, uint64_t seed);

void smear_schedule_free(SmearSchedule **ps);

/** Deterministic helpers shared by the generators and the shake paths. */
uint64_t smear_hash64(uint64_t a, uint64_t b, uint64_t c);
/** Uniform in [0, 1) from a hash. */
double smear_hash_unit(uint64_t h);
/** Standard normal draw from two hashes of (a, b, c). */
double smear_hash_normal(uint64_t a, uint64_t b, uint64_t c);

#endif /* SMEAR_SRC_SCHEDULE_H */
