/*
 * smear - augmentation of one frame.
 *
 * For every plane the chain's filters that change it run one after the
 * other, ping-ponging between two scratch planes, and the last writes into
 * the output frame. A filter whose parameters leave a plane unchanged (a
 * sigma of 0 on this frame, say) is skipped for that plane, and a kernel is
 * configured again only when its parameters or the geometry change.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include <libavutil/buffer.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "augment.h"

/* One pool per plane for frames of one geometry. */
typedef struct FramePool {
    AVBufferPool *pool[4];
    int           fmt, w, h;
    ptrdiff_t     linesize[4];
} FramePool;

static void frame_pool_uninit(FramePool *fp)
{
    for (int i = 0; i < 4; i++) /* a pool lives on until its last buffer is back */
        av_buffer_pool_uninit(&fp->pool[i]);
    fp->fmt = AV_PIX_FMT_NONE;
}

struct SmearAugment {
    SmearChain      *chain;
    const SmearExec *exec;
    unsigned         cpu;

    /* scratch frames in the processing format */
    AVFrame         *tmp[2];
    /* conversion for pixel formats the kernels do not take */
    struct SwsContext *sws_in, *sws_out;
    AVFrame         *conv_in, *conv_out;
    int              conv_w, conv_h, conv_from, conv_to;
    /* libswscale writes chroma pairs of an odd width one column short
     * (packed YUYV, semi-planar P010): such frames convert back one column
     * wider, from conv_out, the result with its last column repeated */
    int              conv_widen;
    /* the planes of the kernels' output frames, and of the frames
     * converted back: once the first frames are back, no frame allocates
     * (a 1080p frame's 3 MB would otherwise be allocated, faulted in and
     * freed each time) */
    FramePool        kernel_out, conv_back;
};

int smear_pixfmt_is_native(enum AVPixelFormat fmt)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    if (!d || (d->flags & (AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_PAL |
                           AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT |
                           AV_PIX_FMT_FLAG_BAYER)))
        return 0;
#if AV_HAVE_BIGENDIAN
    if (!(d->flags & AV_PIX_FMT_FLAG_BE) && d->comp[0].depth > 8)
        return 0;
#else
    if (d->flags & AV_PIX_FMT_FLAG_BE)
        return 0;
#endif
    if (d->nb_components != av_pix_fmt_count_planes(fmt))
        return 0;
    for (int c = 0; c < d->nb_components; c++) {
        const AVComponentDescriptor *cd = &d->comp[c];
        if (cd->depth < 8 || cd->depth > 16 || cd->shift || cd->offset ||
            cd->step != (cd->depth > 8 ? 2 : 1))
            return 0;
    }
    return 1;
}

/* The native format closest to fmt: same colour model, subsampling and
 * alpha, the smallest depth that holds fmt's samples. */
static enum AVPixelFormat native_for(enum AVPixelFormat fmt)
{
    const AVPixFmtDescriptor *src = av_pix_fmt_desc_get(fmt);
    enum AVPixelFormat best = AV_PIX_FMT_NONE;
    int best_depth = 99;
    if (!src)
        return AV_PIX_FMT_NONE;
    const int want_alpha = !!(src->flags & AV_PIX_FMT_FLAG_ALPHA);
    const int want_rgb = !!(src->flags & AV_PIX_FMT_FLAG_RGB);
    const int gray = src->nb_components <= 2 && !want_rgb;
    int depth = 0;
    for (int c = 0; c < src->nb_components; c++)
        depth = FFMAX(depth, src->comp[c].depth);
    for (const AVPixFmtDescriptor *d = av_pix_fmt_desc_next(NULL); d; d = av_pix_fmt_desc_next(d)) {
        enum AVPixelFormat f = av_pix_fmt_desc_get_id(d);
        if (!smear_pixfmt_is_native(f) || !!(d->flags & AV_PIX_FMT_FLAG_RGB) != want_rgb ||
            !!(d->flags & AV_PIX_FMT_FLAG_ALPHA) != want_alpha)
            continue;
        if (gray ? d->nb_components != 1 + want_alpha
                 : (d->nb_components < 3 || d->log2_chroma_w != src->log2_chroma_w ||
                    d->log2_chroma_h != src->log2_chroma_h))
            continue;
        if (!strncmp(d->name, "yuvj", 4)) /* deprecated full-range aliases */
            continue;
        const int dd = d->comp[0].depth;
        if (dd >= depth && dd < best_depth) {
            best = f;
            best_depth = dd;
        }
    }
    if (best == AV_PIX_FMT_NONE && gray && want_alpha)
        return native_for(AV_PIX_FMT_YUVA444P16LE); /* gray + alpha: no planar twin */
    return best;
}

