/*
 * smear - input: open anything libavformat reads, decode its video.
 */
#include <string.h>

#include <libavdevice/avdevice.h>
#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/parseutils.h>
#include <libavutil/time.h>

#include "cli.h"
#include "compat.h"
#include "input.h"

/* Blocking reads end on a signal, and a live source that stays silent too
 * long counts as lost (a UDP sender that stopped never says so). */
static int interrupt_cb(void *opaque)
{
    Input *in = opaque;
    if (cli_stop_signal || atomic_load(&cli_stop_reading))
        return 1;
    if (in->live && in->last_io_us && av_gettime_relative() - in->last_io_us > in->timeout_us)
        return 1;
    return 0;
}

/* Demuxers whose streams arrive over the network whatever the URL says
 * (a session description in a file, RTSP's own client) */
static int is_live_format(const AVInputFormat *ifmt)
{
    static const char *const net[] = { "sdp", "rtsp", "rtp", NULL };
    for (int i = 0; ifmt && net[i]; i++)
        if (!strcmp(ifmt->name, net[i]))
            return 1;
    return 0;
}

/* Devices and network protocols deliver in real time. */
static int is_live(const char *url, const AVInputFormat *ifmt)
{
    static const char *const net[] = { "udp", "tcp", "rtp", "rtsp", "srt", "http", "https",
                                       "rtmp", "rtmps", "mmsh", "mmst", "unix", "zmq", NULL };
    /* libavfilter's sources are registered as a device, but they make frames
     * as fast as they are read */
    if (ifmt && ifmt->priv_class && AV_IS_INPUT_DEVICE(ifmt->priv_class->category) &&
        strcmp(ifmt->name, "lavfi"))
        return 1;
    const char *proto = avio_find_protocol_name(url);
    for (int i = 0; proto && net[i]; i++)
        if (!strcmp(proto, net[i]))
            return 1;
    return is_live_format(ifmt);
}

int input_open(Input *in, const char *url, const char *format, AVDictionary **opts,
               int live, int64_t timeout_us)
{
    const AVInputFormat *ifmt = NULL;
    int ret;

    memset(in, 0, sizeof(*in));
    in->url = url;
    in->vindex = -1;
    in->next_pts = AV_NOPTS_VALUE;
    in->timeout_us = timeout_us > 0 ? timeout_us : 5000000;
    const int retry = live == INPUT_LIVE_RETRY;
    if (retry)
        live = 1;
    if (format && !(ifmt = av_find_input_format(format))) {
        av_log(NULL, AV_LOG_ERROR, "unknown input format '%s'\n", format);
        return AVERROR(EINVAL);
    }
    if (!(in->fmt = avformat_alloc_context()))
        return AVERROR(ENOMEM);
    const char *open_url = strcmp(url, "-") ? url : "pipe:0";
    in->live = live >= 0 ? live : is_live(open_url, ifmt);
    in->fmt->interrupt_callback = (AVIOInterruptCB){ interrupt_cb, in };
    in->last_io_us = av_gettime_relative(); /* opening counts against the timeout too */
    cli_log_capture();
    ret = avformat_open_input(&in->fmt, open_url, ifmt, opts);
    const char *why = cli_log_uncapture();
    if (ret < 0) {
        if (cli_stop_signal) /* the probe, cut short, may say anything */
            av_log(NULL, AV_LOG_INFO, "stopped before input '%s' opened\n", url);
        else
            av_log(NULL, retry ? AV_LOG_WARNING : AV_LOG_ERROR, "cannot open input '%s': %s\n",
                   url, ret == AVERROR_EXIT ? "no data yet" : why ? why : av_err2str(ret));
        return ret;
    }
    /* an .sdp file, probed, is RTP from the network: live too (the
     * sender's silence ends it, instead of a wait without end) */
    if (live < 0 && !in->live && is_live_format(in->fmt->iformat))
        in->live = 1, in->last_io_us = av_gettime_relative();
    cli_log_capture();
    ret = avformat_find_stream_info(in->fmt, NULL);
    why = cli_log_uncapture();
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot read stream information of '%s': %s\n", url,
               why ? why : av_err2str(ret));
        return ret;
    }
    const AVCodec *codec = NULL;
    ret = av_find_best_stream(in->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (ret == AVERROR_STREAM_NOT_FOUND) {
        av_log(NULL, AV_LOG_ERROR, "input '%s' has no video stream\n", url);
        return AVERROR(EINVAL);
    }
    if (ret < 0 || !codec) {
        const AVStream *st = ret >= 0 ? in->fmt->streams[ret] : NULL;
        av_log(NULL, AV_LOG_ERROR, "input '%s': no decoder for its video (%s)\n", url,
               st ? avcodec_get_name(st->codecpar->codec_id) : av_err2str(ret));
        return ret < 0 ? ret : AVERROR_DECODER_NOT_FOUND;
    }
    in->vindex = ret;
    in->vst = in->fmt->streams[ret];
    if (!(in->dec = avcodec_alloc_context3(codec)) || !(in->pkt = av_packet_alloc()))
        return AVERROR(ENOMEM);
    if ((ret = avcodec_parameters_to_context(in->dec, in->vst->codecpar)) < 0)
        return ret;
    in->dec->pkt_timebase = in->vst->time_base;
    in->dec->thread_count = 0;
    if (in->live) {
        /* frame threads hold frames back; live sources want them now */
        in->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
        in->dec->thread_type = FF_THREAD_SLICE;
    }
    cli_log_capture();
    ret = avcodec_open2(in->dec, codec, NULL);
    why = cli_log_uncapture();
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot open the %s decoder for '%s': %s\n", codec->name,
               url, why ? why : av_err2str(ret));
        return ret;
    }
    /* decode only the video stream; the others are copied or dropped */
    for (unsigned i = 0; i < in->fmt->nb_streams; i++)
        if ((int)i != in->vindex && in->fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO)
            in->fmt->streams[i]->discard = AVDISCARD_ALL;
    return 0;
}

