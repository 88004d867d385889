/*
 * smear - the public API: the send/receive pump, every pixel format,
 * chroma planes aligned with luma, thread-count invariance, seeds, and the
 * per-frame parameters that reproduce a frame when applied as constants;
 * odd widths of packed formats written whole, a chain that changes nothing
 * giving the frame back; frames refused (a plane missing, a receiving
 * frame not blank), and side data that does not pile up frame after frame.
 */
#include <malloc.h>
#include <math.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

#include "smear/smear.h"

#include "affine.h"
#include "gaussian.h"
#include "testutil.h"

/* A w x h frame of format fmt at time 0, its planes allocated. */
static AVFrame *new_frame(enum AVPixelFormat fmt, int w, int h)
{
    AVFrame *f = av_frame_alloc();
    REQUIRE(f, "out of memory");
    f->format = fmt;
    f->width = w;
    f->height = h;
    f->pts = 0;
    REQUIRE(av_frame_get_buffer(f, 0) == 0, "cannot allocate %s", av_get_pix_fmt_name(fmt));
    return f;
}

static AVFrame *make_frame(enum AVPixelFormat fmt, int w, int h, uint64_t seed)
{
    AVFrame *f = new_frame(fmt, w, h);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    const int depth = d->comp[0].depth;
    for (int p = 0; p < 4 && f->data[p]; p++) {
        int pw = av_image_get_linesize(fmt, w, p);
        int ph = (p == 1 || p == 2) && !(d->flags & AV_PIX_FMT_FLAG_RGB) ?
                 AV_CEIL_RSHIFT(h, d->log2_chroma_h) : h;
        for (int y = 0; y < ph; y++) {
            uint8_t *row = f->data[p] + y * f->linesize[p];
            for (int x = 0; x < pw; x++) {
                /* blocks of random levels: edges a blur must soften */
                uint64_t s = seed * 1000003u + (uint64_t)(p * 7919 + (y / 5) * 131 + (x / 6));
                row[x] = (uint8_t)(test_rand(&s) >> 56);
            }
            if (depth > 8 && depth < 16 && !(d->flags & AV_PIX_FMT_FLAG_BE) &&
                d->comp[0].shift == 0)
                for (int x = 0; x + 1 < pw; x += 2)
                    row[x + 1] &= (uint8_t)((1 << (depth - 8)) - 1);
        }
    }
    return f;
}

static int plane_bytes(const AVFrame *f, int p, int *rows)
{
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
    *rows = (p == 1 || p == 2) && !(d->flags & AV_PIX_FMT_FLAG_RGB) ?
            AV_CEIL_RSHIFT(f->height, d->log2_chroma_h) : f->height;
    return av_image_get_linesize(f->format, f->width, p);
}

static int planes_equal(const AVFrame *a, const AVFrame *b, int p)
{
    int rows, bytes = plane_bytes(a, p, &rows);
    for (int y = 0; y < rows; y++)
        if (memcmp(a->data[p] + y * a->linesize[p], b->data[p] + y * b->linesize[p], bytes))
            return 0;
    return 1;
}

static int frames_equal(const AVFrame *a, const AVFrame *b)
{
    if (a->format != b->format || a->width != b->width || a->height != b->height)
        return 0;
    for (int p = 0; p < 4 && a->data[p]; p++)
        if (!planes_equal(a, b, p))
            return 0;
    return 1;
}

static SmearContext *open_chain(const char *chain, int threads, uint64_t seed)
{
    SmearSettings s;
    SmearContext *ctx = NULL;
    smear_default_settings(&s);
    s.chain = chain;
    s.threads = threads;
    s.seed = seed;
    s.seed_set = 1;
    s.time_base = (AVRational){ 1, 25 };
    int ret = smear_open(&ctx, &s);
    REQUIRE(ret == 0 && ctx, "smear_open('%s') failed: %d", chain, ret);
    return ctx;
}

/* Runs one frame (a new reference to in) through ctx. */
static AVFrame *run_one(SmearContext *ctx, const AVFrame *in)
{
    AVFrame *send = av_frame_clone(in), *out = av_frame_alloc();
    REQUIRE(send && out, "out of memory");
    REQUIRE(smear_send_frame(ctx, send) == 0, "send failed");
    REQUIRE(!send->buf[0], "the library took the frame's reference");
    int ret = smear_receive_frame(ctx, out);
    REQUIRE(ret == 0, "receive failed: %d", ret);
    av_frame_free(&send);
    return out;
}

