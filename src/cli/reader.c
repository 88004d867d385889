/*
 * smear - a thread that reads and decodes the input ahead of the
 * augmentation.
 */
#include <string.h>
#include <time.h>

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libavutil/time.h>

#include "cli.h"
#include "compat.h"
#include "reader.h"

static void free_item(ReaderItem *it)
{
    av_frame_free(&it->frame);
    av_packet_free(&it->pkt);
}

/* Appends an item; with the lock held. For a frame when max_frames are
 * already held: a file waits, a live source drops the oldest frame. */
static int push(Reader *r, ReaderItem it)
{
    if (it.frame) {
        while (r->nb_frames >= r->max_frames && !r->stop) {
            if (!r->cur->live) {
                pthread_cond_wait(&r->cond, &r->lock);
                continue;
            }
            for (int i = 0; i < r->nb_items; i++) {
                if (!r->items[i].frame)
                    continue;
                free_item(&r->items[i]);
                memmove(&r->items[i], &r->items[i + 1], (r->nb_items - i - 1) * sizeof(*r->items));
                r->nb_items--;
                r->nb_frames--;
                r->dropped++;
                break;
            }
        }
    }
    if (r->stop) {
        free_item(&it);
        return AVERROR_EXIT;
    }
    if (r->nb_items == r->cap_items) {
        int cap = r->cap_items ? 2 * r->cap_items : 64;
        ReaderItem *items = av_realloc_array(r->items, cap, sizeof(*items));
        if (!items) {
            free_item(&it);
            return AVERROR(ENOMEM);
        }
        r->items = items;
        r->cap_items = cap;
    }
    r->items[r->nb_items++] = it;
    r->nb_frames += !!it.frame;
    pthread_cond_broadcast(&r->cond);
    return 0;
}

/* Opens the lost live source again, waiting longer between tries. The
 * first input stays open (not read): its streams describe the output; its
 * connection is let go, so that the address it listened on (a UDP port, a
 * TCP listener) is free for the new one. */
static int reopen(Reader *r)
{
    const char *url = r->in->url;
    int64_t wait = 500000;
    if (r->cur == &r->again) {
        input_close(&r->again);
        r->cur = r->in;
    }
    AVFormatContext *first = r->in->fmt;
    if (first && first->pb && !(first->iformat->flags & AVFMT_NOFILE) &&
        !(first->flags & AVFMT_FLAG_CUSTOM_IO))
        avio_closep(&first->pb);
    while (!cli_stop_signal && !r->stop) {
        /* opened in place: the input's I/O keeps a pointer to it */
        AVDictionary *opts = NULL;
        av_dict_copy(&opts, r->reopen_opts, 0);
        int ret = input_open(&r->again, url, r->format, &opts, INPUT_LIVE_RETRY, r->in->timeout_us);
        av_dict_free(&opts);
        if (ret >= 0) {
            r->cur = &r->again;
            r->reconnects++;
            r->need_anchor = 1;
            av_log(NULL, AV_LOG_INFO, "input '%s': reconnected\n", url);
            return 0;
        }
        input_close(&r->again);
        av_log(NULL, AV_LOG_WARNING, "input '%s': reconnecting in %.1f s\n", url, wait / 1e6);
        av_usleep((unsigned)wait);
        wait = FFMIN(wait * 2, 5000000);
    }
    return AVERROR_EXIT;
}

static const AVRational us_tb = { 1, 1000000 };

/* A frame's timestamp in the first input's time base, shifted so that a
 * reconnection carries on where the last frame ended. */
static void retime_frame(Reader *r, AVFrame *f)
{
    if (f->pts == AV_NOPTS_VALUE)
        return;
    const AVRational tb = r->cur->vst->time_base;
    int64_t t = av_rescale_q(f->pts, tb, us_tb);
    if (r->need_anchor) {
        r->shift_us = r->last_end_us - t;
        r->need_anchor = 0;
    }
    t += r->shift_us;
    int64_t d = compat_frame_duration(f);
    d = d > 0 ? av_rescale_q(d, tb, us_tb) : 0;
    r->last_end_us = t + (d > 0 ? d : 1);
    f->pts = av_rescale_q(t, us_tb, r->in->vst->time_base);
    if (d > 0)
        compat_set_frame_duration(f, av_rescale_q(d, us_tb, r->in->vst->time_base));
}

