/*
 * smear - turning videos into augmented frame datasets.
 *
 *   smear -i a.mp4 -i b.mkv ... -a CHAIN --frames OUTDIR [sampling] [--variants K]
 *
 * For each clip, frames are sampled (every Nth, a target rate, a time
 * range, a maximum), each sampled frame gets K augmented versions with
 * their own seeds (and optionally the clean frame beside them), and every
 * image is written as OUTDIR/<clip>/<frame>_<variant>.png (or .jpg), or
 * into WebDataset-style tar shards. A manifest row per image records the
 * source, frame, time, variant, seed and every parameter applied.
 *
 * Three threads of work overlap: a decoder per clip, the augmentation
 * (itself slice-threaded) and a pool of image encoders.
 *
 * Restarting: an image is written under a temporary name and renamed, so
 * an image under its final name is complete. Per clip, the manifest rows
 * and a completion mark live in OUTDIR/.smear/; a clip marked complete is
 * skipped, and in an unfinished clip every image that exists is not made
 * again (its parameters are re-evaluated, which keeps random walks in step,
 * so its row comes out the same). --shard i/N takes every Nth clip of the
 * list, so N runs with no coordination share the work.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/common.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/random_seed.h>
#include <libavutil/time.h>
#include <libswscale/swscale.h>

#include "smear/smear.h"

#include "dataset.h"
#include "input.h"
#include "jsonflat.h"
#include "tar.h"

#define MAX_VARIANTS 64
#define MAX_WORKERS 16
#define JOB_QUEUE 16
#define FRAME_QUEUE 4

/* ------------------------------------------------------------------ clips */

typedef struct Clip {
    char    *path;
    char     name[160];
    uint64_t id;
} Clip;

static uint64_t hash_string(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then mixed */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static const char *const video_exts[] = {
    "mp4", "m4v", "mov", "mkv", "webm", "avi", "ts", "mts", "m2ts", "mpg", "mpeg", "flv",
    "wmv", "nut", "y4m", "ogv", "3gp", "mxf", "dv", "gif", NULL
};

static int has_video_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (int i = 0; video_exts[i]; i++)
        if (!av_strcasecmp(dot + 1, video_exts[i]))
            return 1;
    return 0;
}

typedef struct ClipList {
    Clip *clips;
    int   nb, cap;
} ClipList;

static int add_clip(ClipList *l, const char *path)
{
    if (l->nb == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        Clip *c = av_realloc_array(l->clips, cap, sizeof(*c));
        if (!c)
            return AVERROR(ENOMEM);
        l->clips = c;
        l->cap = cap;
    }
    Clip *c = &l->clips[l->nb];
    memset(c, 0, sizeof(*c));
    if (!(c->path = av_strdup(path)))
        return AVERROR(ENOMEM);
    c->id = hash_string(path);
    l->nb++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory contributes its video files, sorted by name. */
static int add_path(ClipList *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return add_clip(l, path); /* a file, URL or missing file (reported later) */
    DIR *d = opendir(path);
    if (!d) {
        av_log(NULL, AV_LOG_ERROR, "cannot read the folder '%s': %s\n", path, strerror(errno));
        return AVERROR(errno);
    }
    char **names = NULL;
    int nb = 0, cap = 0, ret = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !has_video_ext(e->d_name))
            continue;
        if (nb == cap) {
            cap = cap ? 2 * cap : 64;
            char **n2 = av_realloc_array(names, cap, sizeof(*n2));
            if (!n2) {
                ret = AVERROR(ENOMEM);
                break;
            }
            names = n2;
        }
        if (!(names[nb] = av_asprintf("%s/%s", path, e->d_name))) {
            ret = AVERROR(ENOMEM);
            break;
        }
        nb++;
    }
    closedir(d);
    if (ret >= 0)
        qsort(names, nb, sizeof(*names), cmp_str);
    for (int i = 0; i < nb; i++) {
        if (ret >= 0)
            ret = add_clip(l, names[i]);
        av_free(names[i]);
    }
    av_free(names);
    return ret;
}

static int read_list(ClipList *l, const char *file)
{
    FILE *f = fopen(file, "r");
    char line[4096];
    int ret = 0;
    if (!f) {
        av_log(NULL, AV_LOG_ERROR, "cannot read the input list '%s': %s\n", file, strerror(errno));
        return AVERROR(errno);
    }
    while (ret >= 0 && fgets(line, sizeof(line), f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p && *p != '#')
            ret = add_path(l, p);
    }
    fclose(f);
    return ret;
}

/* Folder names from base names, safe for any file system; a name shared by
 * two clips gets a short hash of the full path. Computed over the whole
 * list, so every shard agrees. */
