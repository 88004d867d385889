/*
 * smear - output: encode the augmented video, copy every other stream,
 * mux into a file, a pipe or a network URL.
 *
 * A regular file is written as OUTPUT.partial and renamed when it is
 * finished (also after Ctrl-C, with its trailer), so a file under the name
 * asked for is always complete; a run that fails keeps the .partial file
 * for inspection and says so.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "compat.h"
#include "output.h"

#define MAX_QUEUED_PACKETS 20000

static int has_protocol(const char *path)
{
    const char *colon = strchr(path, ':'), *slash = strchr(path, '/');
    return colon && (!slash || colon < slash) && colon - path > 1;
}

/* The default video encoder for a container: H.264 through libx264 where
 * the container takes it, else the container's own default. */
static const AVCodec *default_encoder(const AVOutputFormat *ofmt, const char *path)
{
    /* containers that carry H.264 but do not say so when asked */
    static const char *const h264_homes[] = { "mpegts", "nut", "flv", "avi", NULL };
    const AVCodec *x264 = avcodec_find_encoder_by_name("libx264");
    int h264 = avformat_query_codec(ofmt, AV_CODEC_ID_H264, FF_COMPLIANCE_NORMAL) == 1;
    for (int i = 0; h264_homes[i] && !h264; i++)
        h264 = !strcmp(ofmt->name, h264_homes[i]);
    if (x264 && h264 && strcmp(ofmt->name, "image2") && strcmp(ofmt->name, "image2pipe"))
        return x264;
    enum AVCodecID id = av_guess_codec(ofmt, NULL, path, NULL, AVMEDIA_TYPE_VIDEO);
    return id == AV_CODEC_ID_NONE ? NULL : avcodec_find_encoder(id);
}

/* 1 when key is an option of the encoder or of the muxer. */
static int option_known(const AVCodec *codec, const AVOutputFormat *ofmt, const char *key)
{
    const AVClass *cls = avcodec_get_class();
    if (av_opt_find(&cls, key, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ))
        return 1;
    if ((cls = codec->priv_class) && av_opt_find(&cls, key, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ))
        return 1;
    cls = avformat_get_class();
    if (av_opt_find(&cls, key, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ))
        return 1;
    if ((cls = ofmt->priv_class) && av_opt_find(&cls, key, NULL, 0, AV_OPT_SEARCH_FAKE_OBJ))
        return 1;
    return 0;
}

static int add_copy_stream(Output *o, const CliOptions *opt, const AVStream *ist)
{
    const AVCodecParameters *par = ist->codecpar;
    const char *kind = av_get_media_type_string(par->codec_type);
    const char *flag = par->codec_type == AVMEDIA_TYPE_AUDIO ? "-an"
                     : par->codec_type == AVMEDIA_TYPE_SUBTITLE ? "-sn" : "-dn";

    if ((par->codec_type == AVMEDIA_TYPE_AUDIO && opt->no_audio) ||
        (par->codec_type == AVMEDIA_TYPE_SUBTITLE && opt->no_subtitles) ||
        ((par->codec_type == AVMEDIA_TYPE_DATA || par->codec_type == AVMEDIA_TYPE_ATTACHMENT) &&
         opt->no_data))
        return 0;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
        av_log(NULL, AV_LOG_WARNING, "input stream #%d (another video stream, %s) is not copied\n",
               ist->index, avcodec_get_name(par->codec_id));
        return 0;
    }
    if (par->codec_type == AVMEDIA_TYPE_UNKNOWN || par->codec_id == AV_CODEC_ID_NONE) {
        av_log(NULL, AV_LOG_WARNING, "input stream #%d has no known codec: not copied\n", ist->index);
        return 0;
    }
    int ok = avformat_query_codec(o->oc->oformat, par->codec_id, FF_COMPLIANCE_NORMAL);
    /* a container with no default codec of a kind (yuv4mpegpipe for audio)
     * does not hold that kind at all */
    if ((par->codec_type == AVMEDIA_TYPE_AUDIO && o->oc->oformat->audio_codec == AV_CODEC_ID_NONE) ||
        (par->codec_type == AVMEDIA_TYPE_SUBTITLE && o->oc->oformat->subtitle_codec == AV_CODEC_ID_NONE &&
         ok != 1))
        ok = 0;
    if (ok == 0) {
        if (par->codec_type == AVMEDIA_TYPE_DATA || par->codec_type == AVMEDIA_TYPE_ATTACHMENT) {
            av_log(NULL, AV_LOG_WARNING, "input stream #%d (%s %s) cannot be stored in %s: not copied\n",
                   ist->index, kind ? kind : "data", avcodec_get_name(par->codec_id),
                   o->oc->oformat->name);
            return 0;
        }
        av_log(NULL, AV_LOG_ERROR,
               "input stream #%d (%s %s) cannot be copied into %s; choose a container that "
               "holds it (e.g. .mkv) or drop it with %s\n",
               ist->index, kind, avcodec_get_name(par->codec_id), o->oc->oformat->name, flag);
        return AVERROR(EINVAL);
    }
    AVStream *ost = avformat_new_stream(o->oc, NULL);
    if (!ost)
        return AVERROR(ENOMEM);
    int ret = avcodec_parameters_copy(ost->codecpar, par);
    if (ret < 0)
        return ret;
    ost->codecpar->codec_tag = 0;
    ost->time_base = ist->time_base;
    ost->disposition = ist->disposition;
    ost->avg_frame_rate = ist->avg_frame_rate;
    av_dict_copy(&ost->metadata, ist->metadata, 0);
    o->stream_map[ist->index] = ost->index;
    return 0;
}

