/*
 * smear - the public API: a context that takes frames in and gives
 * augmented frames out.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/avassert.h>
#include <libavutil/bprint.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libavutil/random_seed.h>

#include "config.h"
#include "smear/smear.h"

#include "augment.h"
#include "chain.h"
#include "cpu.h"
#include "presets.h"
#include "threadpool.h"

struct SmearContext {
    const AVClass   *class;
    SmearSettings    s;
    char            *source;
    SmearChain       chain;
    SmearThreadPool *pool;
    SmearAugment    *augment;

    AVFrame         *pending;   ///< sent, not yet received
    int              eof;
    int64_t          nb_frames; ///< frames processed so far
    int64_t          first_pts;
    AVRational       first_tb;
    double           last_t;
};

static const AVClass smear_class = {
    .class_name = "smear",
    .item_name = av_default_item_name,
    .version = LIBAVUTIL_VERSION_INT,
};

#define validate_input_or_ret(cond, ret)                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            av_log(NULL, AV_LOG_ERROR, "smear: %s: check failed: %s\n", __func__, #cond); \
            return ret;                                                           \
        }                                                                         \
    } while (0)

void smear_default_settings(SmearSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->time_base = (AVRational){ 1, 1000000 };
    s->frame_rate = (AVRational){ 25, 1 };
    s->cpu_mask = ~0u;
}

int smear_open(SmearContext **pctx, const SmearSettings *s)
{
    validate_input_or_ret(pctx, AVERROR(EINVAL));
    *pctx = NULL;
    validate_input_or_ret(s, AVERROR(EINVAL));
    validate_input_or_ret(s->threads >= 0, AVERROR(EINVAL));
    validate_input_or_ret(s->time_base.num > 0 && s->time_base.den > 0, AVERROR(EINVAL));
    validate_input_or_ret(s->frame_rate.num > 0 && s->frame_rate.den > 0, AVERROR(EINVAL));

    SmearContext *ctx = av_mallocz(sizeof(*ctx));
    int ret;
    if (!ctx)
        return AVERROR(ENOMEM);
    ctx->class = &smear_class;
    ctx->s = *s;
    ctx->first_pts = AV_NOPTS_VALUE;
    if (!ctx->s.seed_set) {
        /* 53 bits, so the seed survives a trip through JSON as a double */
        ctx->s.seed = (((uint64_t)av_get_random_seed() << 32) | av_get_random_seed()) &
                      ((1ull << 53) - 1);
        ctx->s.seed_set = 1;
    }
    if (s->source && !(ctx->source = av_strdup(s->source))) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    ctx->s.source = ctx->source;
    ctx->s.chain = NULL;
    if ((ret = smear_chain_parse(&ctx->chain, s->chain, ctx->s.seed, ctx)) < 0 ||
        (ret = smear_chain_check(&ctx->chain, av_q2d(s->frame_rate))) < 0)
        goto fail;
    if (!(ctx->pool = smear_threadpool_new(s->threads))) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    ctx->augment = smear_augment_new(&ctx->chain, smear_threadpool_exec(ctx->pool),
                                     smear_cpu_flags() & s->cpu_mask);
    if (!ctx->augment) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    *pctx = ctx;
    return 0;
fail:
    smear_close(&ctx);
    return ret;
}

int smear_send_frame(SmearContext *ctx, AVFrame *frame)
{
    validate_input_or_ret(ctx, AVERROR(EINVAL));
    if (ctx->eof)
        return AVERROR_EOF;
    if (!frame) {
        ctx->eof = 1;
        return 0;
    }
    validate_input_or_ret(frame->width > 0 && frame->height > 0 && frame->data[0],
                          AVERROR(EINVAL));
    /* every plane of its format (a missing one would be read as if there) */
    for (int p = 1; p < av_pix_fmt_count_planes(frame->format); p++)
        validate_input_or_ret(frame->data[p], AVERROR(EINVAL));
    if (ctx->pending)
        return AVERROR(EAGAIN);
    if (!(ctx->pending = av_frame_alloc()))
        return AVERROR(ENOMEM);
    av_frame_move_ref(ctx->pending, frame);
    return 0;
}

static AVRational frame_time_base(const SmearContext *ctx, const AVFrame *f)
{
    return f->time_base.num > 0 && f->time_base.den > 0 ? f->time_base : ctx->s.time_base;
}

/* t of the frame: from its pts when it has one, else one frame period on. */
static double frame_time(SmearContext *ctx, const AVFrame *f)
{
    const double period = av_q2d(av_inv_q(ctx->s.frame_rate));
    const AVRational tb = frame_time_base(ctx, f);
    double t;
    if (f->pts != AV_NOPTS_VALUE) {
        if (ctx->first_pts == AV_NOPTS_VALUE) {
            ctx->first_pts = f->pts;
            ctx->first_tb = tb;
        }
        t = (double)f->pts * av_q2d(tb) - (double)ctx->first_pts * av_q2d(ctx->first_tb);
    } else {
        t = ctx->nb_frames ? ctx->last_t + period : 0;
    }
    ctx->last_t = t;
    return t;
}