/* A packet of a reconnection in the first input's time base; 0 when that
 * stream has no counterpart. */
static int retime_packet(Reader *r, AVPacket *p)
{
    if (r->cur == r->in)
        return 1;
    if (p->stream_index >= (int)r->in->fmt->nb_streams ||
        p->stream_index >= (int)r->cur->fmt->nb_streams)
        return 0;
    const AVRational from = r->cur->fmt->streams[p->stream_index]->time_base;
    const AVRational to = r->in->fmt->streams[p->stream_index]->time_base;
    const int64_t shift = av_rescale_q(r->shift_us, us_tb, from);
    if (p->pts != AV_NOPTS_VALUE)
        p->pts += shift;
    if (p->dts != AV_NOPTS_VALUE)
        p->dts += shift;
    av_packet_rescale_ts(p, from, to);
    return 1;
}

static void *reader_main(void *opaque)
{
    Reader *r = opaque;
    int ret = 0;

    for (;;) {
        AVFrame *frame = av_frame_alloc();
        AVPacket *pkt = av_packet_alloc();
        if (!frame || !pkt) {
            av_frame_free(&frame);
            av_packet_free(&pkt);
            ret = AVERROR(ENOMEM);
            break;
        }
        int ev = input_next(r->cur, frame, pkt);
        if (ev == INPUT_EOF && r->reconnect && r->cur->live && r->cur->lost && !cli_stop_signal) {
            av_frame_free(&frame);
            av_packet_free(&pkt);
            if ((ret = reopen(r)) < 0)
                break;
            continue;
        }
        if (ev != INPUT_FRAME && ev != INPUT_PACKET) {
            av_frame_free(&frame);
            av_packet_free(&pkt);
            ret = ev == INPUT_EOF || ev == AVERROR_EXIT ? 0 : ev;
            break;
        }
        ReaderItem it = { NULL, NULL, av_gettime_relative() };
        if (ev == INPUT_FRAME) {
            if (r->reconnect)
                retime_frame(r, frame);
            it.frame = frame;
            av_packet_free(&pkt);
        } else {
            av_frame_free(&frame);
            if (!retime_packet(r, pkt)) {
                av_packet_free(&pkt);
                continue;
            }
            it.pkt = pkt;
        }
        pthread_mutex_lock(&r->lock);
        ret = push(r, it);
        pthread_mutex_unlock(&r->lock);
        if (ret < 0)
            break;
    }
    pthread_mutex_lock(&r->lock);
    r->eof = 1;
    if (ret < 0 && ret != AVERROR_EXIT)
        r->error = ret;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

int reader_start(Reader *r, Input *in, int max_frames, int64_t max_delay_us, int reconnect,
                 const char *format, const AVDictionary *opts)
{
    memset(r, 0, sizeof(*r));
    r->in = r->cur = in;
    r->max_frames = FFMAX(1, FFMIN(max_frames, READER_MAX_FRAMES));
    r->max_delay_us = max_delay_us;
    r->reconnect = reconnect;
    r->format = format;
    if (opts && av_dict_copy(&r->reopen_opts, opts, 0) < 0)
        return AVERROR(ENOMEM);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (pthread_create(&r->thread, NULL, reader_main, r)) {
        pthread_mutex_destroy(&r->lock);
        pthread_cond_destroy(&r->cond);
        av_dict_free(&r->reopen_opts);
        return AVERROR(ENOMEM);
    }
    r->started = 1;
    return 0;
}

/* How often a reader that must stop is interrupted again, in milliseconds. */
#define WAKE_EVERY_MS 50

/* Waits on r's condition for at most ms milliseconds; with the lock held. */
static void wait_ms(Reader *r, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)ms * 1000000;
    ts.tv_sec += ts.tv_nsec / 1000000000;
    ts.tv_nsec %= 1000000000;
    pthread_cond_timedwait(&r->cond, &r->lock, &ts);
}