static void test_pump(void)
{
    SmearContext *ctx = open_chain("blur=sigma=1", 1, 1);
    AVFrame *in = make_frame(AV_PIX_FMT_YUV420P, 64, 48, 1);
    AVFrame *a = av_frame_clone(in), *b = av_frame_clone(in), *out = av_frame_alloc();
    REQUIRE(smear_receive_frame(ctx, out) == AVERROR(EAGAIN), "nothing sent: EAGAIN");
    REQUIRE(smear_send_frame(ctx, a) == 0, "first send");
    REQUIRE(smear_send_frame(ctx, b) == AVERROR(EAGAIN), "second send before receive: EAGAIN");
    REQUIRE(b->buf[0], "a refused frame stays with the caller");
    REQUIRE(smear_receive_frame(ctx, out) == 0, "receive");
    REQUIRE(out->width == 64 && out->height == 48 && out->format == AV_PIX_FMT_YUV420P, "same geometry");
    const AVDictionaryEntry *e = av_dict_get(out->metadata, SMEAR_META_PARAMS, NULL, 0);
    REQUIRE(e && strstr(e->value, "\"filter\":\"blur\"") && strstr(e->value, "\"frame\":0"),
            "parameters in the frame's metadata: %s", e ? e->value : "(none)");
    av_frame_unref(out);
    REQUIRE(smear_send_frame(ctx, b) == 0, "send after receive");
    REQUIRE(smear_send_frame(ctx, NULL) == 0, "end of stream");
    REQUIRE(smear_receive_frame(ctx, out) == 0, "the last frame comes out after the end is signalled");
    av_frame_unref(out);
    REQUIRE(smear_receive_frame(ctx, out) == AVERROR_EOF, "then EOF");
    REQUIRE(smear_send_frame(ctx, in) == AVERROR_EOF, "no sending after the end");
    av_frame_free(&a);
    av_frame_free(&b);
    av_frame_free(&out);
    av_frame_free(&in);
    smear_close(&ctx);
    REQUIRE(!ctx, "close sets the pointer to NULL");
    smear_close(&ctx);

    /* a bad chain: an error and no context */
    SmearSettings s;
    smear_default_settings(&s);
    s.chain = "blur=sigma=-3";
    ctx = (SmearContext *)&s;
    REQUIRE(smear_open(&ctx, &s) == AVERROR(EINVAL) && !ctx, "bad chain refused");

    /* no chain: frames pass unchanged */
    ctx = open_chain(NULL, 1, 1);
    in = make_frame(AV_PIX_FMT_YUV420P, 33, 17, 2);
    out = run_one(ctx, in);
    REQUIRE(frames_equal(in, out), "an empty chain passes frames through");
    av_frame_free(&out);
    av_frame_free(&in);
    smear_close(&ctx);
    printf("pump: send/receive/EAGAIN/EOF and ownership as documented\n");
}

static void test_formats(void)
{
    static const enum AVPixelFormat fmts[] = {
        AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUV422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV440P,
        AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_GRAY8, AV_PIX_FMT_GBRP, AV_PIX_FMT_YUVA420P,
        AV_PIX_FMT_YUV420P10LE, AV_PIX_FMT_YUV422P12LE, AV_PIX_FMT_YUV444P16LE,
        AV_PIX_FMT_GRAY16LE, AV_PIX_FMT_GBRP10LE,
        /* converted through libswscale and back */
        AV_PIX_FMT_RGB24, AV_PIX_FMT_BGRA, AV_PIX_FMT_NV12, AV_PIX_FMT_P010LE, AV_PIX_FMT_YUYV422,
        AV_PIX_FMT_YA8,
    };
    SmearContext *ctx = open_chain("blur=sigma=2.5", 2, 1);
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        AVFrame *in = make_frame(fmts[i], 97, 61, 3 + i);
        AVFrame *out = run_one(ctx, in);
        const char *name = av_get_pix_fmt_name(fmts[i]);
        REQUIRE(out->format == in->format && out->width == 97 && out->height == 61,
                "%s: same format and size out", name);
        for (int p = 0; p < 4 && in->data[p]; p++)
            REQUIRE(!planes_equal(in, out, p), "%s: plane %d was blurred", name, p);
        av_frame_free(&out);
        av_frame_free(&in);
    }
    smear_close(&ctx);
    printf("formats: every plane of %zu pixel formats augmented\n", sizeof(fmts) / sizeof(fmts[0]));
}