SmearAugment *smear_augment_new(SmearChain *chain, const SmearExec *exec, unsigned cpu)
{
    SmearAugment *a = av_mallocz(sizeof(*a));
    if (!a)
        return NULL;
    a->chain = chain;
    a->exec = exec;
    a->cpu = cpu;
    a->conv_from = a->conv_to = AV_PIX_FMT_NONE;
    a->kernel_out.fmt = a->conv_back.fmt = AV_PIX_FMT_NONE;
    return a;
}

void smear_augment_free(SmearAugment **pa)
{
    SmearAugment *a = *pa;
    if (!a)
        return;
    av_frame_free(&a->tmp[0]);
    av_frame_free(&a->tmp[1]);
    av_frame_free(&a->conv_in);
    av_frame_free(&a->conv_out);
    frame_pool_uninit(&a->kernel_out);
    frame_pool_uninit(&a->conv_back);
    sws_freeContext(a->sws_in);
    sws_freeContext(a->sws_out);
    av_freep(pa);
}

/* ----------------------------------------------------------- plane geometry */

/* Where chroma samples sit, as a fraction of the gap between luma samples
 * they span. Unspecified is MPEG-2/H.264's left siting, or centred for
 * JPEG's full-range formats. */
static void chroma_siting(const AVFrame *f, double *fx, double *fy)
{
    enum AVChromaLocation loc = f->chroma_location;
    if (loc == AVCHROMA_LOC_UNSPECIFIED)
        loc = f->color_range == AVCOL_RANGE_JPEG ? AVCHROMA_LOC_CENTER : AVCHROMA_LOC_LEFT;
    *fx = (loc == AVCHROMA_LOC_CENTER || loc == AVCHROMA_LOC_TOP || loc == AVCHROMA_LOC_BOTTOM) ? 0.5 : 0;
    *fy = (loc == AVCHROMA_LOC_TOPLEFT || loc == AVCHROMA_LOC_TOP) ? 0
        : (loc == AVCHROMA_LOC_BOTTOMLEFT || loc == AVCHROMA_LOC_BOTTOM) ? 1 : 0.5;
}

/* Component stored in plane p, and whether the frame is RGB. */
static int plane_component(const AVPixFmtDescriptor *d, int p)
{
    for (int c = 0; c < d->nb_components; c++)
        if (d->comp[c].plane == p)
            return c;
    return 0;
}

/* The colour rgba as a sample of plane p of frame f. */
static int fill_sample(const uint8_t rgba[4], const AVFrame *f, const AVPixFmtDescriptor *d, int p)
{
    const int c = plane_component(d, p);
    const int depth = d->comp[c].depth;
    const double maxv = (1 << depth) - 1;
    const double r = rgba[0] / 255.0, g = rgba[1] / 255.0, b = rgba[2] / 255.0;
    double v;
    if (c == 3 || (d->nb_components == 2 && c == 1)) {
        v = rgba[3] / 255.0 * maxv;
    } else if (d->flags & AV_PIX_FMT_FLAG_RGB) {
        v = (c == 0 ? r : c == 1 ? g : b) * maxv;
    } else {
        double kr = 0.2126, kb = 0.0722; /* BT.709 */
        switch (f->colorspace) {
        case AVCOL_SPC_BT470BG:
        case AVCOL_SPC_SMPTE170M:
        case AVCOL_SPC_FCC:
            kr = 0.299, kb = 0.114;
            break;
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL:
            kr = 0.2627, kb = 0.0593;
            break;
        case AVCOL_SPC_UNSPECIFIED:
            if (f->height < 720)
                kr = 0.299, kb = 0.114;
            break;
        default:
            break;
        }
        const double y = kr * r + (1 - kr - kb) * g + kb * b;
        const double scale = (1 << (depth - 8));
        const int full = f->color_range == AVCOL_RANGE_JPEG;
        if (c == 0) {
            v = full ? y * maxv : (16 + 219 * y) * scale;
        } else {
            const double ch = c == 1 ? (b - y) / (2 * (1 - kb)) : (r - y) / (2 * (1 - kr));
            v = full ? (0.5 + ch) * maxv : (128 + 224 * ch) * scale;
        }
    }
    v = floor(v + 0.5);
    return (int)(v < 0 ? 0 : v > maxv ? maxv : v);
}

