/*
 * smear-bench: smear's kernels next to FFmpeg's own filters, timed in one
 * process on the same 1920x1080 yuv420p frames, on one thread, and the
 * worst error of each kernel against a plain float64 reference.
 *
 *     smear-bench [options] [section ...]
 *
 * Each section is a self-contained report; run "smear-bench --help" for the
 * list. Speed and memory targets of the project are checked here, never in
 * the timed unit tests, because shared machines make timings noisy: every
 * figure is the median of several repeats, with the sides of a comparison
 * interleaved so a slow phase of the machine hits all of them alike.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/buffer.h>
#include <libavutil/common.h>
#include <libavutil/cpu.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "config.h"
#include "smear/smear.h"

#include "affine.h"
#include "box.h"
#include "cpu.h"
#include "defocus.h"
#include "gaussian.h"
#include "motion.h"
#include "pipeline.h"
#include "reference.h"

#define FRAME_W 1920
#define FRAME_H 1080
#define FRAME_FMT AV_PIX_FMT_YUV420P

#define MAX_OPS 64
#define MAX_FF 3

/* ================================================================ basics */

typedef struct Options {
    int         frames;   ///< distinct frames per timed pass
    int         repeats;  ///< timed passes per row; the median is reported
    int         quick;    ///< fewer rows, frames and repeats
    int         verbose;  ///< every repeat's time, FFmpeg's messages
    const char *input;    ///< clip to decode frames from, or NULL
    const char *pattern;  ///< generated frames when no input: "synth" or "testsrc2"
    const char *only;     ///< run only rows whose name contains this
    unsigned    cpu;      ///< CPU features the kernels may use
} Options;

typedef struct Op Op;

/** One timed row of the speed table. */
typedef struct SpeedResult {
    int    done;
    double cfg, k, lib, ff[MAX_FF];       ///< medians, ms (NAN: not run or failed)
    double k_min, k_max, lib_min, lib_max, ff_min[MAX_FF], ff_max[MAX_FF];
    int    identity;                      ///< the kernel gave back its input unchanged
    int    frames, repeats;               ///< fewer than asked when the row is slow
} SpeedResult;

/** One row of the accuracy table. */
typedef struct AccResult {
    int    done, ok;
    int    max_abs, max_interior;         ///< levels off the rounded reference; -1: no interior sample
    int    x, y;                          ///< where max_abs was first seen
    double mean_abs, psnr, max_float;
    long   samples;
    int    identity;                      ///< the kernel gave back its input unchanged
} AccResult;

typedef struct DblurMap {
    double length, radius, std;
} DblurMap;

typedef struct Bench {
    Options   o;
    AVFrame **frames;
    int       nb_frames;
    char      source[320];

    /* FFmpeg's dblur as measured with an impulse */
    int       dblur_probed, dblur_ok, dblur_mirrored;
    DblurMap  dmap[16];
    int       nb_dmap;

    /* the rows of the kernel section and their results */
    Op         *ops;
    int         nb_ops;
    SpeedResult speed[MAX_OPS];
    Op         *acc_ops;
    int         nb_acc;
    AccResult   acc[MAX_OPS];
    int         speed_run, acc_run;
} Bench;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, minimum and maximum of v[0..n-1] (reordered); NAN when n == 0. */
static double median(double *v, int n, double *vmin, double *vmax)
{
    if (n <= 0) {
        if (vmin)
            *vmin = NAN;
        if (vmax)
            *vmax = NAN;
        return NAN;
    }
    qsort(v, n, sizeof(*v), cmp_double);
    if (vmin)
        *vmin = v[0];
    if (vmax)
        *vmax = v[n - 1];
    return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void report_error(const char *what, int err)
{
    fprintf(stderr, "smear-bench: %s: %s\n", what, av_err2str(err));
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Deterministic hashing for generated content and paths. */
static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t h = a * 0x9e3779b1u ^ (b + 0x7f4a7c15u) * 0x85ebca77u ^ (c + 0x165667b1u) * 0xc2b2ae3du;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    h *= 0x297a2d39u;
    h ^= h >> 15;
    return h;
}

static double hash_unit(uint32_t a, uint32_t b, uint32_t c)
{
    return hash3(a, b, c) * (1.0 / 4294967296.0);
}

/* ================================================================ frames */

static AVFrame *frame_new(int w, int h, enum AVPixelFormat fmt)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return NULL;
    f->format = fmt;
    f->width = w;
    f->height = h;
    if (av_frame_get_buffer(f, 64) < 0)
        av_frame_free(&f);
    return f;
}

/* Plane p of an 8-bit planar frame as a kernel sees it. */
static SmearPlane frame_plane(const AVFrame *f, int p)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    const int w = p ? AV_CEIL_RSHIFT(f->width, d->log2_chroma_w) : f->width;
    const int h = p ? AV_CEIL_RSHIFT(f->height, d->log2_chroma_h) : f->height;
    SmearPlane sp = { f->data[p], f->linesize[p], w, h, 8 };
    return sp;
}

static void frames_free(Bench *b)
{
    for (int i = 0; i < b->nb_frames; i++)
        av_frame_free(&b->frames[i]);
    av_freep(&b->frames);
    b->nb_frames = 0;
}

static int frames_push(Bench *b, AVFrame *f)
{
    AVFrame **n = av_realloc_array(b->frames, b->nb_frames + 1, sizeof(*n));
    if (!n)
        return AVERROR(ENOMEM);
    b->frames = n;
    b->frames[b->nb_frames++] = f;
    return 0;
}

/* --- generated natural-looking frames --- */

