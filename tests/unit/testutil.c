/*
 * smear - helpers for the unit tests.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "cpu.h"
#include "reference.h"
#include "testutil.h"

void test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("SKIP: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    exit(77);
}

void test_image_alloc(TestImage *img, int w, int h, int depth, const char *name)
{
    const int bps = depth > 8 ? 2 : 1;
    memset(img, 0, sizeof(*img));
    img->p.w = w;
    img->p.h = h;
    img->p.depth = depth;
    /* an odd stride with guard bytes catches kernels that assume w == stride */
    img->p.stride = (ptrdiff_t)w * bps + 3 * bps;
    img->p.data = calloc((size_t)img->p.stride * h + 64, 1);
    REQUIRE(img->p.data, "out of memory");
    snprintf(img->name, sizeof(img->name), "%s", name ? name : "image");
}

void test_image_free(TestImage *img)
{
    free(img->p.data);
    img->p.data = NULL;
}

int test_image_get(const TestImage *img, int x, int y)
{
    return (int)ref_sample(&img->p, x, y);
}

void test_image_set(TestImage *img, int x, int y, int v)
{
    uint8_t *row = img->p.data + y * img->p.stride;
    if (img->p.depth > 8)
        ((uint16_t *)row)[x] = (uint16_t)v;
    else
        row[x] = (uint8_t)v;
}

uint64_t test_rand(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double test_rand_unit(uint64_t *s)
{
    return (double)(test_rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

void test_fill_noise(TestImage *img, uint64_t seed)
{
    const int maxv = (1 << img->p.depth) - 1;
    for (int y = 0; y < img->p.h; y++)
        for (int x = 0; x < img->p.w; x++)
            test_image_set(img, x, y, (int)(test_rand(&seed) % (uint64_t)(maxv + 1)));
}

void test_fill_edges(TestImage *img, uint64_t seed)
{
    const int maxv = (1 << img->p.depth) - 1;
    const int w = img->p.w, h = img->p.h;
    /* half-planes through random points at random angles, XOR-ed: hard edges
     * at every orientation, plus thin lines */
    double px[4], py[4], nx[4], ny[4];
    for (int k = 0; k < 4; k++) {
        double a = test_rand_unit(&seed) * 2 * M_PI;
        px[k] = test_rand_unit(&seed) * w;
        py[k] = test_rand_unit(&seed) * h;
        nx[k] = cos(a);
        ny[k] = sin(a);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int on = 0;
            for (int k = 0; k < 4; k++)
                on ^= (x - px[k]) * nx[k] + (y - py[k]) * ny[k] > 0;
            int v = on ? maxv : 0;
            if (x % 17 == 5 || y % 23 == 7)
                v = maxv / 2;
            test_image_set(img, x, y, v);
        }
}

void test_fill_ramp(TestImage *img)
{
    const int maxv = (1 << img->p.depth) - 1;
    const int w = img->p.w, h = img->p.h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double v = 0.5 + 0.35 * sin(x * 0.05) * cos(y * 0.031) + 0.1 * (x + y) / (w + h);
            if (x == w / 3 || y == h / 2)
                v = 1.0;
            test_image_set(img, x, y, (int)lrint(fmin(fmax(v, 0), 1) * maxv));
        }
}

const char *test_media_dir(void)
{
    const char *d = getenv("SMEAR_MEDIA_DIR");
    struct stat st;
    if (!d || !*d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return d;
}

int test_load_photo(TestImage *img, const char *file, int depth)
{
    const char *dir = test_media_dir();
    char path[4096];
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    struct SwsContext *sws = NULL;
    int ret = -1;

    if (!dir)
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return -1;
    if (avformat_find_stream_info(fmt, NULL) < 0)
        goto end;
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0)
        goto end;
    const AVCodec *codec = avcodec_find_decoder(fmt->streams[si]->codecpar->codec_id);
    if (!codec || !(dec = avcodec_alloc_context3(codec)))
        goto end;
    avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar);
    if (avcodec_open2(dec, codec, NULL) < 0)
        goto end;
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    int got = 0;
    while (!got && av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == si && avcodec_send_packet(dec, pkt) >= 0)
            got = avcodec_receive_frame(dec, frame) >= 0;
        av_packet_unref(pkt);
    }
    if (!got) {
        avcodec_send_packet(dec, NULL);
        got = avcodec_receive_frame(dec, frame) >= 0;
    }
    if (!got)
        goto end;
    enum AVPixelFormat dst_fmt = depth > 8 ? AV_PIX_FMT_GRAY16 : AV_PIX_FMT_GRAY8;
    sws = sws_getContext(frame->width, frame->height, frame->format, frame->width,
                         frame->height, dst_fmt, SWS_POINT, NULL, NULL, NULL);
    if (!sws)
        goto end;
    char name[96];
    snprintf(name, sizeof(name), "photo %s", file);
    test_image_alloc(img, frame->width, frame->height, depth, name);
    uint8_t *dst[4] = { img->p.data };
    int dst_stride[4] = { (int)img->p.stride };
    sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0,
              frame->height, dst, dst_stride);
    if (depth > 8 && depth < 16)
        for (int y = 0; y < img->p.h; y++)
            for (int x = 0; x < img->p.w; x++)
                test_image_set(img, x, y, test_image_get(img, x, y) >> (16 - depth));
    ret = 0;