/* A plane of frame f as a kernel plane. */
static SmearPlane plane_of(const AVFrame *f, int p, int w, int h, int depth)
{
    SmearPlane sp = { f->data[p], f->linesize[p], w, h, depth };
    return sp;
}

static void test_chroma_alignment(void)
{
    const int W = 121, H = 77, CW = 61, CH = 39;
    AVFrame *in = make_frame(AV_PIX_FMT_YUV420P, W, H, 9);

    /* blur: chroma gets sigma divided by the subsampling */
    SmearContext *ctx = open_chain("blur=sigma=3:sigma_y=1.5", 1, 1);
    AVFrame *out = run_one(ctx, in);
    smear_close(&ctx);
    AVFrame *ref = av_frame_clone(out);
    REQUIRE(av_frame_make_writable(ref) == 0, "writable copy");
    SmearGaussianParams gp = { 1.5, 0.75, 0, { SMEAR_BORDER_REPLICATE, 0 } };
    uint8_t priv[4096];
    REQUIRE(smear_kernel_gaussian.priv_size <= sizeof(priv), "priv fits");
    memset(priv, 0, sizeof(priv));
    SmearPlaneInfo info = { CW, CH, 8, 1, 0 };
    REQUIRE(smear_kernel_gaussian.configure(priv, &gp, &info) == 0, "configure");
    SmearPlane src = plane_of(in, 1, CW, CH, 8), dst = plane_of(ref, 1, CW, CH, 8);
    smear_kernel_gaussian.process(priv, &dst, &src, NULL);
    smear_kernel_gaussian.uninit(priv);
    REQUIRE(planes_equal(out, ref, 1), "U plane blurred with sigma 1.5 x 0.75");
    av_frame_free(&out);
    av_frame_free(&ref);

    /* shear: chroma samples sit at luma (2x, 2y + 0.5) (MPEG-2 siting); the
     * chroma warp must be the luma shear seen from there */
    ctx = open_chain("shear=x=0.2", 1, 1);
    out = run_one(ctx, in);
    smear_close(&ctx);
    ref = av_frame_clone(out);
    REQUIRE(av_frame_make_writable(ref) == 0, "writable copy");
    const double cy = (H - 1) / 2.0, s = 0.2;
    /* output chroma (u, v) -> luma (2u, 2v + .5) -> input luma
     * (2u - s (2v + .5 - cy), 2v + .5) -> input chroma (u - s (v + (.5 - cy) / 2), v) */
    SmearAffineParams ap = { { 1, -s, -s * (0.5 - cy) / 2, 0, 1, 0 }, SMEAR_INTERP_BILINEAR,
                             { SMEAR_BORDER_REPLICATE, 0 } };
    memset(priv, 0, sizeof(priv));
    REQUIRE(smear_kernel_affine.priv_size <= sizeof(priv), "priv fits");
    REQUIRE(smear_kernel_affine.configure(priv, &ap, &info) == 0, "configure");
    src = plane_of(in, 2, CW, CH, 8);
    dst = plane_of(ref, 2, CW, CH, 8);
    smear_kernel_affine.process(priv, &dst, &src, NULL);
    smear_kernel_affine.uninit(priv);
    REQUIRE(planes_equal(out, ref, 2), "V plane sheared about the luma centre, siting included");
    av_frame_free(&out);
    av_frame_free(&ref);
    av_frame_free(&in);
    printf("chroma: blur and shear of 4:2:0 chroma match the luma geometry\n");
}