static double value_noise(double x, double y, uint32_t seed)
{
    const double fx = floor(x), fy = floor(y);
    const int x0 = (int)fx, y0 = (int)fy;
    double tx = x - fx, ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const double a = hash_unit(x0, y0, seed), bb = hash_unit(x0 + 1, y0, seed);
    const double c = hash_unit(x0, y0 + 1, seed), d = hash_unit(x0 + 1, y0 + 1, seed);
    return (a + (bb - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

/* Octaves of value noise with fine detail weaker than coarse structure, as
 * in photographs (a roughly 1/f spectrum). Centred on 0.5. */
static double fractal(double x, double y, double cell, int octaves, uint32_t seed)
{
    double sum = 0, amp = 1, norm = 0;
    for (int k = 0; k < octaves; k++) {
        sum += amp * value_noise(x / cell, y / cell, seed * 31 + k);
        norm += amp;
        amp *= 0.62;
        cell *= 0.5;
    }
    return sum / norm;
}

typedef struct Shape {
    int    rect;
    double cx, cy, a, b, c, s;
    double y, u, v;
} Shape;

static int shape_inside(const Shape *sh, double x, double y)
{
    const double dx = x - sh->cx, dy = y - sh->cy;
    const double u = (dx * sh->c + dy * sh->s) / sh->a, v = (-dx * sh->s + dy * sh->c) / sh->b;
    return sh->rect ? fabs(u) <= 1 && fabs(v) <= 1 : u * u + v * v <= 1;
}

/*
 * Frames cut at moving offsets from one textured canvas: a fractal texture
 * (smooth areas and fine detail), objects with hard edges (discs and
 * rotated rectangles, textured inside), coloured chroma, and a per-frame
 * grain like a camera's noise. Every frame differs from the others.
 */
static int frames_synth(Bench *b, int n)
{
    enum { NB_SHAPES = 70, STEP_X = 40, STEP_Y = 24, PERIOD = 16 };
    const int shifts = FFMIN(n, PERIOD);
    const int cw = FRAME_W + STEP_X * (shifts - 1), ch = FRAME_H + STEP_Y * (shifts - 1);
    const int ccw = cw / 2, cch = ch / 2;
    float *Y = av_malloc_array((size_t)cw * ch, sizeof(float));
    float *U = av_malloc_array((size_t)ccw * cch, sizeof(float));
    float *V = av_malloc_array((size_t)ccw * cch, sizeof(float));
    Shape shapes[NB_SHAPES];
    int ret = 0;

    if (!Y || !U || !V) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    for (int y = 0; y < ch; y++)
        for (int x = 0; x < cw; x++) {
            const double t = fractal(x, y, 320, 7, 1);
            Y[(size_t)y * cw + x] = (float)(16 + 219 * clampd(0.5 + (t - 0.5) * 2.6, 0, 1));
        }
    for (int y = 0; y < cch; y++)
        for (int x = 0; x < ccw; x++) {
            U[(size_t)y * ccw + x] = (float)(128 + 150 * (fractal(x, y, 160, 5, 2) - 0.5));
            V[(size_t)y * ccw + x] = (float)(128 + 150 * (fractal(x, y, 160, 5, 3) - 0.5));
        }
    for (int i = 0; i < NB_SHAPES; i++) {
        Shape *sh = &shapes[i];
        const double ang = M_PI * hash_unit(i, 5, 9);
        sh->rect = hash3(i, 1, 9) & 1;
        sh->cx = cw * hash_unit(i, 2, 9);
        sh->cy = ch * hash_unit(i, 3, 9);
        sh->a = 6 * exp(3.3 * hash_unit(i, 4, 9)); /* 6 to 160 samples, more small than big */
        sh->b = sh->a * (0.3 + 0.7 * hash_unit(i, 6, 9));
        sh->c = cos(ang);
        sh->s = sin(ang);
        sh->y = 20 + 215 * hash_unit(i, 7, 9);
        sh->u = 128 + 100 * (hash_unit(i, 8, 9) - 0.5);
        sh->v = 128 + 100 * (hash_unit(i, 10, 9) - 0.5);
        const double r = FFMAX(sh->a, sh->b);
        const int y0 = clampi((int)floor(sh->cy - r), 0, ch), y1 = clampi((int)ceil(sh->cy + r) + 1, 0, ch);
        const int x0 = clampi((int)floor(sh->cx - r), 0, cw), x1 = clampi((int)ceil(sh->cx + r) + 1, 0, cw);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (shape_inside(sh, x, y)) {
                    float *p = &Y[(size_t)y * cw + x];
                    *p = (float)clampd(sh->y + 0.35 * (*p - 125), 0, 255);
                }
        for (int y = y0 / 2; y < (y1 + 1) / 2 && y < cch; y++)
            for (int x = x0 / 2; x < (x1 + 1) / 2 && x < ccw; x++)
                if (shape_inside(sh, 2 * x + 0.5, 2 * y + 0.5)) {
                    float *pu = &U[(size_t)y * ccw + x], *pv = &V[(size_t)y * ccw + x];
                    *pu = (float)(sh->u + 0.3 * (*pu - 128));
                    *pv = (float)(sh->v + 0.3 * (*pv - 128));
                }
    }
    for (int i = 0; i < n; i++) {
        AVFrame *f = frame_new(FRAME_W, FRAME_H, FRAME_FMT);
        if (!f) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        const int ox = STEP_X * (i % PERIOD), oy = STEP_Y * (i % PERIOD);
        for (int y = 0; y < FRAME_H; y++) {
            uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];
            const float *src = Y + (size_t)(y + oy) * cw + ox;
            for (int x = 0; x < FRAME_W; x++) {
                const int grain = (int)(hash3(x, y, i + 100) % 7) - 3;
                row[x] = (uint8_t)clampi((int)lrintf(src[x]) + grain, 0, 255);
            }
        }
        for (int p = 1; p < 3; p++) {
            const float *plane = p == 1 ? U : V;
            for (int y = 0; y < FRAME_H / 2; y++) {
                uint8_t *row = f->data[p] + (ptrdiff_t)y * f->linesize[p];
                const float *src = plane + (size_t)(y + oy / 2) * ccw + ox / 2;
                for (int x = 0; x < FRAME_W / 2; x++) {
                    const int grain = (int)(hash3(x, y, (i + 100) * 4 + p) % 3) - 1;
                    row[x] = (uint8_t)clampi((int)lrintf(src[x]) + grain, 0, 255);
                }
            }
        }
        if ((ret = frames_push(b, f)) < 0) {
            av_frame_free(&f);
            goto end;
        }
    }
    snprintf(b->source, sizeof(b->source),
             "%d generated frames (fractal texture, hard-edged objects, grain; "
             "a different crop of one canvas each)", n);
end:
    av_free(Y);
    av_free(U);
    av_free(V);
    return ret;
}

/* --- FFmpeg filter graphs --- */

typedef struct FFGraph {
    AVFilterGraph   *graph;
    AVFilterContext *src, *sink;
} FFGraph;

static void ffgraph_close(FFGraph *g)
{
    avfilter_graph_free(&g->graph);
    g->src = g->sink = NULL;
}

/*
 * Builds buffer -> desc -> buffersink for frames like tmpl, on one thread,
 * or desc -> buffersink when tmpl is NULL (desc then starts with a source).
 * With a template, fails with AVERROR(ENOSYS) when FFmpeg had to insert a
 * conversion, which would be timed along with the filter.
 */
static int ffgraph_open(FFGraph *g, const char *desc, const AVFrame *tmpl)
{
    AVFilterInOut *outs = NULL, *ins = NULL;
    char args[200];
    int ret;

    memset(g, 0, sizeof(*g));
    if (!(g->graph = avfilter_graph_alloc()))
        return AVERROR(ENOMEM);
    /* as "ffmpeg -filter_threads 1"; must be set before any filter exists */
    g->graph->nb_threads = 1;
    ret = avfilter_graph_create_filter(&g->sink, avfilter_get_by_name("buffersink"), "out",
                                       NULL, NULL, g->graph);
    if (ret < 0)
        goto end;
    if (!(ins = avfilter_inout_alloc())) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    ins->name = av_strdup("out");
    ins->filter_ctx = g->sink;
    if (!ins->name) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (tmpl) {
        snprintf(args, sizeof(args), "video_size=%dx%d:pix_fmt=%s:time_base=1/30:pixel_aspect=1/1",
                 tmpl->width, tmpl->height, av_get_pix_fmt_name(tmpl->format));
        ret = avfilter_graph_create_filter(&g->src, avfilter_get_by_name("buffer"), "in", args,
                                           NULL, g->graph);
        if (ret < 0)
            goto end;
        if (!(outs = avfilter_inout_alloc())) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        outs->name = av_strdup("in");
        outs->filter_ctx = g->src;
        if (!outs->name) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
    }
    if ((ret = avfilter_graph_parse_ptr(g->graph, desc, &ins, &outs, NULL)) < 0)
        goto end;
    if ((ret = avfilter_graph_config(g->graph, NULL)) < 0)
        goto end;
    if (tmpl)
        for (unsigned i = 0; i < g->graph->nb_filters; i++)
            if (g->graph->filters[i]->name && !strncmp(g->graph->filters[i]->name, "auto_", 5)) {
                ret = AVERROR(ENOSYS);
                goto end;
            }
    ret = 0;
end:
    avfilter_inout_free(&ins);
    avfilter_inout_free(&outs);
    if (ret < 0)
        ffgraph_close(g);
    return ret;
}

/* Filters one frame: in's reference moves into the graph, out receives the result. */
static int ffgraph_filter(FFGraph *g, AVFrame *in, AVFrame *out)
{
    int ret = av_buffersrc_add_frame_flags(g->src, in, 0);
    if (ret < 0)
        return ret;
    return av_buffersink_get_frame(g->sink, out);
}

/* A new frame holding a copy of src, in a buffer taken from pool: the only
 * reference to it, so filters that work in place may do so. */
static AVFrame *pool_copy(AVBufferPool *pool, const AVFrame *src)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return NULL;
    f->format = src->format;
    f->width = src->width;
    f->height = src->height;
    if (!(f->buf[0] = av_buffer_pool_get(pool)) ||
        av_image_fill_arrays(f->data, f->linesize, f->buf[0]->data, src->format, src->width,
                             src->height, 64) < 0 ||
        av_frame_copy(f, src) < 0 || av_frame_copy_props(f, src) < 0)
        av_frame_free(&f);
    return f;
}

static int pool_size(const AVFrame *tmpl)
{
    const int size = av_image_get_buffer_size(tmpl->format, tmpl->width, tmpl->height, 64);
    /* room past the end, as FFmpeg's own frame allocations leave for SIMD reads */
    return size < 0 ? size : size + 256;
}

/* Copies f into a frame of our own (64-aligned rows) and appends it. */
static int frames_push_copy(Bench *b, const AVFrame *f)
{
    AVFrame *c = frame_new(f->width, f->height, f->format);
    int ret;
    if (!c)
        return AVERROR(ENOMEM);
    if ((ret = av_frame_copy(c, f)) < 0 || (ret = frames_push(b, c)) < 0) {
        av_frame_free(&c);
        return ret;
    }
    return 0;
}

static int frames_lavfi(Bench *b, const char *desc, int n)
{
    FFGraph g;
    AVFrame *f = av_frame_alloc();
    int ret;
    if (!f)
        return AVERROR(ENOMEM);
    if ((ret = ffgraph_open(&g, desc, NULL)) < 0) {
        av_frame_free(&f);
        return ret;
    }
    for (int i = 0; i < n && ret >= 0; i++) {
        if ((ret = av_buffersink_get_frame(g.sink, f)) < 0)
            break;
        if (f->width != FRAME_W || f->height != FRAME_H || f->format != FRAME_FMT)
            ret = AVERROR(EINVAL);
        else
            ret = frames_push_copy(b, f);
        av_frame_unref(f);
    }
    av_frame_free(&f);
    ffgraph_close(&g);
    if (ret >= 0)
        snprintf(b->source, sizeof(b->source), "%d frames of libavfilter's %s", n, desc);
    return ret;
}

/* Decodes the first n frames of a clip, scaled to 1920x1080 yuv420p. */
static int frames_decode(Bench *b, const char *path, int n)
{
    AVFormatContext *fc = NULL;
    AVCodecContext *cc = NULL;
    AVPacket *pkt = NULL;
    AVFrame *dec = NULL;
    struct SwsContext *sws = NULL;
    const AVCodec *codec = NULL;
    int ret, idx, eof = 0, done = 0, got = 0, in_w = 0, in_h = 0;

    if ((ret = avformat_open_input(&fc, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(fc, NULL)) < 0)
        goto end;
    if ((ret = idx = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)) < 0)
        goto end;
    if (!(cc = avcodec_alloc_context3(codec)) || !(pkt = av_packet_alloc()) ||
        !(dec = av_frame_alloc())) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if ((ret = avcodec_parameters_to_context(cc, fc->streams[idx]->codecpar)) < 0 ||
        (ret = avcodec_open2(cc, codec, NULL)) < 0)
        goto end;
    while (got < n && !done) {
        if (!eof) {
            ret = av_read_frame(fc, pkt);
            if (ret == AVERROR_EOF) {
                eof = 1;
                ret = avcodec_send_packet(cc, NULL);
            } else if (ret >= 0) {
                ret = pkt->stream_index == idx ? avcodec_send_packet(cc, pkt) : 0;
                av_packet_unref(pkt);
            }
            if (ret < 0)
                goto end;
        }
        while (got < n) {
            ret = avcodec_receive_frame(cc, dec);
            if (ret == AVERROR(EAGAIN)) {
                done = eof;
                break;
            }
            if (ret == AVERROR_EOF) {
                done = 1;
                break;
            }
            if (ret < 0)
                goto end;
            AVFrame *f = frame_new(FRAME_W, FRAME_H, FRAME_FMT);
            if (!f) {
                ret = AVERROR(ENOMEM);
                goto end;
            }
            sws = sws_getCachedContext(sws, dec->width, dec->height, dec->format, FRAME_W,
                                       FRAME_H, FRAME_FMT, SWS_BICUBIC, NULL, NULL, NULL);
            if (!sws) {
                av_frame_free(&f);
                ret = AVERROR(ENOSYS);
                goto end;
            }
            in_w = dec->width;
            in_h = dec->height;
            ret = sws_scale(sws, (const uint8_t *const *)dec->data, dec->linesize, 0, dec->height,
                            f->data, f->linesize);
            av_frame_unref(dec);
            if (ret < 0 || (ret = frames_push(b, f)) < 0) {
                av_frame_free(&f);
                goto end;
            }
            got++;
        }
    }
    ret = 0;
    if (!got) {
        fprintf(stderr, "smear-bench: %s: no video frame decoded\n", path);
        ret = AVERROR_INVALIDDATA;
    } else {
        if (got < n)
            fprintf(stderr, "smear-bench: %s has only %d frames; using those\n", path, got);
        snprintf(b->source, sizeof(b->source), "first %d frames of %s (%dx%d %s), scaled to %dx%d %s (bicubic)",
                 got, path, in_w, in_h, codec->name, FRAME_W, FRAME_H, av_get_pix_fmt_name(FRAME_FMT));
    }
end:
    sws_freeContext(sws);
    av_frame_free(&dec);
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    avformat_close_input(&fc);
    return ret;
}

static int frames_ensure(Bench *b)
{
    int ret;
    if (b->nb_frames)
        return 0;
    if (b->o.input)
        ret = frames_decode(b, b->o.input, b->o.frames);
    else if (!strcmp(b->o.pattern, "testsrc2"))
        ret = frames_lavfi(b, "testsrc2=size=1920x1080:rate=30,format=yuv420p", b->o.frames);
    else
        ret = frames_synth(b, b->o.frames);
    if (ret < 0) {
        report_error(b->o.input ? b->o.input : "generating frames", ret);
        frames_free(b);
    }
    return ret;
}

/* ============================================================ operations */

typedef enum OpKind { OP_GAUSS, OP_BOX, OP_DEFOCUS, OP_MOTION, OP_SHAKE, OP_AFFINE } OpKind;

/* Targets of the project's issues an operation counts towards. */
enum {
    G_GAUSS8    = 1 << 0, ///< isotropic Gaussian, sigma <= 8
    G_GAUSS100  = 1 << 1, ///< isotropic Gaussian, sigma <= 100
    G_GBLUR     = 1 << 2, ///< first FFmpeg filter is gblur at the same sigma
    G_BOX       = 1 << 3,
    G_DEFOCUS20 = 1 << 4, ///< defocus, radius <= 20
    G_DEFOCUS   = 1 << 5,
    G_MOTION40  = 1 << 6, ///< motion, length <= 40
    G_WARP      = 1 << 7, ///< shear x=0.2 or y=0.2, or rotate 10 degrees, bilinear
    G_AFFINE    = 1 << 8,
    G_TURNED    = 1 << 9, ///< Gaussian turned off the axes, anisotropic, sigma <= 100
};

struct Op {
    OpKind      kind;
    double      p[3];  ///< gauss: sigma_x, sigma_y, angle of the kernel's x axis (degrees, towards +y);
                       ///< box: size; defocus: radius; motion, shake: length, angle (degrees, counter-clockwise);
                       ///< affine: shear x, shear y, rotation (degrees, counter-clockwise)
    SmearInterp interp;
    unsigned    groups;
    int         quick;             ///< part of the --quick run
    int         ffrow;             ///< accuracy table: measure ff[0] instead of smear
    char        name[40];
    char        chain[96];         ///< the same operation through the library; "" when it has none
    int         nb_ff;
    char        ff[MAX_FF][64];    ///< FFmpeg's nearest filters
};

typedef union KParams {
    SmearGaussianParams g;
    SmearBoxParams      b;
    SmearDefocusParams  d;
    SmearMotionParams   m;
    SmearAffineParams   a;
} KParams;

static const SmearKernel *op_kernel(const Op *op)
{
    switch (op->kind) {
    case OP_GAUSS:   return &smear_kernel_gaussian;
    case OP_BOX:     return &smear_kernel_box;
    case OP_DEFOCUS: return &smear_kernel_defocus;
    case OP_MOTION:
    case OP_SHAKE:   return &smear_kernel_motion;
    case OP_AFFINE:  return &smear_kernel_affine;
    }
    return NULL;
}

/* Output -> input map of a shear (shx, shy) followed by a rotation of rot
 * degrees counter-clockwise on screen, about the plane's centre, as the
 * library's shear and affine filters build it. For an x-shear s this is
 * {1, -s, s * cy, 0, 1, 0}. */
static void warp_matrix(double shx, double shy, double rot, int w, int h, double m[6])
{
    const double r = rot * (M_PI / 180), c = cos(r), s = sin(r);
    /* forward L = R H with H = [1 shx; shy 1] and R = [c s; -s c] (y down) */
    const double L[4] = { c + s * shy, c * shx + s, -s + c * shy, -s * shx + c };
    const double det = L[0] * L[3] - L[1] * L[2];
    const double A[4] = { L[3] / det, -L[1] / det, -L[2] / det, L[0] / det };
    const double cx = 0.5 * (w - 1), cy = 0.5 * (h - 1);
    m[0] = A[0];
    m[1] = A[1];
    m[2] = cx - A[0] * cx - A[1] * cy;
    m[3] = A[2];
    m[4] = A[3];
    m[5] = cy - A[2] * cx - A[3] * cy;
}

/* A 20-point camera-shake path of total length `length`, centred on the
 * sample: a random walk whose heading drifts, always the same. */
static void shake_path(double length, SmearMotionParams *m)
{
    enum { N = 20 };
    double x[N], y[N], th = 0.4, total = 0, mx = 0, my = 0;
    x[0] = y[0] = 0;
    for (int k = 1; k < N; k++) {
        th += (hash_unit(k, 1, 77) - 0.5) * 1.4;
        const double step = 0.5 + hash_unit(k, 2, 77);
        x[k] = x[k - 1] + step * cos(th);
        y[k] = y[k - 1] + step * sin(th);
        total += step;
    }
    for (int k = 0; k < N; k++) {
        mx += x[k] / N;
        my += y[k] / N;
    }
    m->nb_points = N;
    for (int k = 0; k < N; k++) {
        m->points[k].x = (x[k] - mx) * length / total;
        m->points[k].y = (y[k] - my) * length / total;
    }
}

/* The kernel parameters of op for one plane of a 4:2:0 frame, as the
 * pipeline sets them: on a chroma plane every length is halved; warps keep
 * their factors and turn about that plane's own centre. */
static void op_kparams(const Op *op, int chroma, int w, int h, KParams *kp)
{
    const double s = chroma ? 2.0 : 1.0;
    const SmearBorder border = { SMEAR_BORDER_REPLICATE, 0 };
    memset(kp, 0, sizeof(*kp));
    switch (op->kind) {
    case OP_GAUSS:
        kp->g.sigma_x = op->p[0] / s;
        kp->g.sigma_y = op->p[1] / s;
        kp->g.angle = op->p[2] * (M_PI / 180);
        kp->g.border = border;
        break;
    case OP_BOX:
        kp->b.w = kp->b.h = fmax(op->p[0] / s, 1);
        kp->b.border = border;
        break;
    case OP_DEFOCUS:
        kp->d.radius_x = kp->d.radius_y = op->p[0] / s;
        kp->d.soft = op->p[1];
        kp->d.border = border;
        break;
    case OP_MOTION: {
        const double len = op->p[0] / s, a = op->p[1] * (M_PI / 180);
        kp->m.nb_points = 2;
        kp->m.points[0].x = -0.5 * len * cos(a);
        kp->m.points[0].y = 0.5 * len * sin(a);
        kp->m.points[1].x = 0.5 * len * cos(a);
        kp->m.points[1].y = -0.5 * len * sin(a);
        kp->m.border = border;
        break;
    }
    case OP_SHAKE:
        shake_path(op->p[0] / s, &kp->m);
        kp->m.border = border;
        break;
    case OP_AFFINE:
        warp_matrix(op->p[0], op->p[1], op->p[2], w, h, kp->a.m);
        kp->a.interp = op->interp;
        kp->a.border = border;
        break;
    }
}

/* Kernel instances for the planes of a frame, configured as the pipeline
 * does on a parameter change: uninit, clear, configure. */
typedef struct KernelSet {
    const SmearKernel *k;
    int                nb_planes;
    void              *priv[3];
    int                ready[3];
} KernelSet;

static void kset_free(KernelSet *ks)
{
    for (int p = 0; p < 3; p++) {
        if (ks->ready[p])
            ks->k->uninit(ks->priv[p]);
        ks->ready[p] = 0;
        av_freep(&ks->priv[p]);
    }
}

static int kset_configure(KernelSet *ks, const Op *op, int w, int h, int nb_planes, unsigned cpu)
{
    ks->k = op_kernel(op);
    ks->nb_planes = nb_planes;
    for (int p = 0; p < nb_planes; p++) {
        const int pw = p ? (w + 1) / 2 : w, ph = p ? (h + 1) / 2 : h;
        const SmearPlaneInfo info = { pw, ph, 8, 1, cpu };
        KParams kp;
        int ret;
        if (!ks->priv[p] && !(ks->priv[p] = av_mallocz(FFMAX(ks->k->priv_size, 1))))
            return AVERROR(ENOMEM);
        if (ks->ready[p]) {
            ks->k->uninit(ks->priv[p]);
            memset(ks->priv[p], 0, FFMAX(ks->k->priv_size, 1));
            ks->ready[p] = 0;
        }
        op_kparams(op, p > 0, pw, ph, &kp);
        if ((ret = ks->k->configure(ks->priv[p], &kp, &info)) < 0) {
            ks->k->uninit(ks->priv[p]);
            memset(ks->priv[p], 0, FFMAX(ks->k->priv_size, 1));
            return ret;
        }
        ks->ready[p] = 1;
    }
    return 0;
}

static void kset_process(const KernelSet *ks, const AVFrame *src, const AVFrame *dst)
{
    for (int p = 0; p < ks->nb_planes; p++) {
        const SmearPlane s = frame_plane(src, p), d = frame_plane(dst, p);
        ks->k->process(ks->priv[p], &d, &s, NULL);
    }
}

/* ----------------------------------------------------- the list of rows */

static Op *op_new(Op *ops, int *nb, OpKind kind, double p0, double p1, double p2, unsigned groups,
                  int quick, const char *name_fmt, ...)
{
    if (*nb >= MAX_OPS)
        return NULL;
    Op *op = &ops[(*nb)++];
    va_list ap;
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->p[0] = p0;
    op->p[1] = p1;
    op->p[2] = p2;
    op->groups = groups;
    op->quick = quick;
    va_start(ap, name_fmt);
    vsnprintf(op->name, sizeof(op->name), name_fmt, ap);
    va_end(ap);
    return op;
}

static void op_chain(Op *op, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(op->chain, sizeof(op->chain), fmt, ap);
    va_end(ap);
}

static void op_ff(Op *op, const char *fmt, ...)
{
    va_list ap;
    if (!op || op->nb_ff >= MAX_FF)
        return;
    va_start(ap, fmt);
    vsnprintf(op->ff[op->nb_ff++], sizeof(op->ff[0]), fmt, ap);
    va_end(ap);
}

/* --- FFmpeg's dblur, measured --- */

typedef struct Impulse {
    double sum, cx, cy;      ///< total weight, centroid offset from the impulse (x right, y down)
    double std_major, std_minor;
    double axis_deg;         ///< direction of the major axis, degrees counter-clockwise on screen, [0, 180)
    double extent;           ///< farthest sample along the axis above 1/1000 of the peak
} Impulse;

/* Response of an FFmpeg filter to a unit impulse in the middle of a
 * size x size grey frame, in the most precise grey format it takes. */
static int ff_impulse(const char *desc, int size, Impulse *imp)
{
    static const enum AVPixelFormat fmts[] = { AV_PIX_FMT_GRAYF32, AV_PIX_FMT_GRAY16, AV_PIX_FMT_GRAY8 };
    const int c = size / 2;
    double *v = av_malloc_array((size_t)size * size, sizeof(*v));
    int ret = AVERROR(ENOSYS);

    memset(imp, 0, sizeof(*imp));
    if (!v)
        return AVERROR(ENOMEM);
    for (size_t fi = 0; fi < FF_ARRAY_ELEMS(fmts) && ret < 0; fi++) {
        const enum AVPixelFormat fmt = fmts[fi];
        AVFrame *in = frame_new(size, size, fmt), *out = av_frame_alloc();
        FFGraph g;
        if (!in || !out) {
            av_frame_free(&in);
            av_frame_free(&out);
            ret = AVERROR(ENOMEM);
            break;
        }
        for (int y = 0; y < size; y++)
            memset(in->data[0] + (ptrdiff_t)y * in->linesize[0], 0, in->linesize[0]);
        uint8_t *centre = in->data[0] + (ptrdiff_t)c * in->linesize[0];
        if (fmt == AV_PIX_FMT_GRAYF32)
            ((float *)centre)[c] = 1.0f;
        else if (fmt == AV_PIX_FMT_GRAY16)
            ((uint16_t *)centre)[c] = 65535;
        else
            centre[c] = 255;
        if ((ret = ffgraph_open(&g, desc, in)) >= 0) {
            ret = ffgraph_filter(&g, in, out);
            ffgraph_close(&g);
        }
        if (ret >= 0)
            for (int y = 0; y < size; y++) {
                const uint8_t *row = out->data[0] + (ptrdiff_t)y * out->linesize[0];
                for (int x = 0; x < size; x++)
                    v[(size_t)y * size + x] = fmt == AV_PIX_FMT_GRAYF32 ? ((const float *)row)[x] :
                                              fmt == AV_PIX_FMT_GRAY16 ? ((const uint16_t *)row)[x] / 65535.0 :
                                              row[x] / 255.0;
            }
        av_frame_free(&in);
        av_frame_free(&out);
    }
    if (ret < 0) {
        av_free(v);
        return ret;
    }

    double s = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, vmax = 0;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            const double w = v[(size_t)y * size + x];
            s += w;
            sx += w * (x - c);
            sy += w * (y - c);
            vmax = fmax(vmax, w);
        }
    imp->sum = s;
    imp->cx = s > 0 ? sx / s : 0;
    imp->cy = s > 0 ? sy / s : 0;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            const double w = v[(size_t)y * size + x], ex = x - c - imp->cx, ey = y - c - imp->cy;
            sxx += w * ex * ex;
            syy += w * ey * ey;
            sxy += w * ex * ey;
        }
    if (s > 0) {
        sxx /= s;
        syy /= s;
        sxy /= s;
    }
    const double mid = 0.5 * (sxx + syy), rad = sqrt(0.25 * (sxx - syy) * (sxx - syy) + sxy * sxy);
    const double th = 0.5 * atan2(2 * sxy, sxx - syy); /* major axis, y down */
    imp->std_major = sqrt(fmax(mid + rad, 0));
    imp->std_minor = sqrt(fmax(mid - rad, 0));
    imp->axis_deg = fmod(-th * (180 / M_PI) + 360, 180);
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            if (v[(size_t)y * size + x] > 1e-3 * vmax)
                imp->extent = fmax(imp->extent, fabs((x - c - imp->cx) * cos(th) + (y - c - imp->cy) * sin(th)));
    av_free(v);
    return 0;
}