static void plane_geometry(const AVFrame *f, const AVPixFmtDescriptor *d, int p, ChainPlane *pl)
{
    const int c = plane_component(d, p);
    const int chroma = !(d->flags & AV_PIX_FMT_FLAG_RGB) && d->nb_components >= 3 &&
                       (c == 1 || c == 2);
    double fx, fy;
    memset(pl, 0, sizeof(*pl));
    pl->index = p;
    pl->frame_w = f->width;
    pl->frame_h = f->height;
    pl->depth = d->comp[c].depth;
    pl->w = chroma ? AV_CEIL_RSHIFT(f->width, d->log2_chroma_w) : f->width;
    pl->h = chroma ? AV_CEIL_RSHIFT(f->height, d->log2_chroma_h) : f->height;
    pl->scale_x = chroma ? (1 << d->log2_chroma_w) : 1;
    pl->scale_y = chroma ? (1 << d->log2_chroma_h) : 1;
    chroma_siting(f, &fx, &fy);
    pl->off_x = fx * (pl->scale_x - 1);
    pl->off_y = fy * (pl->scale_y - 1);
}

static SmearPlane frame_plane(const AVFrame *f, const ChainPlane *pl)
{
    SmearPlane sp = { f->data[pl->index], f->linesize[pl->index], pl->w, pl->h, pl->depth };
    return sp;
}

/* ------------------------------------------------------------- processing */

static int ensure_kernel(ChainFilter *f, int p, const SmearPlaneInfo *info, void *log_ctx)
{
    const SmearKernel *k = f->def->kernel;
    const size_t size = f->def->kparams_size;
    if (f->kready[p] && !memcmp(f->kparams[p], f->kparams_new[p], size) &&
        !memcmp(&f->kinfo[p], info, sizeof(*info)))
        return 0;
    if (!f->kpriv[p] && !(f->kpriv[p] = av_mallocz(k->priv_size)))
        return AVERROR(ENOMEM);
    if (!f->kparams[p] && !(f->kparams[p] = av_mallocz(size)))
        return AVERROR(ENOMEM);
    /* configured again in place: a kernel keeps its scratch buffers, so a
     * parameter that changes every frame costs no allocation */
    f->kready[p] = 0;
    int ret = k->configure(f->kpriv[p], f->kparams_new[p], info);
    if (ret < 0) {
        k->uninit(f->kpriv[p]);
        memset(f->kpriv[p], 0, k->priv_size);
        av_log(log_ctx, AV_LOG_ERROR, "%s: cannot set up the kernel for a %dx%d plane: %s\n",
               f->what, info->w, info->h, av_err2str(ret));
        return ret;
    }
    memcpy(f->kparams[p], f->kparams_new[p], size);
    f->kinfo[p] = *info;
    f->kready[p] = 1;
    return 0;
}

static int color_option(const ChainFilterDef *def)
{
    for (int k = 0; def->options[k].name; k++)
        if (def->options[k].type == OPT_COLOR)
            return k;
    return -1;
}

static int ensure_frame(AVFrame **pf, int fmt, int w, int h)
{
    AVFrame *f = *pf;
    if (f && f->format == fmt && f->width == w && f->height == h)
        return 0;
    av_frame_free(pf);
    if (!(f = *pf = av_frame_alloc()))
        return AVERROR(ENOMEM);
    f->format = fmt;
    f->width = w;
    f->height = h;
    return av_frame_get_buffer(f, 64);
}

#define OUT_ALIGN 64 /* bytes: the planes' addresses and line sizes */

/* out (blank) gets in's format, size and properties, and planes from the
 * pools fp (made again when the geometry changes): lines of OUT_ALIGN
 * bytes' multiples at addresses aligned alike, as av_frame_get_buffer()
 * would give. */
static int output_frame(FramePool *fp, const AVFrame *in, AVFrame *out)
{
    const int fmt = in->format, w = in->width, h = in->height;
    int ret;
    if (fmt != fp->fmt || w != fp->w || h != fp->h) {
        int ls[4];
        size_t sizes[4];
        frame_pool_uninit(fp);
        if ((ret = av_image_fill_linesizes(ls, fmt, w)) < 0)
            return ret;
        for (int i = 0; i < 4; i++)
            fp->linesize[i] = FFALIGN(ls[i], OUT_ALIGN);
        if ((ret = av_image_fill_plane_sizes(sizes, fmt, h, fp->linesize)) < 0)
            return ret;
        for (int i = 0; i < 4 && sizes[i]; i++) {
            /* room to align the start, and a line's worth past the end */
            const size_t bytes = sizes[i] + 2 * OUT_ALIGN + (size_t)fp->linesize[i];
            if (bytes > INT_MAX || !(fp->pool[i] = av_buffer_pool_init(bytes, NULL))) {
                frame_pool_uninit(fp);
                return AVERROR(ENOMEM);
            }
        }
        fp->fmt = fmt;
        fp->w = w;
        fp->h = h;
    }
    out->format = fmt;
    out->width = w;
    out->height = h;
    for (int i = 0; i < 4 && fp->pool[i]; i++) {
        if (!(out->buf[i] = av_buffer_pool_get(fp->pool[i]))) {
            av_frame_unref(out);
            return AVERROR(ENOMEM);
        }
        out->data[i] = (uint8_t *)FFALIGN((uintptr_t)out->buf[i]->data, OUT_ALIGN);
        out->linesize[i] = (int)fp->linesize[i];
    }
    out->extended_data = out->data;
    if ((ret = av_frame_copy_props(out, in)) < 0)
        av_frame_unref(out);
    return ret;
}

