/*
 * smear - fuzz target: the whole decode, augment, encode path on a mutated
 * small clip.
 *
 * The input is a media file read from memory by libavformat; its video is
 * decoded, augmented by a chain that exercises every kernel, and encoded
 * (raw video into NUT, in memory: any pixel format goes). Damaged data must give errors, never a crash,
 * a hang or a leak. Frames are capped in number and size to keep each run
 * short.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "smear/smear.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Mem {
    const uint8_t *data;
    size_t         size, pos;
} Mem;

static int mem_read(void *opaque, uint8_t *buf, int n)
{
    Mem *m = opaque;
    if (m->pos >= m->size)
        return AVERROR_EOF;
    if ((size_t)n > m->size - m->pos)
        n = (int)(m->size - m->pos);
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return n;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
    Mem *m = opaque;
    if (whence == AVSEEK_SIZE)
        return (int64_t)m->size;
    int64_t base = whence == SEEK_CUR ? (int64_t)m->pos : whence == SEEK_END ? (int64_t)m->size : 0;
    if (base + off < 0 || base + off > (int64_t)m->size)
        return AVERROR(EINVAL);
    m->pos = (size_t)(base + off);
    return m->pos;
}

/* the write callback's buffer became const in libavformat 61 */
#if LIBAVFORMAT_VERSION_MAJOR >= 61
#define WRITE_BUF const uint8_t
#else
#define WRITE_BUF uint8_t
#endif

static int null_write(void *opaque, WRITE_BUF *buf, int n)
{
    (void)opaque, (void)buf;
    return n;
}

/* Encodes one frame (NULL flushes) into the null output; *header is set
 * once the output has its header. */
static int encode(AVCodecContext **penc, AVFormatContext *oc, AVFrame *f, AVPacket *pkt, int *header)
{
    AVCodecContext *enc = *penc;
    if (!enc) {
        if (!f)
            return 0;
        const AVCodec *c = avcodec_find_encoder(AV_CODEC_ID_RAWVIDEO);
        if (!c || !(enc = *penc = avcodec_alloc_context3(c)))
            return -1;
        enc->width = f->width;
        enc->height = f->height;
        enc->pix_fmt = f->format;
        enc->time_base = (AVRational){ 1, 25 };
        if (avcodec_open2(enc, c, NULL) < 0)
            return -1;
        AVStream *st = avformat_new_stream(oc, NULL);
        if (!st || avcodec_parameters_from_context(st->codecpar, enc) < 0 ||
            avformat_write_header(oc, NULL) < 0)
            return -1;
        *header = 1;
    }
    if (!*header)
        return -1;
    if (f && (f->width != enc->width || f->height != enc->height || f->format != enc->pix_fmt))
        return 0; /* a size change: this target keeps to the first geometry */
    if (avcodec_send_frame(enc, f) < 0)
        return -1;
    while (avcodec_receive_packet(enc, pkt) >= 0) {
        pkt->stream_index = 0;
        av_packet_rescale_ts(pkt, enc->time_base, oc->streams[0]->time_base);
        av_interleaved_write_frame(oc, pkt);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        av_log_set_level(AV_LOG_QUIET);
        quiet = 1;
    }
    Mem mem = { data, size, 0 };
    AVFormatContext *fmt = avformat_alloc_context(), *oc = NULL;
    unsigned char *iobuf = av_malloc(4096), *obuf = av_malloc(4096);
    AVIOContext *io = iobuf ? avio_alloc_context(iobuf, 4096, 0, &mem, mem_read, NULL, mem_seek) : NULL;
    AVIOContext *oio = obuf ? avio_alloc_context(obuf, 4096, 1, NULL, NULL, null_write, NULL) : NULL;
    AVCodecContext *dec = NULL, *enc = NULL;
    SmearContext *smear = NULL;
    AVPacket *pkt = av_packet_alloc(), *opkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc(), *out = av_frame_alloc();
    if (!fmt || !io || !oio || !pkt || !opkt || !frame || !out) {
        if (!io)
            av_free(iobuf);
        if (!oio)
            av_free(obuf);
        goto end;
    }
    fmt->pb = io;
    fmt->probesize = 32768;
    fmt->max_analyze_duration = 500000;
    if (avformat_open_input(&fmt, NULL, NULL, NULL) < 0) {
        fmt = NULL;
        goto end;
    }
    if (avformat_find_stream_info(fmt, NULL) < 0)
        goto end;
    const AVCodec *codec = NULL;
    const int vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (vi < 0 || !codec)
        goto end;
    const AVCodecParameters *par = fmt->streams[vi]->codecpar;
    if (par->width <= 0 || par->height <= 0 || (int64_t)par->width * par->height > 256 * 256)
        goto end;
    if (!(dec = avcodec_alloc_context3(codec)) || avcodec_parameters_to_context(dec, par) < 0)
        goto end;
    dec->thread_count = 1;
    if (avcodec_open2(dec, codec, NULL) < 0)
        goto end;
    SmearSettings s;
    smear_default_settings(&s);
    s.chain = "blur=sigma='1+uniform(0,3)@frame':sigma_y=2:angle=20,box=3:2,defocus=radius=2.5,"
              "motion=length=4:angle=30:shake=1,shear=x=0.1:y=-0.05:interp=bicubic,"
              "affine=rotate=5:border=reflect";
    s.threads = 1;
    s.seed_set = 1;
    s.seed = 1;
    if (smear_open(&smear, &s) < 0 ||
        avformat_alloc_output_context2(&oc, NULL, "nut", NULL) < 0)
        goto end;
    oc->pb = oio;
    int frames = 0, header = 0;
    int64_t out_frames = 0;
    while (frames < 12 && av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == vi && avcodec_send_packet(dec, pkt) >= 0) {
            while (avcodec_receive_frame(dec, frame) >= 0) {
                frames++;
                if (frame->width != par->width || frame->height != par->height ||
                    (int64_t)frame->width * frame->height > 256 * 256 ||
                    smear_send_frame(smear, frame) < 0) {
                    av_frame_unref(frame);
                    continue;
                }
                while (smear_receive_frame(smear, out) >= 0) {
                    /* the output's own clock: a damaged input's timestamps
                     * (out of order, huge) would trip the muxer's asserts,
                     * which are not what this target looks at */
                    out->pts = out_frames++;
                    encode(&enc, oc, out, opkt, &header);
                    av_frame_unref(out);
                }
            }
        }
        av_packet_unref(pkt);
    }
    if (header) {
        encode(&enc, oc, NULL, opkt, &header);
        av_write_trailer(oc);
    }
end:
    smear_close(&smear);
    avcodec_free_context(&dec);
    avcodec_free_context(&enc);
    if (fmt) {
        avformat_close_input(&fmt);
    }
    if (io) {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
    if (oc)
        avformat_free_context(oc);
    if (oio) {
        av_freep(&oio->buffer);
        avio_context_free(&oio);
    }
    av_packet_free(&pkt);
    av_packet_free(&opkt);
    av_frame_free(&frame);
    av_frame_free(&out);
    return 0;
}