static void warn_once(int *warned, const char *fmt, const char *url, const char *detail)
{
    if (*warned)
        return;
    *warned = 1;
    av_log(NULL, AV_LOG_WARNING, fmt, url, detail);
}

/* Duration of the video stream that the file's header announces, in the
 * stream's time base, or AV_NOPTS_VALUE when it does not say. */
/* The video's length as its header announces it, or where it ends (*end
 * set): Matroska keeps a tag of the track's end time, which for a track
 * that starts late is more than its length. */
static int64_t announced_duration(const Input *in, int *end)
{
    const AVStream *st = in->vst;
    *end = 0;
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        return st->duration;
    const AVDictionaryEntry *e = av_dict_get(st->metadata, "DURATION", NULL, 0);
    int64_t us;
    *end = 1;
    if (e && av_parse_time(&us, e->value, 1) >= 0 && us > 0)
        return av_rescale_q(us, AV_TIME_BASE_Q, st->time_base);
    return AV_NOPTS_VALUE;
}

/* A file whose video ends well before the duration its header announces was
 * cut short (a download or a copy that stopped): damage, though the demuxer
 * reports a plain end of file. */
static void check_cut_short(Input *in)
{
    if (in->checked_end || in->live || in->next_pts == AV_NOPTS_VALUE || cli_stop_signal)
        return;
    in->checked_end = 1;
    int end;
    const int64_t dur = announced_duration(in, &end);
    if (dur == AV_NOPTS_VALUE)
        return;
    const int64_t start = in->vst->start_time != AV_NOPTS_VALUE && !end ? in->vst->start_time : 0;
    const double tb = av_q2d(in->vst->time_base);
    /* timestamps that jumped back were carried on: the span played, if
     * anything, is longer than the file's own, never shorter */
    const double got = (double)(in->next_pts - start) * tb, want = (double)dur * tb;
    if (want - got > 0.5 && got < 0.95 * want) {
        in->nb_read_errors++;
        av_log(NULL, AV_LOG_WARNING, "input '%s': the video ends at %.2f s of the %.2f s its "
               "header announces: the file is cut short\n", in->url, got, want);
    }
}