static int dblur_size(double radius)
{
    return 2 * (int)ceil(8 * radius + 30) + 1;
}

static int dblur_std(double radius, double *std)
{
    char desc[64];
    Impulse imp = { 0 };
    snprintf(desc, sizeof(desc), "dblur=angle=0:radius=%.4f", radius);
    int ret = ff_impulse(desc, dblur_size(radius), &imp);
    *std = imp.std_major;
    return ret;
}

/*
 * dblur's radius is no length: find by an impulse how its kernel spreads,
 * and which way its angle turns. A smear motion line of length L has a
 * standard deviation of L / sqrt(12) along itself; the rows use the dblur
 * radius whose impulse response has the same one.
 */
static void dblur_probe(Bench *b)
{
    Impulse imp5 = { 0 }, imp30 = { 0 };
    b->dblur_probed = 1;
    if (ff_impulse("dblur=angle=45:radius=5", dblur_size(5), &imp5) < 0 ||
        ff_impulse("dblur=angle=30:radius=5", dblur_size(5), &imp30) < 0) {
        printf("FFmpeg's dblur could not be measured: motion rows have no FFmpeg column.\n");
        return;
    }
    b->dblur_ok = 1;
    /* same sense as ours when angle=30 gives an axis near 30, not 150 */
    b->dblur_mirrored = fabs(imp30.axis_deg - 30) > fabs(imp30.axis_deg - 150);
    printf("FFmpeg dblur, measured with an impulse: angle=45 radius=5 spreads along %.1f deg\n"
           "  (counter-clockwise on screen); std %.2f px along it (%.3f x radius; a two-sided\n"
           "  exponential exp(-|t|/radius) has sqrt(2) = 1.414), %.2f across; total weight %.4f;\n"
           "  reaches 1/1000 of its peak at %.1f px; centroid offset (%.2f, %.2f). angle=30 spreads\n"
           "  along %.1f deg, so dblur's angle turns %s;\n"
           "  rows use dblur angle = %s.\n"
           "  A line of length L has std L/sqrt(12); each row uses the dblur radius of equal std:",
           imp5.axis_deg, imp5.std_major, imp5.std_major / 5, imp5.std_minor, imp5.sum, imp5.extent,
           imp5.cx, imp5.cy, imp30.axis_deg,
           b->dblur_mirrored ? "clockwise on screen (opposite to smear)" : "counter-clockwise (as smear)",
           b->dblur_mirrored ? "360 - smear's angle" : "smear's angle");
    fflush(stdout);
}

/* dblur radius matching a line of length len (cached); NAN when unknown. */
static double dblur_radius_for(Bench *b, double len)
{
    const double target = len / sqrt(12);
    double lo = 1, hi = 2, s_lo, s_hi, s;
    for (int i = 0; i < b->nb_dmap; i++)
        if (b->dmap[i].length == len)
            return b->dmap[i].radius;
    if (!b->dblur_probed)
        dblur_probe(b);
    if (!b->dblur_ok || b->nb_dmap >= (int)FF_ARRAY_ELEMS(b->dmap))
        return NAN;
    if (dblur_std(lo, &s_lo) < 0)
        return NAN;
    if (s_lo >= target) {
        hi = lo;
        s = s_lo;
    } else {
        /* the spread grows with the radius: bracket, then bisect */
        for (;;) {
            if (dblur_std(hi, &s_hi) < 0)
                return NAN;
            if (s_hi >= target || hi >= 512)
                break;
            lo = hi;
            hi *= 2;
        }
        for (int it = 0; it < (b->o.quick ? 6 : 10); it++) {
            const double mid = 0.5 * (lo + hi);
            if (dblur_std(mid, &s) < 0)
                return NAN;
            if (s < target)
                lo = mid;
            else
                hi = mid;
        }
        hi = round(hi * 100) / 100;
        if (dblur_std(hi, &s) < 0)
            return NAN;
    }
    DblurMap *m = &b->dmap[b->nb_dmap++];
    m->length = len;
    m->radius = hi;
    m->std = s;
    printf("\n  length %g (std %.2f) -> radius %.2f (std %.2f)%s", len, target, hi, s,
           s > target * 1.05 ? ", the smallest radius dblur takes" : "");
    fflush(stdout);
    return hi;
}