static void name_clips(ClipList *l)
{
    for (int i = 0; i < l->nb; i++) {
        Clip *c = &l->clips[i];
        const char *base = strrchr(c->path, '/');
        base = base ? base + 1 : c->path;
        const char *dot = strrchr(base, '.');
        size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        if (len > 120)
            len = 120;
        size_t k = 0;
        for (size_t j = 0; j < len; j++) {
            char ch = base[j];
            c->name[k++] = (((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) || ch == '-' || ch == '_' || ch == '.') ? ch : '_';
        }
        if (!k)
            c->name[k++] = '_';
        c->name[k] = '\0';
    }
    for (int i = 0; i < l->nb; i++) {
        int dup = 0;
        for (int j = 0; j < l->nb && !dup; j++)
            dup = j != i && !strcmp(l->clips[i].name, l->clips[j].name);
        if (dup) {
            char suffix[24];
            snprintf(suffix, sizeof(suffix), "-%08x", (unsigned)(l->clips[i].id >> 32));
            av_strlcat(l->clips[i].name, suffix, sizeof(l->clips[i].name));
        }
    }
}

/* ------------------------------------------------------------ a string set */

typedef struct StrSet {
    char   **slots;
    size_t   cap, count;
} StrSet;

static int set_add(StrSet *s, const char *str)
{
    if (2 * (s->count + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        char **slots = av_calloc(cap, sizeof(*slots));
        if (!slots)
            return AVERROR(ENOMEM);
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t h = hash_string(s->slots[i]) & (cap - 1);
                while (slots[h])
                    h = (h + 1) & (cap - 1);
                slots[h] = s->slots[i];
            }
        av_free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t h = hash_string(str) & (s->cap - 1);
    while (s->slots[h]) {
        if (!strcmp(s->slots[h], str))
            return 0;
        h = (h + 1) & (s->cap - 1);
    }
    if (!(s->slots[h] = av_strdup(str)))
        return AVERROR(ENOMEM);
    s->count++;
    return 0;
}

static int set_has(const StrSet *s, const char *str)
{
    if (!s->cap)
        return 0;
    size_t h = hash_string(str) & (s->cap - 1);
    while (s->slots[h]) {
        if (!strcmp(s->slots[h], str))
            return 1;
        h = (h + 1) & (s->cap - 1);
    }
    return 0;
}

static void set_free(StrSet *s)
{
    for (size_t i = 0; i < s->cap; i++)
        av_free(s->slots[i]);
    av_freep(&s->slots);
    s->cap = s->count = 0;
}

/* ------------------------------------------------------------- the run */

typedef struct Row {
    char *image;  ///< relative path or shard key + extension
    char *json;   ///< the manifest row
    int   done;   ///< the image exists
} Row;

typedef struct Job {
    AVFrame *frame;
    int      row;
} Job;

typedef struct Dataset Dataset;

typedef struct Worker {
    Dataset           *ds;
    pthread_t          thread;
    AVCodecContext    *enc;
    struct SwsContext *sws;
    AVFrame           *conv;
    AVPacket          *pkt;
    int                src_fmt, w, h;
} Worker;

struct Dataset {
    const CliOptions     *opt;
    const DatasetOptions *d;
    const char           *chain;
    uint64_t              seed;
    int                   seed_adopted; ///< the seed is the folder's (a restart without --seed)
    const char           *ext;
    TarWriter            *tar;
    StrSet                in_shards;  ///< members of sealed shards

    /* the current clip's rows, appended by the main thread, marked done by
     * the workers */
    Row                  *rows;
    int                   nb_rows, rows_cap;

    /* image jobs */
    pthread_mutex_t       lock;
    pthread_cond_t        job_cond, space_cond, idle_cond;
    Job                   jobs[JOB_QUEUE];
    int                   job_head, job_count, busy, quit;
    Worker                workers[MAX_WORKERS];
    int                   nb_workers;
    int                   write_error;   ///< a write failed: the run stops
    int                   write_reported; ///< its error line was shown (only the first is)

    /* totals */
    int64_t               written, reused, clips_done, clips_failed, clips_skipped;
    int                   nb_clips, clip_index;
    double                clip_fraction;
    int64_t               start_us, last_progress_us;
    int                   progress;
    AVBPrint              manifest;      ///< rows of this run, as written

    /* the manifest file, a row appended as soon as its image is in place */
    FILE                 *mf;
    char                 *mf_path;
    long                  mf_len;        ///< bytes of whole rows in it
};

/* The first failed write of a run (a full disk, say) is the error line; the
 * ones that follow from it (other images, state, manifest) are details.
 * Called with ds->lock held. */
static void report_write_locked(Dataset *ds, const char *path, int err)
{
    av_log(NULL, ds->write_reported++ ? AV_LOG_VERBOSE : AV_LOG_ERROR, "cannot write '%s': %s\n",
           path, av_err2str(err));
    if (!ds->write_error)
        ds->write_error = err;
}

static void report_write(Dataset *ds, const char *path, int err)
{
    pthread_mutex_lock(&ds->lock);
    report_write_locked(ds, path, err);
    pthread_mutex_unlock(&ds->lock);
}

/* Appends whole rows to the manifest file (and to the rows kept for the
 * CSV). A row that cannot be written whole is cut off again, so the file
 * only ever holds whole rows, each for an image in place. Called with
 * ds->lock held. */
static void manifest_add_locked(Dataset *ds, const char *text, size_t len)
{
    av_bprint_append_data(&ds->manifest, text, (unsigned)len);
    if (!ds->mf || ds->write_error)
        return;
    errno = 0;
    if (fwrite(text, 1, len, ds->mf) != len || fflush(ds->mf) != 0) {
        const int err = AVERROR(errno ? errno : EIO);
        clearerr(ds->mf);
        if (ftruncate(fileno(ds->mf), ds->mf_len) == 0)
            fseek(ds->mf, ds->mf_len, SEEK_SET);
        report_write_locked(ds, ds->mf_path, err);
        return;
    }
    ds->mf_len += (long)len;
}

static void manifest_add_row_locked(Dataset *ds, const char *json)
{
    const size_t len = strlen(json);
    char *line = av_malloc(len + 2);
    if (!line) {
        if (!ds->write_error)
            ds->write_error = AVERROR(ENOMEM);
        return;
    }
    memcpy(line, json, len);
    line[len] = '\n';
    line[len + 1] = '\0';
    manifest_add_locked(ds, line, len + 1);
    av_free(line);
}

static int64_t image_count(const Dataset *ds)
{
    int64_t n;
    pthread_mutex_lock((pthread_mutex_t *)&ds->lock);
    n = ds->written;
    pthread_mutex_unlock((pthread_mutex_t *)&ds->lock);
    return n + ds->reused;
}

static void show_progress(Dataset *ds, int final)
{
    const int64_t now = av_gettime_relative();
    if (!ds->progress || (!final && now - ds->last_progress_us < 250000))
        return;
    ds->last_progress_us = now;
    const double secs = (now - ds->start_us) / 1e6;
    const int64_t images = image_count(ds);
    const double frac = ds->nb_clips ? (ds->clip_index + ds->clip_fraction) / ds->nb_clips : 1;
    const int width = 24, filled = (int)(frac * width + 0.5);
    char bar[32], eta[32] = "--:--";
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '=' : ' ';
    bar[width] = '\0';
    if (frac > 0.01 && !final) {
        int left = (int)(secs / frac - secs);
        snprintf(eta, sizeof(eta), "%d:%02d", left / 60, left % 60);
    }
    fprintf(stderr, "\r[%s] clip %d/%d  %" PRId64 " images  %.1f img/s  ETA %s   %s",
            bar, FFMIN(ds->clip_index + 1, ds->nb_clips), ds->nb_clips, images,
            secs > 0 ? (images - ds->reused) / secs : 0, final ? "done" : eta, final ? "\n" : "");
}

/* ------------------------------------------------------- image encoding */

static int open_encoder(Worker *w, const AVFrame *f)
{
    const Dataset *ds = w->ds;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    const int alpha = !!(d->flags & AV_PIX_FMT_FLAG_ALPHA);
    const int deep = d->comp[0].depth > 8;
    const int gray = d->nb_components <= 2;
    enum AVPixelFormat dst;
    const AVCodec *codec;

    avcodec_free_context(&w->enc);
    sws_freeContext(w->sws);
    w->sws = NULL;
    av_frame_free(&w->conv);
    if (ds->d->jpeg) {
        codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        dst = gray ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;
        if (!gray && d->log2_chroma_w == 0 && d->log2_chroma_h == 0)
            dst = AV_PIX_FMT_YUV444P;
    } else {
        codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
        dst = gray ? (alpha ? (deep ? AV_PIX_FMT_YA16BE : AV_PIX_FMT_YA8)
                            : (deep ? AV_PIX_FMT_GRAY16BE : AV_PIX_FMT_GRAY8))
                   : (alpha ? (deep ? AV_PIX_FMT_RGBA64BE : AV_PIX_FMT_RGBA)
                            : (deep ? AV_PIX_FMT_RGB48BE : AV_PIX_FMT_RGB24));
    }
    if (!codec || !(w->enc = avcodec_alloc_context3(codec)))
        return AVERROR_ENCODER_NOT_FOUND;
    w->enc->width = f->width;
    w->enc->height = f->height;
    w->enc->pix_fmt = dst;
    w->enc->time_base = (AVRational){ 1, 25 };
    w->enc->thread_count = 1;
    if (ds->d->jpeg) {
        /* quality 100 -> qscale 2 (finest), 1 -> 31 */
        const int q = 2 + (100 - ds->d->quality) * 29 / 99;
        w->enc->flags |= AV_CODEC_FLAG_QSCALE;
        w->enc->global_quality = q * FF_QP2LAMBDA;
        w->enc->color_range = AVCOL_RANGE_JPEG;
    }
    int ret = avcodec_open2(w->enc, codec, NULL);
    if (ret < 0)
        return ret;
    if (dst != f->format || ds->d->jpeg) {
        w->sws = sws_getContext(f->width, f->height, f->format, f->width, f->height, dst,
                                SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT |
                                SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
        if (!w->sws || !(w->conv = av_frame_alloc()))
            return AVERROR(ENOMEM);
        /* the frame's colour matrix and range in, full range out (PNG is
         * RGB, JPEG is full-range YCbCr) */
        const int cs = f->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709
                     : f->colorspace == AVCOL_SPC_BT2020_NCL ? SWS_CS_BT2020
                     : f->colorspace == AVCOL_SPC_UNSPECIFIED && f->height >= 720 ? SWS_CS_ITU709
                     : SWS_CS_ITU601;
        const int src_full = f->color_range == AVCOL_RANGE_JPEG || (d->flags & AV_PIX_FMT_FLAG_RGB);
        sws_setColorspaceDetails(w->sws, sws_getCoefficients(cs), src_full,
                                 sws_getCoefficients(cs), 1, 0, 1 << 16, 1 << 16);
        w->conv->format = dst;
        w->conv->width = f->width;
        w->conv->height = f->height;
        if ((ret = av_frame_get_buffer(w->conv, 0)) < 0)
            return ret;
    }
    w->src_fmt = f->format;
    w->w = f->width;
    w->h = f->height;
    return 0;
}

/* Writes one image file through the image2 muxer, which writes a temporary
 * file and renames it (atomic_writing), so a name is never half-written. */
static int write_image_file(Worker *w, const char *path, AVPacket *pkt)
{
    AVFormatContext *oc = NULL;
    AVDictionary *opts = NULL;
    int ret = avformat_alloc_output_context2(&oc, NULL, "image2", path);
    if (ret < 0)
        return ret;
    AVStream *st = avformat_new_stream(oc, NULL);
    if (!st) {
        avformat_free_context(oc);
        return AVERROR(ENOMEM);
    }
    avcodec_parameters_from_context(st->codecpar, w->enc);
    st->time_base = w->enc->time_base;
    av_dict_set(&opts, "update", "1", 0);
    av_dict_set(&opts, "atomic_writing", "1", 0);
    if ((ret = avformat_write_header(oc, &opts)) >= 0) {
        pkt->stream_index = 0;
        pkt->pts = pkt->dts = 0;
        ret = av_write_frame(oc, pkt);
        int r2 = av_write_trailer(oc);
        if (ret >= 0)
            ret = r2;
    }
    av_dict_free(&opts);
    avformat_free_context(oc);
    return ret;
}

static int encode_job(Worker *w, const Job *job, const Row *row)
{
    Dataset *ds = w->ds;
    AVFrame *f = job->frame;
    int ret;
    if (!w->enc || f->format != w->src_fmt || f->width != w->w || f->height != w->h)
        if ((ret = open_encoder(w, f)) < 0)
            return ret;
    AVFrame *send = f;
    if (w->sws) {
        if ((ret = av_frame_make_writable(w->conv)) < 0)
            return ret;
        sws_scale(w->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
                  w->conv->data, w->conv->linesize);
        send = w->conv;
    }
    /* with a fixed quantiser the encoder takes it from each frame */
    if (w->enc->flags & AV_CODEC_FLAG_QSCALE)
        send->quality = w->enc->global_quality;
    if ((ret = avcodec_send_frame(w->enc, send)) < 0 ||
        (ret = avcodec_receive_packet(w->enc, w->pkt)) < 0)
        return ret;
    if (ds->tar) {
        char key[512];
        snprintf(key, sizeof(key), "%s", row->image);
        char *dot = strrchr(key, '.');
        if (dot)
            *dot = '\0';
        const char *exts[2] = { ds->ext, "json" };
        const uint8_t *data[2] = { w->pkt->data, (const uint8_t *)row->json };
        const size_t sizes[2] = { (size_t)w->pkt->size, strlen(row->json) };
        ret = tar_writer_add(ds->tar, key, 2, exts, data, sizes);
    } else {
        char *path = av_asprintf("%s/%s", ds->d->dir, row->image);
        ret = path ? write_image_file(w, path, w->pkt) : AVERROR(ENOMEM);
        if (ret < 0 && path) {
            /* the image muxer's temporary file, if the failure left it */
            char *tmp = av_asprintf("%s.tmp", path);
            if (tmp)
                unlink(tmp);
            av_free(tmp);
        }
        if (ret < 0)
            report_write(ds, path ? path : row->image, ret);
        av_free(path);
    }
    av_packet_unref(w->pkt);
    return ret;
}

static void *worker_main(void *opaque)
{
    Worker *w = opaque;
    Dataset *ds = w->ds;
    pthread_mutex_lock(&ds->lock);
    for (;;) {
        while (!ds->quit && !ds->job_count)
            pthread_cond_wait(&ds->job_cond, &ds->lock);
        if (!ds->job_count && ds->quit)
            break;
        Job job = ds->jobs[ds->job_head];
        ds->job_head = (ds->job_head + 1) % JOB_QUEUE;
        ds->job_count--;
        ds->busy++;
        const int skip = ds->write_error;
        Row row = ds->rows[job.row]; /* the row's strings are not freed while a job runs */
        pthread_cond_signal(&ds->space_cond);
        pthread_mutex_unlock(&ds->lock);

        int ret = skip ? AVERROR(EIO) : encode_job(w, &job, &row);
        av_frame_free(&job.frame);

        pthread_mutex_lock(&ds->lock);
        if (ret >= 0) {
            ds->rows[job.row].done = 1;
            ds->written++;
            manifest_add_row_locked(ds, ds->rows[job.row].json);
        } else if (!ds->write_error) {
            ds->write_error = ret;
        }
        ds->busy--;
        pthread_cond_broadcast(&ds->idle_cond);
    }
    pthread_mutex_unlock(&ds->lock);
    return NULL;
}

/* Queues an image; takes the frame reference. */
static int submit(Dataset *ds, AVFrame *frame, int row)
{
    pthread_mutex_lock(&ds->lock);
    while (ds->job_count == JOB_QUEUE && !ds->write_error)
        pthread_cond_wait(&ds->space_cond, &ds->lock);
    int ret = ds->write_error;
    if (!ret) {
        ds->jobs[(ds->job_head + ds->job_count) % JOB_QUEUE] = (Job){ frame, row };
        ds->job_count++;
        pthread_cond_signal(&ds->job_cond);
    }
    pthread_mutex_unlock(&ds->lock);
    if (ret)
        av_frame_free(&frame);
    return ret;
}

static int wait_idle(Dataset *ds)
{
    pthread_mutex_lock(&ds->lock);
    while (ds->job_count || ds->busy)
        pthread_cond_wait(&ds->idle_cond, &ds->lock);
    int ret = ds->write_error;
    pthread_mutex_unlock(&ds->lock);
    return ret;
}

/* ------------------------------------------------------------- decoding */

typedef struct Sampled {
    AVFrame *frame;
    int64_t  index;   ///< frame number in the clip, from 0
    int      skipped; ///< not sampled: frame has only its timestamp and size
} Sampled;

typedef struct Decoder {
    Dataset        *ds;
    Input           in;
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    Sampled         queue[FRAME_QUEUE];
    int             head, count, eof, stop;
    int             error;      ///< a fatal read error (after what was decoded)
    int             sync_ready; ///< lock and cond initialised
    double          duration;   ///< of the clip, for the progress bar
} Decoder;

static int push_sampled(Decoder *dec, AVFrame *f, int64_t index, int skipped)
{
    pthread_mutex_lock(&dec->lock);
    while (dec->count == FRAME_QUEUE && !dec->stop)
        pthread_cond_wait(&dec->cond, &dec->lock);
    int stop = dec->stop;
    if (!stop) {
        dec->queue[(dec->head + dec->count) % FRAME_QUEUE] = (Sampled){ f, index, skipped };
        dec->count++;
        pthread_cond_broadcast(&dec->cond);
    }
    pthread_mutex_unlock(&dec->lock);
    if (stop)
        av_frame_free(&f);
    return stop ? -1 : 0;
}

static void *decoder_main(void *opaque)
{
    Decoder *dec = opaque;
    const DatasetOptions *d = dec->ds->d;
    AVFrame *frame = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    int64_t index = -1, taken = 0;
    double next_t = d->start;
    int64_t first_pts = AV_NOPTS_VALUE;
    const AVRational tb = dec->in.vst->time_base;

    while (frame && pkt && !cli_stop_signal) {
        int ev = input_next(&dec->in, frame, pkt);
        if (ev == INPUT_PACKET) {
            av_packet_unref(pkt);
            continue;
        }
        if (ev != INPUT_FRAME) {
            if (ev < 0 && ev != AVERROR_EXIT)
                dec->error = ev;
            break;
        }
        index++;
        if (first_pts == AV_NOPTS_VALUE && frame->pts != AV_NOPTS_VALUE)
            first_pts = frame->pts;
        const double t = frame->pts != AV_NOPTS_VALUE && first_pts != AV_NOPTS_VALUE ?
                         (frame->pts - first_pts) * av_q2d(tb) : index / 25.0;
        frame->time_base = tb;
        if (d->end > 0 && t >= d->end)
            break;
        int take = t >= d->start && index % d->every == 0;
        if (take && d->fps > 0) {
            /* one frame per 1/fps seconds: the first at or after each tick */
            take = t + 1e-9 >= next_t;
            if (take)
                next_t = d->start + (floor((t - d->start) * d->fps + 1e-9) + 1) / d->fps;
        }
        if (!take) {
            /* its timestamp still steps the schedules, so that a sampled
             * frame gets the parameters it gets in a run over every frame */
            AVFrame *light = av_frame_alloc();
            if (light) {
                light->pts = frame->pts;
                light->time_base = tb;
                light->width = frame->width;
                light->height = frame->height;
                light->format = frame->format;
            }
            av_frame_unref(frame);
            if (!light || push_sampled(dec, light, index, 1) < 0)
                break;
            continue;
        }
        AVFrame *f = av_frame_clone(frame);
        av_frame_unref(frame);
        if (!f || push_sampled(dec, f, index, 0) < 0)
            break;
        if (d->max_per_clip && ++taken >= d->max_per_clip)
            break;
    }
    av_frame_free(&frame);
    av_packet_free(&pkt);
    pthread_mutex_lock(&dec->lock);
    dec->eof = 1;
    pthread_cond_broadcast(&dec->cond);
    pthread_mutex_unlock(&dec->lock);
    return NULL;
}

static int pop_sampled(Decoder *dec, Sampled *s)
{
    pthread_mutex_lock(&dec->lock);
    while (!dec->count && !dec->eof)
        pthread_cond_wait(&dec->cond, &dec->lock);
    int got = dec->count > 0;
    if (got) {
        *s = dec->queue[dec->head];
        dec->head = (dec->head + 1) % FRAME_QUEUE;
        dec->count--;
        pthread_cond_broadcast(&dec->cond);
    }
    pthread_mutex_unlock(&dec->lock);
    return got;
}

static void stop_decoder(Decoder *dec)
{
    pthread_mutex_lock(&dec->lock);
    dec->stop = 1;
    pthread_cond_broadcast(&dec->cond);
    pthread_mutex_unlock(&dec->lock);
    pthread_join(dec->thread, NULL);
    while (dec->count) {
        av_frame_free(&dec->queue[dec->head].frame);
        dec->head = (dec->head + 1) % FRAME_QUEUE;
        dec->count--;
    }
}

/* --------------------------------------------------------------- manifest */

static void json_str(AVBPrint *bp, const char *s)
{
    av_bprint_chars(bp, '"', 1);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            av_bprint_chars(bp, '\\', 1);
        if ((unsigned char)*s < 0x20)
            av_bprintf(bp, "\\u%04x", *s);
        else
            av_bprint_chars(bp, *s, 1);
    }
    av_bprint_chars(bp, '"', 1);
}

/* A manifest row: where the image is and what it came from, then tail:
 * the rest of the object (the library's parameters from "t" on). */
static char *make_row(const Clip *c, const char *image, int64_t index, const char *variant,
                      const char *clean, const char *tail)
{
    AVBPrint bp;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&bp, "{\"image\":");
    json_str(&bp, image);
    av_bprintf(&bp, ",\"source\":");
    json_str(&bp, c->path);
    av_bprintf(&bp, ",\"clip\":");
    json_str(&bp, c->name);
    av_bprintf(&bp, ",\"frame\":%" PRId64 ",\"variant\":\"%s\"", index, variant);
    if (clean) {
        av_bprintf(&bp, ",\"clean\":");
        json_str(&bp, clean);
    }
    av_bprintf(&bp, tail ? ",%s" : "}", tail);
    char *s = NULL;
    if (av_bprint_finalize(&bp, &s) < 0)
        return NULL;
    return s;
}

static int add_row(Dataset *ds, char *image, char *json, int done)
{
    if (!image || !json) {
        av_free(image);
        av_free(json);
        return AVERROR(ENOMEM);
    }
    pthread_mutex_lock(&ds->lock);
    if (ds->nb_rows == ds->rows_cap) {
        /* workers read rows by index under the lock: grow under it too */
        int cap = ds->rows_cap ? 2 * ds->rows_cap : 256;
        Row *r = av_realloc_array(ds->rows, cap, sizeof(*r));
        if (!r) {
            pthread_mutex_unlock(&ds->lock);
            av_free(image);
            av_free(json);
            return AVERROR(ENOMEM);
        }
        ds->rows = r;
        ds->rows_cap = cap;
    }
    ds->rows[ds->nb_rows++] = (Row){ image, json, done };
    const int idx = ds->nb_rows - 1;
    if (done)
        manifest_add_row_locked(ds, json);
    pthread_mutex_unlock(&ds->lock);
    return idx;
}

static void clear_rows(Dataset *ds)
{
    for (int i = 0; i < ds->nb_rows; i++) {
        av_free(ds->rows[i].image);
        av_free(ds->rows[i].json);
    }
    ds->nb_rows = 0;
}

static char *state_path(const Dataset *ds, const Clip *c, const char *ext)
{
    return av_asprintf("%s/.smear/%s.%s", ds->d->dir, c->name, ext);
}

/* Writes text to path through a temporary file and a rename. */
static int write_atomic(const char *path, const char *text, size_t len)
{
    char *tmp = av_asprintf("%s.tmp", path);
    int ret = 0;
    if (!tmp)
        return AVERROR(ENOMEM);
    FILE *f = fopen(tmp, "wb");
    errno = 0;
    if (!f || fwrite(text, 1, len, f) != len || fflush(f) != 0)
        ret = AVERROR(errno ? errno : EIO);
    if (f && fclose(f) != 0 && ret >= 0)
        ret = AVERROR(errno ? errno : EIO);
    if (ret >= 0 && rename(tmp, path) < 0)
        ret = AVERROR(errno);
    if (ret < 0)
        unlink(tmp);
    av_free(tmp);
    return ret;
}

/* Saves the clip's rows of existing images (and an error row) and, when
 * the clip is finished, its completion mark. The image rows went to the
 * manifest as their images were made; the error row goes there now. */
static int save_clip(Dataset *ds, const Clip *c, const char *error, int complete)
{
    AVBPrint bp, err;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprint_init(&err, 0, AV_BPRINT_SIZE_UNLIMITED);
    for (int i = 0; i < ds->nb_rows; i++)
        if (ds->rows[i].done)
            av_bprintf(&bp, "%s\n", ds->rows[i].json);
    if (error) {
        av_bprintf(&err, "{\"source\":");
        json_str(&err, c->path);
        av_bprintf(&err, ",\"clip\":");
        json_str(&err, c->name);
        av_bprintf(&err, ",\"error\":");
        json_str(&err, error);
        av_bprintf(&err, "}\n");
        av_bprint_append_data(&bp, err.str, err.len);
    }
    char *rows_path = state_path(ds, c, "jsonl"), *mark = state_path(ds, c, "complete");
    int ret = rows_path && mark && av_bprint_is_complete(&bp) && av_bprint_is_complete(&err)
              ? write_atomic(rows_path, bp.str, bp.len) : AVERROR(ENOMEM);
    if (ret < 0 && rows_path)
        report_write(ds, rows_path, ret);
    if (ret >= 0 && complete && (ret = write_atomic(mark, "", 0)) < 0)
        report_write(ds, mark, ret);
    if (error && av_bprint_is_complete(&err)) {
        pthread_mutex_lock(&ds->lock);
        manifest_add_locked(ds, err.str, err.len);
        pthread_mutex_unlock(&ds->lock);
    }
    av_bprint_finalize(&bp, NULL);
    av_bprint_finalize(&err, NULL);
    av_free(rows_path);
    av_free(mark);
    return ret;
}

/* ------------------------------------------------------------- one clip */

static int image_exists(Dataset *ds, const char *rel)
{
    if (ds->tar) {
        char key[512];
        snprintf(key, sizeof(key), "%s", rel);
        return set_has(&ds->in_shards, key);
    }
    char *path = av_asprintf("%s/%s", ds->d->dir, rel);
    int exists = path && access(path, F_OK) == 0;
    av_free(path);
    return exists;
}

static int load_saved_rows(Dataset *ds, const Clip *c)
{
    char *path = state_path(ds, c, "jsonl");
    FILE *f = path ? fopen(path, "r") : NULL;
    char line[1 << 16];
    int ret = 0;
    if (!f) {
        av_log(NULL, AV_LOG_WARNING, "clip '%s' is marked complete but its rows are missing: "
               "making it again\n", c->path);
        av_free(path);
        return AVERROR(ENOENT);
    }
    pthread_mutex_lock(&ds->lock);
    while (fgets(line, sizeof(line), f))
        manifest_add_locked(ds, line, strlen(line));
    pthread_mutex_unlock(&ds->lock);
    fclose(f);
    av_free(path);
    return ret;
}

static int open_variants(Dataset *ds, const Clip *c, const Input *in, SmearContext **ctx,
                         uint64_t *seeds)
{
    for (int k = 0; k < ds->d->variants; k++) {
        SmearSettings s;
        smear_default_settings(&s);
        s.chain = ds->chain;
        s.threads = ds->opt->threads;
        /* each variant has its own seed, from the run's seed and the clip's
         * path, so it does not depend on the order or the shard */
        uint64_t h = ds->seed ^ (c->id + 0x9E3779B97F4A7C15ull * (uint64_t)(k + 1));
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
        h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
        seeds[k] = (h ^ (h >> 31)) & ((1ull << 53) - 1);
        s.seed = seeds[k];
        s.seed_set = 1;
        s.source = c->path;
        s.time_base = in->vst->time_base;
        AVRational fr = av_guess_frame_rate(in->fmt, in->vst, NULL);
        if (fr.num > 0 && fr.den > 0)
            s.frame_rate = fr;
        int ret = smear_open(&ctx[k], &s);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int process_clip(Dataset *ds, const Clip *c)
{
    const DatasetOptions *d = ds->d;
    SmearContext *ctx[MAX_VARIANTS] = { NULL };
    uint64_t seeds[MAX_VARIANTS];
    Decoder dec;
    AVFrame *out = av_frame_alloc();
    char *error = NULL;
    int ret = 0, started = 0;

    memset(&dec, 0, sizeof(dec));
    dec.ds = ds;
    clear_rows(ds);
    char *mark = state_path(ds, c, "complete");
    if (!mark || !out) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    if (access(mark, F_OK) == 0 && load_saved_rows(ds, c) >= 0) {
        ds->clips_skipped++;
        goto end;
    }
    if (!ds->tar) {
        char *dir = av_asprintf("%s/%s", d->dir, c->name);
        if (!dir || (mkdir(dir, 0777) < 0 && errno != EEXIST)) {
            ret = dir ? AVERROR(errno) : AVERROR(ENOMEM);
            av_log(NULL, AV_LOG_ERROR, "cannot create '%s': %s\n", dir ? dir : c->name,
                   av_err2str(ret));
            av_free(dir);
            goto end;
        }
        av_free(dir);
    }

    ret = input_open(&dec.in, c->path, NULL, NULL, 0, 0);
    if (ret < 0) {
        /* reported; the run goes on with the next clip, and a later run
         * tries this one again */
        error = av_asprintf("cannot open: %s", av_err2str(ret));
        ds->clips_failed++;
        ret = save_clip(ds, c, error, 0);
        goto end;
    }
    dec.duration = dec.in.fmt->duration > 0 ? dec.in.fmt->duration / 1e6 : 0;
    if ((ret = open_variants(ds, c, &dec.in, ctx, seeds)) < 0)
        goto end;
    pthread_mutex_init(&dec.lock, NULL);
    pthread_cond_init(&dec.cond, NULL);
    dec.sync_ready = 1;
    if (pthread_create(&dec.thread, NULL, decoder_main, &dec)) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    started = 1;

    Sampled s;
    while (ret >= 0 && !cli_stop_signal && pop_sampled(&dec, &s)) {
        if (s.skipped) {
            for (int k = 0; k < d->variants && ret >= 0; k++) {
                char *json = NULL;
                ret = smear_evaluate(ctx[k], s.frame, &json);
                av_free(json);
            }
            av_frame_free(&s.frame);
            continue;
        }
        char clean_rel[256] = "";
        char base[224];
        snprintf(base, sizeof(base), "%s/%06" PRId64, c->name, s.index);
        if (d->keep_clean)
            snprintf(clean_rel, sizeof(clean_rel), "%s_clean.%s", base, ds->ext);
        for (int k = 0; k < d->variants && ret >= 0; k++) {
            char rel[256], variant[16];
            snprintf(variant, sizeof(variant), "v%d", k);
            snprintf(rel, sizeof(rel), "%s_%s.%s", base, variant, ds->ext);
            char *params = NULL;
            const int exists = image_exists(ds, rel);
            if (exists) {
                /* made by an earlier run: only step the schedules */
                if ((ret = smear_evaluate(ctx[k], s.frame, &params)) < 0)
                    break;
                ds->reused++;
            } else {
                AVFrame *send = av_frame_clone(s.frame);
                if (!send) {
                    ret = AVERROR(ENOMEM);
                    break;
                }
                if ((ret = smear_send_frame(ctx[k], send)) < 0 ||
                    (ret = smear_receive_frame(ctx[k], out)) < 0) {
                    av_frame_free(&send);
                    break;
                }
                av_frame_free(&send);
                const AVDictionaryEntry *e = av_dict_get(out->metadata, SMEAR_META_PARAMS, NULL, 0);
                params = e ? av_strdup(e->value) : NULL;
            }
            int row = add_row(ds, av_strdup(rel),
                              make_row(c, rel, s.index, variant, d->keep_clean ? clean_rel : NULL,
                                       params ? strstr(params, "\"t\":") : NULL), exists);
            av_free(params);
            if ((ret = row) < 0)
                break;
            if (!exists) {
                AVFrame *job = av_frame_alloc();
                if (!job) {
                    ret = AVERROR(ENOMEM);
                    break;
                }
                av_frame_move_ref(job, out);
                if ((ret = submit(ds, job, row)) < 0)
                    break;
            }
        }
        if (ret >= 0 && d->keep_clean) {
            const int exists = image_exists(ds, clean_rel);
            char *tail = NULL;
            /* the clean image's row: its time, no parameters */
            if (s.frame->pts != AV_NOPTS_VALUE)
                tail = av_asprintf("\"pts\":%" PRId64 ",\"pts_time\":%.17g}", s.frame->pts,
                                   s.frame->pts * av_q2d(s.frame->time_base));
            int row = add_row(ds, av_strdup(clean_rel),
                              make_row(c, clean_rel, s.index, "clean", NULL, tail), exists);
            av_free(tail);
            if ((ret = row) >= 0 && !exists) {
                AVFrame *job = av_frame_clone(s.frame);
                ret = job ? submit(ds, job, row) : AVERROR(ENOMEM);
            } else if (ret >= 0) {
                ds->reused++;
            }
        }
        if (s.frame->pts != AV_NOPTS_VALUE && dec.duration > 0)
            ds->clip_fraction = fmin(1, s.frame->pts * av_q2d(s.frame->time_base) / dec.duration);
        av_frame_free(&s.frame);
        show_progress(ds, 0);
    }
    stop_decoder(&dec);
    started = 0;
    int werr = wait_idle(ds);
    if (ret >= 0 && werr < 0)
        ret = werr;
    if (ret < 0) {
        /* a write failed (a full disk, say) or the library did: keep what
         * is finished, and stop */
        save_clip(ds, c, NULL, 0);
        goto end;
    }
    if (cli_stop_signal) {
        save_clip(ds, c, NULL, 0);
        goto end;
    }
    if (dec.error || input_had_errors(&dec.in)) {
        error = av_asprintf("damaged input: %" PRId64 " damaged packets, %" PRId64
                            " undecodable, %" PRId64 " frames with errors, %" PRId64
                            " read errors%s%s", dec.in.nb_corrupt_packets,
                            dec.in.nb_bad_packets, dec.in.nb_corrupt_frames,
                            dec.in.nb_read_errors, dec.error ? "; stopped at: " : "",
                            dec.error ? av_err2str(dec.error) : "");
        ds->clips_failed++;
    } else {
        ds->clips_done++;
    }
    ret = save_clip(ds, c, error, 1);
end:
    if (started)
        stop_decoder(&dec);
    if (dec.sync_ready) {
        pthread_mutex_destroy(&dec.lock);
        pthread_cond_destroy(&dec.cond);
    }
    input_close(&dec.in);
    for (int k = 0; k < MAX_VARIANTS; k++)
        smear_close(&ctx[k]);
    av_frame_free(&out);
    av_free(mark);
    av_free(error);
    return ret;
}

/* ----------------------------------------------------------------- CSV */

static int write_csv(const Dataset *ds, const char *path)
{
    /* columns: the union of the rows' names, in order of first appearance */
    char **names = NULL;
    int nb_names = 0, cap = 0, ret = 0;
    AVBPrint out;
    const char *p = ds->manifest.str;
    av_bprint_init(&out, 0, AV_BPRINT_SIZE_UNLIMITED);
    for (int pass = 0; pass < 2 && ret >= 0; pass++) {
        p = ds->manifest.str;
        while (p && *p && ret >= 0) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char *line = av_strndup(p, len);
            FlatField *fl = NULL;
            int nb = line ? flat_parse(line, &fl) : AVERROR(ENOMEM);
            av_free(line);
            if (nb < 0) {
                ret = nb;
                break;
            }
            if (pass == 0) {
                for (int i = 0; i < nb; i++) {
                    int known = 0;
                    for (int j = 0; j < nb_names && !known; j++)
                        known = !strcmp(names[j], fl[i].name);
                    const char *dot = strrchr(fl[i].name, '.');
                    if (known || !strcmp(dot ? dot + 1 : fl[i].name, "kernel_path"))
                        continue; /* a drawing, not a number for a table */
                    if (nb_names == cap) {
                        cap = cap ? 2 * cap : 64;
                        char **n2 = av_realloc_array(names, cap, sizeof(*n2));
                        if (!n2) {
                            ret = AVERROR(ENOMEM);
                            break;
                        }
                        names = n2;
                    }
                    names[nb_names++] = av_strdup(fl[i].name);
                }
            } else {
                for (int j = 0; j < nb_names; j++) {
                    const FlatField *v = NULL;
                    for (int i = 0; i < nb && !v; i++)
                        if (names[j] && !strcmp(names[j], fl[i].name))
                            v = &fl[i];
                    av_bprintf(&out, "%s", j ? "," : "");
                    if (v && v->is_number) {
                        av_bprintf(&out, "%s", v->text);
                    } else if (v) {
                        av_bprint_chars(&out, '"', 1);
                        for (const char *q = v->text; *q; q++)
                            av_bprintf(&out, *q == '"' ? "\"\"" : "%c", *q);
                        av_bprint_chars(&out, '"', 1);
                    }
                }
                av_bprintf(&out, "\n");
            }
            flat_free(&fl, nb);
            p = nl ? nl + 1 : NULL;
        }
        if (pass == 0) {
            for (int j = 0; j < nb_names; j++)
                av_bprintf(&out, "%s%s", j ? "," : "", names[j] ? names[j] : "");
            av_bprintf(&out, "\n");
        }
    }
    if (ret >= 0)
        ret = av_bprint_is_complete(&out) ? write_atomic(path, out.str, out.len) : AVERROR(ENOMEM);
    for (int j = 0; j < nb_names; j++)
        av_free(names[j]);
    av_free(names);
    av_bprint_finalize(&out, NULL);
    return ret;
}

/* -------------------------------------------------------------- the job */

static void scan_member(const char *name, void *opaque)
{
    set_add(opaque, name);
}

/* What decides a folder's images, one "key=value" a line: a restart (or
 * another shard) must make them the same way. The clips, the shard and
 * the threads may differ. */
static char *settings_text(const Dataset *ds)
{
    const DatasetOptions *d = ds->d;
    return av_asprintf("chain=%s\nseed=%" PRIu64 "\nevery=%d\nfps=%.17g\nstart=%.17g\n"
                       "end=%.17g\nmax-per-clip=%" PRId64 "\nvariants=%d\nkeep-clean=%d\n"
                       "image-format=%s\nquality=%d\nshard-mib=%.17g\n",
                       ds->chain ? ds->chain : "", ds->seed, d->every, d->fps, d->start, d->end,
                       d->max_per_clip, d->variants, d->keep_clean, ds->ext, d->quality,
                       d->shard_mib);
}

/* The value of key in settings text, or NULL (a new string). */
static char *settings_get(const char *text, const char *key)
{
    const size_t n = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, key, n) && l[n] == '=') {
            const char *v = l + n + 1, *e = strchr(v, '\n');
            return av_strndup(v, e ? (size_t)(e - v) : strlen(v));
        }
    return NULL;
}

