/*
 * smear - the command-line program.
 *
 *   smear -i INPUT [-f FORMAT] -a CHAIN [-c:v CODEC] [-crf N | -b:v RATE] [-y] OUTPUT
 *
 * decode -> [-vf_pre graph] -> augmentation (libsmear) -> [-vf_post graph]
 *        -> encoder -> muxer, with every other stream copied untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavdevice/avdevice.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/parseutils.h>
#include <libavutil/time.h>

#include "smear/smear.h"

#include "cli.h"
#include "dataset.h"
#include "graph.h"
#include "input.h"
#include "output.h"
#include "reader.h"
#include "schedule_print.h"
#include "stats.h"

volatile sig_atomic_t cli_stop_signal;
atomic_int cli_stop_reading;
static pthread_t main_thread;

#define WAKE_SIGNAL SIGUSR1

void cli_wake(pthread_t t)
{
    if (!pthread_equal(t, pthread_self()))
        pthread_kill(t, WAKE_SIGNAL);
}

static void on_wake(int sig)
{
    (void)sig; /* only there to interrupt a blocking call (no SA_RESTART) */
}

static void on_signal(int sig)
{
    if (cli_stop_signal) { /* a second Ctrl-C ends at once */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    cli_stop_signal = sig;
    /* the main thread may sit in a blocking read (a dataset's input); the
     * reader thread is woken by the main thread as it stops */
    cli_wake(main_thread);
}

/* EXIT_OK once what was printed on standard output is out, else (a full
 * disk, a closed pipe) one error line and EXIT_ERROR. */
static int stdout_status(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return EXIT_OK;
    av_log(NULL, AV_LOG_ERROR, "cannot write to standard output: %s\n",
           errno ? strerror(errno) : "write error");
    return EXIT_ERROR;
}

static void usage(FILE *f)
{
    fprintf(f,
"smear %s: degrade video the way real cameras do\n"
"\n"
"usage: smear [input options] -i INPUT -a CHAIN [output options] OUTPUT\n"
"\n"
"  -i INPUT          a file, URL or device libavformat opens; - for standard input\n"
"  -f FORMAT         before -i: force the input format (e.g. lavfi, v4l2, nut);\n"
"                    after -i: the output format (needed for - = standard output)\n"
"  -a CHAIN          the augmentation chain, e.g. 'blur=sigma=2.5,shear=x=0.12'\n"
"  -vf_pre GRAPH     an FFmpeg filter chain run before the augmentation (scale, crop, ...)\n"
"  -vf_post GRAPH    an FFmpeg filter chain run after it\n"
"  -c:v CODEC        video encoder (default: libx264 for mp4/mkv/mov/ts/nut where available)\n"
"  -crf N, -b:v RATE, -q:v Q, -preset P, -g N, ...  encoder and muxer options, as in ffmpeg\n"
"  -pix_fmt FMT      pixel format for the encoder\n"
"  -an, -sn, -dn     drop audio, subtitle, data streams (copied by default)\n"
"  -t SECONDS        stop after this much input time;  -frames:v N  after N frames\n"
"  -y                overwrite the output if it exists\n"
"  -threads N        threads for the augmentation (default: all cores)\n"
"  --seed N          seed of every random choice (printed when not given)\n"
"  --log FILE        one JSON line per output frame with every parameter applied\n"
"  --preset NAME     a named chain (before any -a chain); --list-presets, --print-preset NAME\n"
"  --print-schedule  print the chain's parameters per frame as CSV, without video;\n"
"                    with --duration S (10), --fps R (25), --size WxH (1920x1080),\n"
"                    --plot FILE.svg to draw the ones that move\n"
"  -nostats          no progress line;  -loglevel LEVEL  quiet, error, warning, info, verbose, debug\n"
"\n"
"Live sources (devices and network inputs) are read in real time: when smear falls\n"
"behind, it drops input frames instead of building a backlog, and says so.\n"
"  --realtime, --no-realtime   force real-time reading on or off\n"
"  --reconnect       reopen a live source that is lost, instead of ending\n"
"  --input-timeout S a live source silent for S seconds is lost (5)\n"
"  --max-delay S     frames that waited longer than S seconds are dropped (0.5)\n"
"  --throttle MS     for testing: spend MS more milliseconds on each frame, as a slow\n"
"                    machine would\n"
"  --stats           frames in/out/dropped, augmentation time and latency (p50, p99)\n"
"  --help-filters [NAME]   the chain's filters and their options\n"
"\n"
"Datasets: smear -i CLIP|FOLDER [-i ...] [--inputs LIST] -a CHAIN --frames OUTDIR\n"
"  writes OUTDIR/<clip>/<frame>_<variant>.png and OUTDIR/manifest.jsonl (one row per image)\n"
"  --every N, --fps R, --start T, --end T, --max-per-clip N   which frames to take\n"
"  --variants K      augmented versions of each frame, each with its own seed (1)\n"
"  --keep-clean      also write the frame as decoded (<frame>_clean.png)\n"
"  --image-format png|jpg, --quality Q (JPEG, 1-100, default 90), --csv (manifest.csv too)\n"
"  --shards MIB      write WebDataset-style tar shards of about MIB MiB instead of files\n"
"  --shard I/N       take clips I, I+N, I+2N ... of the list (for N machines)\n"
"  A run started again with the same command skips what is done.\n"
"  --version\n"
"\n"
"Any other -key value before -i is an option of the input (e.g. -video_size 1280x720\n"
"-framerate 30 -input_format mjpeg for a camera); after -i, of the encoder or muxer.\n"
"\n"
"Exit status: 0 done; 1 failed (a partial file is kept as OUTPUT.partial); 2 bad command\n"
"line or chain, or settings the encoder or muxer refuses; 3 done, but damaged input data\n"
"was skipped; 128+N stopped by signal N\n"
"(the output is finished and playable).\n",
            smear_version());
}

/* ---------------------------------------------------------------- logging */

static int log_level = AV_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether a library message of this kind (its format string) was shown
 * before: a damaged stream makes a decoder repeat the same complaint for
 * every frame, and one of each kind is enough (smear's summary counts the
 * damage). Every message is shown from -loglevel verbose on. */
static int seen_before(const char *fmt)
{
    static const char *seen[256];
    static int nb_seen;
    if (!strcmp(fmt, "%s") || !strcmp(fmt, "%s\n"))
        return 0; /* text made elsewhere: no kind to tell */
    for (int i = 0; i < nb_seen; i++)
        if (seen[i] == fmt || !strcmp(seen[i], fmt))
            return 1;
    if (nb_seen < (int)(sizeof(seen) / sizeof(seen[0])))
        seen[nb_seen++] = fmt;
    return 0;
}

/* While a thread captures (cli_log_capture()), the library's errors it
 * logs are kept, not shown: the last, for the caller's own line. */
static _Thread_local int capturing;
static _Thread_local char captured[512];

void cli_log_capture(void)
{
    capturing = 1;
    captured[0] = '\0';
}

const char *cli_log_uncapture(void)
{
    capturing = 0;
    size_t n = strlen(captured);
    while (n && (captured[n - 1] == '\n' || captured[n - 1] == ' ' || captured[n - 1] == '.'))
        captured[--n] = '\0';
    return n ? captured : NULL;
}

static void log_line(void *avcl, int level, const char *fmt, va_list vl)
{
    static int at_line_start = 1, muted;
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    const int ours = !cls || !strcmp(cls->class_name, "smear");
    /* a library's error while this thread captures: kept (the last whole
     * message), not shown */
    if (capturing && level <= AV_LOG_ERROR && !ours) {
        static _Thread_local int cap_line_start = 1;
        if (cap_line_start)
            captured[0] = '\0';
        const size_t used = strlen(captured), len = strlen(fmt);
        vsnprintf(captured + used, sizeof(captured) - used, fmt, vl);
        cap_line_start = len && fmt[len - 1] == '\n';
        return;
    }
    /* FFmpeg's own libraries speak through here too: their chatter (encoder
     * statistics...) only from -loglevel verbose on, their warnings once
     * per kind */
    if (level > log_level || (!ours && level > AV_LOG_WARNING && log_level < AV_LOG_VERBOSE))
        return;
    const size_t len = strlen(fmt);
    if (at_line_start)
        muted = !ours && log_level < AV_LOG_VERBOSE && seen_before(fmt);
    if (muted) {
        at_line_start = len && fmt[len - 1] == '\n';
        return;
    }
    if (at_line_start) {
        if (ours)
            fprintf(stderr, "smear: %s", level <= AV_LOG_ERROR ? "error: " :
                                         level <= AV_LOG_WARNING ? "warning: " : "");
        else
            fprintf(stderr, "[%s] ", cls->item_name ? cls->item_name(avcl) : cls->class_name);
    }
    vfprintf(stderr, fmt, vl);
    at_line_start = len && fmt[len - 1] == '\n';
}

static void log_callback(void *avcl, int level, const char *fmt, va_list vl)
{
    if (!fmt)
        return;
    /* the reader and encoder threads log too */
    pthread_mutex_lock(&log_lock);
    log_line(avcl, level, fmt, vl);
    pthread_mutex_unlock(&log_lock);
}

/* The whole of a write of n bytes to fd, again where a signal interrupts
 * it (a stop signal must not fail the log of the run it stops). */
static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        const ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return AVERROR(k < 0 ? errno : EIO);
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int parse_log_level(const char *s)
{
    static const struct { const char *name; int level; } levels[] = {
        { "quiet", AV_LOG_QUIET }, { "panic", AV_LOG_PANIC }, { "fatal", AV_LOG_FATAL },
        { "error", AV_LOG_ERROR }, { "warning", AV_LOG_WARNING }, { "info", AV_LOG_INFO },
        { "verbose", AV_LOG_VERBOSE }, { "debug", AV_LOG_DEBUG }, { "trace", AV_LOG_TRACE },
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (!strcmp(s, levels[i].name))
            return levels[i].level;
    char *end;
    long v = strtol(s, &end, 10);
    return *end || end == s ? -100 : (int)v;
}

void cli_log_setup(int level)
{
    log_level = level;
    av_log_set_level(level);
    av_log_set_callback(log_callback);
}

/* ---------------------------------------------------------- command line */

/* 1 when another -i follows argument i: options before it belong to an input. */
static int input_follows(int argc, char **argv, int i)
{
    for (int k = i + 1; k < argc; k++)
        if (!strcmp(argv[k], "-i"))
            return 1;
    return 0;
}

static int parse_args(int argc, char **argv, CliOptions *o)
{
    AVDictionary *pending_in = NULL;
    const char *pending_fmt = NULL;
    memset(o, 0, sizeof(*o));
    o->stats = isatty(2);
    o->realtime = -1;
    o->max_delay = 0.5;
    o->dataset.quality = 90;
    o->dataset.every = 1;
    o->dataset.variants = 1;
    o->sched_duration = 10;
    o->sched_fps = (AVRational){ 25, 1 };
    o->sched_w = 1920;
    o->sched_h = 1080;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                            \
        do {                                                                     \
            if (!v) {                                                            \
                av_log(NULL, AV_LOG_ERROR, "option %s needs a value\n", a);      \
                goto fail;                                                       \
            }                                                                    \
            i++;                                                                 \
        } while (0)
        if (a[0] != '-' || !strcmp(a, "-")) {
            if (o->output) {
                av_log(NULL, AV_LOG_ERROR, "more than one output given ('%s' and '%s')\n",
                       o->output, a);
                goto fail;
            }
            o->output = a;
        } else if (!strcmp(a, "-h") || !strcmp(a, "-help") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(stdout_status());
        } else if (!strcmp(a, "--version") || !strcmp(a, "-version")) {
            printf("smear %s (API %d.%d.%d)\n", smear_version(), SMEAR_API_MAJOR(smear_version_api()),
                   SMEAR_API_MINOR(smear_version_api()), SMEAR_API_PATCH(smear_version_api()));
            exit(stdout_status());
        } else if (!strcmp(a, "--help-filters")) {
            const char *name = v && v[0] != '-' ? argv[++i] : NULL;
            char *text = smear_help(name);
            if (!text) {
                av_log(NULL, AV_LOG_ERROR, "unknown filter '%s'\n", name);
                exit(EXIT_USAGE);
            }
            fputs(text, stdout);
            av_free(text);
            exit(stdout_status());
        } else if (!strcmp(a, "--list-presets")) {
            const char *name, *desc;
            for (int k = 0; smear_preset(k, &name, &desc); k++)
                printf("%-16s %s\n", name, desc);
            exit(stdout_status());
        } else if (!strcmp(a, "--print-preset")) {
            NEEDS_VALUE();
            const char *chain = smear_preset_chain(v);
            if (!chain) {
                av_log(NULL, AV_LOG_ERROR, "unknown preset '%s' (see smear --list-presets)\n", v);
                exit(EXIT_USAGE);
            }
            printf("%s\n", chain);
            exit(stdout_status());
        } else if (!strcmp(a, "--preset")) {
            NEEDS_VALUE();
            if (!smear_preset_chain(v)) {
                av_log(NULL, AV_LOG_ERROR, "unknown preset '%s' (see smear --list-presets)\n", v);
                goto fail;
            }
            o->preset = v;
        } else if (!strcmp(a, "--frames")) {
            NEEDS_VALUE();
            o->dataset.dir = v;
        } else if (!strcmp(a, "--inputs")) {
            NEEDS_VALUE();
            o->dataset.inputs_file = v;
        } else if (!strcmp(a, "--image-format")) {
            NEEDS_VALUE();
            if (!strcmp(v, "jpg") || !strcmp(v, "jpeg"))
                o->dataset.jpeg = 1;
            else if (!strcmp(v, "png"))
                o->dataset.jpeg = 0;
            else {
                av_log(NULL, AV_LOG_ERROR, "--image-format takes png or jpg, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--quality") || !strcmp(a, "--every") || !strcmp(a, "--variants") ||
                   !strcmp(a, "--max-per-clip")) {
            NEEDS_VALUE();
            char *end;
            long long n = strtoll(v, &end, 10);
            const long long hi = !strcmp(a, "--quality") ? 100 : !strcmp(a, "--variants") ? 64 : 1LL << 40;
            if (*end || n < 1 || n > hi) {
                av_log(NULL, AV_LOG_ERROR, "%s takes a whole number from 1 to %lld, not '%s'\n", a, hi, v);
                goto fail;
            }
            if (!strcmp(a, "--quality"))
                o->dataset.quality = (int)n;
            else if (!strcmp(a, "--every"))
                o->dataset.every = (int)n;
            else if (!strcmp(a, "--variants"))
                o->dataset.variants = (int)n;
            else
                o->dataset.max_per_clip = n;
        } else if (!strcmp(a, "--start") || !strcmp(a, "--end")) {
            NEEDS_VALUE();
            int64_t us;
            if (av_parse_time(&us, v, 1) < 0 || us < 0) {
                av_log(NULL, AV_LOG_ERROR, "%s takes a time (seconds or hh:mm:ss), not '%s'\n", a, v);
                goto fail;
            }
            *(a[2] == 's' ? &o->dataset.start : &o->dataset.end) = us / 1e6;
        } else if (!strcmp(a, "--keep-clean")) {
            o->dataset.keep_clean = 1;
        } else if (!strcmp(a, "--csv")) {
            o->dataset.csv = 1;
        } else if (!strcmp(a, "--shards")) {
            NEEDS_VALUE();
            char *end;
            o->dataset.shard_mib = strtod(v, &end);
            if (*end || !(o->dataset.shard_mib > 0) || o->dataset.shard_mib > 1e6) {
                av_log(NULL, AV_LOG_ERROR, "--shards takes a size in MiB, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--shard")) {
            NEEDS_VALUE();
            int i, n;
            char extra;
            if (sscanf(v, "%d/%d%c", &i, &n, &extra) != 2 || n < 1 || i < 0 || i >= n) {
                av_log(NULL, AV_LOG_ERROR, "--shard takes I/N with 0 <= I < N, not '%s'\n", v);
                goto fail;
            }
            o->dataset.shard_index = i;
            o->dataset.shard_count = n;
        } else if (!strcmp(a, "--realtime")) {
            o->realtime = 1;
        } else if (!strcmp(a, "--no-realtime")) {
            o->realtime = 0;
        } else if (!strcmp(a, "--reconnect")) {
            o->reconnect = 1;
        } else if (!strcmp(a, "--stats")) {
            o->live_stats = 1;
        } else if (!strcmp(a, "--throttle")) {
            NEEDS_VALUE();
            char *end;
            o->throttle_ms = strtod(v, &end);
            if (*end || end == v || !(o->throttle_ms >= 0) || o->throttle_ms > 10000) {
                av_log(NULL, AV_LOG_ERROR, "--throttle takes milliseconds, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--max-delay")) {
            NEEDS_VALUE();
            char *end;
            o->max_delay = strtod(v, &end);
            if (*end || !(o->max_delay > 0) || o->max_delay > 60) {
                av_log(NULL, AV_LOG_ERROR, "--max-delay takes seconds, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--input-timeout")) {
            NEEDS_VALUE();
            char *end;
            double secs = strtod(v, &end);
            if (*end || !(secs > 0) || secs > 86400) {
                av_log(NULL, AV_LOG_ERROR, "--input-timeout takes seconds, not '%s'\n", v);
                goto fail;
            }
            o->input_timeout = secs;
        } else if (!strcmp(a, "--print-schedule")) {
            o->print_schedule = 1;
        } else if (!strcmp(a, "--duration")) {
            NEEDS_VALUE();
            char *end;
            o->sched_duration = strtod(v, &end);
            if (*end || !(o->sched_duration > 0) || o->sched_duration > 1e6) {
                av_log(NULL, AV_LOG_ERROR, "--duration takes a number of seconds, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--fps")) {
            /* frames per second of the schedule printed, or sampled for a dataset */
            NEEDS_VALUE();
            if (av_parse_video_rate(&o->sched_fps, v) < 0 || o->sched_fps.num <= 0) {
                av_log(NULL, AV_LOG_ERROR, "--fps takes a frame rate (25, 30000/1001), not '%s'\n", v);
                goto fail;
            }
            o->dataset.fps = av_q2d(o->sched_fps);
        } else if (!strcmp(a, "--size")) {
            NEEDS_VALUE();
            if (av_parse_video_size(&o->sched_w, &o->sched_h, v) < 0) {
                av_log(NULL, AV_LOG_ERROR, "--size takes WxH, not '%s'\n", v);
                goto fail;
            }
        } else if (!strcmp(a, "--plot")) {
            NEEDS_VALUE();
            o->plot_path = v;
        } else if (!strcmp(a, "-i")) {
            NEEDS_VALUE();
            if (o->nb_inputs == CLI_MAX_INPUTS) {
                av_log(NULL, AV_LOG_ERROR, "more than %d inputs\n", CLI_MAX_INPUTS);
                goto fail;
            }
            if (pending_fmt && !av_find_input_format(pending_fmt)) {
                av_log(NULL, AV_LOG_ERROR, "unknown input format '%s'\n", pending_fmt);
                goto fail;
            }
            o->inputs[o->nb_inputs] = v;
            o->input_formats[o->nb_inputs] = pending_fmt;
            o->input_opts[o->nb_inputs] = pending_in;
            o->nb_inputs++;
            pending_in = NULL;
            pending_fmt = NULL;
        } else if (!strcmp(a, "-f")) {
            NEEDS_VALUE();
            if (input_follows(argc, argv, i))
                pending_fmt = v;
            else
                o->output_format = v;
        } else if (!strcmp(a, "-a")) {
            NEEDS_VALUE();
            o->chain = v;
        } else if (!strcmp(a, "-vf_pre")) {
            NEEDS_VALUE();
            o->vf_pre = v;
        } else if (!strcmp(a, "-vf_post") || !strcmp(a, "-vf")) {
            NEEDS_VALUE();
            o->vf_post = v;
        } else if (!strcmp(a, "-c:v") || !strcmp(a, "-vcodec") || !strcmp(a, "-codec:v")) {
            NEEDS_VALUE();
            o->vcodec = v;
        } else if (!strcmp(a, "-pix_fmt")) {
            NEEDS_VALUE();
            o->pix_fmt = v;
        } else if (!strcmp(a, "-y")) {
            o->overwrite = 1;
        } else if (!strcmp(a, "-n")) {
            o->overwrite = 0;
        } else if (!strcmp(a, "-an")) {
            o->no_audio = 1;
        } else if (!strcmp(a, "-sn")) {
            o->no_subtitles = 1;
        } else if (!strcmp(a, "-dn")) {
            o->no_data = 1;
        } else if (!strcmp(a, "-threads")) { /* the augmentation's, wherever it stands */
            NEEDS_VALUE();
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || end == v || n < 0 || n > 256) {
                av_log(NULL, AV_LOG_ERROR, "-threads takes a number from 0 to 256, not '%s'\n", v);
                goto fail;
            }
            o->threads = (int)n;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "-seed")) {
            NEEDS_VALUE();
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 0);
            if (*end || end == v || errno || v[0] == '-') {
                av_log(NULL, AV_LOG_ERROR, "--seed takes a non-negative integer, not '%s'\n", v);
                goto fail;
            }
            o->seed = s;
            o->seed_set = 1;
        } else if (!strcmp(a, "--log")) {
            NEEDS_VALUE();
            o->log_path = output_file_name(v); /* as the output */
        } else if (!strcmp(a, "-t")) {
            NEEDS_VALUE();
            int64_t us;
            if (av_parse_time(&us, v, 1) < 0 || us <= 0) {
                av_log(NULL, AV_LOG_ERROR, "-t takes a duration (seconds or hh:mm:ss), not '%s'\n", v);
                goto fail;
            }
            o->max_duration = us / 1e6;
        } else if (!strcmp(a, "-frames:v") || !strcmp(a, "-vframes")) {
            NEEDS_VALUE();
            char *end;
            long long n = strtoll(v, &end, 10);
            if (*end || n <= 0) {
                av_log(NULL, AV_LOG_ERROR, "%s takes a positive number, not '%s'\n", a, v);
                goto fail;
            }
            o->max_frames = n;
        } else if (!strcmp(a, "-nostats")) {
            o->stats = 0;
        } else if (!strcmp(a, "-stats")) {
            o->stats = 1;
        } else if (!strcmp(a, "-hide_banner") || !strcmp(a, "-nostdin")) {
            /* accepted for ffmpeg users; smear prints no banner and reads no keys */
        } else if (!strcmp(a, "-loglevel") || !strcmp(a, "-v")) {
            NEEDS_VALUE();
            int level = parse_log_level(v);
            if (level == -100) {
                av_log(NULL, AV_LOG_ERROR, "unknown log level '%s'\n", v);
                goto fail;
            }
            cli_log_setup(level);
        } else if (a[1] == '-') {
            av_log(NULL, AV_LOG_ERROR, "unknown option %s (see smear --help)\n", a);
            goto fail;
        } else {
            /* -key value: an option of the input (before -i) or of the
             * encoder or muxer (after); ":v" stream specifiers are dropped */
            NEEDS_VALUE();
            char key[128];
            snprintf(key, sizeof(key), "%s", a + 1);
            char *colon = strchr(key, ':');
            if (colon && (!strcmp(colon, ":v") || !strcmp(colon, ":v:0")))
                *colon = '\0';
            if (input_follows(argc, argv, i))
                av_dict_set(&pending_in, key, v, 0);
            else
                av_dict_set(&o->output_opts, key, v, 0);
        }
#undef NEEDS_VALUE
    }
    if (pending_in || pending_fmt) {
        av_log(NULL, AV_LOG_ERROR, "input options given after the last -i\n");
        goto fail;
    }
    if (o->print_schedule)
        return 0;
    if (o->dataset.dir) {
        if (!o->nb_inputs && !o->dataset.inputs_file) {
            av_log(NULL, AV_LOG_ERROR, "no input: give clips or folders with -i, or --inputs LIST\n");
            goto fail;
        }
        if (o->output) {
            av_log(NULL, AV_LOG_ERROR, "--frames writes into its folder; '%s' is not used\n", o->output);
            goto fail;
        }
        if (o->dataset.end > 0 && o->dataset.end <= o->dataset.start) {
            av_log(NULL, AV_LOG_ERROR, "--end (%g s) must come after --start (%g s)\n",
                   o->dataset.end, o->dataset.start);
            goto fail;
        }
        return 0;
    }
    if (!o->nb_inputs) {
        av_log(NULL, AV_LOG_ERROR, "no input: give one with -i (see smear --help)\n");
        goto fail;
    }
    if (!o->output) {
        av_log(NULL, AV_LOG_ERROR, "no output file given (see smear --help)\n");
        goto fail;
    }
    if (o->nb_inputs > 1) {
        av_log(NULL, AV_LOG_ERROR, "several inputs are only for --frames datasets\n");
        goto fail;
    }
    return 0;
fail:
    av_dict_free(&pending_in);
    return -1;
}

/* --------------------------------------------------------------- the pump */

typedef struct Run {
    const CliOptions *opt;
    Input             in;
    Output            out;
    SmearContext     *smear;
    Graph            *pre, *post;
    int               log_fd;               ///< --log: where its lines go (-1: no log)
    AVFrame          *frame, *aug, *tmp;
    AVRational        tb, frame_rate;       ///< of frames entering the augmentation
    AVRational        out_tb, out_rate;     ///< of frames entering the encoder
    int64_t           nb_out;
    int64_t           first_pts;
    int               done;                 ///< a limit (-t, -frames) was reached
    char             *log_tmp;              ///< the log while the run lasts (LOG.partial)
    int64_t           nb_logged;            ///< lines written to it
    int64_t           start_us, last_stats_us;
    Reader            reader;
    LiveStats         stats;
    int64_t           t_in;                 ///< when the current frame was decoded
    int64_t           warned_drops, last_drop_warn_us;
} Run;

static void print_stats(Run *r, int final)
{
    int64_t now = av_gettime_relative();
    if (!r->opt->stats || (!final && now - r->last_stats_us < 500000))
        return;
    r->last_stats_us = now;
    double secs = (now - r->start_us) / 1e6;
    double fps = secs > 0 ? r->nb_out / secs : 0;
    fprintf(stderr, "\rframe=%7" PRId64 " fps=%6.1f elapsed=%7.1fs%s", r->nb_out, fps, secs,
            final ? "\n" : "");
}

static int encode(Run *r, AVFrame *f)
{
    if (!r->post)
        return output_write_frame(&r->out, f, r->out_tb, r->out_rate);
    int ret = graph_send(r->post, f, r->out_tb, r->out_rate);
    if (ret < 0)
        return ret;
    for (;;) {
        ret = graph_receive(r->post, r->tmp);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return f ? 0 : output_write_frame(&r->out, NULL, r->out_tb, r->out_rate);
        if (ret < 0)
            return ret;
        ret = output_write_frame(&r->out, r->tmp, graph_time_base(r->post),
                                 graph_frame_rate(r->post));
        av_frame_unref(r->tmp);
        if (ret < 0)
            return ret;
    }
}

/* Augments one frame (NULL: end of stream) and passes on what comes out. */
static int augment(Run *r, AVFrame *f)
{
    if (f) {
        if (r->opt->max_frames && r->nb_out >= r->opt->max_frames) {
            r->done = 1;
            av_frame_unref(f);
            return 0;
        }
        f->time_base = r->tb;
    }
    const int64_t t0 = av_gettime_relative();
    if (f && r->opt->throttle_ms > 0)
        av_usleep((unsigned)(r->opt->throttle_ms * 1000));
    int ret = smear_send_frame(r->smear, f);
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "augmentation failed: %s\n", av_err2str(ret));
        return ret;
    }
    for (;;) {
        ret = smear_receive_frame(r->smear, r->aug);
        if (ret >= 0)
            hist_add(&r->stats.augment, (av_gettime_relative() - t0) / 1000.0);
        if (ret == AVERROR(EAGAIN))
            return 0;
        if (ret == AVERROR_EOF)
            return encode(r, NULL);
        if (ret < 0)
            return ret;
        const AVDictionaryEntry *e = r->log_fd >= 0 ?
            av_dict_get(r->aug->metadata, SMEAR_META_PARAMS, NULL, 0) : NULL;
        if (e) {
            /* a live run also says how many input frames were dropped so far */
            char *line = r->in.live ? av_asprintf("{\"dropped\":%" PRId64 ",%s\n",
                                                  r->stats.dropped, e->value + 1)
                                    : av_asprintf("%s\n", e->value);
            ret = line ? write_all(r->log_fd, line, strlen(line)) : AVERROR(ENOMEM);
            av_free(line);
            if (ret < 0) {
                av_log(NULL, AV_LOG_ERROR, "cannot write the log '%s': %s\n", r->opt->log_path,
                       av_err2str(ret));
                return ret;
            }
            r->nb_logged++;
        }
        r->nb_out++;
        ret = encode(r, r->aug);
        av_frame_unref(r->aug);
        if (ret < 0)
            return ret;
        r->stats.frames_out++;
        hist_add(&r->stats.latency, (av_gettime_relative() - r->t_in) / 1000.0);
        print_stats(r, 0);
    }
}

static int handle_frame(Run *r, AVFrame *f)
{
    if (f && r->opt->max_duration > 0 && f->pts != AV_NOPTS_VALUE) {
        if (r->first_pts == AV_NOPTS_VALUE)
            r->first_pts = f->pts;
        if ((f->pts - r->first_pts) * av_q2d(r->in.vst->time_base) >= r->opt->max_duration) {
            r->done = 1;
            av_frame_unref(f);
            return 0;
        }
    }
    if (!r->pre)
        return augment(r, f);
    int ret = graph_send(r->pre, f, r->in.vst->time_base, r->frame_rate);
    if (f)
        av_frame_unref(f);
    if (ret < 0)
        return ret;
    for (;;) {
        ret = graph_receive(r->pre, r->tmp);
        if (ret == AVERROR(EAGAIN))
            return 0;
        if (ret == AVERROR_EOF)
            return augment(r, NULL);
        if (ret < 0)
            return ret;
        r->tb = graph_time_base(r->pre);
        if (!r->post)
            r->out_tb = r->tb;
        AVRational fr = graph_frame_rate(r->pre);
        if (fr.num > 0)
            r->out_rate = fr;
        ret = augment(r, r->tmp);
        av_frame_unref(r->tmp);
        if (ret < 0)
            return ret;
    }
}

/* Says now and then that frames are being dropped to keep up. */
static void note_drops(Run *r)
{
    r->stats.dropped = reader_dropped(&r->reader);
    const int64_t now = av_gettime_relative();
    if (r->stats.dropped > r->warned_drops && now - r->last_drop_warn_us > 5000000) {
        av_log(NULL, AV_LOG_WARNING, "dropped %" PRId64 " input frames so far to keep up with "
               "the source (the augmentation or the encoder is slower than real time)\n",
               r->stats.dropped);
        r->warned_drops = r->stats.dropped;
        r->last_drop_warn_us = now;
    }
}

/* path, absolute and resolved (its folder, when it does not exist yet); a
 * new string, or NULL. */
static char *canonical(const char *path)
{
    char *full = realpath(path, NULL);
    if (full || errno != ENOENT)
        return full;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? av_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : av_strdup(".");
    char *rdir = dir ? realpath(dir, NULL) : NULL, *ret = NULL;
    if (rdir)
        ret = av_asprintf("%s/%s", strcmp(rdir, "/") ? rdir : "", slash ? slash + 1 : path);
    av_free(dir);
    free(rdir);
    return ret;
}

/* Whether paths a and b name the same file: the same one on disk when
 * both exist, else the same place once resolved (./o.mkv is o.mkv, and
 * file:o.mkv too). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    a = output_file_name(a); /* a file: URL is its file */
    b = output_file_name(b);
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    char *ca = canonical(a), *cb = canonical(b);
    const int same = ca && cb ? !strcmp(ca, cb) : !strcmp(a, b);
    free(ca);
    free(cb);
    return same;
}