end:
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return ret;
}

TestDiff test_compare(const TestImage *got, const double *ref)
{
    TestDiff d = { 0, 0, 0, 0, 0, INFINITY };
    const int maxv = (1 << got->p.depth) - 1;
    double sse = 0;
    for (int y = 0; y < got->p.h; y++)
        for (int x = 0; x < got->p.w; x++) {
            const double r = ref[(size_t)y * got->p.w + x];
            const int g = test_image_get(got, x, y), e = ref_levels_off(r, g, got->p.depth);
            sse += (double)e * e;
            if (e > d.max_abs) {
                d.max_abs = e;
                d.x = x;
                d.y = y;
                d.got = g;
                d.ref = r;
            }
        }
    if (sse > 0)
        d.psnr = 10 * log10((double)maxv * maxv * got->p.w * got->p.h / sse);
    return d;
}

int test_planes_equal(const TestImage *a, const TestImage *b)
{
    const size_t bytes = (size_t)a->p.w * (a->p.depth > 8 ? 2 : 1);
    if (a->p.w != b->p.w || a->p.h != b->p.h || a->p.depth != b->p.depth)
        return 0;
    for (int y = 0; y < a->p.h; y++)
        if (memcmp(a->p.data + y * a->p.stride, b->p.data + y * b->p.stride, bytes))
            return 0;
    return 1;
}

/* A plain executor: each call starts nb_threads threads that take jobs in
 * turn. Slow to start, but simple and independent of the library's pool. */
struct TestExec {
    SmearExec ex;
};

typedef struct ExecRun {
    SmearJobFn      fn;
    void           *arg;
    int             nb_jobs;
    int             next;
    pthread_mutex_t lock;
} ExecRun;

static void *exec_worker(void *p)
{
    ExecRun *r = p;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        int j = r->next++;
        pthread_mutex_unlock(&r->lock);
        if (j >= r->nb_jobs)
            return NULL;
        r->fn(r->arg, j, r->nb_jobs);
    }
}

static void exec_execute(void *opaque, SmearJobFn fn, void *arg, int nb_jobs)
{
    TestExec *te = opaque;
    ExecRun r = { fn, arg, nb_jobs, 0, PTHREAD_MUTEX_INITIALIZER };
    pthread_t th[64];
    int n = te->ex.nb_threads < 64 ? te->ex.nb_threads : 64;
    for (int i = 0; i < n; i++)
        REQUIRE(pthread_create(&th[i], NULL, exec_worker, &r) == 0, "pthread_create");
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
}

TestExec *test_exec_new(int nb_threads)
{
    TestExec *te = calloc(1, sizeof(*te));
    REQUIRE(te, "out of memory");
    te->ex.execute = exec_execute;
    te->ex.opaque = te;
    te->ex.nb_threads = nb_threads;
    return te;
}

const SmearExec *test_exec_get(TestExec *te)
{
    return &te->ex;
}

void test_exec_free(TestExec *te)
{
    free(te);
}