/* A folder that holds a dataset keeps the settings it was made with
 * (OUTDIR/.smear/settings): a run with other settings is refused, before
 * anything there is touched, instead of passing for a restart and leaving
 * the old images as if they were its own. Without --seed, a restart takes
 * the folder's seed. Returns 0, or an exit status. */
static int check_settings(Dataset *ds)
{
    char *path = av_asprintf("%s/.smear/settings", ds->d->dir), *old = NULL, *now = NULL;
    int status = EXIT_ERROR;
    if (!path)
        goto end;
    FILE *f = fopen(path, "rb");
    if (f) {
        AVBPrint bp;
        char buf[4096];
        size_t n;
        av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            av_bprint_append_data(&bp, buf, (unsigned)n);
        fclose(f);
        if (av_bprint_finalize(&bp, &old) < 0)
            goto end;
        char *seed = settings_get(old, "seed");
        if (seed && !ds->opt->seed_set) {
            ds->seed = strtoull(seed, NULL, 10);
            ds->seed_adopted = 1;
        }
        av_free(seed);
    } else if (errno != ENOENT) {
        av_log(NULL, AV_LOG_ERROR, "cannot read '%s': %s\n", path, strerror(errno));
        goto end;
    }
    if (!(now = settings_text(ds)))
        goto end;
    if (old && strcmp(old, now)) {
        static const char *const keys[] = { "chain", "seed", "every", "fps", "start", "end",
                                            "max-per-clip", "variants", "keep-clean",
                                            "image-format", "quality", "shard-mib", NULL };
        for (int i = 0; keys[i]; i++) {
            char *a = settings_get(old, keys[i]), *b = settings_get(now, keys[i]);
            const int differ = !a || !b || strcmp(a, b);
            if (differ)
                av_log(NULL, AV_LOG_ERROR, "'%s' holds a dataset made with other settings (%s "
                       "'%s' there, '%s' here): give another folder, or delete this one to "
                       "start again\n", ds->d->dir, keys[i], a ? a : "", b ? b : "");
            av_free(a);
            av_free(b);
            if (differ)
                break;
        }
        status = EXIT_USAGE;
        goto end;
    }
    if (!old) {
        /* made once: shards started together on a new folder race here, and
         * the first one's settings (and seed) are everyone's */
        char *tmp = av_asprintf("%s.%d", path, (int)getpid());
        int ret = tmp ? write_atomic(tmp, now, strlen(now)) : AVERROR(ENOMEM);
        if (ret >= 0 && link(tmp, path) < 0)
            ret = AVERROR(errno);
        if (tmp)
            unlink(tmp);
        av_free(tmp);
        if (ret == AVERROR(EEXIST)) {
            av_free(path);
            av_free(now);
            return check_settings(ds);
        }
        if (ret < 0) {
            av_log(NULL, AV_LOG_ERROR, "cannot write '%s': %s\n", path, av_err2str(ret));
            goto end;
        }
    }
    status = 0;
end:
    av_free(path);
    av_free(old);
    av_free(now);
    return status;
}