static int want(const Bench *b, const Op *op)
{
    if (b->o.quick && !op->quick)
        return 0;
    return !b->o.only || strstr(op->name, b->o.only);
}

static void build_speed_ops(Bench *b, Op *ops, int *nb)
{
    static const double sigmas[] = { 0.5, 1, 2, 4, 8, 16, 32, 64, 100 };
    static const double boxes[] = { 3, 5, 11, 31, 101 };
    static const double radii[] = { 2, 5, 10, 20, 50 };
    static const double lengths[] = { 5, 15, 40 };
    static const double angles[] = { 0, 30, 45 };
    Op *op;

    *nb = 0;
    for (size_t i = 0; i < FF_ARRAY_ELEMS(sigmas); i++) {
        const double s = sigmas[i];
        op = op_new(ops, nb, OP_GAUSS, s, s, 0,
                    (s <= 8 ? G_GAUSS8 : 0) | G_GAUSS100 | G_GBLUR, s == 2 || s == 32,
                    "gauss sigma=%g", s);
        op_chain(op, "blur=sigma=%g", s);
        op_ff(op, "gblur=sigma=%g", s);
        if (s == 2 || s == 8 || s == 32)
            op_ff(op, "gblur=sigma=%g:steps=3", s);
    }
    op = op_new(ops, nb, OP_GAUSS, 8, 2, 0, 0, 0, "gauss 8x2");
    op_chain(op, "blur=sigma_x=8:sigma_y=2");
    op_ff(op, "gblur=sigma=8:sigmaV=2");
    /* turned: the slanted pass stepping rows (30) and columns (60), and a
     * narrow kernel convolved directly (3x1) */
    op = op_new(ops, nb, OP_GAUSS, 8, 2, 30, G_TURNED, 0, "gauss 8x2 turned 30");
    op_chain(op, "blur=sigma_x=8:sigma_y=2:angle=-30"); /* the chain turns counter-clockwise */
    op = op_new(ops, nb, OP_GAUSS, 8, 2, 60, G_TURNED, 0, "gauss 8x2 turned 60");
    op_chain(op, "blur=sigma_x=8:sigma_y=2:angle=-60");
    op = op_new(ops, nb, OP_GAUSS, 3, 1, 30, G_TURNED, 0, "gauss 3x1 turned 30");
    op_chain(op, "blur=sigma_x=3:sigma_y=1:angle=-30");
    op = op_new(ops, nb, OP_GAUSS, 8, 0.8, 40, G_TURNED, 0, "gauss 8x0.8 turned 40");
    op_chain(op, "blur=sigma_x=8:sigma_y=0.8:angle=-40");
    op = op_new(ops, nb, OP_GAUSS, 32, 8, 30, G_TURNED, 0, "gauss 32x8 turned 30");
    op_chain(op, "blur=sigma_x=32:sigma_y=8:angle=-30");

    for (size_t i = 0; i < FF_ARRAY_ELEMS(boxes); i++) {
        const int r = (int)(boxes[i] - 1) / 2;
        op = op_new(ops, nb, OP_BOX, boxes[i], 0, 0, G_BOX, boxes[i] == 5, "box %g", boxes[i]);
        op_chain(op, "box=size=%g", boxes[i]);
        op_ff(op, "avgblur=sizeX=%d", r);
        op_ff(op, "boxblur=luma_radius=%d:luma_power=1", r);
    }
    for (size_t i = 0; i < FF_ARRAY_ELEMS(radii); i++) {
        op = op_new(ops, nb, OP_DEFOCUS, radii[i], 0, 0,
                    (radii[i] <= 20 ? G_DEFOCUS20 : 0) | G_DEFOCUS, radii[i] == 10,
                    "defocus r=%g", radii[i]);
        op_chain(op, "defocus=radius=%g", radii[i]);
        op_ff(op, "avgblur=sizeX=%d", (int)lrint(radii[i]));
    }
    /* a soft edge (through the Fourier transform) */
    op = op_new(ops, nb, OP_DEFOCUS, 20, 0.5, 0, G_DEFOCUS20 | G_DEFOCUS, 0, "defocus r=20 soft 0.5");
    op_chain(op, "defocus=radius=20:soft=0.5");
    op_ff(op, "avgblur=sizeX=20");
    for (size_t li = 0; li < FF_ARRAY_ELEMS(lengths); li++)
        for (size_t ai = 0; ai < FF_ARRAY_ELEMS(angles); ai++) {
            const double len = lengths[li], ang = angles[ai];
            op = op_new(ops, nb, OP_MOTION, len, ang, 0, len <= 40 ? G_MOTION40 : 0,
                        len == 15 && ang == 45, "motion L=%g a=%g", len, ang);
            if (!want(b, op)) {
                (*nb)--;
                continue;
            }
            op_chain(op, "motion=length=%g:angle=%g", len, ang);
            const double r = dblur_radius_for(b, len);
            if (!isnan(r))
                op_ff(op, "dblur=angle=%g:radius=%g", b->dblur_mirrored ? fmod(360 - ang, 360) : ang, r);
        }
    op_new(ops, nb, OP_SHAKE, 30, 0, 0, G_MOTION40, 0, "shake 20pt L=30");

    op = op_new(ops, nb, OP_AFFINE, 0.2, 0, 0, G_WARP | G_AFFINE, 1, "shear x=0.2");
    op_chain(op, "shear=x=0.2");
    op_ff(op, "shear=shx=0.2");
    op = op_new(ops, nb, OP_AFFINE, 0, 0.2, 0, G_WARP | G_AFFINE, 0, "shear y=0.2");
    op_chain(op, "shear=y=0.2");
    op_ff(op, "shear=shy=0.2");
    op = op_new(ops, nb, OP_AFFINE, 0.2, 0.1, 0, G_AFFINE, 0, "shear x=0.2 y=0.1");
    op_chain(op, "shear=x=0.2:y=0.1");
    op_ff(op, "shear=shx=0.2:shy=0.1");
    op = op_new(ops, nb, OP_AFFINE, 0, 0, 10, G_WARP | G_AFFINE, 1, "rotate 10");
    op_chain(op, "affine=rotate=10");
    op_ff(op, "rotate=angle=10*PI/180");
    op = op_new(ops, nb, OP_AFFINE, 0.2, 0, 0, G_AFFINE, 0, "shear x=0.2 bicubic");
    op->interp = SMEAR_INTERP_BICUBIC;
    op_chain(op, "shear=x=0.2:interp=bicubic");
    op = op_new(ops, nb, OP_AFFINE, 0, 0, 10, G_AFFINE, 1, "rotate 10 bicubic");
    op->interp = SMEAR_INTERP_BICUBIC;
    op_chain(op, "affine=rotate=10:interp=bicubic");
}

/* ========================================================== speed table */

/* Times one pass of n frames through the kernels; ms per frame. */
static double time_kernels(const KernelSet *ks, AVFrame *const *src, int n, const AVFrame *dst)
{
    const double t0 = now_ms();
    for (int i = 0; i < n; i++)
        kset_process(ks, src[i], dst);
    return (now_ms() - t0) / n;
}

static int time_library(SmearContext *ctx, AVFrame *const *src, int n, AVFrame *tmp, AVFrame *out,
                        int64_t *pts, double *ms)
{
    int ret = 0;
    const double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        /* a new reference: the library takes it and never writes into it */
        if ((ret = av_frame_ref(tmp, src[i])) < 0)
            return ret;
        tmp->pts = (*pts)++;
        if ((ret = smear_send_frame(ctx, tmp)) < 0) {
            av_frame_unref(tmp);
            return ret;
        }
        if ((ret = smear_receive_frame(ctx, out)) < 0)
            return ret;
        av_frame_unref(out);
    }
    *ms = (now_ms() - t0) / n;
    return 0;
}

/* Times one pass through an FFmpeg graph. Each frame pushed is a fresh
 * writable copy made before the clock starts, so in-place filters do real
 * work and the copy costs nothing. */
static int time_ffmpeg(FFGraph *g, AVBufferPool *pool, AVFrame *const *src, int n, AVFrame **copies,
                       AVFrame *out, int64_t *pts, double *ms)
{
    int ret = 0;
    for (int i = 0; i < n; i++) {
        if (!(copies[i] = pool_copy(pool, src[i]))) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        copies[i]->pts = (*pts)++;
    }
    const double t0 = now_ms();
    for (int i = 0; i < n && ret >= 0; i++) {
        if ((ret = ffgraph_filter(g, copies[i], out)) >= 0)
            av_frame_unref(out);
    }
    *ms = (now_ms() - t0) / n;
end:
    for (int i = 0; i < n; i++)
        av_frame_free(&copies[i]);
    return ret;
}

static int planes_equal(const AVFrame *a, const AVFrame *b)
{
    for (int p = 0; p < 3; p++) {
        const SmearPlane pa = frame_plane(a, p), pb = frame_plane(b, p);
        for (int y = 0; y < pa.h; y++)
            if (memcmp(pa.data + y * pa.stride, pb.data + y * pb.stride, pa.w))
                return 0;
    }
    return 1;
}