const char *output_file_name(const char *path)
{
    const char *name;
    return av_strstart(path, "file:", &name) && *name ? name : path;
}

int output_check_path(const char *path, int overwrite)
{
    struct stat st;
    const char *name = output_file_name(path);
    if (name == path && (!strcmp(path, "-") || has_protocol(path)))
        return 0;
    path = name;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        av_log(NULL, AV_LOG_ERROR, "output '%s' is a directory\n", path);
        return AVERROR(EISDIR);
    }
    if (S_ISREG(st.st_mode) && !overwrite) {
        av_log(NULL, AV_LOG_ERROR, "output '%s' already exists; add -y to overwrite it\n", path);
        return AVERROR(EEXIST);
    }
    return 0;
}

int output_open(Output *o, const CliOptions *opt, const Input *in)
{
    const char *path = opt->output;
    const int is_stdout = !strcmp(path, "-");
    struct stat st;
    int ret;

    memset(o, 0, sizeof(*o));
    o->last_pts = AV_NOPTS_VALUE;
    o->qscale = -1;
    o->path = path;
    o->in = in;
    if (is_stdout && !opt->output_format) {
        av_log(NULL, AV_LOG_ERROR, "writing to standard output needs a format: add -f nut "
               "(or matroska, mpegts, yuv4mpegpipe, ...)\n");
        return AVERROR(EINVAL);
    }
    cli_log_capture(); /* the library's own complaint is said below, better */
    ret = avformat_alloc_output_context2(&o->oc, NULL, opt->output_format, is_stdout ? NULL : path);
    cli_log_uncapture();
    if (ret < 0 || !o->oc) {
        if (opt->output_format)
            av_log(NULL, AV_LOG_ERROR, "unknown output format '%s'\n", opt->output_format);
        else
            av_log(NULL, AV_LOG_ERROR, "cannot tell the output format from '%s': add -f FORMAT "
                   "or use a known extension (.mp4, .mkv, .mov, .nut, .ts, ...)\n", path);
        return ret < 0 ? ret : AVERROR(EINVAL);
    }
    const AVOutputFormat *ofmt = o->oc->oformat;

    /* the path: never overwrite without -y; regular files go through
     * .partial. "file:NAME" is the file NAME for the checks, the .partial
     * and the rename; the muxer opens it through file: still (a NAME with
     * a colon would otherwise read as a protocol) */
    const char *name = output_file_name(path);
    const int file_url = name != path;
    if (file_url)
        o->path = name;
    const int local = !is_stdout && (file_url || !has_protocol(path));
    if (local && (ret = output_check_path(path, opt->overwrite)) < 0)
        return ret;
    const int exists = local && stat(name, &st) == 0;
    o->is_file = local && !(ofmt->flags & AVFMT_NOFILE) && (!exists || S_ISREG(st.st_mode)) &&
                 !strchr(name, '%');
    o->write_path = o->is_file ? av_asprintf("%s.partial", name)
                               : av_strdup(is_stdout ? "pipe:1" : path);
    if (!o->write_path)
        return AVERROR(ENOMEM);
    if (o->is_file) { /* a muxer that reopens its file (mp4's faststart) reopens this one */
        av_free(o->oc->url);
        o->oc->url = file_url ? av_asprintf("file:%s", o->write_path) : av_strdup(o->write_path);
        if (!o->oc->url)
            return AVERROR(ENOMEM);
    }

    /* the video encoder (opened on the first frame, when its size is known) */
    if (opt->vcodec) {
        o->codec = avcodec_find_encoder_by_name(opt->vcodec);
        if (!o->codec) {
            const AVCodecDescriptor *d = avcodec_descriptor_get_by_name(opt->vcodec);
            if (d)
                o->codec = avcodec_find_encoder(d->id);
        }
        if (!o->codec || o->codec->type != AVMEDIA_TYPE_VIDEO) {
            av_log(NULL, AV_LOG_ERROR, "unknown video encoder '%s'\n", opt->vcodec);
            return AVERROR_ENCODER_NOT_FOUND;
        }
    } else if (!(o->codec = default_encoder(ofmt, path))) {
        av_log(NULL, AV_LOG_ERROR, "output format %s has no video encoder here; choose one with -c:v\n",
               ofmt->name);
        return AVERROR_ENCODER_NOT_FOUND;
    }
    if (avformat_query_codec(ofmt, o->codec->id, FF_COMPLIANCE_NORMAL) == 0) {
        av_log(NULL, AV_LOG_ERROR, "%s cannot hold %s video; choose another encoder with -c:v "
               "or another container\n", ofmt->name, avcodec_get_name(o->codec->id));
        return AVERROR(EINVAL);
    }
    o->pix_fmt_name = opt->pix_fmt;
    if (opt->pix_fmt && av_get_pix_fmt(opt->pix_fmt) == AV_PIX_FMT_NONE) {
        av_log(NULL, AV_LOG_ERROR, "unknown pixel format '%s'\n", opt->pix_fmt);
        return AVERROR(EINVAL);
    }

    /* every option must mean something to the encoder or the muxer */
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(opt->output_opts, "", e, AV_DICT_IGNORE_SUFFIX))) {
        if (!strcmp(e->key, "q") || !strcmp(e->key, "qscale")) {
            /* a fixed quantiser, as ffmpeg's -q:v */
            char *end;
            const double q = strtod(e->value, &end);
            if (*end || !(q >= 0 && q <= 1000)) {
                av_log(NULL, AV_LOG_ERROR, "-%s: '%s' is not a quantiser (a number)\n", e->key,
                       e->value);
                return AVERROR(EINVAL);
            }
            o->qscale = q;
            continue;
        }
        if (!option_known(o->codec, ofmt, e->key)) {
            av_log(NULL, AV_LOG_ERROR, "unknown option -%s (not an option of the %s encoder "
                   "or the %s muxer)\n", e->key, o->codec->name, ofmt->name);
            return AVERROR_OPTION_NOT_FOUND;
        }
    }
    av_dict_copy(&o->opts, opt->output_opts, 0);
    av_dict_set(&o->opts, "q", NULL, 0);
    av_dict_set(&o->opts, "qscale", NULL, 0);

    /* streams in the input's order: the augmented video and the copies */
    o->nb_in_streams = (int)in->fmt->nb_streams;
    if (!(o->stream_map = av_malloc_array(o->nb_in_streams, sizeof(int))) ||
        !(o->last_dts = av_malloc_array(o->nb_in_streams, sizeof(int64_t))) ||
        !(o->pkt = av_packet_alloc()))
        return AVERROR(ENOMEM);
    for (int i = 0; i < o->nb_in_streams; i++)
        o->last_dts[i] = AV_NOPTS_VALUE;
    for (int i = 0; i < o->nb_in_streams; i++) {
        o->stream_map[i] = -1;
        if (i == in->vindex) {
            if (!(o->vst = avformat_new_stream(o->oc, NULL)))
                return AVERROR(ENOMEM);
            o->vst->disposition = in->vst->disposition;
            av_dict_copy(&o->vst->metadata, in->vst->metadata, 0);
            av_dict_set(&o->vst->metadata, "encoder", NULL, 0);
            o->stream_map[i] = o->vst->index;
        } else if ((ret = add_copy_stream(o, opt, in->fmt->streams[i])) < 0) {
            return ret;
        }
    }
    av_dict_copy(&o->oc->metadata, in->fmt->metadata, 0);
    av_dict_set(&o->oc->metadata, "encoder", NULL, 0);
    for (unsigned c = 0; c < in->fmt->nb_chapters; c++) {
        const AVChapter *ic = in->fmt->chapters[c];
        AVChapter *oc = av_mallocz(sizeof(*oc));
        if (!oc || av_dynarray_add_nofree(&o->oc->chapters, (int *)&o->oc->nb_chapters, oc) < 0) {
            av_free(oc);
            return AVERROR(ENOMEM);
        }
        oc->id = ic->id;
        oc->time_base = ic->time_base;
        oc->start = ic->start;
        oc->end = ic->end;
        av_dict_copy(&oc->metadata, ic->metadata, 0);
    }

    if (in->live) {
        /* hand every packet on at once, and interleave over a short window */
        o->oc->flags |= AVFMT_FLAG_FLUSH_PACKETS;
        o->oc->max_interleave_delta = 200000;
    }
    if (!(ofmt->flags & AVFMT_NOFILE)) {
        ret = avio_open2(&o->oc->pb, o->is_file ? o->oc->url : o->write_path, AVIO_FLAG_WRITE,
                         NULL, NULL);
        if (ret < 0) {
            av_log(NULL, AV_LOG_ERROR, "cannot create output '%s': %s\n", path, av_err2str(ret));
            return ret;
        }
    }
    return 0;
}