void test_run_kernel(const SmearKernel *k, const void *params, const TestImage *in,
                     TestImage *out, int threads, unsigned cpu)
{
    void *priv = calloc(1, k->priv_size);
    REQUIRE(priv, "out of memory");
    const SmearPlaneInfo info = { in->p.w, in->p.h, in->p.depth, threads, cpu };
    int ret = k->configure(priv, params, &info);
    REQUIRE(ret == 0, "%s: configure failed (%d) for a %dx%d plane", k->name, ret, in->p.w, in->p.h);
    TestExec *te = threads > 1 ? test_exec_new(threads) : NULL;
    k->process(priv, &out->p, &in->p, te ? test_exec_get(te) : NULL);
    if (te)
        test_exec_free(te);
    k->uninit(priv);
    free(priv);
}

static int next_sample(int i, int n, int step)
{
    if (i == n - 1)
        return n;
    return i + step < n ? i + step : n - 1;
}

int test_check_kernel(const char *what, const SmearKernel *k, const void *params,
                      const TestImage *in, TestRefFn ref, const void *ctx, int step, int tol,
                      double min_psnr)
{
    TestImage out;
    test_image_alloc(&out, in->p.w, in->p.h, in->p.depth, "out");
    test_run_kernel(k, params, in, &out, 1, smear_cpu_flags());
    const int maxv = (1 << in->p.depth) - 1;
    int worst = 0, wx = 0, wy = 0, got = 0;
    double sse = 0, n = 0, wref = 0;
    for (int y = 0; y < in->p.h; y = next_sample(y, in->p.h, step))
        for (int x = 0; x < in->p.w; x = next_sample(x, in->p.w, step)) {
            const double r = ref(in, x, y, ctx);
            const int g = test_image_get(&out, x, y), e = ref_levels_off(r, g, in->p.depth);
            sse += (double)e * e;
            n++;
            if (e > worst)
                worst = e, wx = x, wy = y, got = g, wref = r;
        }
    const double psnr = sse > 0 ? 10 * log10((double)maxv * maxv * n / sse) : INFINITY;
    REQUIRE(worst <= tol && psnr >= min_psnr,
            "%s: %s %dx%d depth %d: %d levels off at (%d,%d) (got %d, reference %.3f; allowed %d), "
            "PSNR %.1f dB (allowed %.0f)", what, in->name, in->p.w, in->p.h, in->p.depth, worst,
            wx, wy, got, wref, tol, psnr, min_psnr);
    test_image_free(&out);
    return worst;
}

static double taps_at(const TestImage *in, int x, int y, const void *ctx)
{
    return ref_taps_at(ctx, &in->p, x, y);
}

int test_check_conv(const char *what, const SmearKernel *k, const void *params,
                    const TestImage *in, int step, int tol)
{
    RefTaps taps;
    REQUIRE(ref_taps_kernel(&taps, k, params) == 0, "%s: no reference taps", what);
    const int e = test_check_kernel(what, k, params, in, taps_at, &taps, step, tol, 0);
    ref_taps_free(&taps);
    return e;
}

void test_check_invariance(const char *what, const SmearKernel *k, const void *params,
                           const TestImage *in)
{
    /* 1, 2 and 7 threads with the CPU's best build; the AVX-512 build
     * without its optional extensions (VBMI, VNNI), the AVX2 build (each
     * when it is not the best already) and the plain C build */
    TestImage o[6];
    static const int threads[6] = { 1, 2, 7, 1, 1, 1 };
    const unsigned best = smear_cpu_flags();
    const unsigned cpus[6] = { best, best, best, best & (SMEAR_CPU_AVX2 | SMEAR_CPU_AVX512),
                               best & SMEAR_CPU_AVX2, 0 };
    for (int i = 0; i < 6; i++) {
        test_image_alloc(&o[i], in->p.w, in->p.h, in->p.depth, "out");
        test_run_kernel(k, params, in, &o[i], threads[i], cpus[i]);
    }
    REQUIRE(test_planes_equal(&o[0], &o[1]) && test_planes_equal(&o[0], &o[2]),
            "%s: the output depends on the number of threads", what);
    REQUIRE(test_planes_equal(&o[0], &o[3]),
            "%s: the AVX-512 build without VBMI and VNNI differs from the best build", what);
    REQUIRE(test_planes_equal(&o[0], &o[4]), "%s: the AVX2 build differs from the best build", what);
    REQUIRE(test_planes_equal(&o[0], &o[5]), "%s: the plain C build differs from the vector build", what);
    for (int i = 0; i < 6; i++)
        test_image_free(&o[i]);
}