static void test_threads_and_seeds(void)
{
    const char *chain = "blur=sigma='uniform(1,4)@frame':angle=20:sigma_y=0.5,"
                        "shear=x='normal(0,0.1)':y=0.05,motion=length=7:angle=30,box=4,defocus=2.5";
    AVFrame *in = make_frame(AV_PIX_FMT_YUV420P, 203, 117, 11);
    AVFrame *ref[3] = { NULL };
    for (int k = 0; k < 3; k++) {
        SmearContext *ctx = open_chain(chain, (int[]){ 1, 2, 7 }[k], 42);
        ref[k] = run_one(ctx, in);
        smear_close(&ctx);
    }
    REQUIRE(frames_equal(ref[0], ref[1]) && frames_equal(ref[0], ref[2]),
            "1, 2 and 7 threads give identical frames");
    SmearContext *ctx = open_chain(chain, 2, 43);
    AVFrame *other = run_one(ctx, in);
    smear_close(&ctx);
    REQUIRE(!frames_equal(ref[0], other), "another seed gives another frame");
    for (int k = 0; k < 3; k++)
        av_frame_free(&ref[k]);
    av_frame_free(&other);
    av_frame_free(&in);
    printf("threads: identical output for 1, 2 and 7 threads; seeds change random chains\n");
}

/* "chain":[{"filter":"blur","sigma":2,...},...] -> "blur=sigma=2:...,..." */
static void json_to_chain(const char *json, char *out, size_t size)
{
    const char *p = strstr(json, "\"chain\":[");
    size_t n = 0;
    REQUIRE(p, "no chain in %s", json);
    p += 9;
    out[0] = '\0';
    while (*p == '{') {
        p++;
        int first = 1;
        while (*p && *p != '}') {
            char key[64], val[128];
            REQUIRE(sscanf(p, "\"%63[^\"]\":", key) == 1, "key at %s", p);
            p = strchr(p, ':') + 1;
            if (*p == '"') {
                REQUIRE(sscanf(p, "\"%127[^\"]\"", val) == 1, "string at %s", p);
                p = strchr(p + 1, '"') + 1;
            } else {
                size_t l = strcspn(p, ",}");
                snprintf(val, sizeof(val), "%.*s", (int)l, p);
                p += l;
            }
            if (*p == ',')
                p++;
            if (!strncmp(key, "kernel_", 7))
                continue; /* what a filter traced, not an option */
            if (!strcmp(key, "filter"))
                n += snprintf(out + n, size - n, "%s%s", out[0] ? "," : "", val);
            else
                n += snprintf(out + n, size - n, "%s%s=%s", first ? "=" : ":", key, val);
            if (strcmp(key, "filter"))
                first = 0;
        }
        p++;
        if (*p == ',')
            p++;
    }
}

static void test_logged_values_reproduce(void)
{
    const char *chain = "blur=sigma='1+drift(1.5,0.8,0.5,0,4)':sigma_y='uniform(0.5,3)@frame',"
                        "shear=x='0.1*sin(2*PI*t)':fill=0x336699:border=constant,"
                        "defocus=radius='keys(0:0.5,0.3:3)@smooth',"
                        "motion=length='normal(4,2)@frame':angle=30:shake='burst(3,2,0.2)':exposure=0.04";
    SmearContext *ctx = open_chain(chain, 2, 7);
    for (int n = 0; n < 12; n++) {
        AVFrame *in = make_frame(AV_PIX_FMT_YUV420P, 80, 56, 100 + n);
        in->pts = n;
        AVFrame *send = av_frame_clone(in), *out = av_frame_alloc();
        REQUIRE(smear_send_frame(ctx, send) == 0 && smear_receive_frame(ctx, out) == 0, "run");
        const AVDictionaryEntry *e = av_dict_get(out->metadata, SMEAR_META_PARAMS, NULL, 0);
        REQUIRE(e, "parameters present");
        char constant[4096];
        json_to_chain(e->value, constant, sizeof(constant));
        /* the same seed and the same clock: a shake path is a function of
         * both, and both are in the log */
        SmearContext *c2 = open_chain(constant, 1, 7);
        AVFrame *first = make_frame(AV_PIX_FMT_YUV420P, 80, 56, 1);
        first->pts = 0;
        AVFrame *skip = run_one(c2, first);
        AVFrame *again = run_one(c2, in);
        smear_close(&c2);
        av_frame_free(&first);
        av_frame_free(&skip);
        REQUIRE(frames_equal(out, again), "frame %d: the logged values as constants (%s) give "
                "the same frame", n, constant);
        if (n == 11)
            REQUIRE(strstr(e->value, "\"seed\":7"), "the seed is logged: %s", e->value);
        av_frame_free(&again);
        av_frame_free(&send);
        av_frame_free(&out);
        av_frame_free(&in);
    }
    smear_close(&ctx);
    printf("log: every frame's logged parameters, applied as constants, reproduce it exactly\n");
}