static void json_string(AVBPrint *bp, const char *s)
{
    av_bprint_chars(bp, '"', 1);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            av_bprintf(bp, "\\%c", c);
        else if (c < 0x20)
            av_bprintf(bp, "\\u%04x", c);
        else
            av_bprint_chars(bp, (char)c, 1);
    }
    av_bprint_chars(bp, '"', 1);
}

/* The frame's parameters as JSON: index, time, seed and the chain's values. */
static int params_json(SmearContext *ctx, double t, const AVFrame *in, char **json)
{
    AVBPrint bp;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    av_bprintf(&bp, "{");
    if (ctx->source) {
        av_bprintf(&bp, "\"source\":");
        json_string(&bp, ctx->source);
        av_bprintf(&bp, ",");
    }
    av_bprintf(&bp, "\"frame\":%" PRId64 ",\"t\":%.17g,", ctx->nb_frames, t);
    if (in && in->pts != AV_NOPTS_VALUE)
        av_bprintf(&bp, "\"pts\":%" PRId64 ",\"pts_time\":%.17g,", in->pts,
                   (double)in->pts * av_q2d(frame_time_base(ctx, in)));
    av_bprintf(&bp, "\"seed\":%" PRIu64 ",\"chain\":", ctx->s.seed);
    smear_chain_json(&ctx->chain, &bp);
    av_bprintf(&bp, "}");
    if (!av_bprint_is_complete(&bp)) {
        av_bprint_finalize(&bp, NULL);
        return AVERROR(ENOMEM);
    }
    return av_bprint_finalize(&bp, json);
}

/* Evaluates the chain for frame f (its time and size; its pixels are not
 * read) and returns the parameters as JSON. */
static int evaluate(SmearContext *ctx, const AVFrame *f, char **json)
{
    const double t = frame_time(ctx, f);
    const SmearScheduleVars vars = { t, (double)ctx->nb_frames, f->width, f->height,
                                     av_q2d(ctx->s.frame_rate) };
    int ret = smear_chain_eval(&ctx->chain, &vars, ctx);
    return ret < 0 ? ret : params_json(ctx, t, f, json);
}

static int process(SmearContext *ctx, AVFrame *in, AVFrame *out)
{
    char *json;
    int ret;

    if ((ret = evaluate(ctx, in, &json)) < 0)
        return ret;
    if ((ret = smear_augment_frame(ctx->augment, in, out, ctx)) < 0) {
        av_free(json);
        return ret;
    }
    /* takes json, freeing it on failure */
    if ((ret = av_dict_set(&out->metadata, SMEAR_META_PARAMS, json, AV_DICT_DONT_STRDUP_VAL)) < 0)
        return ret;
    ctx->nb_frames++;
    return 0;
}

int smear_evaluate(SmearContext *ctx, const AVFrame *frame, char **json)
{
    validate_input_or_ret(ctx && frame && json && frame->width > 0 && frame->height > 0,
                          AVERROR(EINVAL));
    validate_input_or_ret(!ctx->pending, AVERROR(EAGAIN));
    int ret = evaluate(ctx, frame, json);
    if (ret >= 0)
        ctx->nb_frames++;
    return ret;
}

const char *smear_preset(int i, const char **name, const char **description)
{
    for (int k = 0; smear_presets[k].name; k++)
        if (k == i) {
            if (name)
                *name = smear_presets[k].name;
            if (description)
                *description = smear_presets[k].description;
            return smear_presets[k].chain;
        }
    return NULL;
}

const char *smear_preset_chain(const char *name)
{
    const SmearPresetDef *p = name ? smear_preset_find(name) : NULL;
    return p ? p->chain : NULL;
}

int smear_receive_frame(SmearContext *ctx, AVFrame *frame)
{
    /* a frame that still holds one would leak it */
    validate_input_or_ret(ctx && frame && !frame->buf[0] && !frame->data[0], AVERROR(EINVAL));
    if (!ctx->pending)
        return ctx->eof ? AVERROR_EOF : AVERROR(EAGAIN);
    AVFrame *in = ctx->pending;
    ctx->pending = NULL;
    int ret = process(ctx, in, frame);
    if (ret < 0)
        av_frame_unref(frame);
    av_frame_free(&in);
    return ret;
}

uint64_t smear_get_seed(const SmearContext *ctx)
{
    return ctx ? ctx->s.seed : 0;
}

void smear_close(SmearContext **pctx)
{
    SmearContext *ctx = pctx ? *pctx : NULL;
    if (!ctx)
        return;
    smear_augment_free(&ctx->augment);
    smear_chain_uninit(&ctx->chain);
    smear_threadpool_free(&ctx->pool);
    av_frame_free(&ctx->pending);
    av_freep(&ctx->source);
    av_freep(pctx);
}

char *smear_help(const char *filter)
{
    AVBPrint bp;
    char *s = NULL;
    if (filter && !smear_chain_find(filter))
        return NULL;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    smear_chain_print_help(&bp, filter);
    av_bprint_finalize(&bp, &s);
    return s;
}

const char *smear_version(void)
{
    return SMEAR_VERSION;
}

unsigned smear_version_api(void)
{
    return SMEAR_API_VERSION_INT;
}
