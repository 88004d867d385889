/*
 * smear - the command-line program: shared declarations.
 */
#ifndef SMEAR_CLI_CLI_H
#define SMEAR_CLI_CLI_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>

#include <libavutil/dict.h>
#include <libavutil/rational.h>

/** Exit statuses (documented in the README and --help). */
enum {
    EXIT_OK          = 0,
    EXIT_ERROR       = 1,  ///< the run failed; a partial output is kept as OUTPUT.partial
    EXIT_USAGE       = 2,  ///< bad command line, chain or option; nothing was written
    EXIT_INPUT_ERRORS = 3, ///< finished, but damaged input data was skipped
};

#define CLI_MAX_INPUTS 1024

/** --frames OUTDIR: videos to augmented frame datasets. */
typedef struct DatasetOptions {
    const char *dir;          ///< OUTDIR
    const char *inputs_file;  ///< --inputs FILE: one path per line
    int         jpeg;         ///< --image-format jpg
    int         quality;      ///< JPEG quality 1..100
    int         every;        ///< keep every Nth frame (1 = all)
    double      fps;          ///< or this many frames per second (0 = off)
    double      start, end;   ///< time range in seconds (end 0 = to the end)
    int64_t     max_per_clip; ///< 0 = no limit
    int         variants;     ///< augmented versions of each sampled frame
    int         keep_clean;   ///< also write the frame as decoded
    int         csv;          ///< also write manifest.csv
    double      shard_mib;    ///< > 0: write WebDataset-style tar shards of this size
    int         shard_index, shard_count; ///< --shard i/N
} DatasetOptions;


typedef struct CliOptions {
    const char   *inputs[CLI_MAX_INPUTS];
    const char   *input_formats[CLI_MAX_INPUTS];
    AVDictionary *input_opts[CLI_MAX_INPUTS];
    int           nb_inputs;

    const char   *output;
    const char   *output_format;
    AVDictionary *output_opts;    ///< encoder and muxer options (-crf, -preset, -movflags ...)
    const char   *vcodec;
    const char   *pix_fmt;
    int           overwrite;
    int           no_audio, no_subtitles, no_data;

    const char   *chain;
    const char   *preset;
    const char   *vf_pre, *vf_post;
    int           threads;
    uint64_t      seed;
    int           seed_set;
    const char   *log_path;

    double        max_duration;   ///< -t, seconds; 0 = all
    int64_t       max_frames;     ///< -frames:v; 0 = all
    int           stats;          ///< progress line on the terminal
    int           realtime;       ///< -1 auto (devices, network), 0 off, 1 on
    int           reconnect;
    double        input_timeout;  ///< seconds; 0 = default
    double        max_delay;      ///< live: seconds a frame may wait before it is dropped
    double        throttle_ms;    ///< testing: extra time spent per frame
    int           live_stats;     ///< --stats

    /* --print-schedule: parameters over time, no video */
    int           print_schedule;
    double        sched_duration;
    AVRational    sched_fps;
    int           sched_w, sched_h;
    const char   *plot_path;

    DatasetOptions dataset;       ///< used when dataset.dir is set
} CliOptions;

/** From cli_log_capture() to cli_log_uncapture(), the errors FFmpeg's
 *  libraries log in the calling thread are kept instead of shown, so that
 *  the caller says what failed in one line of its own; cli_log_uncapture()
 *  returns the last of them (its reason, or NULL), valid until the next
 *  capture in that thread. */
void cli_log_capture(void);
const char *cli_log_uncapture(void);

/** Set by SIGINT/SIGTERM: finish the output and stop. */
extern volatile sig_atomic_t cli_stop_signal;

/** Set when the input is to be let go (the reader stops): a blocking read
 *  ends at the next interruption (see cli_wake()). */
extern atomic_int cli_stop_reading;

/** The signal that interrupts a blocking read (a stalled pipe) in thread
 *  t: the read then returns, and the input's interrupt callback sees
 *  cli_stop_signal or cli_stop_reading. Does nothing in the calling thread
 *  itself. Async-signal-safe. */
void cli_wake(pthread_t t);

/** Prints "smear: error: ..." style lines through av_log's level filter. */
void cli_log_setup(int level);

#endif /* SMEAR_CLI_CLI_H */