static enum AVPixelFormat choose_pix_fmt(const Output *o, const AVFrame *f)
{
    if (o->pix_fmt_name)
        return av_get_pix_fmt(o->pix_fmt_name);
    const enum AVPixelFormat *fmts = compat_encoder_pix_fmts(o->enc, o->codec);
    if (!fmts)
        return f->format;
    for (int i = 0; fmts[i] != AV_PIX_FMT_NONE; i++)
        if (fmts[i] == f->format)
            return f->format;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    return avcodec_find_best_pix_fmt_of_list(fmts, f->format,
                                             d && (d->flags & AV_PIX_FMT_FLAG_ALPHA), NULL);
}

static int write_packet(Output *o, AVPacket *pkt)
{
    int ret = av_interleaved_write_frame(o->oc, pkt);
    /* a failed write (a full disk) is latched in the I/O context: stop at
     * once rather than at the trailer */
    if (ret >= 0 && o->oc->pb && o->oc->pb->error < 0)
        ret = o->oc->pb->error;
    if (ret < 0 && !o->failed) {
        o->failed = 1;
        if (ret == AVERROR(EPIPE)) {
            /* the program reading a pipe or socket went away: nothing more
             * can be delivered, and nothing is wrong with smear's work */
            o->reader_gone = 1;
            av_log(NULL, AV_LOG_INFO, "the reader of '%s' closed it: stopping\n", o->path);
        } else {
            av_log(NULL, AV_LOG_ERROR, "cannot write to '%s': %s\n", o->path, av_err2str(ret));
        }
    }
    return ret;
}