/* --log: checked against the input and the output (it must overwrite
 * neither), then written as LOG.partial until the run ends (see
 * log_finish()); - is standard output, and a path that is not a regular
 * file (a pipe, a device) is written as it is. An exit status. */
static int log_open(Run *r, const CliOptions *o)
{
    const char *path = o->log_path;
    if (!strcmp(path, "-")) {
        if (!strcmp(o->output, "-")) {
            av_log(NULL, AV_LOG_ERROR, "the log and the output cannot both go to standard "
                   "output: give --log a file\n");
            return EXIT_USAGE;
        }
        r->log_fd = STDOUT_FILENO;
        return EXIT_OK;
    }
    for (int i = 0; i < o->nb_inputs; i++)
        if (same_file(path, o->inputs[i])) {
            av_log(NULL, AV_LOG_ERROR, "log '%s' is the input: give --log another file\n", path);
            return EXIT_USAGE;
        }
    /* the output, or the name it is written under until it is complete */
    char *partial = av_asprintf("%s.partial", o->output);
    const int is_output = strcmp(o->output, "-") &&
                          (same_file(path, o->output) || (partial && same_file(path, partial)));
    av_free(partial);
    if (is_output) {
        av_log(NULL, AV_LOG_ERROR, "log '%s' is the output: give --log another file\n", path);
        return EXIT_USAGE;
    }
    struct stat st;
    const int exists = stat(path, &st) == 0;
    if (exists && S_ISREG(st.st_mode) && !o->overwrite) {
        av_log(NULL, AV_LOG_ERROR, "log '%s' already exists; add -y to overwrite it\n", path);
        return EXIT_USAGE;
    }
    const int regular = !exists || S_ISREG(st.st_mode);
    if (regular && !(r->log_tmp = av_asprintf("%s.partial", path)))
        return EXIT_ERROR;
    if ((r->log_fd = open(regular ? r->log_tmp : path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                          0666)) < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot create the log '%s': %s\n", path, strerror(errno));
        av_freep(&r->log_tmp);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

/* The log, closed, as the run ended with status: under its own name after
 * a run that wrote its output (finished, stopped or with damage skipped);
 * gone after a mistake on the command line or a run that logged nothing;
 * kept as LOG.partial, like the output, after a run that failed part way. */
static void log_finish(Run *r, const CliOptions *o, int status)
{
    if (!r->log_tmp)
        return;
    if (status == EXIT_USAGE || !r->nb_logged)
        unlink(r->log_tmp);
    else if (status != EXIT_ERROR && rename(r->log_tmp, o->log_path) != 0)
        av_log(NULL, AV_LOG_ERROR, "cannot name the log '%s': %s (it is kept as '%s')\n",
               o->log_path, strerror(errno), r->log_tmp);
    av_freep(&r->log_tmp);
}

static int run(Run *r)
{
    const CliOptions *o = r->opt;
    AVPacket *pkt = av_packet_alloc();
    int ret;
    if (!pkt)
        return AVERROR(ENOMEM);
    /* a live source may run ahead by max_delay (a burst of frames after
     * opening, the encoder's start) before frames are dropped */
    ret = reader_start(&r->reader, &r->in, r->in.live ? READER_MAX_FRAMES : 8,
                       (int64_t)(o->max_delay * 1e6), o->reconnect, o->input_formats[0],
                       o->input_opts[0]);
    /* after a stop signal a file stops at once (its frames are still in
     * it); a pipe, a network stream or a device gives out what the reader
     * has first: those frames exist nowhere else */
    const AVIOContext *pb = r->in.fmt->pb;
    const int drain = r->in.live || !pb || !(pb->seekable & AVIO_SEEKABLE_NORMAL);
    while (ret >= 0 && !r->done && !(cli_stop_signal && !drain)) {
        ret = reader_next(&r->reader, r->frame, pkt, &r->t_in);
        if (ret == INPUT_EOF || ret == AVERROR_EXIT) {
            ret = 0;
            break;
        }
        if (ret < 0)
            break;
        if (ret == INPUT_PACKET) {
            if (o->max_duration > 0 && pkt->pts != AV_NOPTS_VALUE && r->first_pts != AV_NOPTS_VALUE &&
                pkt->pts * av_q2d(r->in.fmt->streams[pkt->stream_index]->time_base) -
                r->first_pts * av_q2d(r->in.vst->time_base) >= o->max_duration) {
                av_packet_unref(pkt);
                continue;
            }
            ret = output_copy_packet(&r->out, pkt);
        } else {
            r->stats.frames_in++;
            ret = handle_frame(r, r->frame);
            note_drops(r);
            if (o->live_stats)
                stats_print(&r->stats, 0);
        }
    }
    reader_stop(&r->reader);
    r->stats.dropped = r->reader.dropped;
    if (ret >= 0)
        ret = handle_frame(r, NULL); /* drain the graphs, the library and the encoder */
    av_packet_free(&pkt);
    return ret;
}

int main(int argc, char **argv)
{
    CliOptions opt;
    Run r = { .opt = &opt, .first_pts = AV_NOPTS_VALUE, .log_fd = -1 };
    int status = EXIT_ERROR, ret;

    cli_log_setup(AV_LOG_INFO);
    avdevice_register_all(); /* before the command line: -f may name a device */
    if (parse_args(argc, argv, &opt) < 0)
        return EXIT_USAGE;
    avformat_network_init();

    main_thread = pthread_self();
    struct sigaction sa = { .sa_handler = on_signal }, wake = { .sa_handler = on_wake };
    sigemptyset(&sa.sa_mask);
    sigemptyset(&wake.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(WAKE_SIGNAL, &wake, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed downstream shows up as a write error */
    signal(SIGXFSZ, SIG_IGN); /* so does the file size limit (EFBIG), as a full disk */

    /* everything that can be checked before reading any input */
    SmearSettings s;
    char *chain = NULL;
    smear_default_settings(&s);
    if (opt.preset) {
        chain = opt.chain ? av_asprintf("%s,%s", smear_preset_chain(opt.preset), opt.chain)
                          : av_strdup(smear_preset_chain(opt.preset));
        if (!chain)
            goto end;
    }
    s.chain = chain ? chain : opt.chain;
    s.threads = opt.threads;
    s.seed = opt.seed;
    s.seed_set = opt.seed_set;
    s.source = opt.nb_inputs ? opt.inputs[0] : NULL;
    if (opt.print_schedule) {
        s.frame_rate = opt.sched_fps;
        s.seed_set = 1;
        if (!opt.seed_set)
            s.seed = 0;
    }
    if ((ret = smear_open(&r.smear, &s)) < 0) {
        status = EXIT_USAGE;
        goto end;
    }
    if (opt.dataset.dir) {
        status = dataset_run(&opt, s.chain);
        goto end;
    }
    if (opt.print_schedule) {
        ret = print_schedule(r.smear, opt.sched_duration, opt.sched_fps, opt.sched_w, opt.sched_h,
                             opt.plot_path);
        status = ret < 0 ? EXIT_ERROR : stdout_status();
        goto end;
    }
    if ((opt.vf_pre && !(r.pre = graph_new(opt.vf_pre))) ||
        (opt.vf_post && !(r.post = graph_new(opt.vf_post)))) {
        status = EXIT_USAGE;
        goto end;
    }
    if (output_check_path(opt.output, opt.overwrite) < 0) {
        status = EXIT_USAGE;
        goto end;
    }
    if (opt.log_path) {
        if ((status = log_open(&r, &opt)) != EXIT_OK)
            goto end;
        status = EXIT_ERROR;
    }

    AVDictionary *in_opts = NULL;
    av_dict_copy(&in_opts, opt.input_opts[0], 0);
    ret = input_open(&r.in, opt.inputs[0], opt.input_formats[0], &in_opts, opt.realtime,
                     (int64_t)(opt.input_timeout * 1e6));
    const AVDictionaryEntry *unused = av_dict_get(in_opts, "", NULL, AV_DICT_IGNORE_SUFFIX);
    if (ret >= 0 && unused) {
        av_log(NULL, AV_LOG_ERROR, "input option -%s was not used by the %s input\n", unused->key,
               r.in.fmt->iformat->name);
        status = EXIT_USAGE;
        av_dict_free(&in_opts);
        goto end;
    }
    av_dict_free(&in_opts);
    if (ret < 0) {
        if (cli_stop_signal) /* stopped while the input was opening: nothing went wrong */
            status = 128 + cli_stop_signal;
        goto end;
    }
    if ((ret = output_open(&r.out, &opt, &r.in)) < 0) {
        /* a mistake on the command line, or a failure to create the file */
        status = ret == AVERROR(EEXIST) || ret == AVERROR_OPTION_NOT_FOUND ||
                 ret == AVERROR_ENCODER_NOT_FOUND || ret == AVERROR(EINVAL) ? EXIT_USAGE : EXIT_ERROR;
        goto end;
    }
    r.tb = r.out_tb = r.in.vst->time_base;
    r.frame_rate = r.out_rate = av_guess_frame_rate(r.in.fmt, r.in.vst, NULL);
    if (!(r.frame = av_frame_alloc()) || !(r.aug = av_frame_alloc()) || !(r.tmp = av_frame_alloc()))
        goto end;

    if (!opt.seed_set)
        av_log(NULL, AV_LOG_INFO, "seed %" PRIu64 " (add --seed %" PRIu64 " to repeat this run)\n",
               smear_get_seed(r.smear), smear_get_seed(r.smear));
    r.start_us = r.stats.start_us = r.stats.last_print_us = av_gettime_relative();
    ret = run(&r);
    print_stats(&r, 1);
    if (opt.live_stats)
        stats_print(&r.stats, 1);
    if (r.stats.dropped)
        av_log(NULL, AV_LOG_WARNING, "%" PRId64 " input frames were dropped to keep up with the source\n",
               r.stats.dropped);
    const int complete = ret >= 0;
    int cret = output_close(&r.out, complete);
    if (ret >= 0 && cret < 0)
        ret = cret;
    if (r.log_fd > STDOUT_FILENO && close(r.log_fd) != 0 && ret >= 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot write the log '%s': %s\n", opt.log_path, strerror(errno));
        ret = AVERROR(EIO);
    }
    r.log_fd = -1;

    if (input_had_errors(&r.in) || r.out.nb_bad_copied)
        av_log(NULL, AV_LOG_WARNING, "input '%s' was damaged: %" PRId64 " damaged packets, %" PRId64
               " undecodable, %" PRId64 " frames decoded with errors, %" PRId64 " read errors, %"
               PRId64 " packets of copied streams dropped\n", opt.inputs[0],
               r.in.nb_corrupt_packets, r.in.nb_bad_packets, r.in.nb_corrupt_frames,
               r.in.nb_read_errors, r.out.nb_bad_copied);
    if (ret < 0 && r.out.reader_gone)
        status = EXIT_OK; /* the consumer chose to stop (e.g. a player was closed) */
    else if (ret < 0)
        status = r.out.refused ? EXIT_USAGE : EXIT_ERROR; /* refused: nothing was written */
    else if (cli_stop_signal)
        status = 128 + cli_stop_signal;
    else if (input_had_errors(&r.in) || r.out.nb_bad_copied)
        status = EXIT_INPUT_ERRORS;
    else if (r.out.nb_frames == 0) {
        /* where the frames stopped: none decoded, or filters let none through */
        if (r.stats.frames_in && !r.nb_out && opt.vf_pre)
            av_log(NULL, AV_LOG_ERROR, "the -vf_pre filters '%s' let no frame through\n",
                   opt.vf_pre);
        else if (r.nb_out && opt.vf_post)
            av_log(NULL, AV_LOG_ERROR, "the -vf_post filters '%s' let no frame through\n",
                   opt.vf_post);
        else
            av_log(NULL, AV_LOG_ERROR, "no video frame could be decoded from '%s'\n",
                   opt.inputs[0]);
        status = EXIT_ERROR;
    } else
        status = EXIT_OK;
    if (cli_stop_signal && ret >= 0)
        av_log(NULL, AV_LOG_INFO, "stopped by signal %d after %" PRId64 " frames; '%s' is complete\n",
               (int)cli_stop_signal, r.nb_out, r.out.path ? r.out.path : opt.output);
end:
    if (r.out.oc)
        output_close(&r.out, 0);
    if (r.log_fd > STDOUT_FILENO)
        close(r.log_fd);
    log_finish(&r, &opt, status);
    if (!r.reader.abandoned) /* else its thread may still be in it */
        input_close(&r.in);
    graph_free(&r.pre);
    graph_free(&r.post);
    smear_close(&r.smear);
    av_free(chain);
    av_frame_free(&r.frame);
    av_frame_free(&r.aug);
    av_frame_free(&r.tmp);
    av_dict_free(&opt.output_opts);
    for (int i = 0; i < opt.nb_inputs; i++)
        av_dict_free(&opt.input_opts[i]);
    avformat_network_deinit();
    return status;
}
