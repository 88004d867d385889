/*
 * smear - a user's own libavfilter chain run before or after the
 * augmentation (-vf_pre, -vf_post): scaling, cropping, anything FFmpeg has.
 */
#ifndef SMEAR_CLI_GRAPH_H
#define SMEAR_CLI_GRAPH_H

#include <libavutil/frame.h>
#include <libavutil/rational.h>

typedef struct Graph Graph;

/** Checks that desc parses as a filter chain; NULL and logs when not. */
Graph *graph_new(const char *desc);
void graph_free(Graph **pg);

/** Feeds a frame with timestamps in tb (NULL: end of stream). The graph is
 *  built on the first frame and again when the frame size or format changes. */
int graph_send(Graph *g, const AVFrame *frame, AVRational tb, AVRational frame_rate);
/** 0 with a frame, AVERROR(EAGAIN) or AVERROR_EOF. */
int graph_receive(Graph *g, AVFrame *frame);
/** Time base and frame rate of the frames out of the graph. */
AVRational graph_time_base(const Graph *g);
AVRational graph_frame_rate(const Graph *g);

#endif /* SMEAR_CLI_GRAPH_H */
