/*
 * smear - input: open anything libavformat reads, decode its video.
 */
#ifndef SMEAR_CLI_INPUT_H
#define SMEAR_CLI_INPUT_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

typedef struct Input {
    const char      *url;
    int              live;        ///< a device or network source: read it in real time
    int64_t          timeout_us;  ///< live: end the input after this long without data
    int64_t          last_io_us;  ///< when data last came
    AVFormatContext *fmt;
    int              vindex;      ///< the video stream decoded
    AVStream        *vst;
    AVCodecContext  *dec;
    AVPacket        *pkt;
    int              demux_eof;
    int              lost;        ///< a live source ended by an error or silence
    int64_t          nb_frames;   ///< frames decoded
    int64_t          next_pts;    ///< expected pts of the next frame
    int64_t          next_dur;    ///< duration of the last frame
    int64_t          pts_offset;  ///< added to timestamps after a jump back
    int              warned_jump;
    int              checked_end; ///< the end was compared with the announced duration

    /* damage found in the input, reported once per kind */
    int64_t          nb_bad_packets;  ///< packets the decoder rejected
    int64_t          nb_corrupt_frames; ///< frames decoded with errors
    int64_t          nb_read_errors;
    int64_t          nb_corrupt_packets; ///< packets the demuxer flagged as damaged
    int              warned_bad_packet, warned_corrupt, warned_read, warned_corrupt_packet;
} Input;

typedef enum InputEvent {
    INPUT_FRAME,  ///< a decoded video frame
    INPUT_PACKET, ///< a packet of another stream, for copying
    INPUT_EOF,
} InputEvent;

/**
 * Opens url (format forces the demuxer; opts are its options, consumed
 * entries removed). live: 1 or 0 to force real-time reading on or off, -1
 * to decide (on for devices and network protocols), INPUT_LIVE_RETRY for a
 * live source opened again (a failure is then a warning: the caller tries
 * again). timeout_us: how long
 * a live source may stay silent before it counts as lost (0: 5 s).
 * Blocking reads stop on SIGINT/SIGTERM. Returns 0, or a negative AVERROR
 * with one error line logged.
 */
#define INPUT_LIVE_RETRY 2
int input_open(Input *in, const char *url, const char *format, AVDictionary **opts,
               int live, int64_t timeout_us);

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