/* Whether a packet of a copied stream (in its output stream's time base)
 * keeps the stream's timestamps in the order the muxer requires. A damaged
 * input can send them backwards, which muxers refuse and which would end
 * the run: such packets are dropped, counted and reported once. */
static int copied_in_order(Output *o, const AVPacket *pkt)
{
    int64_t *last = &o->last_dts[pkt->stream_index];
    const int equal_ok = (o->oc->oformat->flags & AVFMT_TS_NONSTRICT) != 0;
    const int known = pkt->dts != AV_NOPTS_VALUE;
    if ((known && *last != AV_NOPTS_VALUE && (pkt->dts < *last || (pkt->dts == *last && !equal_ok))) ||
        (known && pkt->pts != AV_NOPTS_VALUE && pkt->pts < pkt->dts)) {
        o->nb_bad_copied++;
        if (!o->warned_bad_copied++)
            av_log(NULL, AV_LOG_WARNING, "output stream %d: packets whose timestamps go backwards "
                   "(a damaged input) are dropped; further drops are counted in the summary\n",
                   pkt->stream_index);
        return 0;
    }
    if (known)
        *last = pkt->dts;
    return 1;
}

static int flush_queue(Output *o)
{
    int ret = 0;
    for (int i = 0; i < o->nb_queued; i++) {
        AVPacket *pkt = o->queue[i];
        const int si = pkt->stream_index;
        AVStream *ost = o->oc->streams[o->stream_map[si]];
        av_packet_rescale_ts(pkt, o->in->fmt->streams[si]->time_base, ost->time_base);
        pkt->stream_index = ost->index;
        if (ret >= 0 && copied_in_order(o, pkt))
            ret = write_packet(o, pkt);
        av_packet_free(&o->queue[i]);
    }
    o->nb_queued = 0;
    return ret;
}

