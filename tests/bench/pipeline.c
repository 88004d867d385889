/*
 * smear-bench - whole runs: the smear program next to the ffmpeg program on
 * the same clips (a transcode, frames to images), a paced live stream, and
 * a soak of the library for memory.
 *
 * The programs run through /bin/sh with their standard error in a file, so
 * that smear's own figures (--stats) can be read back. Clips are made with
 * FFmpeg's lavfi sources in a temporary folder that is removed at the end.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/frame.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "smear/smear.h"

#include "pipeline.h"

#define CMD_MAX 4096

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A scratch folder for one section, removed by folder_drop(). */
static int folder_make(char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/smear-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "smear-bench: cannot make a scratch folder: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static void folder_drop(const char *dir)
{
    char cmd[CMD_MAX];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "smear-bench: could not remove %s\n", dir);
}

/* Runs a shell command; its standard error goes to err_path (or nowhere).
 * Returns the exit status (or -1) and the wall time in *secs. */
static int run_cmd(double *secs, const char *err_path, const char *fmt, ...)
{
    char cmd[CMD_MAX], full[CMD_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(full, sizeof(full), "{ %s ; } 2>'%s' </dev/null", cmd, err_path ? err_path : "/dev/null");
    const double t0 = now_s();
    const int st = system(full);
    if (secs)
        *secs = now_s() - t0;
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static int have_program(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* Makes a clip with ffmpeg from a lavfi source. */
static int make_clip(const char *path, const char *source, const char *codec)
{
    const int st = run_cmd(NULL, NULL, "ffmpeg -nostdin -v error -y -f lavfi -i '%s' %s '%s'",
                           source, codec, path);
    if (st != 0)
        fprintf(stderr, "smear-bench: could not make %s with ffmpeg\n", path);
    return st == 0 ? 0 : -1;
}

static double median3(double a, double b, double c)
{
    return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

/* Median wall time of a command over reps runs; -1 when it fails. */
static double time_cmd(int reps, const char *cmd)
{
    double t[3] = { 0 };
    for (int i = 0; i < reps && i < 3; i++)
        if (run_cmd(&t[i], NULL, "%s", cmd) != 0)
            return -1;
    return reps >= 3 ? median3(t[0], t[1], t[2]) : reps == 2 ? fmin(t[0], t[1]) : t[0];
}

static const char *mark(int ok)
{
    return ok ? "ok" : "MISSED";
}

static int need_programs(const char *section, const PipelineOptions *o)
{
    if (!have_program("ffmpeg")) {
        printf("%s: skipped: the ffmpeg program is not installed\n\n", section);
        return -1;
    }
    if (access(o->smear, X_OK) != 0) {
        printf("%s: skipped: the smear program is not at %s (set SMEAR)\n\n", section, o->smear);
        return -1;
    }
    return 0;
}

/* ============================================================ transcode */

int bench_transcode(const PipelineOptions *o)
{
    const int frames = o->quick ? 50 : 150, reps = o->quick ? 1 : 3;
    char dir[512], clip[600], out[600], src[256];
    if (need_programs("transcode", o) < 0)
        return 0;
    if (folder_make(dir, sizeof(dir)) < 0)
        return -1;
    snprintf(clip, sizeof(clip), "%s/in1080.mkv", dir);
    snprintf(out, sizeof(out), "%s/out.mkv", dir);
    snprintf(src, sizeof(src), "testsrc2=size=1920x1080:rate=25,noise=alls=6:allf=t,trim=end_frame=%d",
             frames);
    printf("== Transcode: H.264 1080p, %d frames -> libx264 veryfast (median of %d runs) ==\n",
           frames, reps);
    if (make_clip(clip, src, "-c:v libx264 -preset veryfast -crf 20") < 0) {
        folder_drop(dir);
        return -1;
    }
    static const struct {
        const char *name, *ff_threads, *smear_threads;
    } modes[2] = {
        { "2 threads (default)", "", "" },
        { "1 thread", "-threads 1 -filter_threads 1", "-threads 1 -x264-params threads=1" },
    };
    printf("%-20s %10s %10s %10s %15s %14s %14s\n", "threads", "plain s", "ffmpeg s", "smear s",
           "ffmpeg / smear", "ffmpeg / plain", "smear / plain");
    double worst_ratio = 0;
    for (int m = 0; m < 2; m++) {
        char cmd[CMD_MAX];
        const char *ft = modes[m].ff_threads;
        snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y %s -i '%s' %s -c:v libx264 "
                 "-preset veryfast '%s'", ft, clip, m ? "-threads 1" : "", out);
        const double plain = time_cmd(reps, cmd);
        snprintf(cmd, sizeof(cmd), "ffmpeg -nostdin -v error -y %s -i '%s' -vf "
                 "gblur=sigma=3,shear=shx=0.1 %s -c:v libx264 -preset veryfast '%s'", ft, clip,
                 m ? "-threads 1" : "", out);
        const double ff = time_cmd(reps, cmd);
        snprintf(cmd, sizeof(cmd), "'%s' -nostats -loglevel error --seed 1 -i '%s' -a "
                 "blur=sigma=3,shear=x=0.1 -c:v libx264 -preset veryfast %s -y '%s'", o->smear,
                 clip, modes[m].smear_threads, out);
        const double sm = time_cmd(reps, cmd);
        if (plain <= 0 || ff <= 0 || sm <= 0) {
            printf("%-20s a run failed\n", modes[m].name);
            continue;
        }
        printf("%-20s %10.2f %10.2f %10.2f %14.2fx %13.2fx %13.2fx\n", modes[m].name, plain, ff,
               sm, ff / sm, ff / plain, sm / plain);
        worst_ratio = fmax(worst_ratio, sm / plain);
    }
    printf("  same chain: ffmpeg -vf gblur=sigma=3,shear=shx=0.1; smear -a blur=sigma=3,shear=x=0.1\n"
           "  (a blurred video is cheaper to encode than the grainy source: a ratio below 1 is\n"
           "  the encoder saving more than the filters cost)\n");
    printf("  target: the encoder stays the main cost (smear adds < 50%%): worst %.2fx  %s\n\n",
           worst_ratio, mark(worst_ratio > 0 && worst_ratio < 1.5));
    folder_drop(dir);
    return 0;
}

/* ============================================================== dataset */

static int count_files(const char *dir, const char *ext)
{
    char cmd[CMD_MAX];
    snprintf(cmd, sizeof(cmd), "find '%s' -name '*.%s' | wc -l", dir, ext);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

int bench_dataset(const PipelineOptions *o)
{
    const int frames = o->quick ? 50 : 150;
    char dir[512], clip[600], src[256];
    if (need_programs("dataset", o) < 0)
        return 0;
    if (folder_make(dir, sizeof(dir)) < 0)
        return -1;
    snprintf(clip, sizeof(clip), "%s/in720.mkv", dir);
    snprintf(src, sizeof(src), "testsrc2=size=1280x720:rate=25,noise=alls=6:allf=t,trim=end_frame=%d",
             frames);
    printf("== Dataset: a 720p clip of %d frames to one image per frame ==\n", frames);
    if (make_clip(clip, src, "-c:v libx264 -preset veryfast -crf 18") < 0) {
        folder_drop(dir);
        return -1;
    }
    printf("%-6s %16s %16s %10s\n", "format", "ffmpeg images/s", "smear images/s", "smear/ffmpeg");
    int all_ok = 1;
    for (int f = 0; f < 2; f++) {
        const char *ext = f ? "jpg" : "png";
        double t_ff, t_sm;
        run_cmd(NULL, NULL, "rm -rf '%s/ff' '%s/sm' && mkdir '%s/ff'", dir, dir, dir);
        const int s1 = run_cmd(&t_ff, NULL, "ffmpeg -nostdin -v error -y -i '%s' -vf gblur=sigma=2 "
                               "%s '%s/ff/frame_%%06d.%s'", clip, f ? "-q:v 4" : "", dir, ext);
        const int n_ff = count_files(dir, ext);
        const int s2 = run_cmd(&t_sm, NULL, "'%s' -i '%s' -a \"blur=sigma='uniform(1,3)@frame'\" "
                               "--frames '%s/sm' --seed 1 --image-format %s", o->smear, clip, dir,
                               ext);
        const int n_sm = count_files(dir, ext) - n_ff;
        if (s1 != 0 || s2 != 0 || n_ff != frames || n_sm != frames) {
            printf("%-6s a run failed (ffmpeg %d images, smear %d)\n", ext, n_ff, n_sm);
            all_ok = 0;
            continue;
        }
        const double r_ff = frames / t_ff, r_sm = frames / t_sm;
        printf("%-6s %16.1f %16.1f %9.2fx\n", ext, r_ff, r_sm, r_sm / r_ff);
        all_ok &= r_sm >= r_ff;
    }
    printf("  ffmpeg: -vf gblur=sigma=2 frame_%%06d.png (constant blur); smear: a blur drawn per frame,\n"
           "  with its manifest; both on every core\n");
    printf("  target: smear at least as fast as ffmpeg: %s\n\n", mark(all_ok));
    folder_drop(dir);
    return 0;
}

/* ================================================================= live */

typedef struct LiveStats {
    double secs;
    long   in, out, dropped;
    double aug_p50, aug_p99, lat_p50, lat_p99;
} LiveStats;

/* smear --stats' last summary line in the file. */
static int read_stats(const char *path, LiveStats *s)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int found = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        const char *p = strstr(line, "final stats: ");
        if (p && sscanf(p, "final stats: %lf s, frames in %ld, out %ld, dropped %ld; augmentation "
                        "ms p50 %lf p99 %lf max %*f; latency ms p50 %lf p99 %lf", &s->secs, &s->in,
                        &s->out, &s->dropped, &s->aug_p50, &s->aug_p99, &s->lat_p50,
                        &s->lat_p99) == 8)
            found = 1;
    }
    fclose(f);
    return found ? 0 : -1;
}

int bench_live(const PipelineOptions *o)
{
    const int secs = o->quick ? 10 : 60;
    char dir[512], err[600];
    if (need_programs("live", o) < 0)
        return 0;
    if (folder_make(dir, sizeof(dir)) < 0)
        return -1;
    snprintf(err, sizeof(err), "%s/smear.err", dir);
    printf("== Live: a paced 1920x1080 30 fps source for %d s, blur+shear, x264 ultrafast "
           "zerolatency ==\n", secs);
    fflush(stdout);
    double wall;
    const int st = run_cmd(&wall, err,
        "ffmpeg -nostdin -v error -re -f lavfi -i testsrc2=size=1920x1080:rate=30 -t %d "
        "-c:v rawvideo -f nut - | '%s' -i - --realtime --stats --seed 1 "
        "-a blur=sigma=2,shear=x=0.12 -c:v libx264 -preset ultrafast -tune zerolatency "
        "-f nut - >/dev/null", secs, o->smear);
    LiveStats s;
    if (st != 0 || read_stats(err, &s) < 0) {
        printf("  the run failed (status %d); smear said:\n", st);
        run_cmd(NULL, NULL, "tail -5 '%s' >&2", err);
        folder_drop(dir);
        return 0;
    }
    printf("  frames in %ld, out %ld, dropped %ld over %.1f s\n", s.in, s.out, s.dropped, s.secs);
    printf("  augmentation ms per frame: p50 %.2f, p99 %.2f\n", s.aug_p50, s.aug_p99);
    printf("  latency, frame in to frame out, ms: p50 %.1f, p99 %.1f\n", s.lat_p50, s.lat_p99);
    printf("  targets: no drops %s; augmentation p99 < 10 ms %s; latency p99 < 50 ms %s\n\n",
           mark(s.dropped == 0), mark(s.aug_p99 < 10), mark(s.lat_p99 < 50));
    folder_drop(dir);
    return 0;
}

/* ================================================================= soak */

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static const char soak_chain[] =
    "blur=sigma='1+0.8*sin(t)',shear=x='drift(0,0.05,2)',"
    "motion=length='uniform(0,6)@frame':angle='uniform(0,180)@frame',"
    "defocus=radius='burst(0.5,4,0.3)'";

/* Frames through the library, resident memory sampled along the way. */
static int soak_library(long nb_frames)
{
    SmearSettings set;
    SmearContext *ctx = NULL;
    AVFrame *in = av_frame_alloc(), *out = av_frame_alloc();
    const long every = nb_frames / 20;
    long rss0 = -1, rss_max = 0;
    int ret;
    smear_default_settings(&set);
    set.chain = soak_chain;
    set.seed = 1;
    set.seed_set = 1;
    set.time_base = (AVRational){ 1, 25 };
    if (!in || !out || (ret = smear_open(&ctx, &set)) < 0) {
        av_frame_free(&in);
        av_frame_free(&out);
        return -1;
    }
    printf("  %-10s %12s\n", "frames", "RSS KiB");
    const double t0 = now_s();
    for (long n = 0; n < nb_frames; n++) {
        in->width = 64;
        in->height = 48;
        in->format = AV_PIX_FMT_YUV420P;
        if ((ret = av_frame_get_buffer(in, 0)) < 0)
            break;
        for (int p = 0; p < 3; p++)
            for (int y = 0; y < (p ? 24 : 48); y++)
                memset(in->data[p] + y * in->linesize[p], (int)((n * 7 + y * 3 + p * 50) & 0xff),
                       p ? 32 : 64);
        in->pts = n;
        if ((ret = smear_send_frame(ctx, in)) < 0 || (ret = smear_receive_frame(ctx, out)) < 0)
            break;
        av_frame_unref(out);
        if ((n + 1) % every == 0) {
            const long kib = rss_kib();
            printf("  %-10ld %12ld\n", n + 1, kib);
            /* warm-up: the first tenth of the run */
            if (rss0 < 0 && n + 1 >= nb_frames / 10)
                rss0 = kib;
            else if (rss0 >= 0 && kib > rss_max)
                rss_max = kib;
        }
    }
    const double dt = now_s() - t0;
    smear_close(&ctx);
    av_frame_free(&in);
    av_frame_free(&out);
    if (ret < 0) {
        printf("  the library failed: %s\n", av_err2str(ret));
        return -1;
    }
    const long growth = rss_max > rss0 ? rss_max - rss0 : 0;
    printf("  %ld frames in %.1f s (%.0f frames/s); RSS after warm-up %ld KiB, highest later %ld KiB\n",
           nb_frames, dt, nb_frames / dt, rss0, rss_max);
    printf("  target: resident memory flat after warm-up (growth < 1024 KiB): %ld KiB  %s\n",
           growth, mark(growth < 1024));
    return 0;
}

/* A short run of the smear program under valgrind's memcheck. */
static void soak_valgrind(const PipelineOptions *o)
{
    char dir[512], err[600];
    if (!have_program("valgrind")) {
        printf("  valgrind: skipped: not installed (apt-get install valgrind)\n");
        return;
    }
    if (folder_make(dir, sizeof(dir)) < 0)
        return;
    snprintf(err, sizeof(err), "%s/valgrind.err", dir);
    double secs;
    const int st = run_cmd(&secs, err,
        "valgrind --leak-check=full --show-leak-kinds=definite,indirect "
        "--errors-for-leak-kinds=definite,indirect --error-exitcode=9 '%s' -nostats "
        "-loglevel error --seed 1 -f lavfi -i testsrc2=size=96x64:rate=25:duration=2 "
        "-a \"%s\" -c:v ffv1 -f nut - >/dev/null", o->smear, soak_chain);
    if (st == 0)
        printf("  valgrind memcheck, 50 frames through the smear program: no leak, no error "
               "(%.0f s)  ok\n", secs);
    else {
        printf("  valgrind memcheck: status %d  MISSED; its summary:\n", st);
        run_cmd(NULL, NULL, "grep -E 'definitely|indirectly|ERROR SUMMARY' '%s' >&2", err);
    }
    folder_drop(dir);
}

int bench_soak(const PipelineOptions *o)
{
    const long frames = o->quick ? 10000 : 100000;
    printf("== Soak: %ld frames of 64x48 through a time-varying chain (library, one context) ==\n",
           frames);
    printf("  chain: %s\n", soak_chain);
    const int ret = soak_library(frames);
    if (access(o->smear, X_OK) == 0)
        soak_valgrind(o);
    printf("\n");
    return ret;
}
