/*
 * smear - input: open anything libavformat reads, decode its video.
 */
#ifndef SMEAR_CLI_INPUT_H
#define SMEAR_CLI_INPUT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

typedef struct Input {
    const char      *url;
    AVFormatContext *fmt;
    int              vindex;      ///< the video stream decoded
    AVStream        *vst;
    AVCodecContext  *dec;
    AVPacket        *pkt;
    int              demux_eof;
    int64_t          nb_frames;   ///< frames decoded

    /* damage found in the input, reported once per kind */
    int64_t          nb_bad_packets;  ///< packets the decoder rejected
    int64_t          nb_corrupt_frames; ///< frames decoded with errors
    int64_t          nb_read_errors;
    int              warned_bad_packet, warned_corrupt, warned_read;
} Input;

typedef enum InputEvent {
    INPUT_FRAME,  ///< a decoded video frame
    INPUT_PACKET, ///< a packet of another stream, for copying
    INPUT_EOF,
} InputEvent;

/**
 * Opens url (format forces the demuxer; opts are its options, consumed
 * entries removed). interrupt is polled during blocking reads.
 * Returns 0, or a negative AVERROR with one error line logged.
 */
int input_open(Input *in, const char *url, const char *format, AVDictionary **opts,
               const AVIOInterruptCB *interrupt);

/**
 * The next event: a frame in frame (pts set from the best-effort
 * timestamp), a packet in pkt, or the end. Damaged data is counted, warned
 * about once per kind and skipped. Returns an InputEvent, or a negative
 * AVERROR on a fatal read error.
 */
int input_next(Input *in, AVFrame *frame, AVPacket *pkt);

/** 1 when some input data was damaged or unreadable. */
int input_had_errors(const Input *in);

void input_close(Input *in);

#endif /* SMEAR_CLI_INPUT_H */