static void speed_row(Bench *b, const Op *op, SpeedResult *r)
{
    const int n = b->nb_frames, reps = b->o.repeats, warm = 1;
    const int cfg_reps = b->o.quick ? 1 : 5;
    KernelSet ks = { 0 };
    SmearContext *ctx = NULL;
    FFGraph g[MAX_FF];
    int ff_ok[MAX_FF] = { 0 }, k_ok = 0, lib_ok = 0, ret;
    AVFrame *dst = frame_new(FRAME_W, FRAME_H, FRAME_FMT);
    AVFrame *tmp = av_frame_alloc(), *out = av_frame_alloc();
    AVFrame **copies = av_calloc(n, sizeof(*copies));
    AVBufferPool *pool = NULL;
    double *tk = av_calloc(reps, sizeof(double)), *tl = av_calloc(reps, sizeof(double));
    double *tf = av_calloc((size_t)reps * MAX_FF, sizeof(double)), *tc = av_calloc(cfg_reps, sizeof(double));
    int64_t pts = 0;
    char what[160];

    memset(g, 0, sizeof(g));
    r->cfg = r->k = r->lib = NAN;
    for (int j = 0; j < MAX_FF; j++)
        r->ff[j] = NAN;
    r->done = 1;
    if (!dst || !tmp || !out || !copies || !tk || !tl || !tf || !tc) {
        report_error(op->name, AVERROR(ENOMEM));
        goto end;
    }

    /* the kernels, configured once; the configure cost on its own */
    for (int i = 0; i < cfg_reps; i++) {
        const double t0 = now_ms();
        if ((ret = kset_configure(&ks, op, FRAME_W, FRAME_H, 3, b->o.cpu)) < 0) {
            snprintf(what, sizeof(what), "%s: configuring the %s kernel", op->name, op_kernel(op)->name);
            report_error(what, ret);
            break;
        }
        tc[i] = now_ms() - t0;
        k_ok = i == cfg_reps - 1;
    }
    double warm_ms = 0, ms;
    if (k_ok) {
        r->cfg = median(tc, cfg_reps, NULL, NULL);
        warm_ms += time_kernels(&ks, b->frames, warm, dst);
        r->identity = planes_equal(b->frames[warm - 1], dst);
    }

    /* the same operation through the public API */
    if (op->chain[0]) {
        SmearSettings s;
        smear_default_settings(&s);
        s.chain = op->chain;
        s.threads = 1;
        s.seed = 1;
        s.seed_set = 1;
        s.cpu_mask = b->o.cpu;
        if ((ret = smear_open(&ctx, &s)) < 0) {
            snprintf(what, sizeof(what), "%s: smear_open(\"%s\")", op->name, op->chain);
            report_error(what, ret);
        } else {
            lib_ok = (ret = time_library(ctx, b->frames, warm, tmp, out, &pts, &ms)) >= 0;
            if (!lib_ok) {
                snprintf(what, sizeof(what), "%s: library", op->name);
                report_error(what, ret);
            } else {
                warm_ms += ms;
            }
        }
    }

    /* FFmpeg */
    if (op->nb_ff && (ret = pool_size(b->frames[0])) > 0)
        pool = av_buffer_pool_init(ret, NULL);
    for (int j = 0; j < op->nb_ff && pool; j++) {
        if ((ret = ffgraph_open(&g[j], op->ff[j], b->frames[0])) < 0 ||
            (ret = time_ffmpeg(&g[j], pool, b->frames, warm, copies, out, &pts, &ms)) < 0) {
            snprintf(what, sizeof(what), "%s: FFmpeg %s%s", op->name, op->ff[j],
                     ret == AVERROR(ENOSYS) ? " (needs a format conversion)" : "");
            report_error(what, ret);
            ffgraph_close(&g[j]);
            continue;
        }
        ff_ok[j] = 1;
        warm_ms += ms;
    }

    /* a slow row (a kernel still naive, say) gets fewer frames and
     * repeats, so the whole run stays within minutes */
    const double budget_ms = b->o.quick ? 4000 : 10000;
    int nfr = n, nrep = reps;
    if (warm_ms * nfr * nrep > budget_ms) {
        nrep = FFMAX(1, (int)(budget_ms / (warm_ms * nfr)));
        if (warm_ms * nfr * nrep > budget_ms)
            nfr = FFMAX(1, (int)(budget_ms / warm_ms));
    }
    r->frames = nfr;
    r->repeats = nrep;

    /* interleaved repeats */
    int nk = 0, nl = 0, nf[MAX_FF] = { 0 };
    for (int rep = 0; rep < nrep; rep++) {
        if (k_ok)
            tk[nk++] = time_kernels(&ks, b->frames, nfr, dst);
        if (lib_ok) {
            if ((ret = time_library(ctx, b->frames, nfr, tmp, out, &pts, &tl[nl])) < 0) {
                snprintf(what, sizeof(what), "%s: library", op->name);
                report_error(what, ret);
                lib_ok = 0;
            } else {
                nl++;
            }
        }
        for (int j = 0; j < op->nb_ff; j++) {
            if (!ff_ok[j])
                continue;
            if ((ret = time_ffmpeg(&g[j], pool, b->frames, nfr, copies, out, &pts, &tf[j * reps + nf[j]])) < 0) {
                snprintf(what, sizeof(what), "%s: FFmpeg %s", op->name, op->ff[j]);
                report_error(what, ret);
                ff_ok[j] = 0;
            } else {
                nf[j]++;
            }
        }
    }
    if (k_ok)
        r->k = median(tk, nk, &r->k_min, &r->k_max);
    if (lib_ok)
        r->lib = median(tl, nl, &r->lib_min, &r->lib_max);
    for (int j = 0; j < op->nb_ff; j++)
        if (ff_ok[j])
            r->ff[j] = median(tf + j * reps, nf[j], &r->ff_min[j], &r->ff_max[j]);

end:
    for (int j = 0; j < MAX_FF; j++)
        ffgraph_close(&g[j]);
    av_buffer_pool_uninit(&pool);
    smear_close(&ctx);
    kset_free(&ks);
    av_frame_free(&dst);
    av_frame_free(&tmp);
    av_frame_free(&out);
    av_free(copies);
    av_free(tk);
    av_free(tl);
    av_free(tf);
    av_free(tc);
}

static void print_ms(double v, int width)
{
    if (isnan(v))
        printf("%*s", width, "-");
    else
        printf("%*.2f", width, v);
}

#define SPEED_HEAD "%-22s %7s %9s %8s  %-36s %9s %7s\n"

static void print_speed_row(const Bench *b, const Op *op, const SpeedResult *r)
{
    const int lines = FFMAX(op->nb_ff, 1);
    for (int j = 0; j < lines; j++) {
        if (j == 0) {
            char name[48];
            snprintf(name, sizeof(name), "%s%s%s", op->name, r->identity ? " *" : "",
                     r->frames < b->nb_frames || r->repeats < b->o.repeats ? " ~" : "");
            printf("%-22s ", name);
            print_ms(r->cfg, 7);
            print_ms(r->k, 10);
            print_ms(r->lib, 9);
        } else {
            printf("%-22s %7s %10s %9s", "", "", "", "");
        }
        printf("  %-36s", op->nb_ff ? op->ff[j] : "(none)");
        print_ms(op->nb_ff ? r->ff[j] : NAN, 9);
        if (op->nb_ff && !isnan(r->ff[j]) && !isnan(r->k) && r->k > 0)
            printf(" %7.2f\n", r->ff[j] / r->k);
        else
            printf(" %7s\n", "-");
    }
    if (b->o.verbose) {
        printf("%-22s min-max: smear %.2f-%.2f, lib %.2f-%.2f", "", r->k_min, r->k_max, r->lib_min,
               r->lib_max);
        for (int j = 0; j < op->nb_ff; j++)
            printf(", %s %.2f-%.2f", op->ff[j], r->ff_min[j], r->ff_max[j]);
        printf("\n");
    }
    fflush(stdout);
}

static int run_speed(Bench *b)
{
    static Op ops[MAX_OPS];
    int nb, ret;
    const double t0 = now_ms();

    if ((ret = frames_ensure(b)) < 0)
        return ret;
    printf("== Speed: ms per %dx%d %s frame (Y %dx%d + U, V %dx%d), one thread ==\n\n", FRAME_W,
           FRAME_H, av_get_pix_fmt_name(FRAME_FMT), FRAME_W, FRAME_H, FRAME_W / 2, FRAME_H / 2);
    build_speed_ops(b, ops, &nb);
    if (b->dblur_probed)
        printf("%s\n", b->dblur_ok ? "\n" : "");
    b->ops = ops;
    b->nb_ops = nb;
    printf("Median of %d repeat%s over %d distinct frames, after a warm-up; the sides of a row take\n"
           "turns within each repeat. smear: the kernels' process() on each plane with no executor\n"
           "(chroma gets half the lengths, as the pipeline gives it); lib: the whole frame path of the\n"
           "public API (smear_open with threads=1, send/receive AVFrames); cfg: configure() of the\n"
           "three planes after a parameter change; ffmpeg: buffer -> filter -> buffersink, one thread,\n"
           "a fresh writable copy pushed per frame (copy made before the clock starts);\n"
           "ratio = ffmpeg / smear (above 1: smear is faster).\n\n",
           b->o.repeats, b->o.repeats > 1 ? "s" : "", b->nb_frames);
    printf(SPEED_HEAD, "op", "cfg ms", "smear ms", "lib ms", "ffmpeg filter", "ffmpeg ms", "ratio");
    printf(SPEED_HEAD, "----------------------", "-------", "---------", "--------",
           "------------------------------------", "---------", "-------");
    int any_identity = 0, any_reduced = 0;
    for (int i = 0; i < nb; i++) {
        SpeedResult *r = &b->speed[i];
        if (!want(b, &ops[i]))
            continue;
        speed_row(b, &ops[i], r);
        print_speed_row(b, &ops[i], r);
        any_identity |= r->identity;
        any_reduced |= r->frames < b->nb_frames || r->repeats < b->o.repeats;
    }
    printf("\nNotes:\n");
    if (any_identity)
        printf("  * the kernel returned its input unchanged: it is still a placeholder copy.\n");
    if (any_reduced)
        printf("  ~ a slow row: timed on fewer frames or repeats to keep the run short.\n");
    printf("  gblur, avgblur, boxblur and dblur use the same size on chroma as on luma (they do not\n"
           "    scale it for 4:2:0); their cost does not depend on the size, so the timing is fair.\n"
           "  defocus rows: FFmpeg has no disk blur; avgblur with the same radius is a square window.\n"
           "  box rows: avgblur sizeX and boxblur luma_radius are radii: box N = radius (N-1)/2.\n"
           "  shear and rotate fill the uncovered corners with black; smear replicates the edge.\n"
           "  FFmpeg has no bicubic shear or rotation, and no path-shaped or turned anisotropic blur.\n");
    printf("\nSpeed section: %.1f s\n\n", (now_ms() - t0) / 1e3);
    b->speed_run = 1;
    return 0;
}

/* ======================================================= accuracy table */

typedef struct Tap {
    int    dx, dy;
    double w;
} Tap;

/* How the float64 reference is computed for one operation. */
typedef struct RefKernel {
    enum { REF_SEPARABLE, REF_TAPS, REF_WARP } type;
    double     *kx, *ky;       ///< separable: 2r+1 weights each
    int         rx, ry;
    Tap        *taps;
    int         nb_taps;
    double      m[6];
    SmearInterp interp;
    int         margin;        ///< samples this close to an edge are not "interior"
} RefKernel;

static void refkernel_free(RefKernel *rk)
{
    av_freep(&rk->kx);
    av_freep(&rk->ky);
    av_freep(&rk->taps);
}

/* Sampled Gaussian exp(-x^2 / 2 s^2), radius ceil(5 s), normalised. */
static double *gauss1d(double s, int *pr)
{
    const int r = (int)ceil(5 * s);
    double *k = av_malloc_array(2 * r + 1, sizeof(*k)), sum = 0;
    if (!k)
        return NULL;
    for (int i = -r; i <= r; i++)
        sum += k[i + r] = s > 0 ? exp(-(double)i * i / (2 * s * s)) : i == 0;
    for (int i = 0; i <= 2 * r; i++)
        k[i] /= sum;
    *pr = r;
    return k;
}

/* Box of width `size` centred on 0: each sample i covers [i - 1/2, i + 1/2]
 * and weighs the length of that inside [-size/2, size/2], over size. */
static double *box1d(double size, int *pr)
{
    const double half = 0.5 * size;
    const int r = (int)ceil(half - 0.5);
    double *k = av_malloc_array(2 * r + 1, sizeof(*k));
    if (!k)
        return NULL;
    for (int i = -r; i <= r; i++)
        k[i + r] = fmax(0, fmin(i + 0.5, half) - fmax(i - 0.5, -half)) / size;
    *pr = r;
    return k;
}

/* Integral of sqrt(r^2 - t^2) from 0 to x. */
static double circle_prim(double x, double r)
{
    x = clampd(x, -r, r);
    return 0.5 * (x * sqrt(fmax(r * r - x * x, 0)) + r * r * asin(x / r));
}

/* Exact area of the disk x^2 + y^2 <= r^2 inside [x0,x1] x [y0,y1]: the
 * strip between max(y0, -s(x)) and min(y1, s(x)), s(x) = sqrt(r^2 - x^2),
 * integrated in closed form piece by piece between the x where one bound
 * switches from the rectangle to the circle. */
static double disk_rect_area(double x0, double x1, double y0, double y1, double r)
{
    const double a = fmax(x0, -r), bb = fmin(x1, r);
    double cut[6];
    int n = 0;
    if (a >= bb)
        return 0;
    cut[n++] = a;
    const double ys[2] = { y0, y1 };
    for (int k = 0; k < 2; k++)
        if (fabs(ys[k]) < r) {
            const double c = sqrt(r * r - ys[k] * ys[k]);
            if (-c > a && -c < bb)
                cut[n++] = -c;
            if (c > a && c < bb)
                cut[n++] = c;
        }
    cut[n++] = bb;
    qsort(cut, n, sizeof(*cut), cmp_double);
    double area = 0;
    for (int i = 0; i + 1 < n; i++) {
        const double u = cut[i], v = cut[i + 1];
        if (v <= u)
            continue;
        const double mid = 0.5 * (u + v), s = sqrt(fmax(r * r - mid * mid, 0));
        if (fmin(y1, s) <= fmax(y0, -s))
            continue; /* the strip is empty on this whole piece */
        const double arc = circle_prim(v, r) - circle_prim(u, r);
        const double top = s < y1 ? arc : y1 * (v - u);
        const double bot = -s > y0 ? -arc : y0 * (v - u);
        area += top - bot;
    }
    return area;
}

static int taps_from_grid(const double *grid, int r, RefKernel *rk)
{
    const int n = 2 * r + 1;
    double sum = 0;
    int count = 0;
    for (int i = 0; i < n * n; i++)
        if (grid[i] != 0) {
            count++;
            sum += grid[i];
        }
    if (!(rk->taps = av_malloc_array(FFMAX(count, 1), sizeof(*rk->taps))))
        return AVERROR(ENOMEM);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
            if (grid[y * n + x] != 0) {
                Tap *t = &rk->taps[rk->nb_taps++];
                t->dx = x - r;
                t->dy = y - r;
                t->w = grid[y * n + x] / sum;
            }
    rk->margin = r;
    return 0;
}

/* Sample squares crossed by each segment of the path, weighted by the
 * length inside them; every segment takes an equal share of the time. */