static int open_encoder(Output *o, const AVFrame *f, AVRational tb, AVRational frame_rate)
{
    int ret;
    if (!(o->enc = avcodec_alloc_context3(o->codec)))
        return AVERROR(ENOMEM);
    o->enc->width = f->width;
    o->enc->height = f->height;
    o->enc->pix_fmt = choose_pix_fmt(o, f);
    o->enc->sample_aspect_ratio = f->sample_aspect_ratio;
    /* the frames' own time base keeps every timestamp exact, but older
     * codecs take only frame-rate time bases (MPEG-1/2) or small ones */
    o->enc->time_base = tb;
    const enum AVCodecID id = o->codec->id;
    const int fr_ok = frame_rate.num > 0 && frame_rate.den > 0;
    if (id == AV_CODEC_ID_MPEG1VIDEO || id == AV_CODEC_ID_MPEG2VIDEO) {
        AVRational r = fr_ok ? frame_rate : (AVRational){ 25, 1 };
        const AVRational *rates = o->codec->supported_framerates;
        if (!rates && id == AV_CODEC_ID_MPEG2VIDEO) {
            static const AVRational mpeg_rates[] = { { 24000, 1001 }, { 24, 1 }, { 25, 1 },
                { 30000, 1001 }, { 30, 1 }, { 50, 1 }, { 60000, 1001 }, { 60, 1 }, { 0, 0 } };
            rates = mpeg_rates;
        }
        if (rates)
            r = rates[av_find_nearest_q_idx(r, rates)];
        o->enc->time_base = av_inv_q(r);
    } else if (tb.den > 65535 && (id == AV_CODEC_ID_MPEG4 || id == AV_CODEC_ID_H263 ||
                                  id == AV_CODEC_ID_H263P || id == AV_CODEC_ID_FLV1 ||
                                  id == AV_CODEC_ID_MSMPEG4V2 || id == AV_CODEC_ID_MSMPEG4V3)) {
        o->enc->time_base = fr_ok ? av_inv_q(frame_rate) : (AVRational){ 1, 1000 };
    }
    o->frame_tb = tb;
    if (frame_rate.num > 0 && frame_rate.den > 0)
        o->enc->framerate = frame_rate;
    o->enc->color_range = f->color_range;
    o->enc->color_primaries = f->color_primaries;
    o->enc->color_trc = f->color_trc;
    o->enc->colorspace = f->colorspace;
    o->enc->chroma_sample_location = f->chroma_location;
    o->enc->thread_count = 0;
    if (o->in->live) {
        /* a live output wants each frame out as soon as it is in: no
         * reordering, no lookahead */
        if (!strcmp(o->codec->name, "libx264")) {
            if (!av_dict_get(o->opts, "tune", NULL, 0))
                av_dict_set(&o->opts, "tune", "zerolatency", 0);
            if (!av_dict_get(o->opts, "preset", NULL, 0))
                av_dict_set(&o->opts, "preset", "veryfast", 0);
        }
        if (!av_dict_get(o->opts, "bf", NULL, 0))
            o->enc->max_b_frames = 0;
    }
    if (o->oc->oformat->flags & AVFMT_GLOBALHEADER)
        o->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (o->qscale >= 0) {
        o->enc->flags |= AV_CODEC_FLAG_QSCALE;
        o->enc->global_quality = (int)lrint(FF_QP2LAMBDA * o->qscale);
    }
    cli_log_capture();
    ret = avcodec_open2(o->enc, o->codec, &o->opts);
    const char *why = cli_log_uncapture();
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot open the %s encoder for %dx%d %s: %s\n", o->codec->name,
               f->width, f->height, av_get_pix_fmt_name(o->enc->pix_fmt), why ? why : av_err2str(ret));
        o->refused = ret == AVERROR(EINVAL) || ret == AVERROR(ERANGE) ||
                     ret == AVERROR_OPTION_NOT_FOUND || ret == AVERROR_EXPERIMENTAL;
        return ret;
    }
    if ((ret = avcodec_parameters_from_context(o->vst->codecpar, o->enc)) < 0)
        return ret;
    o->vst->time_base = tb;
    o->vst->avg_frame_rate = frame_rate;
    o->vst->r_frame_rate = frame_rate;
    o->vst->sample_aspect_ratio = f->sample_aspect_ratio;
    const uint8_t *matrix = compat_stream_display_matrix(o->in->vst);
    if (matrix && (ret = compat_stream_set_display_matrix(o->vst, matrix)) < 0)
        return ret;

    cli_log_capture();
    ret = avformat_write_header(o->oc, &o->opts);
    why = cli_log_uncapture();
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot write the %s header to '%s': %s\n",
               o->oc->oformat->name, o->path, why ? why : av_err2str(ret));
        o->refused = ret == AVERROR(EINVAL) || ret == AVERROR_EXPERIMENTAL ||
                     ret == AVERROR_PATCHWELCOME;
        o->failed = 1;
        return ret;
    }
    o->header_written = 1;
    return flush_queue(o);
}