/* Runs the chain on a frame of a native format. */
static int augment_native(SmearAugment *a, const AVFrame *in, AVFrame *out,
                          void *log_ctx)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->format);
    const int nb_planes = av_pix_fmt_count_planes(in->format);
    SmearChain *chain = a->chain;
    ChainPlane planes[4];
    int ret;

    for (int p = 0; p < nb_planes; p++)
        plane_geometry(in, d, p, &planes[p]);

    /* which filters change which planes: a bit per filter */
    uint64_t active[4] = { 0 };
    int any = 0;
    for (int i = 0; i < chain->nb_filters; i++) {
        ChainFilter *f = &chain->filters[i];
        const int ci = color_option(f->def);
        for (int p = 0; p < nb_planes; p++) {
            ChainPlane pl = planes[p];
            pl.fill = ci >= 0 ? fill_sample(f->rgba[ci], in, d, p) : 0;
            if (!f->def->bind(f->v, f->state, &pl, f->kparams_new[p])) {
                active[p] |= 1ull << i;
                any = 1;
            }
        }
    }
    if (!any)
        return av_frame_ref(out, in);

    if ((ret = output_frame(&a->kernel_out, in, out)) < 0)
        return ret;

    for (int p = 0; p < nb_planes; p++) {
        const ChainPlane *pl = &planes[p];
        const int stages = __builtin_popcountll(active[p]);
        SmearPlane cur = frame_plane(in, pl);
        const SmearPlane dst_out = frame_plane(out, pl);
        if (!stages) {
            smear_plane_copy(&dst_out, &cur);
            continue;
        }
        if (stages > 1)
            for (int k = 0; k < 2; k++)
                if ((ret = ensure_frame(&a->tmp[k], in->format, in->width, in->height)) < 0)
                    return ret;
        const SmearPlaneInfo info = { pl->w, pl->h, pl->depth, a->exec->nb_threads, a->cpu };
        int stage = 0;
        for (int i = 0; i < chain->nb_filters; i++) {
            if (!(active[p] & (1ull << i)))
                continue;
            ChainFilter *f = &chain->filters[i];
            if ((ret = ensure_kernel(f, p, &info, log_ctx)) < 0)
                return ret;
            const SmearPlane dst = stage == stages - 1 ? dst_out : frame_plane(a->tmp[stage & 1], pl);
            f->def->kernel->process(f->kpriv[p], &dst, &cur, a->exec);
            cur = dst;
            stage++;
        }
    }
    return 0;
}

/* src's properties onto dst, a frame that is reused frame after frame:
 * what it had is dropped first (copying adds side data to what is there,
 * which would pile up). */
static int copy_props_fresh(AVFrame *dst, const AVFrame *src)
{
    while (dst->nb_side_data)
        av_frame_remove_side_data(dst, dst->side_data[0]->type);
    av_dict_free(&dst->metadata);
    return av_frame_copy_props(dst, src);
}

/* src (planar, of odd width w) into dst, one column wider: the last
 * column of the full-width planes repeated (the chroma planes, of width
 * ceil(w / 2) either way, copied). */
static void widen_copy(AVFrame *dst, const AVFrame *src)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(src->format);
    const int bps = d->comp[0].depth > 8 ? 2 : 1;
    for (int p = 0; p < av_pix_fmt_count_planes(src->format); p++) {
        const int chroma = p == 1 || p == 2;
        const int w = chroma ? AV_CEIL_RSHIFT(src->width, d->log2_chroma_w) : src->width;
        const int h = chroma ? AV_CEIL_RSHIFT(src->height, d->log2_chroma_h) : src->height;
        for (int y = 0; y < h; y++) {
            const uint8_t *s = src->data[p] + (ptrdiff_t)y * src->linesize[p];
            uint8_t *o = dst->data[p] + (ptrdiff_t)y * dst->linesize[p];
            memcpy(o, s, (size_t)w * bps);
            if (!chroma)
                memcpy(o + (size_t)w * bps, s + (size_t)(w - 1) * bps, (size_t)bps);
        }
    }
}