static int path_grid(const SmearMotionParams *mp, double **pgrid, int *pr)
{
    double ext = 0;
    for (int i = 0; i < mp->nb_points; i++)
        ext = fmax(ext, fmax(fabs(mp->points[i].x), fabs(mp->points[i].y)));
    const int r = (int)ceil(ext) + 1, n = 2 * r + 1, nseg = FFMAX(mp->nb_points - 1, 1);
    double *grid = av_calloc((size_t)n * n, sizeof(*grid));
    double *ts = av_malloc_array(4 * n + 8, sizeof(*ts));
    if (!grid || !ts) {
        av_free(grid);
        av_free(ts);
        return AVERROR(ENOMEM);
    }
    for (int sgi = 0; sgi < nseg; sgi++) {
        const SmearMotionPoint p0 = mp->points[sgi], p1 = mp->points[FFMIN(sgi + 1, mp->nb_points - 1)];
        const double dx = p1.x - p0.x, dy = p1.y - p0.y;
        int nt = 0;
        ts[nt++] = 0;
        ts[nt++] = 1;
        if (dx != 0)
            for (int k = (int)floor(fmin(p0.x, p1.x) - 0.5); k <= (int)ceil(fmax(p0.x, p1.x) - 0.5); k++) {
                const double t = (k + 0.5 - p0.x) / dx;
                if (t > 0 && t < 1)
                    ts[nt++] = t;
            }
        if (dy != 0)
            for (int k = (int)floor(fmin(p0.y, p1.y) - 0.5); k <= (int)ceil(fmax(p0.y, p1.y) - 0.5); k++) {
                const double t = (k + 0.5 - p0.y) / dy;
                if (t > 0 && t < 1)
                    ts[nt++] = t;
            }
        qsort(ts, nt, sizeof(*ts), cmp_double);
        for (int i = 0; i + 1 < nt; i++) {
            const double tm = 0.5 * (ts[i] + ts[i + 1]);
            const int cx = (int)floor(p0.x + tm * dx + 0.5), cy = (int)floor(p0.y + tm * dy + 0.5);
            grid[(cy + r) * n + cx + r] += (ts[i + 1] - ts[i]) / nseg;
        }
    }
    av_free(ts);
    *pgrid = grid;
    *pr = r;
    return 0;
}

static int refkernel_build(const Op *op, int w, int h, RefKernel *rk)
{
    KParams kp;
    double *grid = NULL;
    int r = 0, ret = 0;

    memset(rk, 0, sizeof(*rk));
    op_kparams(op, 0, w, h, &kp);
    switch (op->kind) {
    case OP_GAUSS:
        if (op->p[2] == 0) {
            rk->type = REF_SEPARABLE;
            rk->kx = gauss1d(op->p[0], &rk->rx);
            rk->ky = gauss1d(op->p[1], &rk->ry);
            if (!rk->kx || !rk->ky)
                return AVERROR(ENOMEM);
            rk->margin = FFMAX(rk->rx, rk->ry);
            return 0;
        }
        rk->type = REF_TAPS;
        r = (int)ceil(5 * fmax(op->p[0], op->p[1]));
        if (!(grid = av_calloc((size_t)(2 * r + 1) * (2 * r + 1), sizeof(*grid))))
            return AVERROR(ENOMEM);
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++) {
                const double c = cos(kp.g.angle), s = sin(kp.g.angle);
                const double u = dx * c + dy * s, v = -dx * s + dy * c;
                grid[(dy + r) * (2 * r + 1) + dx + r] =
                    exp(-(u * u / (2 * kp.g.sigma_x * kp.g.sigma_x) + v * v / (2 * kp.g.sigma_y * kp.g.sigma_y)));
            }
        break;
    case OP_BOX:
        rk->type = REF_SEPARABLE;
        rk->kx = box1d(kp.b.w, &rk->rx);
        rk->ky = box1d(kp.b.h, &rk->ry);
        if (!rk->kx || !rk->ky)
            return AVERROR(ENOMEM);
        rk->margin = FFMAX(rk->rx, rk->ry);
        return 0;
    case OP_DEFOCUS: {
        const double rad = kp.d.radius_x;
        rk->type = REF_TAPS;
        if (kp.d.soft > 0) {
            /* a soft edge: the unit tests' reference weights (the profile
             * integrated over each sample square) */
            RefTaps t;
            if (ref_taps_defocus(&t, &kp.d) < 0)
                return AVERROR(ENOMEM);
            r = FFMAX(FFMAX(-t.x0, t.x0 + t.kw - 1), FFMAX(-t.y0, t.y0 + t.kh - 1));
            if (!(grid = av_calloc((size_t)(2 * r + 1) * (2 * r + 1), sizeof(*grid)))) {
                ref_taps_free(&t);
                return AVERROR(ENOMEM);
            }
            for (int j = 0; j < t.kh; j++)
                for (int i = 0; i < t.kw; i++)
                    grid[(t.y0 + j + r) * (2 * r + 1) + t.x0 + i + r] = t.w[j * t.kw + i];
            ref_taps_free(&t);
            break;
        }
        r = (int)ceil(rad + 0.5);
        if (!(grid = av_calloc((size_t)(2 * r + 1) * (2 * r + 1), sizeof(*grid))))
            return AVERROR(ENOMEM);
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
                grid[(dy + r) * (2 * r + 1) + dx + r] =
                    disk_rect_area(dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5, rad);
        break;
    }
    case OP_MOTION:
    case OP_SHAKE:
        rk->type = REF_TAPS;
        if ((ret = path_grid(&kp.m, &grid, &r)) < 0)
            return ret;
        break;
    case OP_AFFINE: {
        rk->type = REF_WARP;
        memcpy(rk->m, kp.a.m, sizeof(rk->m));
        rk->interp = kp.a.interp;
        /* interior: samples whose source lies at least 2 samples inside */
        double disp = 0;
        const int cx[2] = { 0, w - 1 }, cy[2] = { 0, h - 1 };
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                const double xi = rk->m[0] * cx[i] + rk->m[1] * cy[j] + rk->m[2];
                const double yi = rk->m[3] * cx[i] + rk->m[4] * cy[j] + rk->m[5];
                disp = fmax(disp, fmax(fabs(xi - cx[i]), fabs(yi - cy[j])));
            }
        rk->margin = (int)ceil(disp) + 2;
        return 0;
    }
    }
    ret = taps_from_grid(grid, r, rk);
    av_free(grid);
    return ret;
}

/* out[x] += w * row[clamp(x + dx)] for x in [0, w): the edge replicated. */
static void acc_shifted(double *out, const uint8_t *row, int w, int dx, double wt)
{
    const int lo = clampi(-dx, 0, w), hi = clampi(w - dx, lo, w);
    for (int x = 0; x < lo; x++)
        out[x] += wt * row[0];
    for (int x = lo; x < hi; x++)
        out[x] += wt * row[x + dx];
    for (int x = hi; x < w; x++)
        out[x] += wt * row[w - 1];
}

static double cubic_w(double t, int i)
{
    /* Catmull-Rom weights of the samples at -1, 0, 1, 2 for a position t in [0, 1) */
    switch (i) {
    case 0:  return 0.5 * (-t * t * t + 2 * t * t - t);
    case 1:  return 0.5 * (3 * t * t * t - 5 * t * t + 2);
    case 2:  return 0.5 * (-3 * t * t * t + 4 * t * t + t);
    default: return 0.5 * (t * t * t - t * t);
    }
}

/* The float64 reference of row y of the output, replicated borders. */
static void refkernel_row(const RefKernel *rk, const SmearPlane *in, int y, double *out, double *tmp)
{
    const int w = in->w, h = in->h;
#define PIX(xx, yy) in->data[(ptrdiff_t)clampi(yy, 0, h - 1) * in->stride + clampi(xx, 0, w - 1)]
    switch (rk->type) {
    case REF_SEPARABLE:
        /* vertical first, so only this row's column sums are needed */
        for (int x = 0; x < w; x++)
            tmp[x] = 0;
        for (int j = -rk->ry; j <= rk->ry; j++) {
            const uint8_t *row = in->data + (ptrdiff_t)clampi(y + j, 0, h - 1) * in->stride;
            const double wt = rk->ky[j + rk->ry];
            for (int x = 0; x < w; x++)
                tmp[x] += wt * row[x];
        }
        for (int x = 0; x < w; x++) {
            double s = 0;
            for (int i = -rk->rx; i <= rk->rx; i++)
                s += rk->kx[i + rk->rx] * tmp[clampi(x + i, 0, w - 1)];
            out[x] = s;
        }
        break;
    case REF_TAPS:
        for (int x = 0; x < w; x++)
            out[x] = 0;
        for (int t = 0; t < rk->nb_taps; t++) {
            const Tap *tp = &rk->taps[t];
            acc_shifted(out, in->data + (ptrdiff_t)clampi(y + tp->dy, 0, h - 1) * in->stride, w, tp->dx, tp->w);
        }
        break;
    case REF_WARP:
        for (int x = 0; x < w; x++) {
            const double xi = rk->m[0] * x + rk->m[1] * y + rk->m[2];
            const double yi = rk->m[3] * x + rk->m[4] * y + rk->m[5];
            const double fx = floor(xi), fy = floor(yi), tx = xi - fx, ty = yi - fy;
            const int x0 = (int)clampd(fx, -4, w + 4), y0 = (int)clampd(fy, -4, h + 4);
            double v = 0;
            if (rk->interp == SMEAR_INTERP_BICUBIC) {
                for (int j = 0; j < 4; j++) {
                    double rs = 0;
                    for (int i = 0; i < 4; i++)
                        rs += cubic_w(tx, i) * PIX(x0 - 1 + i, y0 - 1 + j);
                    v += cubic_w(ty, j) * rs;
                }
                v = clampd(v, 0, 255);
            } else {
                v = (1 - ty) * ((1 - tx) * PIX(x0, y0) + tx * PIX(x0 + 1, y0)) +
                    ty * ((1 - tx) * PIX(x0, y0 + 1) + tx * PIX(x0 + 1, y0 + 1));
            }
            out[x] = v;
        }
        break;
    }
#undef PIX
}

/* Rows compared: the three at each edge, and a spread over the frame. */
static int acc_rows(const Bench *b, int h, int *rows, int max_rows)
{
    const int spread = b->o.quick ? 1 : 42;
    int n = 0;
    for (int i = 0; i < 3 && i < h; i++)
        rows[n++] = i;
    for (int i = 0; i < spread && n < max_rows; i++) {
        /* an odd step so the rows fall on every phase of 2x2 chroma and 8x8 blocks */
        const int y = 3 + (int)((int64_t)(h - 6) * (2 * i + 1) / (2 * spread)) + (i % 3);
        if (y > rows[n - 1] && y < h - 3)
            rows[n++] = y;
    }
    for (int i = 3; i >= 1 && n < max_rows; i--)
        if (h - i > rows[n - 1])
            rows[n++] = h - i;
    return n;
}

static void acc_row(Bench *b, const Op *op, AccResult *res)
{
    const AVFrame *f0 = b->frames[0];
    const SmearPlane in = frame_plane(f0, 0);
    const int w = in.w, h = in.h;
    RefKernel rk;
    KernelSet ks = { 0 };
    FFGraph g = { 0 };
    AVFrame *ffin = NULL, *ffout = NULL;
    uint8_t *got = NULL;
    ptrdiff_t got_stride = w;
    double *ref = NULL, *tmp = NULL, sse = 0, sum_abs = 0;
    int rows[64], nrows, ret;
    char what[160];

    memset(res, 0, sizeof(*res));
    res->done = 1;
    res->max_interior = -1;
    if ((ret = refkernel_build(op, w, h, &rk)) < 0) {
        report_error(op->name, ret);
        refkernel_free(&rk);
        return;
    }
    if (op->ffrow) {
        if (!(ffin = av_frame_clone(f0)) || !(ffout = av_frame_alloc())) {
            ret = AVERROR(ENOMEM);
            goto fail;
        }
        if ((ret = ffgraph_open(&g, op->ff[0], f0)) < 0 || (ret = ffgraph_filter(&g, ffin, ffout)) < 0)
            goto fail;
        got = ffout->data[0];
        got_stride = ffout->linesize[0];
    } else {
        if (!(got = av_malloc((size_t)w * h))) {
            ret = AVERROR(ENOMEM);
            goto fail;
        }
        const SmearPlane dst = { got, w, w, h, 8 };
        if ((ret = kset_configure(&ks, op, w, h, 1, b->o.cpu)) < 0)
            goto fail;
        ks.k->process(ks.priv[0], &dst, &in, NULL);
        res->identity = 1;
        for (int y = 0; y < h && res->identity; y++)
            res->identity = !memcmp(got + (ptrdiff_t)y * w, in.data + (ptrdiff_t)y * in.stride, w);
    }
    if (!(ref = av_malloc_array(w, sizeof(*ref))) || !(tmp = av_malloc_array(w, sizeof(*tmp)))) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    nrows = acc_rows(b, h, rows, FF_ARRAY_ELEMS(rows));
    for (int ri = 0; ri < nrows; ri++) {
        const int y = rows[ri];
        const uint8_t *g8 = got + (ptrdiff_t)y * got_stride;
        const int row_inside = y >= rk.margin && y < h - rk.margin;
        refkernel_row(&rk, &in, y, ref, tmp);
        for (int x = 0; x < w; x++) {
            const double rr = clampd(floor(ref[x] + 0.5), 0, 255);
            const int e = abs(g8[x] - (int)rr);
            sse += (double)e * e;
            sum_abs += e;
            res->max_float = fmax(res->max_float, fabs(g8[x] - ref[x]));
            if (e > res->max_abs) {
                res->max_abs = e;
                res->x = x;
                res->y = y;
            }
            if (row_inside && x >= rk.margin && x < w - rk.margin)
                res->max_interior = FFMAX(res->max_interior, e);
            res->samples++;
        }
    }
    res->mean_abs = sum_abs / res->samples;
    res->psnr = sse > 0 ? 10 * log10(255.0 * 255.0 * res->samples / sse) : INFINITY;
    res->ok = 1;
    goto end;
fail:
    snprintf(what, sizeof(what), "accuracy of %s%s%s", op->name, op->ffrow ? " / " : "",
             op->ffrow ? op->ff[0] : "");
    report_error(what, ret);
end:
    refkernel_free(&rk);
    kset_free(&ks);
    ffgraph_close(&g);
    av_frame_free(&ffin);
    av_frame_free(&ffout);
    if (!op->ffrow)
        av_free(got);
    av_free(ref);
    av_free(tmp);
}