static int64_t take_duration(Output *o, int64_t pts)
{
    for (int i = 0; i < OUTPUT_DURATION_RING; i++)
        if (o->dur_pts[i] == pts && o->dur_val[i] > 0)
            return o->dur_val[i];
    return 0;
}

static int drain_encoder(Output *o)
{
    for (;;) {
        int ret = avcodec_receive_packet(o->enc, o->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            av_log(NULL, AV_LOG_ERROR, "the %s encoder failed: %s\n", o->codec->name,
                   av_err2str(ret));
            return ret;
        }
        if (o->pkt->duration <= 0)
            o->pkt->duration = take_duration(o, o->pkt->pts);
        o->pkt->stream_index = o->vst->index;
        av_packet_rescale_ts(o->pkt, o->enc->time_base, o->vst->time_base);
        ret = write_packet(o, o->pkt);
        av_packet_unref(o->pkt);
        if (ret < 0)
            return ret;
    }
}

int output_write_frame(Output *o, AVFrame *f, AVRational tb, AVRational frame_rate)
{
    int ret;
    if (o->failed)
        return AVERROR(EIO);
    if (!f) {
        if (!o->enc)
            return 0;
        if ((ret = avcodec_send_frame(o->enc, NULL)) < 0 && ret != AVERROR_EOF)
            return ret;
        return drain_encoder(o);
    }
    if (!o->enc && (ret = open_encoder(o, f, tb, frame_rate)) < 0)
        return ret;

    AVFrame *send = f;
    if (f->format != o->enc->pix_fmt || f->width != o->enc->width || f->height != o->enc->height) {
        /* converted for the encoder; a stream whose frame size changes keeps
         * the size it started with (the encoder cannot change it) */
        if (!o->sws || !o->conv || f->width != o->sws_w || f->height != o->sws_h ||
            f->format != o->sws_fmt) {
            if (o->sws && (f->width != o->sws_w || f->height != o->sws_h))
                av_log(NULL, AV_LOG_WARNING, "the video changes size to %dx%d: scaled to %dx%d, "
                       "the size the output started with\n", f->width, f->height,
                       o->enc->width, o->enc->height);
            sws_freeContext(o->sws);
            av_frame_free(&o->conv);
            o->sws = sws_getContext(f->width, f->height, f->format, o->enc->width, o->enc->height,
                                    o->enc->pix_fmt, SWS_BICUBIC | SWS_ACCURATE_RND |
                                    SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP, NULL, NULL, NULL);
            if (!o->sws || !(o->conv = av_frame_alloc())) {
                av_log(NULL, AV_LOG_ERROR, "cannot convert %s to %s for the encoder\n",
                       av_get_pix_fmt_name(f->format), av_get_pix_fmt_name(o->enc->pix_fmt));
                return AVERROR(ENOSYS);
            }
            o->conv->format = o->enc->pix_fmt;
            o->conv->width = o->enc->width;
            o->conv->height = o->enc->height;
            if ((ret = av_frame_get_buffer(o->conv, 0)) < 0)
                return ret;
            o->sws_w = f->width;
            o->sws_h = f->height;
            o->sws_fmt = f->format;
        }
        if ((ret = av_frame_make_writable(o->conv)) < 0)
            return ret;
        sws_scale(o->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
                  o->conv->data, o->conv->linesize);
        av_frame_copy_props(o->conv, f);
        send = o->conv;
    }
    send->pict_type = AV_PICTURE_TYPE_NONE;
    if (av_cmp_q(o->frame_tb, o->enc->time_base)) {
        const int64_t d = compat_frame_duration(send);
        if (send->pts != AV_NOPTS_VALUE)
            send->pts = av_rescale_q(send->pts, o->frame_tb, o->enc->time_base);
        if (d > 0)
            compat_set_frame_duration(send, av_rescale_q(d, o->frame_tb, o->enc->time_base));
    }
    /* encoders refuse timestamps that do not increase (two frames rounded to
     * the same tick, or a damaged input) */
    if (send->pts != AV_NOPTS_VALUE && o->last_pts != AV_NOPTS_VALUE && send->pts <= o->last_pts)
        send->pts = o->last_pts + 1;
    if (send->pts != AV_NOPTS_VALUE)
        o->last_pts = send->pts;
    o->dur_pts[o->dur_next] = send->pts;
    o->dur_val[o->dur_next] = compat_frame_duration(send);
    o->dur_next = (o->dur_next + 1) % OUTPUT_DURATION_RING;
    /* with a fixed quantiser the encoder takes it from each frame */
    if (o->enc->flags & AV_CODEC_FLAG_QSCALE)
        send->quality = o->enc->global_quality;
    if ((ret = avcodec_send_frame(o->enc, send)) < 0) {
        av_log(NULL, AV_LOG_ERROR, "the %s encoder refused a frame: %s\n", o->codec->name,
               av_err2str(ret));
        return ret;
    }
    o->nb_frames++;
    return drain_encoder(o);
}

