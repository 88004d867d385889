/*
 * smear - a thread that reads and decodes the input ahead of the
 * augmentation, so both run at once.
 *
 * From a file the reader waits when it is ahead (nothing is ever dropped).
 * From a live source it never waits: a frame that has waited longer than
 * max_delay when a newer one is there is dropped and counted, so the delay
 * stays bounded instead of a backlog building up (a burst of frames that
 * arrive together, as after opening a stream, is not a backlog: they are
 * all fresh). With reconnect, a live source that is lost is opened again
 * and timestamps carry on.
 */
#ifndef SMEAR_CLI_READER_H
#define SMEAR_CLI_READER_H

#include <pthread.h>
#include <stdint.h>

#include "input.h"

#define READER_MAX_FRAMES 32

typedef struct ReaderItem {
    AVFrame *frame;   ///< a decoded video frame, or
    AVPacket *pkt;    ///< a packet of another stream
    int64_t   t_in;   ///< when it was decoded (av_gettime_relative)
} ReaderItem;

typedef struct Reader {
    Input          *in;           ///< the input as opened: its streams describe the output
    Input          *cur;          ///< the input being read (in, or a reconnection)
    Input           again;        ///< a reconnection
    AVDictionary   *reopen_opts;  ///< for reconnecting
    const char     *format;
    int             reconnect;
    int             max_frames;   ///< decoded frames held at most
    int64_t         max_delay_us; ///< live: oldest a frame may get before it is dropped
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  cond;
    ReaderItem     *items;
    int             nb_items, cap_items, nb_frames;
    int             eof, stop, started;
    int             abandoned;    ///< the reader did not end when stopped: its input is still in use
    int             error;        ///< a fatal error of the input
    int64_t         dropped;      ///< frames dropped to keep up
    int64_t         reconnects;
    int64_t         shift_us;     ///< added to a reconnection's timestamps
    int             need_anchor;  ///< set shift_us on the next frame
    int64_t         last_end_us;  ///< end of the last frame, microseconds
} Reader;

/** Starts reading in (opened). max_frames: frames held before the reader
 *  waits (file) or drops the oldest (live); max_delay_us: see above.
 *  Returns 0 or a negative AVERROR. */
int reader_start(Reader *r, Input *in, int max_frames, int64_t max_delay_us, int reconnect,
                 const char *format, const AVDictionary *opts);

/** The next item: INPUT_FRAME (frame filled), INPUT_PACKET (pkt filled)
 *  or INPUT_EOF; *t_in is when it was decoded. Timestamps of a reconnected
 *  live source are shifted to carry on from before. */
int reader_next(Reader *r, AVFrame *frame, AVPacket *pkt, int64_t *t_in);

/** Frames dropped so far. */
int64_t reader_dropped(Reader *r);

/** Stops the thread and frees what is still queued. */
void reader_stop(Reader *r);

#endif /* SMEAR_CLI_READER_H */