static void build_acc_ops(Op *ops, int *nb)
{
    static const double sigmas[] = { 0.5, 1, 2, 4, 8, 16, 32, 100 };
    static const double boxes[] = { 3, 5, 2.5, 11, 31, 101 };
    static const double radii[] = { 2, 2.5, 5, 10, 20, 50 };
    Op *op;

    *nb = 0;
    for (size_t i = 0; i < FF_ARRAY_ELEMS(sigmas); i++) {
        const double s = sigmas[i];
        op_new(ops, nb, OP_GAUSS, s, s, 0, s <= 8 ? G_GAUSS8 : G_GAUSS100, s == 2 || s == 32,
               "gauss sigma=%g", s);
    }
    op_new(ops, nb, OP_GAUSS, 8, 2, 0, G_GAUSS8, 0, "gauss 8x2");
    op_new(ops, nb, OP_GAUSS, 8, 2, 30, G_GAUSS8, 0, "gauss 8x2 turned 30");
    op_new(ops, nb, OP_GAUSS, 8, 2, 60, G_GAUSS8, 0, "gauss 8x2 turned 60");
    op_new(ops, nb, OP_GAUSS, 3, 1, 30, G_GAUSS8, 0, "gauss 3x1 turned 30");
    op_new(ops, nb, OP_GAUSS, 8, 0.8, 40, G_GAUSS8, 0, "gauss 8x0.8 turned 40");
    for (int k = 0; k < 5; k++) {
        static const double fs[] = { 2, 2, 8, 8, 32 };
        static const int steps[] = { 1, 3, 1, 3, 1 };
        op = op_new(ops, nb, OP_GAUSS, fs[k], fs[k], 0, 0, k == 0, "gauss sigma=%g", fs[k]);
        op->ffrow = 1;
        op_ff(op, steps[k] > 1 ? "gblur=sigma=%g:steps=%d" : "gblur=sigma=%g", fs[k], steps[k]);
    }
    for (size_t i = 0; i < FF_ARRAY_ELEMS(boxes); i++)
        op_new(ops, nb, OP_BOX, boxes[i], 0, 0, G_BOX, boxes[i] == 5, "box %g", boxes[i]);
    op = op_new(ops, nb, OP_BOX, 5, 0, 0, 0, 0, "box 5");
    op->ffrow = 1;
    op_ff(op, "avgblur=sizeX=2");
    for (size_t i = 0; i < FF_ARRAY_ELEMS(radii); i++)
        op_new(ops, nb, OP_DEFOCUS, radii[i], 0, 0, G_DEFOCUS, radii[i] == 10, "defocus r=%g", radii[i]);
    op_new(ops, nb, OP_DEFOCUS, 20, 0.5, 0, G_DEFOCUS, 0, "defocus r=20 soft 0.5");
    op_new(ops, nb, OP_MOTION, 5, 0, 0, G_MOTION40, 0, "motion L=5 a=0");
    op_new(ops, nb, OP_MOTION, 15, 30, 0, G_MOTION40, 0, "motion L=15 a=30");
    op_new(ops, nb, OP_MOTION, 15, 45, 0, G_MOTION40, 1, "motion L=15 a=45");
    op_new(ops, nb, OP_MOTION, 40, 45, 0, G_MOTION40, 0, "motion L=40 a=45");
    op_new(ops, nb, OP_MOTION, 7.3, 100, 0, G_MOTION40, 0, "motion L=7.3 a=100");
    op_new(ops, nb, OP_SHAKE, 30, 0, 0, G_MOTION40, 0, "shake 20pt L=30");
    op_new(ops, nb, OP_AFFINE, 0.2, 0, 0, G_AFFINE, 1, "shear x=0.2");
    op_new(ops, nb, OP_AFFINE, 0, 0.2, 0, G_AFFINE, 0, "shear y=0.2");
    op_new(ops, nb, OP_AFFINE, 0.2, 0.1, 0, G_AFFINE, 0, "shear x=0.2 y=0.1");
    op_new(ops, nb, OP_AFFINE, 0, 0, 10, G_AFFINE, 1, "rotate 10");
    op = op_new(ops, nb, OP_AFFINE, 0.2, 0, 0, G_AFFINE, 0, "shear x=0.2 bicubic");
    op->interp = SMEAR_INTERP_BICUBIC;
    op = op_new(ops, nb, OP_AFFINE, 0, 0, 10, G_AFFINE, 1, "rotate 10 bicubic");
    op->interp = SMEAR_INTERP_BICUBIC;
}

/* The accuracy target of a row: most levels off, and a PSNR floor (0: none). */
static int acc_target(const Op *op, double *min_psnr)
{
    *min_psnr = 0;
    if (op->ffrow)
        return -1;
    if (op->groups & G_GAUSS100) {
        *min_psnr = 50;
        return 2;
    }
    return 1;
}

static int run_accuracy(Bench *b)
{
    static Op ops[MAX_OPS];
    int nb, ret;
    const double t0 = now_ms();

    if ((ret = frames_ensure(b)) < 0)
        return ret;
    build_acc_ops(ops, &nb);
    b->acc_ops = ops;
    b->nb_acc = nb;
    int rows[64];
    const int nrows = acc_rows(b, FRAME_H, rows, FF_ARRAY_ELEMS(rows));
    printf("== Accuracy: the luma plane of frame 0, %d full rows (the 3 first and 3 last among them) ==\n\n"
           "Against a float64 reference written plainly here: direct convolution with the analytic\n"
           "kernel (Gaussian exp(-x^2/2s^2) to 5 sigma, box with area weights, disk with the exact\n"
           "area per sample, path with the exact length per sample), or exact bilinear / Catmull-Rom\n"
           "sampling; borders replicated. Errors in 8-bit levels against the reference rounded half\n"
           "up; \"interior\" leaves out samples within the kernel's reach of an edge; PSNR against the\n"
           "rounded reference; \"vs float\" is the largest distance to the unrounded reference.\n\n",
           nrows);
    printf("%-22s %-24s %5s %12s %8s %9s %8s %8s  %s\n", "op", "by", "max", "at (x,y)", "interior",
           "mean abs", "PSNR dB", "vs float", "target");
    printf("%-22s %-24s %5s %12s %8s %9s %8s %8s  %s\n", "----------------------",
           "------------------------", "-----", "------------", "--------", "---------", "--------",
           "--------", "------");
    for (int i = 0; i < nb; i++) {
        const Op *op = &ops[i];
        AccResult *r = &b->acc[i];
        double min_psnr;
        if (!want(b, op))
            continue;
        acc_row(b, op, r);
        printf("%-22s %-24s ", op->name, op->ffrow ? op->ff[0] : "smear");
        if (!r->ok) {
            printf("%5s\n", "failed");
            continue;
        }
        char at[32], interior[16], psnr[16], target[32];
        snprintf(at, sizeof(at), "(%d,%d)", r->x, r->y);
        if (r->max_interior >= 0)
            snprintf(interior, sizeof(interior), "%d", r->max_interior);
        else
            snprintf(interior, sizeof(interior), "-");
        if (isinf(r->psnr))
            snprintf(psnr, sizeof(psnr), "inf");
        else
            snprintf(psnr, sizeof(psnr), "%.2f", r->psnr);
        const int lim = acc_target(op, &min_psnr);
        if (lim < 0)
            snprintf(target, sizeof(target), "-");
        else
            snprintf(target, sizeof(target), "<=%d%s %s%s", lim, min_psnr > 0 ? ", >50 dB" : "",
                     r->max_abs <= lim && (min_psnr <= 0 || r->psnr > min_psnr) ? "ok" : "MISSED",
                     r->identity ? " (copies)" : "");
        printf("%5d %12s %8s %9.4f %8s %8.3f  %s\n", r->max_abs, at, interior, r->mean_abs, psnr,
               r->max_float, target);
        fflush(stdout);
    }
    printf("\nNotes:\n"
           "  The path reference gives each segment of a polyline an equal share of the exposure\n"
           "    (the points are equally spaced in time), spread by length along the segment.\n"
           "  FFmpeg rows run the whole yuv420p frame through the filter and compare its luma.\n");
    printf("\nAccuracy section: %.1f s\n\n", (now_ms() - t0) / 1e3);
    b->acc_run = 1;
    return 0;
}

/* ============================================================== targets */