int dataset_run(const CliOptions *opt, const char *chain)
{
    const DatasetOptions *d = &opt->dataset;
    Dataset ds;
    ClipList list = { 0 };
    int status = EXIT_ERROR, ret = 0;

    memset(&ds, 0, sizeof(ds));
    ds.opt = opt;
    ds.d = d;
    ds.chain = chain;
    ds.ext = d->jpeg ? "jpg" : "png";
    ds.seed = opt->seed_set ? opt->seed
                            : ((((uint64_t)av_get_random_seed() << 32) | av_get_random_seed()) &
                               ((1ull << 53) - 1));
    ds.progress = opt->stats;
    av_bprint_init(&ds.manifest, 0, AV_BPRINT_SIZE_UNLIMITED);
    pthread_mutex_init(&ds.lock, NULL);
    pthread_cond_init(&ds.job_cond, NULL);
    pthread_cond_init(&ds.space_cond, NULL);
    pthread_cond_init(&ds.idle_cond, NULL);

    /* the chain must be right before anything is read or written */
    SmearSettings s;
    SmearContext *probe = NULL;
    smear_default_settings(&s);
    s.chain = chain;
    s.seed_set = 1;
    if (smear_open(&probe, &s) < 0) {
        status = EXIT_USAGE;
        goto end;
    }
    smear_close(&probe);

    for (int i = 0; i < opt->nb_inputs && ret >= 0; i++)
        ret = add_path(&list, opt->inputs[i]);
    if (ret >= 0 && d->inputs_file)
        ret = read_list(&list, d->inputs_file);
    if (ret < 0)
        goto end;
    if (!list.nb) {
        av_log(NULL, AV_LOG_ERROR, "no input clips (give -i FILE or FOLDER, or --inputs LIST)\n");
        status = EXIT_USAGE;
        goto end;
    }
    name_clips(&list);

    /* the output folder and its state */
    char *state = av_asprintf("%s/.smear", d->dir);
    if (!state || (mkdir(d->dir, 0777) < 0 && errno != EEXIST) ||
        (mkdir(state, 0777) < 0 && errno != EEXIST)) {
        av_log(NULL, AV_LOG_ERROR, "cannot create the output folder '%s': %s\n", d->dir,
               strerror(errno));
        av_free(state);
        goto end;
    }
    av_free(state);
    if ((status = check_settings(&ds)) != 0)
        goto end;
    status = EXIT_ERROR;

    /* the manifest, rewritten by every run (a restart lists again the rows
     * of what an earlier run made) */
    char name[96];
    if (d->shard_count > 1)
        snprintf(name, sizeof(name), "manifest-%d-of-%d", d->shard_index, d->shard_count);
    else
        snprintf(name, sizeof(name), "manifest");
    if (!(ds.mf_path = av_asprintf("%s/%s.jsonl", d->dir, name)))
        goto end;
    if (!(ds.mf = fopen(ds.mf_path, "w"))) {
        av_log(NULL, AV_LOG_ERROR, "cannot create '%s': %s\n", ds.mf_path, strerror(errno));
        goto end;
    }

    char prefix[64] = "shard";
    if (d->shard_count > 1)
        snprintf(prefix, sizeof(prefix), "shard-%d-of-%d", d->shard_index, d->shard_count);
    if (d->shard_mib > 0) {
        char *dir = av_asprintf("%s/shards", d->dir);
        if (!dir || (mkdir(dir, 0777) < 0 && errno != EEXIST)) {
            av_log(NULL, AV_LOG_ERROR, "cannot create '%s/shards': %s\n", d->dir, strerror(errno));
            av_free(dir);
            goto end;
        }
        tar_scan_shards(dir, prefix, scan_member, &ds.in_shards);
        /* members are key.ext; a sample counts as done when its image is there */
        ds.tar = tar_writer_new(dir, prefix, (uint64_t)(d->shard_mib * 1048576.0));
        av_free(dir);
        if (!ds.tar)
            goto end;
    }

    ds.nb_workers = FFMAX(1, FFMIN(MAX_WORKERS, (int)sysconf(_SC_NPROCESSORS_ONLN)));
    for (int i = 0; i < ds.nb_workers; i++) {
        Worker *w = &ds.workers[i];
        w->ds = &ds;
        if (!(w->pkt = av_packet_alloc()) || pthread_create(&w->thread, NULL, worker_main, w)) {
            ds.nb_workers = i;
            goto end;
        }
    }

    for (int i = 0; i < list.nb; i++)
        ds.nb_clips += d->shard_count <= 1 || i % d->shard_count == d->shard_index;
    if (ds.seed_adopted)
        av_log(NULL, AV_LOG_INFO, "seed %" PRIu64 ", the folder's: carrying on its run\n", ds.seed);
    else if (!opt->seed_set)
        av_log(NULL, AV_LOG_INFO, "seed %" PRIu64 " (add --seed %" PRIu64 " to repeat this run)\n",
               ds.seed, ds.seed);
    ds.start_us = av_gettime_relative();
    for (int i = 0; i < list.nb && !cli_stop_signal; i++) {
        if (d->shard_count > 1 && i % d->shard_count != d->shard_index)
            continue;
        ds.clip_fraction = 0;
        ret = process_clip(&ds, &list.clips[i]);
        ds.clip_index++;
        show_progress(&ds, 0);
        if (ret < 0)
            break;
    }
    show_progress(&ds, 1);

    /* stop the workers, seal the last shard */
    pthread_mutex_lock(&ds.lock);
    ds.quit = 1;
    pthread_cond_broadcast(&ds.job_cond);
    pthread_mutex_unlock(&ds.lock);
    for (int i = 0; i < ds.nb_workers; i++)
        pthread_join(ds.workers[i].thread, NULL);
    ds.nb_workers = 0;
    int tret = tar_writer_close(&ds.tar);
    if (ret >= 0)
        ret = tret;

    /* the run's manifest is written; its table */
    int mret = ds.write_error;
    if (fclose(ds.mf) != 0 && mret >= 0)
        report_write(&ds, ds.mf_path, mret = AVERROR(errno));
    ds.mf = NULL;
    if (mret >= 0 && d->csv) {
        char *path = av_asprintf("%s/%s.csv", d->dir, name);
        mret = path ? write_csv(&ds, path) : AVERROR(ENOMEM);
        if (mret < 0)
            report_write(&ds, path ? path : "manifest.csv", mret);
        av_free(path);
    }
    if (ret >= 0)
        ret = mret;

    const double secs = (av_gettime_relative() - ds.start_us) / 1e6;
    av_log(NULL, AV_LOG_INFO, "%d clips: %" PRId64 " done, %" PRId64 " already done, %" PRId64
           " failed; %" PRId64 " images written, %" PRId64 " already there; %.1f s (%.1f images/s)\n",
           ds.nb_clips, ds.clips_done, ds.clips_skipped, ds.clips_failed, ds.written, ds.reused,
           secs, secs > 0 ? ds.written / secs : 0);
    if (ret < 0)
        status = EXIT_ERROR;
    else if (cli_stop_signal)
        status = 128 + cli_stop_signal;
    else if (ds.clips_failed)
        status = EXIT_INPUT_ERRORS;
    else
        status = EXIT_OK;
end:
    if (ds.nb_workers) {
        pthread_mutex_lock(&ds.lock);
        ds.quit = 1;
        pthread_cond_broadcast(&ds.job_cond);
        pthread_mutex_unlock(&ds.lock);
        for (int i = 0; i < ds.nb_workers; i++)
            pthread_join(ds.workers[i].thread, NULL);
    }
    for (int i = 0; i < MAX_WORKERS; i++) {
        avcodec_free_context(&ds.workers[i].enc);
        sws_freeContext(ds.workers[i].sws);
        av_frame_free(&ds.workers[i].conv);
        av_packet_free(&ds.workers[i].pkt);
    }
    tar_writer_close(&ds.tar);
    clear_rows(&ds);
    av_free(ds.rows);
    set_free(&ds.in_shards);
    av_bprint_finalize(&ds.manifest, NULL);
    if (ds.mf)
        fclose(ds.mf);
    av_free(ds.mf_path);
    for (int i = 0; i < list.nb; i++)
        av_free(list.clips[i].path);
    av_free(list.clips);
    pthread_mutex_destroy(&ds.lock);
    pthread_cond_destroy(&ds.job_cond);
    pthread_cond_destroy(&ds.space_cond);
    pthread_cond_destroy(&ds.idle_cond);
    return status;
}
