/*
 * smear - live statistics (--stats): frames in, out and dropped, the time
 * the augmentation takes per frame and the delay from a frame decoded to
 * its packet written, as percentiles, in fixed memory however long the run.
 */
#ifndef SMEAR_CLI_STATS_H
#define SMEAR_CLI_STATS_H

#include <stdint.h>

#define STATS_BINS 800 /* 100 per decade from 1 us to 100 s */

typedef struct Histogram {
    uint64_t bins[STATS_BINS];
    uint64_t count;
    double   max_ms;
} Histogram;

void   hist_add(Histogram *h, double ms);
/** The p-th percentile (0..100) in milliseconds, within 2.3%; 0 when empty. */
double hist_percentile(const Histogram *h, double p);

typedef struct LiveStats {
    int64_t   frames_in, frames_out, dropped;
    Histogram augment, latency;
    int64_t   start_us, last_print_us;
} LiveStats;

/** Prints a line of statistics: when final, always; else at most every 5 s. */
void stats_print(LiveStats *s, int final);

#endif /* SMEAR_CLI_STATS_H */
