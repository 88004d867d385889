/*
 * smear - live statistics.
 */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>

#include <libavutil/log.h>
#include <libavutil/time.h>

#include "stats.h"

void hist_add(Histogram *h, double ms)
{
    const double us = ms * 1000;
    int bin = us <= 1 ? 0 : (int)(100 * log10(us));
    if (bin >= STATS_BINS)
        bin = STATS_BINS - 1;
    h->bins[bin]++;
    h->count++;
    if (ms > h->max_ms)
        h->max_ms = ms;
}

double hist_percentile(const Histogram *h, double p)
{
    if (!h->count)
        return 0;
    const uint64_t rank = (uint64_t)ceil(p / 100 * h->count);
    uint64_t seen = 0;
    for (int b = 0; b < STATS_BINS; b++) {
        seen += h->bins[b];
        if (seen >= rank && seen) {
            /* the bin's upper edge: a percentile never reads low */
            const double ms = pow(10, (b + 1) / 100.0) / 1000;
            return ms < h->max_ms ? ms : h->max_ms;
        }
    }
    return h->max_ms;
}

void stats_print(LiveStats *s, int final)
{
    const int64_t now = av_gettime_relative();
    if (!final && now - s->last_print_us < 5000000)
        return;
    s->last_print_us = now;
    const double secs = (now - s->start_us) / 1e6;
    av_log(NULL, AV_LOG_INFO,
           "%sstats: %.1f s, frames in %" PRId64 ", out %" PRId64 ", dropped %" PRId64
           "; augmentation ms p50 %.2f p99 %.2f max %.2f; latency ms p50 %.1f p99 %.1f max %.1f\n",
           final ? "final " : "", secs, s->frames_in, s->frames_out, s->dropped,
           hist_percentile(&s->augment, 50), hist_percentile(&s->augment, 99), s->augment.max_ms,
           hist_percentile(&s->latency, 50), hist_percentile(&s->latency, 99), s->latency.max_ms);
}
