/*
 * smear - output: encode the augmented video, copy every other stream,
 * mux into a file, a pipe or a network URL.
 */
#ifndef SMEAR_CLI_OUTPUT_H
#define SMEAR_CLI_OUTPUT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "cli.h"
#include "input.h"

#define OUTPUT_DURATION_RING 64

typedef struct Output {
    const char      *path;        ///< as given
    char            *write_path;  ///< where bytes go: path, or path.partial for files
    int              is_file;     ///< a regular file, written under .partial then renamed
    AVFormatContext *oc;
    const AVCodec   *codec;
    AVCodecContext  *enc;
    AVStream        *vst;
    int              header_written;
    int             *stream_map;  ///< input stream -> output stream, -1 when not copied
    int              nb_in_streams;
    const Input     *in;
    AVDictionary    *opts;        ///< encoder and muxer options left to use
    const char      *pix_fmt_name;
    double           qscale;      ///< -q:v, a fixed quantiser; < 0 when not given

    /* packets of copied streams that arrive before the video encoder can
     * open (it needs the first frame), and the encoder's own packets */
    AVPacket       **queue;
    int              nb_queued, queue_size;
    AVPacket        *pkt;

    /* conversion when the encoder does not take the frames' pixel format */
    struct SwsContext *sws;
    AVFrame         *conv;
    int              sws_w, sws_h, sws_fmt; ///< what sws converts from

    /* frame durations by pts, to give each packet its frame's duration */
    int64_t          dur_pts[OUTPUT_DURATION_RING], dur_val[OUTPUT_DURATION_RING];
    int              dur_next;

    int64_t          nb_frames;
    AVRational       frame_tb;    ///< time base of the frames given
    int64_t          last_pts;    ///< last pts sent to the encoder, its time base
    int64_t         *last_dts;    ///< per output stream, of copied packets
    int64_t          nb_bad_copied; ///< copied packets dropped: timestamps out of order
    int              warned_bad_copied;
    int              failed;      ///< a write failed: finish without the trailer
    int              refused;     ///< the encoder or the muxer refused the settings asked for
                                  ///< (an option's value, a codec the container cannot hold)
    int              reader_gone; ///< the failure was a closed pipe or socket (EPIPE)
} Output;

/** The file a path names: NAME for a "file:NAME" URL, else the path itself
 *  (the output, and --log, are checked, written and renamed by it). */
const char *output_file_name(const char *path);

/** Refuses an existing regular file without overwrite, and a directory.
 *  Returns 0 or a negative AVERROR (logged). */
int output_check_path(const char *path, int overwrite);

/** Sets up the muxer and the copied streams; checks options and the path.
 *  Nothing is written yet. Returns 0 or a negative AVERROR (logged). */
int output_open(Output *o, const CliOptions *opt, const Input *in);

/** Encodes one frame (NULL flushes the encoder). The frame's pts is in
 *  time base tb, the same for every frame. */
int output_write_frame(Output *o, AVFrame *frame, AVRational tb, AVRational frame_rate);

/** Copies a packet of input stream pkt->stream_index (dropped when not mapped). */
int output_copy_packet(Output *o, AVPacket *pkt);

/**
 * Finishes the file: flushes, writes the trailer, renames the .partial
 * file to its name when complete is set, or keeps it as .partial.
 * Returns 0 or a negative AVERROR (logged).
 */
int output_close(Output *o, int complete);

#endif /* SMEAR_CLI_OUTPUT_H */