/* A frame of a packed or semi-planar format filled with one colour: the
 * bytes of a pixel pair (or of a chroma pair) repeated along each row. */
static AVFrame *flat_frame(enum AVPixelFormat fmt, int w, int h, const uint8_t *luma, int lsize,
                           const uint8_t *chroma, int csize)
{
    AVFrame *f = new_frame(fmt, w, h);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    for (int p = 0; p < 2 && f->data[p]; p++) {
        const uint8_t *unit = p ? chroma : luma;
        const int n = p ? csize : lsize, rows = p ? AV_CEIL_RSHIFT(h, d->log2_chroma_h) : h;
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < f->linesize[p]; x++)
                f->data[p][y * f->linesize[p] + x] = unit[x % n];
    }
    return f;
}

/* Formats whose chroma pairs libswscale writes one column short at odd
 * widths (their last pixel came out as whatever the buffer held): a flat
 * colour, blurred and sheared, stays that colour in every byte of every
 * row, at odd and even widths. */
static void test_odd_widths(void)
{
    static const struct {
        enum AVPixelFormat fmt;
        uint8_t luma[4], chroma[4];
        int lsize, csize;
    } flat[] = {
        { AV_PIX_FMT_YUYV422, { 100, 140, 100, 90 }, { 0 }, 4, 0 },
        { AV_PIX_FMT_UYVY422, { 140, 100, 90, 100 }, { 0 }, 4, 0 },
        { AV_PIX_FMT_YVYU422, { 100, 90, 100, 140 }, { 0 }, 4, 0 },
        { AV_PIX_FMT_NV12, { 100 }, { 140, 90 }, 1, 2 },
        { AV_PIX_FMT_P010LE, { 0x00, 0x64 }, { 0x00, 0x8c, 0x40, 0x5a }, 2, 4 },
        { AV_PIX_FMT_P016LE, { 0x34, 0x64 }, { 0x12, 0x8c, 0x56, 0x5a }, 2, 4 },
    };
    static const int sizes[][2] = { { 17, 3 }, { 1, 1 }, { 33, 9 }, { 32, 8 } };
    SmearContext *ctx = open_chain("blur=sigma=1.5,shear=x=0.1", 1, 1);
    for (size_t i = 0; i < sizeof(flat) / sizeof(flat[0]); i++)
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            const int w = sizes[k][0], h = sizes[k][1];
            AVFrame *in = flat_frame(flat[i].fmt, w, h, flat[i].luma, flat[i].lsize,
                                     flat[i].chroma, flat[i].csize);
            AVFrame *out = run_one(ctx, in);
            const char *name = av_get_pix_fmt_name(flat[i].fmt);
            for (int p = 0; p < 2 && in->data[p]; p++) {
                int rows, bytes = plane_bytes(in, p, &rows);
                const uint8_t *unit = p ? flat[i].chroma : flat[i].luma;
                const int n = p ? flat[i].csize : flat[i].lsize;
                for (int y = 0; y < rows; y++)
                    for (int x = 0; x < bytes; x++)
                        REQUIRE(out->data[p][y * out->linesize[p] + x] == unit[x % n],
                                "%s %dx%d: plane %d byte %d of row %d is %d, not %d (a flat colour "
                                "stays flat)", name, w, h, p, x, y,
                                out->data[p][y * out->linesize[p] + x], unit[x % n]);
            }
            av_frame_free(&in);
            av_frame_free(&out);
        }
    smear_close(&ctx);
    printf("odd widths: packed and semi-planar formats written to their last pixel\n");
}

/* A chain that changes nothing gives the frame back as it came, also in a
 * format that would be converted there and back (not exact for all). */
static void test_unchanged(void)
{
    static const enum AVPixelFormat fmts[] = { AV_PIX_FMT_RGBA, AV_PIX_FMT_BGRA, AV_PIX_FMT_RGB8,
                                               AV_PIX_FMT_YUYV422, AV_PIX_FMT_YUV420P };
    static const char *const chains[] = { "", "blur=sigma=0" };
    for (size_t c = 0; c < 2; c++) {
        SmearContext *ctx = open_chain(chains[c], 1, 1);
        for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
            AVFrame *in = make_frame(fmts[i], 33, 17, 7 + i);
            AVFrame *out = run_one(ctx, in);
            REQUIRE(frames_equal(in, out), "chain '%s' on %s: the frame changed", chains[c],
                    av_get_pix_fmt_name(fmts[i]));
            av_frame_free(&in);
            av_frame_free(&out);
        }
        smear_close(&ctx);
    }
    printf("unchanged: a chain that changes nothing gives every format back as it came\n");
}