static int convert(struct SwsContext *sws, const AVFrame *src, AVFrame *dst)
{
    int ret = sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
                        dst->data, dst->linesize);
    return ret < 0 ? ret : 0;
}

/* Whether a frame of more than 8 bits has a plane at an odd address or
 * with an odd stride: the kernels read its samples as 16-bit words. */
static int misaligned_words(const AVFrame *f)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    if (!d || d->comp[0].depth <= 8)
        return 0;
    for (int p = 0; p < av_pix_fmt_count_planes(f->format); p++)
        if (((uintptr_t)f->data[p] | (uintptr_t)f->linesize[p]) & 1)
            return 1;
    return 0;
}

int smear_augment_frame(SmearAugment *a, const AVFrame *in, AVFrame *out,
                        void *log_ctx)
{
    int ret;
    if (smear_pixfmt_is_native(in->format) && misaligned_words(in)) {
        /* through an aligned copy (a new one: the output may be it) */
        AVFrame *copy = av_frame_alloc();
        if (!copy)
            return AVERROR(ENOMEM);
        copy->format = in->format;
        copy->width = in->width;
        copy->height = in->height;
        if ((ret = av_frame_get_buffer(copy, 64)) >= 0 && (ret = av_frame_copy(copy, in)) >= 0 &&
            (ret = av_frame_copy_props(copy, in)) >= 0)
            ret = augment_native(a, copy, out, log_ctx);
        av_frame_free(&copy);
        return ret;
    }
    if (smear_pixfmt_is_native(in->format))
        return augment_native(a, in, out, log_ctx);

    /* convert to the nearest planar format, augment, convert back */
    if (a->conv_from != in->format || a->conv_w != in->width || a->conv_h != in->height) {
        enum AVPixelFormat to = native_for(in->format);
        sws_freeContext(a->sws_in);
        sws_freeContext(a->sws_out);
        a->sws_in = a->sws_out = NULL;
        a->conv_from = AV_PIX_FMT_NONE;
        if (to == AV_PIX_FMT_NONE) {
            av_log(log_ctx, AV_LOG_ERROR, "pixel format %s is not supported\n",
                   av_get_pix_fmt_name(in->format));
            return AVERROR(ENOSYS);
        }
        const int flags = SWS_POINT | SWS_ACCURATE_RND | SWS_BITEXACT | SWS_FULL_CHR_H_INT |
                          SWS_FULL_CHR_H_INP;
        a->sws_in = sws_getContext(in->width, in->height, in->format, in->width, in->height,
                                   to, flags, NULL, NULL, NULL);
        const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(in->format);
        const int widen = (in->width & 1) && d && d->log2_chroma_w > 0;
        a->sws_out = sws_getContext(in->width + widen, in->height, to, in->width + widen,
                                    in->height, in->format, flags, NULL, NULL, NULL);
        if (!a->sws_in || !a->sws_out) {
            av_log(log_ctx, AV_LOG_ERROR, "cannot convert pixel format %s to %s\n",
                   av_get_pix_fmt_name(in->format), av_get_pix_fmt_name(to));
            return AVERROR(ENOSYS);
        }
        if ((ret = ensure_frame(&a->conv_in, to, in->width, in->height)) < 0 ||
            (widen && (ret = ensure_frame(&a->conv_out, to, in->width + 1, in->height)) < 0))
            return ret;
        a->conv_widen = widen;
        a->conv_from = in->format;
        a->conv_to = to;
        a->conv_w = in->width;
        a->conv_h = in->height;
    }
    if ((ret = convert(a->sws_in, in, a->conv_in)) < 0 ||
        (ret = copy_props_fresh(a->conv_in, in)) < 0)
        return ret;
    AVFrame *mid = av_frame_alloc();
    if (!mid)
        return AVERROR(ENOMEM);
    ret = augment_native(a, a->conv_in, mid, log_ctx);
    if (ret >= 0 && mid->data[0] == a->conv_in->data[0]) {
        /* no filter changed anything: the frame as it came, not converted
         * there and back (which is not exact for every format) */
        av_frame_free(&mid);
        return av_frame_ref(out, in);
    }
    if (ret >= 0) {
        if (a->conv_widen)
            widen_copy(a->conv_out, mid);
        if ((ret = output_frame(&a->conv_back, in, out)) >= 0)
            ret = convert(a->sws_out, a->conv_widen ? a->conv_out : mid, out);
    }
    av_frame_free(&mid);
    if (ret < 0)
        av_frame_unref(out);
    return ret;
}