int output_copy_packet(Output *o, AVPacket *pkt)
{
    const int si = pkt->stream_index;
    if (si < 0 || si >= o->nb_in_streams || o->stream_map[si] < 0 || o->failed) {
        av_packet_unref(pkt);
        return o->failed ? AVERROR(EIO) : 0;
    }
    AVStream *ost = o->oc->streams[o->stream_map[si]];
    pkt->pos = -1;
    if (!o->header_written) {
        /* kept in the input's time base: the muxer may change the output
         * stream's time base when it writes the header */
        if (o->nb_queued == MAX_QUEUED_PACKETS) {
            av_log(NULL, AV_LOG_ERROR, "no video frame after %d packets of other streams\n",
                   MAX_QUEUED_PACKETS);
            av_packet_unref(pkt);
            return AVERROR(EINVAL);
        }
        if (o->nb_queued == o->queue_size) {
            int size = o->queue_size ? 2 * o->queue_size : 64;
            AVPacket **q = av_realloc_array(o->queue, size, sizeof(*q));
            if (!q)
                return AVERROR(ENOMEM);
            o->queue = q;
            o->queue_size = size;
        }
        if (!(o->queue[o->nb_queued] = av_packet_alloc()))
            return AVERROR(ENOMEM);
        av_packet_move_ref(o->queue[o->nb_queued++], pkt);
        return 0;
    }
    av_packet_rescale_ts(pkt, o->in->fmt->streams[si]->time_base, ost->time_base);
    pkt->stream_index = ost->index;
    int ret = copied_in_order(o, pkt) ? write_packet(o, pkt) : 0;
    av_packet_unref(pkt);
    return ret;
}