static void print_targets(const Bench *b)
{
    static const struct {
        unsigned    group;
        const char *what;
        double      limit;
    } speed_targets[] = {
        { G_GAUSS8,    "Gaussian sigma<=8",               2.5 },
        { G_GAUSS100,  "Gaussian sigma<=100",             3.0 },
        { G_TURNED,    "Gaussian turned, sigma<=100",     3.0 },
        { G_BOX,       "Box, any size",                   1.5 },
        { G_DEFOCUS20, "Defocus radius<=20",              6.0 },
        { G_MOTION40,  "Motion length<=40, any angle",    4.0 },
        { G_WARP,      "Shear x or y 0.2, rotate 10", 2.0 },
    };
    static const struct {
        unsigned    group;
        const char *what;
    } acc_targets[] = {
        { G_GAUSS8,   "Gaussian sigma<=8 (target 1 level)" },
        { G_GAUSS100, "Gaussian sigma>8 (target 2 levels, >50 dB)" },
        { G_BOX,      "Box (target 1 level)" },
        { G_DEFOCUS,  "Defocus (target 1 level)" },
        { G_MOTION40, "Motion (target 1 level)" },
        { G_AFFINE,   "Shear/affine (target 1 level)" },
    };

    int speed_rows = 0, acc_rows_done = 0;
    for (int i = 0; i < b->nb_ops; i++)
        speed_rows += b->speed[i].done;
    for (int i = 0; i < b->nb_acc; i++)
        acc_rows_done += b->acc[i].done;
    if (!speed_rows && !acc_rows_done) {
        if (b->speed_run || b->acc_run)
            printf("No row was run%s%s%s.\n\n", b->o.only ? " (none matches \"" : "",
                   b->o.only ? b->o.only : "", b->o.only ? "\")" : "");
        return;
    }
    printf("== Targets of the project's issues ==\n\n");
    if (speed_rows) {
        printf("Speed, ms per 1080p yuv420p frame on one core (median of the kernels' own time):\n");
        for (size_t t = 0; t < FF_ARRAY_ELEMS(speed_targets); t++) {
            double worst = -1;
            const char *at = NULL;
            int rows = 0, missing = 0, copies = 0;
            for (int i = 0; i < b->nb_ops; i++) {
                const Op *op = &b->ops[i];
                const SpeedResult *r = &b->speed[i];
                if (!(op->groups & speed_targets[t].group) || !r->done)
                    continue;
                rows++;
                copies += r->identity;
                if (isnan(r->k)) {
                    missing++;
                } else if (r->k > worst) {
                    worst = r->k;
                    at = op->name;
                }
            }
            if (!rows)
                continue;
            char line[96];
            snprintf(line, sizeof(line), "%s:", speed_targets[t].what);
            if (worst < 0)
                printf("  %-34s not measured\n", line);
            else if (copies)
                printf("  %-34s max %6.2f ms (%s; target %.1f)  n/a: the kernel only copies yet\n",
                       line, worst, at, speed_targets[t].limit);
            else
                printf("  %-34s max %6.2f ms (%s; target %.1f)  %s%s\n", line, worst, at,
                       speed_targets[t].limit, worst <= speed_targets[t].limit && !missing ? "ok" : "MISSED",
                       missing ? " (some rows failed)" : "");
        }
        int faster = 0, rows = 0, copies = 0;
        double worst_ratio = INFINITY, gblur2 = NAN;
        for (int i = 0; i < b->nb_ops; i++) {
            const SpeedResult *r = &b->speed[i];
            if (!(b->ops[i].groups & G_GBLUR) || !r->done || isnan(r->k) || isnan(r->ff[0]))
                continue;
            if (b->ops[i].p[0] == 2)
                gblur2 = r->ff[0];
            rows++;
            copies += r->identity;
            faster += r->k < r->ff[0];
            worst_ratio = fmin(worst_ratio, r->ff[0] / r->k);
        }
        if (rows)
            printf("  %-34s faster on %d of %d sigmas, lowest ratio %.2f  %s\n", "Gaussian vs FFmpeg gblur:",
                   faster, rows, worst_ratio, copies ? "n/a" : faster == rows ? "ok" : "MISSED");
        if (!isnan(gblur2))
            printf("  Machine check: FFmpeg gblur=sigma=2 took %.2f ms here; the targets were set when it\n"
                   "    took 2.7 ms on one core of this machine type (now %.2fx that).\n",
                   gblur2, gblur2 / 2.7);
        int identity = 0;
        for (int i = 0; i < b->nb_ops; i++)
            identity += b->speed[i].done && b->speed[i].identity;
        if (identity)
            printf("  (%d row%s timed a kernel that still copies its input: see the speed table)\n", identity,
                   identity > 1 ? "s" : "");
    }
    if (acc_rows_done) {
        printf("Accuracy, worst levels off the rounded float64 reference, 8-bit:\n");
        for (size_t t = 0; t < FF_ARRAY_ELEMS(acc_targets); t++) {
            int worst = -1, rows = 0, miss = 0;
            double worst_psnr = INFINITY;
            const char *at = NULL;
            for (int i = 0; i < b->nb_acc; i++) {
                const Op *op = &b->acc_ops[i];
                const AccResult *r = &b->acc[i];
                double min_psnr;
                if (op->ffrow || !(op->groups & acc_targets[t].group) || !r->done)
                    continue;
                rows++;
                if (!r->ok) {
                    miss = 1;
                    continue;
                }
                const int lim = acc_target(op, &min_psnr);
                if (r->max_abs > lim || (min_psnr > 0 && r->psnr <= min_psnr))
                    miss = 1;
                if (r->max_abs > worst) {
                    worst = r->max_abs;
                    at = op->name;
                }
                worst_psnr = fmin(worst_psnr, r->psnr);
            }
            if (!rows)
                continue;
            char line[96], psnr[32];
            snprintf(line, sizeof(line), "%s:", acc_targets[t].what);
            if (isinf(worst_psnr))
                snprintf(psnr, sizeof(psnr), "exact");
            else
                snprintf(psnr, sizeof(psnr), "%.1f dB", worst_psnr);
            if (worst < 0)
                printf("  %-46s failed\n", line);
            else
                printf("  %-46s worst %3d (%s), lowest PSNR %s  %s\n", line, worst, at, psnr,
                       miss ? "MISSED" : "ok");
        }
    }
    printf("\n");
}

/* ============================================================= sections */

static int run_kernels(Bench *b)
{
    int ret;
    if ((ret = run_speed(b)) < 0)
        return ret;
    return run_accuracy(b);
}

/* A section runs on the frames (run), or is a whole run of the programs
 * (pipeline.c: whole). */
typedef struct Section {
    const char *name;
    const char *help;
    int (*run)(Bench *b);
    int (*whole)(const PipelineOptions *o);
} Section;

static int run_all(Bench *b);

static const Section sections[] = {
    { "kernels",   "the speed table, then the accuracy table (the default)", run_kernels, NULL },
    { "speed",     "smear's kernels and library next to FFmpeg's filters, ms per frame", run_speed, NULL },
    { "accuracy",  "worst error of each kernel (and of FFmpeg's gblur) against float64", run_accuracy, NULL },
    { "transcode", "a 1080p H.264 transcode: plain, with FFmpeg's filters, with smear", NULL, bench_transcode },
    { "dataset",   "a 720p clip to PNG and JPEG images: ffmpeg next to smear --frames", NULL, bench_dataset },
    { "live",      "a paced 1080p30 stream through smear: drops, augmentation time, latency", NULL, bench_live },
    { "soak",      "100,000 small frames: resident memory, and valgrind on a short run", NULL, bench_soak },
    { "all",       "every section above", run_all, NULL },
};

/* the smear program, for the whole runs */
static char smear_program[1024];

static int run_section(Bench *b, const Section *sec)
{
    if (sec->run)
        return sec->run(b);
    const PipelineOptions o = { b->o.quick, b->o.verbose, smear_program };
    return sec->whole(&o);
}

static int run_all(Bench *b)
{
    /* every section but kernels (speed and accuracy again) and all */
    for (size_t i = 1; i + 1 < FF_ARRAY_ELEMS(sections); i++) {
        const int ret = run_section(b, &sections[i]);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static const Section *find_section(const char *name)
{
    for (size_t i = 0; i < FF_ARRAY_ELEMS(sections); i++)
        if (!strcmp(sections[i].name, name))
            return &sections[i];
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: smear-bench [options] [section ...]\n\n"
            "Times smear's kernels next to FFmpeg's own filters on the same %dx%d %s frames, in\n"
            "one process and on one thread, and measures the kernels' error against float64;\n"
            "the sections transcode, dataset, live and soak time whole runs of the smear and\n"
            "ffmpeg programs (smear is found beside this program, or through $SMEAR).\n\n"
            "sections:\n", FRAME_W, FRAME_H, av_get_pix_fmt_name(FRAME_FMT));
    for (size_t i = 0; i < FF_ARRAY_ELEMS(sections); i++)
        fprintf(f, "  %-10s %s\n", sections[i].name, sections[i].help);
    fprintf(f,
            "\noptions:\n"
            "  --frames N      distinct frames per timed pass (default 8; 2 with --quick)\n"
            "  --repeats N     timed passes per row, the median is shown (default 5; 1 with --quick)\n"
            "  --input FILE    decode the frames from a clip, scaled to %dx%d (default: generated)\n"
            "  --pattern P     generated frames: synth (default) or testsrc2 (libavfilter's)\n"
            "  --quick         a short run: a few rows, few frames and repeats\n"
            "  --only TEXT     only the rows whose name contains TEXT (e.g. \"gauss\", \"rotate\")\n"
            "  --cpu-mask N    CPU features the kernels may use, a sum of 1 AVX2, 2 AVX-512,\n"
            "                  4 VBMI, 8 VNNI (0 = plain C; default: all); FFmpeg's filters\n"
            "                  are held to the same (without AVX2: SSE)\n"
            "  --verbose       min-max of the repeats, FFmpeg's messages\n"
            "  --help          this text\n", FRAME_W, FRAME_H);
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    const long v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static const char *cpu_names(unsigned flags, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s%s", flags & SMEAR_CPU_AVX512 ? "avx512 " : "",
             flags & SMEAR_CPU_VBMI ? "vbmi " : "", flags & SMEAR_CPU_VNNI ? "vnni " : "",
             flags & SMEAR_CPU_AVX2 ? "avx2 " : "", flags ? "" : "none (plain C)");
    return buf;
}

static void print_version(const char *name, unsigned v)
{
    printf(" %s %u.%u.%u", name, AV_VERSION_MAJOR(v), AV_VERSION_MINOR(v), AV_VERSION_MICRO(v));
}

/* With --cpu-mask, FFmpeg's filters are held to the same instruction sets
 * as the kernels (without AVX2, to SSE), so that a row compares like with
 * like. */
static void hold_ffmpeg_cpu(unsigned cpu)
{
    int flags = av_get_cpu_flags();
    if (!(cpu & SMEAR_CPU_AVX512))
        flags &= ~(AV_CPU_FLAG_AVX512 | AV_CPU_FLAG_AVX512ICL);
    if ((cpu & (SMEAR_CPU_VBMI | SMEAR_CPU_VNNI)) != (SMEAR_CPU_VBMI | SMEAR_CPU_VNNI))
        flags &= ~AV_CPU_FLAG_AVX512ICL; /* Ice Lake's set: VBMI, VNNI and more */
    if (!(cpu & SMEAR_CPU_AVX2))
        flags &= ~(AV_CPU_FLAG_AVX | AV_CPU_FLAG_AVXSLOW | AV_CPU_FLAG_AVX2 | AV_CPU_FLAG_FMA3 |
                   AV_CPU_FLAG_FMA4 | AV_CPU_FLAG_XOP);
    if (flags != av_get_cpu_flags())
        av_force_cpu_flags(flags);
}

static void print_header(const Bench *b)
{
    char date[64], cpu[64], det[64];
    const time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("smear-bench: smear %s, %s\n", smear_version(), date);
    printf("CPU features for the kernels: %s (detected: %s)%s\n", cpu_names(b->o.cpu, cpu, sizeof(cpu)),
           cpu_names(smear_cpu_flags(), det, sizeof(det)),
           b->o.cpu != smear_cpu_flags() ? "; FFmpeg held to the same" : "");
    printf("FFmpeg %s:", av_version_info());
    print_version("libavfilter", avfilter_version());
    print_version("libavcodec", avcodec_version());
    print_version("libavformat", avformat_version());
    print_version("libswscale", swscale_version());
    print_version("libavutil", avutil_version());
    printf("\nCompiler: %s\n", __VERSION__);
    printf("Frames: %s\n", b->source);
    printf("Run: %d frames x %d repeats%s\n\n", b->nb_frames, b->o.repeats, b->o.quick ? " (quick)" : "");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    Bench b;
    const Section *run[FF_ARRAY_ELEMS(sections) + 1];
    int nb_run = 0, frames_set = 0, repeats_set = 0, ret = 0;
    long v;

    memset(&b, 0, sizeof(b));
    b.o.frames = 8;
    b.o.repeats = 5;
    b.o.pattern = "synth";
    b.o.cpu = smear_cpu_flags();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            b.o.quick = 1;
        } else if (!strcmp(a, "--verbose")) {
            b.o.verbose = 1;
        } else if (!strcmp(a, "--frames") && val && !parse_int(val, 1, 1000, &v)) {
            b.o.frames = (int)v;
            frames_set = 1;
            i++;
        } else if (!strcmp(a, "--repeats") && val && !parse_int(val, 1, 1000, &v)) {
            b.o.repeats = (int)v;
            repeats_set = 1;
            i++;
        } else if (!strcmp(a, "--input") && val) {
            b.o.input = val;
            i++;
        } else if (!strcmp(a, "--pattern") && val && (!strcmp(val, "synth") || !strcmp(val, "testsrc2"))) {
            b.o.pattern = val;
            i++;
        } else if (!strcmp(a, "--only") && val) {
            b.o.only = val;
            i++;
        } else if (!strcmp(a, "--cpu-mask") && val && !parse_int(val, 0, 0xffff, &v)) {
            b.o.cpu &= (unsigned)v;
            i++;
        } else if (a[0] != '-' && find_section(a)) {
            if (nb_run < (int)FF_ARRAY_ELEMS(run))
                run[nb_run++] = find_section(a);
        } else {
            fprintf(stderr, "smear-bench: bad argument \"%s\"%s\n\n", a,
                    a[0] == '-' ? " (or a missing or bad value)" : " (not a section)");
            usage(stderr);
            return 2;
        }
    }
    hold_ffmpeg_cpu(b.o.cpu);
    if (b.o.quick) {
        if (!frames_set)
            b.o.frames = 2;
        if (!repeats_set)
            b.o.repeats = 1;
    }
    if (!nb_run)
        run[nb_run++] = &sections[0];
    av_log_set_level(b.o.verbose ? AV_LOG_INFO : AV_LOG_ERROR);
    /* the smear program: $SMEAR, or the one built beside this program */
    const char *env = getenv("SMEAR");
    if (env && *env) {
        snprintf(smear_program, sizeof(smear_program), "%s", env);
    } else {
        char self[900];
        const ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[len > 0 ? len : 0] = '\0';
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        snprintf(smear_program, sizeof(smear_program), "%s/../src/smear", len > 0 ? self : ".");
    }

    const double t0 = now_ms();
    if ((ret = frames_ensure(&b)) < 0)
        return 1;
    print_header(&b);
    for (int i = 0; i < nb_run && ret >= 0; i++)
        ret = run_section(&b, run[i]);
    if (ret >= 0) {
        print_targets(&b);
        printf("Total: %.1f s\n", (now_ms() - t0) / 1e3);
    }
    frames_free(&b);
    return ret < 0 ? 1 : 0;
}