/* Frames of more than 8 bits whose planes lie at odd addresses, or have
 * odd strides, come out as the same frames laid out as usual do (their
 * samples are not read as misaligned words). */
static void test_odd_addresses(void)
{
    static const enum AVPixelFormat fmts[] = { AV_PIX_FMT_GRAY16LE, AV_PIX_FMT_YUV422P10LE };
    SmearContext *ctx = open_chain("blur=sigma=3,shear=x=0.2", 1, 1);
    for (size_t i = 0; i < 2; i++) {
        AVFrame *in = make_frame(fmts[i], 29, 13, 11 + i), *odd = av_frame_alloc();
        REQUIRE(odd, "out of memory");
        odd->format = in->format;
        odd->width = in->width;
        odd->height = in->height;
        odd->pts = in->pts;
        for (int p = 0; p < 4 && in->data[p]; p++) {
            int rows, bytes = plane_bytes(in, p, &rows);
            const int stride = bytes + 3; /* odd */
            /* reference-counted, so that the library gets these very planes */
            REQUIRE(odd->buf[p] = av_buffer_alloc((size_t)stride * rows + 1), "out of memory");
            odd->data[p] = odd->buf[p]->data + 1; /* an odd address */
            odd->linesize[p] = stride;
            for (int y = 0; y < rows; y++)
                memcpy(odd->data[p] + y * stride, in->data[p] + y * in->linesize[p], bytes);
        }
        REQUIRE(((uintptr_t)odd->data[0] & 1) && (odd->linesize[0] & 1), "not odd");
        AVFrame *a = run_one(ctx, in), *b = run_one(ctx, odd);
        REQUIRE(frames_equal(a, b), "%s: a frame at odd addresses comes out otherwise",
                av_get_pix_fmt_name(fmts[i]));
        av_frame_free(&odd);
        av_frame_free(&in);
        av_frame_free(&a);
        av_frame_free(&b);
    }
    smear_close(&ctx);
    printf("odd addresses: 16-bit planes at odd addresses and strides give the usual output\n");
}

/* Frames the API must refuse rather than read or leak: a plane missing,
 * a receiving frame that still holds one. */
static void test_refused_frames(void)
{
    SmearContext *ctx = open_chain("blur=sigma=2", 1, 1);
    AVFrame *f = make_frame(AV_PIX_FMT_YUV420P, 32, 24, 3), *out = av_frame_alloc();
    REQUIRE(out, "out of memory");
    uint8_t *u = f->data[1];
    f->data[1] = NULL;
    REQUIRE(smear_send_frame(ctx, f) == AVERROR(EINVAL), "a frame without its U plane accepted");
    f->data[1] = u;
    REQUIRE(smear_send_frame(ctx, f) == 0 && smear_receive_frame(ctx, out) == 0, "a whole frame");
    AVFrame *g = make_frame(AV_PIX_FMT_YUV420P, 32, 24, 4);
    REQUIRE(smear_send_frame(ctx, g) == 0, "send");
    REQUIRE(smear_receive_frame(ctx, out) == AVERROR(EINVAL),
            "receiving into a frame that holds one (it would leak)");
    av_frame_unref(out);
    REQUIRE(smear_receive_frame(ctx, out) == 0, "receiving into a blank frame");
    av_frame_free(&f);
    av_frame_free(&g);
    av_frame_free(&out);
    smear_close(&ctx);
}