/* An MP4-family file is unplayable without its index, which the trailer
 * writes last, unless it is written in fragments (asked before the trailer,
 * which frees the muxer's options). */
static int needs_index(const AVFormatContext *oc)
{
    if (!av_match_name(oc->oformat->name, "mp4,mov,ipod,3gp,3g2,psp,ismv,f4v"))
        return 0;
    int64_t flags = 0, frag_duration = 0, frag_size = 0;
    if (!oc->priv_data || av_opt_get_int(oc->priv_data, "movflags", 0, &flags) < 0)
        return 1;
    /* fragments by time or size, whatever the flags */
    av_opt_get_int(oc->priv_data, "frag_duration", 0, &frag_duration);
    av_opt_get_int(oc->priv_data, "frag_size", 0, &frag_size);
    if (frag_duration > 0 || frag_size > 0)
        return 0;
    static const char *const fragmenting[] = { "empty_moov", "frag_keyframe", "frag_custom",
                                               "frag_every_frame" };
    for (size_t i = 0; i < sizeof(fragmenting) / sizeof(fragmenting[0]); i++) {
        const AVOption *c = av_opt_find(oc->priv_data, fragmenting[i], "movflags", 0, 0);
        if (c && (flags & c->default_val.i64))
            return 0;
    }
    return 1;
}

int output_close(Output *o, int complete)
{
    int ret = 0, cut_unplayable = 0;
    if (!o->oc)
        goto end;
    if (o->header_written) {
        const int index = needs_index(o->oc);
        if (!o->failed)
            ret = output_write_frame(o, NULL, (AVRational){ 0, 1 }, (AVRational){ 0, 1 });
        int r2 = av_write_trailer(o->oc);
        cut_unplayable = index && (r2 < 0 || (o->oc->pb && o->oc->pb->error < 0));
        if (r2 < 0 && !o->failed) {
            av_log(NULL, AV_LOG_ERROR, "cannot finish '%s': %s\n", o->path, av_err2str(r2));
            o->failed = 1;
        }
        if (r2 < 0 && ret >= 0)
            ret = r2;
    }
    if (o->oc->pb && !(o->oc->oformat->flags & AVFMT_NOFILE)) {
        avio_flush(o->oc->pb);
        int err = o->oc->pb->error;
        int r3 = avio_closep(&o->oc->pb);
        if ((err < 0 || r3 < 0) && !o->failed) {
            av_log(NULL, AV_LOG_ERROR, "cannot write to '%s': %s\n", o->path,
                   av_err2str(err < 0 ? err : r3));
            o->failed = 1;
            ret = err < 0 ? err : r3;
        }
    }
    if (o->is_file) {
        if (!o->header_written) {
            unlink(o->write_path); /* nothing worth keeping was written */
        } else if (complete && !o->failed && ret >= 0) {
            if (rename(o->write_path, o->path) < 0) {
                ret = AVERROR(errno);
                av_log(NULL, AV_LOG_ERROR, "cannot rename '%s' to '%s': %s\n", o->write_path,
                       o->path, av_err2str(ret));
            }
        } else if (cut_unplayable) {
            av_log(NULL, AV_LOG_WARNING, "the output is incomplete: what was written is kept in '%s', "
                   "but without the index that %s writes last it does not play (with -movflags "
                   "+frag_keyframe+empty_moov such a file plays up to where it stops)\n",
                   o->write_path, o->oc->oformat->name);
        } else {
            av_log(NULL, AV_LOG_WARNING, "the output is incomplete: what was written is kept in '%s'\n",
                   o->write_path);
        }
    }
end:
    for (int i = 0; i < o->nb_queued; i++)
        av_packet_free(&o->queue[i]);
    av_freep(&o->queue);
    avcodec_free_context(&o->enc);
    avformat_free_context(o->oc);
    o->oc = NULL;
    sws_freeContext(o->sws);
    av_frame_free(&o->conv);
    av_packet_free(&o->pkt);
    av_freep(&o->stream_map);
    av_freep(&o->last_dts);
    av_freep(&o->write_path);
    av_dict_free(&o->opts);
    return ret < 0 ? ret : (o->failed ? AVERROR(EIO) : 0);
}
