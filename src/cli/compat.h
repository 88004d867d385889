/*
 * smear - the few places where FFmpeg's API differs between the releases
 * smear builds against (5.1 and later). Each shim uses the current API
 * where the headers have it.
 */
#ifndef SMEAR_CLI_COMPAT_H
#define SMEAR_CLI_COMPAT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/frame.h>

/* AVFrame.duration arrived with FF_API_PKT_DURATION, which deprecates
 * pkt_duration. */
static inline int64_t compat_frame_duration(const AVFrame *f)
{
#ifdef FF_API_PKT_DURATION
    return f->duration;
#else
    return f->pkt_duration;
#endif
}

static inline void compat_set_frame_duration(AVFrame *f, int64_t d)
{
#ifdef FF_API_PKT_DURATION
    f->duration = d;
#else
    f->pkt_duration = d;
#endif
}

/* Pixel formats an encoder takes (NULL when it does not say). */
static inline const enum AVPixelFormat *compat_encoder_pix_fmts(const AVCodecContext *ctx,
                                                                const AVCodec *codec)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(61, 13, 100)
    const void *fmts = NULL;
    int n = 0;
    if (avcodec_get_supported_config(ctx, codec, AV_CODEC_CONFIG_PIX_FORMAT, 0, &fmts, &n) < 0)
        return NULL;
    return fmts;
#else
    (void)ctx;
    return codec->pix_fmts;
#endif
}

/* The display matrix (rotation) of a stream, or NULL. */
static inline const uint8_t *compat_stream_display_matrix(const AVStream *st)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    const AVPacketSideData *sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                         st->codecpar->nb_coded_side_data,
                                                         AV_PKT_DATA_DISPLAYMATRIX);
    return sd && sd->size >= 9 * 4 ? sd->data : NULL;
#else
    size_t size = 0;
    const uint8_t *d = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    return d && size >= 9 * 4 ? d : NULL;
#endif
}

static inline int compat_stream_set_display_matrix(AVStream *st, const uint8_t *m)
{
#if LIBAVFORMAT_VERSION_INT >= AV_VERSION_INT(60, 15, 100)
    AVPacketSideData *sd = av_packet_side_data_new(&st->codecpar->coded_side_data,
                                                   &st->codecpar->nb_coded_side_data,
                                                   AV_PKT_DATA_DISPLAYMATRIX, 9 * 4, 0);
    if (!sd)
        return AVERROR(ENOMEM);
    memcpy(sd->data, m, 9 * 4);
    return 0;
#else
    uint8_t *d = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * 4);
    if (!d)
        return AVERROR(ENOMEM);
    memcpy(d, m, 9 * 4);
    return 0;
#endif
}

#endif /* SMEAR_CLI_COMPAT_H */
