/*
 * smear - a user's own libavfilter chain run before or after the
 * augmentation.
 */
#include <string.h>

#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

#include "graph.h"

struct Graph {
    char            *desc;
    AVFilterGraph   *fg;
    AVFilterContext *src, *sink;
    int              w, h, format;
    int              eof_sent;
};

static int build(Graph *g, const AVFrame *f, AVRational tb, AVRational frame_rate)
{
    AVFilterInOut *in = NULL, *out = NULL;
    char args[512];
    int ret;

    avfilter_graph_free(&g->fg);
    if (!(g->fg = avfilter_graph_alloc()))
        return AVERROR(ENOMEM);
    snprintf(args, sizeof(args),
             "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d:frame_rate=%d/%d",
             f->width, f->height, f->format, tb.num, tb.den,
             f->sample_aspect_ratio.num, f->sample_aspect_ratio.den ? f->sample_aspect_ratio.den : 1,
             frame_rate.num, frame_rate.den ? frame_rate.den : 1);
    if ((ret = avfilter_graph_create_filter(&g->src, avfilter_get_by_name("buffer"), "in", args,
                                            NULL, g->fg)) < 0 ||
        (ret = avfilter_graph_create_filter(&g->sink, avfilter_get_by_name("buffersink"), "out",
                                            NULL, NULL, g->fg)) < 0)
        goto end;
    if (!(in = avfilter_inout_alloc()) || !(out = avfilter_inout_alloc())) {
        ret = AVERROR(ENOMEM);
        goto end;
    }
    out->name = av_strdup("in");
    out->filter_ctx = g->src;
    in->name = av_strdup("out");
    in->filter_ctx = g->sink;
    if ((ret = avfilter_graph_parse_ptr(g->fg, g->desc, &in, &out, NULL)) < 0 ||
        (ret = avfilter_graph_config(g->fg, NULL)) < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot set up the filter chain '%s' for %dx%d %s: %s\n",
               g->desc, f->width, f->height, av_get_pix_fmt_name(f->format), av_err2str(ret));
        goto end;
    }
    g->w = f->width;
    g->h = f->height;
    g->format = f->format;
end:
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    return ret;
}

Graph *graph_new(const char *desc)
{
    Graph *g = av_mallocz(sizeof(*g));
    AVFilterGraph *probe = avfilter_graph_alloc();
    AVFilterInOut *in = NULL, *out = NULL;
    if (!g || !probe || !(g->desc = av_strdup(desc))) {
        avfilter_graph_free(&probe);
        graph_free(&g);
        return NULL;
    }
    /* parse once now so a typo fails before any work is done */
    int ret = avfilter_graph_parse2(probe, desc, &in, &out);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    avfilter_graph_free(&probe);
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot parse the filter chain '%s': %s\n", desc, av_err2str(ret));
        graph_free(&g);
        return NULL;
    }
    return g;
}

void graph_free(Graph **pg)
{
    Graph *g = *pg;
    if (!g)
        return;
    avfilter_graph_free(&g->fg);
    av_free(g->desc);
    av_freep(pg);
}

int graph_send(Graph *g, const AVFrame *f, AVRational tb, AVRational frame_rate)
{
    int ret;
    if (!f) {
        if (!g->fg || g->eof_sent)
            return 0;
        g->eof_sent = 1;
        return av_buffersrc_add_frame(g->src, NULL);
    }
    if (!g->fg || f->width != g->w || f->height != g->h || f->format != g->format)
        if ((ret = build(g, f, tb, frame_rate)) < 0)
            return ret;
    return av_buffersrc_write_frame(g->src, f);
}

int graph_receive(Graph *g, AVFrame *f)
{
    if (!g->fg)
        return g->eof_sent ? AVERROR_EOF : AVERROR(EAGAIN);
    return av_buffersink_get_frame(g->sink, f);
}

AVRational graph_time_base(const Graph *g)
{
    return av_buffersink_get_time_base(g->sink);
}

AVRational graph_frame_rate(const Graph *g)
{
    return av_buffersink_get_frame_rate(g->sink);
}