/* The bytes the allocator holds for the program. */
static size_t heap_bytes(void)
{
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/* Frames of a format the kernels convert (RGB24) carrying side data, many
 * in a row: the conversion's frame is reused, and must not gather each
 * frame's side data (it did: memory and time grew with every frame). */
static void test_side_data_does_not_pile_up(void)
{
    SmearContext *ctx = open_chain("blur=sigma=1.5", 1, 1);
    AVFrame *f = make_frame(AV_PIX_FMT_RGB24, 64, 48, 5), *out = av_frame_alloc();
    REQUIRE(out && av_frame_new_side_data(f, AV_FRAME_DATA_SEI_UNREGISTERED, 4096),
            "out of memory");
    size_t after_warm_up = 0;
    for (int i = 0; i < 600; i++) {
        if (i == 100)
            after_warm_up = heap_bytes();
        AVFrame *send = av_frame_clone(f);
        REQUIRE(send && smear_send_frame(ctx, send) == 0 && smear_receive_frame(ctx, out) == 0,
                "frame %d", i);
        REQUIRE(out->nb_side_data == 1, "frame %d comes out with %d side data", i,
                out->nb_side_data);
        av_frame_unref(out);
        av_frame_free(&send);
    }
    const size_t grown = heap_bytes() - after_warm_up;
    REQUIRE(heap_bytes() < after_warm_up + 256 * 1024, "the heap grew by %zu bytes over 500 "
            "frames with 4 KiB of side data each", grown);
    av_frame_free(&f);
    av_frame_free(&out);
    smear_close(&ctx);
}

/* One context through frames whose size and format change: each output is
 * what a context of its own gives for that frame, on planes at 64-byte
 * addresses with lines of a multiple of 64 bytes, and the outputs held all
 * along (the library's buffers are reused once given back) keep their
 * bytes through the later frames and changes. */
static void test_changing_geometry(void)
{
    static const struct {
        enum AVPixelFormat fmt;
        int w, h;
    } seq[] = {
        { AV_PIX_FMT_YUV420P, 64, 48 },     { AV_PIX_FMT_YUV420P, 64, 48 },
        { AV_PIX_FMT_YUV420P, 33, 17 },     { AV_PIX_FMT_YUV420P, 130, 66 },
        { AV_PIX_FMT_YUV420P10LE, 64, 48 }, { AV_PIX_FMT_RGB24, 40, 30 },
        { AV_PIX_FMT_RGB24, 40, 30 },       { AV_PIX_FMT_NV12, 36, 20 },
        { AV_PIX_FMT_YUV420P, 64, 48 },     { AV_PIX_FMT_YUV420P, 64, 48 },
    };
    enum { N = sizeof(seq) / sizeof(seq[0]) };
    SmearContext *ctx = open_chain("blur=sigma=1", 1, 1);
    AVFrame *in[N], *held[N];
    for (int i = 0; i < N; i++) {
        in[i] = make_frame(seq[i].fmt, seq[i].w, seq[i].h, 100 + i);
        in[i]->pts = i;
        held[i] = run_one(ctx, in[i]);
        for (int p = 0; p < 4 && held[i]->data[p]; p++)
            REQUIRE((uintptr_t)held[i]->data[p] % 64 == 0 && held[i]->linesize[p] % 64 == 0,
                    "frame %d, plane %d: address %p, line size %d", i, p, (void *)held[i]->data[p],
                    held[i]->linesize[p]);
    }
    /* a second round of the last size while the first outputs are held */
    for (int i = 0; i < 3; i++) {
        AVFrame *again = run_one(ctx, in[0]);
        REQUIRE(frames_equal(again, held[0]), "frame 0 sent again: the same output");
        av_frame_free(&again);
    }
    for (int i = 0; i < N; i++) {
        SmearContext *fresh = open_chain("blur=sigma=1", 1, 1);
        AVFrame *want = run_one(fresh, in[i]);
        REQUIRE(frames_equal(held[i], want), "frame %d (%s %dx%d): not what a new context gives", i,
                av_get_pix_fmt_name(seq[i].fmt), seq[i].w, seq[i].h);
        av_frame_free(&want);
        smear_close(&fresh);
    }
    smear_close(&ctx);
    for (int i = 0; i < N; i++) { /* the outputs outlive the context */
        REQUIRE(held[i]->buf[0] && held[i]->width == seq[i].w, "frame %d held", i);
        av_frame_free(&held[i]);
        av_frame_free(&in[i]);
    }
    printf("geometry: size and format changes in one context give each frame's own output\n");
}

int main(void)
{
    av_log_set_level(AV_LOG_ERROR);
    test_pump();
    test_formats();
    test_chroma_alignment();
    test_threads_and_seeds();
    test_logged_values_reproduce();
    test_odd_widths();
    test_unchanged();
    test_odd_addresses();
    test_refused_frames();
    test_side_data_does_not_pile_up();
    test_changing_geometry();
    return 0;
}