int reader_next(Reader *r, AVFrame *frame, AVPacket *pkt, int64_t *t_in)
{
    pthread_mutex_lock(&r->lock);
    /* after a stop signal the reader reads no more: it gives out what its
     * decoder holds and ends. A read that does not return on its own (a
     * pipe whose writer stalled) is interrupted for it, and after
     * STOP_WAIT_MS the wait ends whatever the reader does */
    enum { STOP_WAIT_MS = 2000 };
    int waited = 0;
    while (!r->nb_items && !r->eof) {
        if (!cli_stop_signal) {
            wait_ms(r, 2 * WAKE_EVERY_MS);
            continue;
        }
        if (waited >= STOP_WAIT_MS) {
            pthread_mutex_unlock(&r->lock);
            return AVERROR_EXIT;
        }
        cli_wake(r->thread);
        wait_ms(r, WAKE_EVERY_MS);
        waited += WAKE_EVERY_MS;
    }
    if (!r->nb_items) {
        int err = r->error;
        pthread_mutex_unlock(&r->lock);
        return err < 0 ? err : INPUT_EOF;
    }
    ReaderItem it = r->items[0];
    memmove(&r->items[0], &r->items[1], (r->nb_items - 1) * sizeof(*r->items));
    r->nb_items--;
    r->nb_frames -= !!it.frame;
    /* live: skip frames that waited too long while newer ones are there */
    while (r->cur->live && it.frame && r->nb_frames > 0 &&
           av_gettime_relative() - it.t_in > r->max_delay_us) {
        free_item(&it);
        r->dropped++;
        int i = 0;
        while (!r->items[i].frame)
            i++;
        /* packets before that frame keep their order */
        if (i > 0) {
            it = r->items[0];
            memmove(&r->items[0], &r->items[1], (r->nb_items - 1) * sizeof(*r->items));
            r->nb_items--;
            break;
        }
        it = r->items[0];
        memmove(&r->items[0], &r->items[1], (r->nb_items - 1) * sizeof(*r->items));
        r->nb_items--;
        r->nb_frames--;
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    *t_in = it.t_in;
    if (it.frame) {
        av_frame_move_ref(frame, it.frame);
        av_frame_free(&it.frame);
        return INPUT_FRAME;
    }
    av_packet_move_ref(pkt, it.pkt);
    av_packet_free(&it.pkt);
    return INPUT_PACKET;
}

int64_t reader_dropped(Reader *r)
{
    pthread_mutex_lock(&r->lock);
    int64_t d = r->dropped;
    pthread_mutex_unlock(&r->lock);
    return d;
}

void reader_stop(Reader *r)
{
    if (!r->started)
        return;
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    atomic_store(&cli_stop_reading, 1);
    pthread_cond_broadcast(&r->cond);
    /* a read blocked on a silent pipe returns when a signal interrupts it
     * (its interrupt callback then sees cli_stop_reading): sent again
     * until the reader is out, in case one came just before the read */
    enum { LET_GO_MS = 3000 };
    for (int waited = 0; !r->eof && waited < LET_GO_MS; waited += WAKE_EVERY_MS) {
        cli_wake(r->thread);
        wait_ms(r, WAKE_EVERY_MS);
    }
    if (!r->eof) {
        /* a read that a signal does not end (a device that retries after
         * one): the reader is left to the end of the program, with what it
         * holds, so that the output can still be finished */
        pthread_mutex_unlock(&r->lock);
        av_log(NULL, AV_LOG_WARNING, "input '%s' does not let go; leaving it\n", r->in->url);
        pthread_detach(r->thread);
        r->abandoned = 1;
        r->started = 0;
        return;
    }
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    atomic_store(&cli_stop_reading, 0);
    for (int i = 0; i < r->nb_items; i++)
        free_item(&r->items[i]);
    av_freep(&r->items);
    r->nb_items = r->nb_frames = 0;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->cond);
    av_dict_free(&r->reopen_opts);
    if (r->cur == &r->again)
        input_close(&r->again);
    r->cur = r->in;
    r->started = 0;
}