int input_next(Input *in, AVFrame *frame, AVPacket *pkt)
{
    for (;;) {
        int ret = avcodec_receive_frame(in->dec, frame);
        if (ret >= 0) {
            frame->pts = frame->best_effort_timestamp;
            /* a frame without a timestamp (the last of some damaged files)
             * follows the one before it */
            if (frame->pts == AV_NOPTS_VALUE && in->next_pts != AV_NOPTS_VALUE)
                frame->pts = in->next_pts;
            /* timestamps that go back (streams joined end to end, a wrapped
             * clock) carry on from the frame before instead */
            if (frame->pts != AV_NOPTS_VALUE) {
                frame->pts += in->pts_offset;
                if (in->next_pts != AV_NOPTS_VALUE && frame->pts < in->next_pts - in->next_dur) {
                    if (!in->warned_jump)
                        av_log(NULL, AV_LOG_WARNING, "input '%s': timestamps jump back; the video "
                               "carries on from the frame before\n", in->url);
                    in->warned_jump = 1;
                    in->pts_offset += in->next_pts - frame->pts;
                    frame->pts = in->next_pts;
                }
            }
            if (frame->pts != AV_NOPTS_VALUE) {
                int64_t d = compat_frame_duration(frame);
                if (d <= 0) {
                    const AVRational fr = av_guess_frame_rate(in->fmt, in->vst, NULL);
                    d = fr.num > 0 ? av_rescale_q(1, av_inv_q(fr), in->vst->time_base) : 1;
                }
                in->next_dur = d > 0 ? d : 1;
                in->next_pts = frame->pts + in->next_dur;
            }
            if (frame->decode_error_flags || (frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                in->nb_corrupt_frames++;
                warn_once(&in->warned_corrupt,
                          "input '%s': damaged video frames were decoded with errors%s "
                          "(further damage is counted in the summary)\n",
                          in->url, "");
            }
            in->nb_frames++;
            return INPUT_FRAME;
        }
        if (ret == AVERROR_EOF) {
            check_cut_short(in);
            return INPUT_EOF;
        }
        if (ret != AVERROR(EAGAIN)) {
            /* a decoding error on one frame: skip it */
            in->nb_bad_packets++;
            warn_once(&in->warned_bad_packet, "input '%s': video data could not be decoded (%s); "
                      "skipping it (further damage is counted in the summary)\n",
                      in->url, av_err2str(ret));
            continue;
        }
        if (in->demux_eof)
            return INPUT_EOF;
        if (cli_stop_signal) { /* nothing more is read (some demuxers never ask) */
            in->demux_eof = 1;
            avcodec_send_packet(in->dec, NULL);
            continue;
        }

        ret = av_read_frame(in->fmt, in->pkt);
        if (ret >= 0 || ret == AVERROR(EAGAIN))
            in->last_io_us = av_gettime_relative();
        if (ret == AVERROR(EAGAIN)) {
            av_usleep(1000);
            continue;
        }
        if (ret < 0) {
            if (ret == AVERROR_EXIT && !cli_stop_signal && !atomic_load(&cli_stop_reading)) {
                av_log(NULL, AV_LOG_WARNING, "input '%s': no data for %.1f s: the source is "
                       "gone, ending the input\n", in->url, in->timeout_us / 1e6);
                in->lost = 1;
                ret = AVERROR_EOF;
            } else if (ret != AVERROR_EOF && ret != AVERROR_EXIT) {
                /* a live source that fails has gone away (an unplugged
                 * camera); a file that fails is damaged */
                if (in->live)
                    in->lost = 1;
                else
                    in->nb_read_errors++;
                warn_once(&in->warned_read, in->live ? "input '%s': the source went away (%s); "
                          "ending the input here\n" : "input '%s': read error (%s); ending the "
                          "input here\n", in->url, av_err2str(ret));
            }
            in->demux_eof = 1;
            avcodec_send_packet(in->dec, NULL);
            /* stopped by a signal: the frames the decoder still holds are
             * given out, as at the end of the input; let go: none are */
            if (ret == AVERROR_EXIT && !cli_stop_signal)
                return ret;
            continue;
        }
        if (in->pkt->flags & AV_PKT_FLAG_CORRUPT) {
            in->nb_corrupt_packets++;
            warn_once(&in->warned_corrupt_packet, "input '%s': damaged packets%s (the demuxer "
                      "flagged them; further damage is counted in the summary)\n", in->url, "");
        }
        if (in->pkt->stream_index != in->vindex) {
            av_packet_move_ref(pkt, in->pkt);
            return INPUT_PACKET;
        }
        ret = avcodec_send_packet(in->dec, in->pkt);
        av_packet_unref(in->pkt);
        if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
            in->nb_bad_packets++;
            warn_once(&in->warned_bad_packet, "input '%s': video data could not be decoded (%s); "
                      "skipping it (further damage is counted in the summary)\n",
                      in->url, av_err2str(ret));
        }
    }
}

int input_had_errors(const Input *in)
{
    return in->nb_bad_packets || in->nb_corrupt_frames || in->nb_read_errors ||
           in->nb_corrupt_packets;
}

void input_close(Input *in)
{
    avcodec_free_context(&in->dec);
    av_packet_free(&in->pkt);
    avformat_close_input(&in->fmt);
}
