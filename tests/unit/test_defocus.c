/*
 * smear - the defocus kernel against its float64 reference (reference.h):
 * each input sample weighted by the area of the ellipse over its unit
 * square, found by fine numerical integration (the kernel uses a closed
 * form), or by the mean of the soft profile over it.
 */
#include <math.h>

#include "border.h"
#include "cpu.h"
#include "defocus.h"
#include "reference.h"
#include "testutil.h"

static int check(const char *what, const SmearDefocusParams *d, const TestImage *in, int step, int tol)
{
    return test_check_conv(what, &smear_kernel_defocus, d, in, step, tol);
}

/* Which way the kernel filters a plane of that size: 1 through the Fourier
 * transform, 0 by its runs and taps. */
static int fourier(const SmearDefocusParams *d, const TestImage *in)
{
    void *priv = calloc(1, smear_kernel_defocus.priv_size);
    const SmearPlaneInfo info = { in->p.w, in->p.h, in->p.depth, 1, 0 };
    REQUIRE(priv && smear_kernel_defocus.configure(priv, d, &info) == 0, "configure");
    const int f = smear_defocus_is_fourier(priv);
    smear_kernel_defocus.uninit(priv);
    free(priv);
    return f;
}

/* Checks that the kernel takes the way it is meant to (the cases below
 * cover both). */
static void route(const char *what, const SmearDefocusParams *d, const TestImage *in, int want)
{
    REQUIRE(fourier(d, in) == want, "%s: radius %g x %g soft %g on %dx%d goes %s", what, d->radius_x,
            d->radius_y, d->soft, in->p.w, in->p.h, want ? "by runs and taps, not through the "
            "Fourier transform" : "through the Fourier transform, not by runs and taps");
}

/* One kernel set up for a giant disk, then for small ones (by runs and
 * taps, then through small tiles), as a schedule would: the giant disk's
 * scratch goes back, and each small disk's output is a fresh kernel's. */
static void giant_then_small(const TestImage *in)
{
    void *priv = calloc(1, smear_kernel_defocus.priv_size);
    const SmearPlaneInfo info = { in->p.w, in->p.h, in->p.depth, 2, 0 };
    TestImage out, fresh;
    test_image_alloc(&out, in->p.w, in->p.h, in->p.depth, "out");
    test_image_alloc(&fresh, in->p.w, in->p.h, in->p.depth, "fresh");
    const SmearDefocusParams giant = { 300, 280, 0.5, { SMEAR_BORDER_REPLICATE, 0 } };
    REQUIRE(priv && smear_kernel_defocus.configure(priv, &giant, &info) == 0, "configure");
    smear_kernel_defocus.process(priv, &out.p, &in->p, NULL);
    const size_t big = smear_defocus_scratch_bytes(priv);
    REQUIRE(big >= (size_t)32 << 20, "a disk of radius 300 holds %zu bytes of scratch: expected "
            "its tile of 2048 to take 32 MiB or more", big);
    const SmearDefocusParams small[] = { { 5, 5, 0, { SMEAR_BORDER_REFLECT, 0 } },
                                         { 20, 20, 0.5, { SMEAR_BORDER_REFLECT, 0 } } };
    for (int i = 0; i < 2; i++) {
        REQUIRE(smear_kernel_defocus.configure(priv, &small[i], &info) == 0, "configure");
        REQUIRE(smear_defocus_is_fourier(priv) == i, "radius %g: not the way expected",
                small[i].radius_x);
        smear_kernel_defocus.process(priv, &out.p, &in->p, NULL);
        const size_t held = smear_defocus_scratch_bytes(priv);
        REQUIRE(held < (size_t)16 << 20, "radius %g after radius 300: %zu bytes of scratch "
                "still held (%zu for the giant disk)", small[i].radius_x, held, big);
        test_run_kernel(&smear_kernel_defocus, &small[i], in, &fresh, 1, 0);
        REQUIRE(test_planes_equal(&out, &fresh), "radius %g after radius 300: not a fresh "
                "kernel's output", small[i].radius_x);
    }
    smear_kernel_defocus.uninit(priv);
    free(priv);
    test_image_free(&out);
    test_image_free(&fresh);
}

/* Steps the radius from r0 to r1 by hundredths on a w x h plane: no
 * sample may move by more than a level a step; switches: whether the
 * kernel must change ways (runs and taps, Fourier) on the way. */
static void drift(int w, int h, double r0, double r1, double soft, int switches)
{
    TestImage img, prev, cur;
    test_image_alloc(&img, w, h, 8, "edges");
    test_fill_edges(&img, 21);
    test_image_alloc(&prev, w, h, 8, "prev");
    test_image_alloc(&cur, w, h, 8, "cur");
    int ways = 0, last = -1;
    const int n = (int)lrint((r1 - r0) * 100);
    for (int k = 0; k <= n; k++) {
        const double r = r0 + 0.01 * k;
        SmearDefocusParams d = { r, r, soft, { SMEAR_BORDER_REPLICATE, 0 } };
        test_run_kernel(&smear_kernel_defocus, &d, &img, &cur, 1, smear_cpu_flags());
        const int f = fourier(&d, &img);
        ways += k && f != last;
        last = f;
        if (k) {
            int jump = 0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    jump = fmax(jump, abs(test_image_get(&cur, x, y) - test_image_get(&prev, x, y)));
            REQUIRE(jump <= 1, "%dx%d, soft %g, radius %.2f -> %.2f: a sample jumped by %d levels",
                    w, h, soft, r - 0.01, r, jump);
        }
        TestImage t = prev;
        prev = cur;
        cur = t;
    }
    REQUIRE(!ways == !switches, "%dx%d, soft %g, radius %g to %g: %d changes of way, expected %s",
            w, h, soft, r0, r1, ways, switches ? "some" : "none");
    test_image_free(&prev);
    test_image_free(&cur);
    test_image_free(&img);
}

int main(void)
{
    static const double radii[] = { 0.1, 0.5, 1, 2.3, 5, 12.7, 20 };
    static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 64, 48 } };
    TestImage img;
    int worst = 0;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        test_image_alloc(&img, sizes[s][0], sizes[s][1], 8, s % 2 ? "noise" : "edges");
        if (s % 2)
            test_fill_noise(&img, s);
        else
            test_fill_edges(&img, s);
        for (size_t i = 0; i < sizeof(radii) / sizeof(radii[0]); i++)
            for (int b = 0; b < 4; b++) {
                SmearDefocusParams d = { radii[i], radii[i], 0, { (SmearBorderMode)b, 33 } };
                const int e = check("disk", &d, &img, radii[i] > 10 ? 3 : 1, 1);
                worst = e > worst ? e : worst;
            }
        /* elliptical (4:2:2 chroma) and soft-edged */
        SmearDefocusParams el = { 3, 6, 0, { SMEAR_BORDER_REFLECT, 0 } };
        SmearDefocusParams so = { 4.5, 4.5, 0.4, { SMEAR_BORDER_WRAP, 0 } };
        worst = fmax(worst, check("ellipse", &el, &img, 1, 1));
        worst = fmax(worst, check("soft", &so, &img, 1, 1));
        test_image_free(&img);
    }
    for (int depth = 10; depth <= 16; depth += 2) {
        test_image_alloc(&img, 60, 40, depth, "edges");
        test_fill_edges(&img, depth);
        SmearDefocusParams d = { 3.7, 3.7, 0, { SMEAR_BORDER_CONSTANT, 500 } };
        check("deep disk", &d, &img, 1, 1 << (depth - 8));
        /* the float pass with runs and taps on every column up to 20 */
        SmearDefocusParams d20 = { 20, 20, 0, { SMEAR_BORDER_REPLICATE, 0 } };
        check("deep disk radius 20", &d20, &img, 1, 1 << (depth - 8));
        test_image_free(&img);
    }
    /* 10 and 12 bits in the integer pass too, where a run sums to below
     * 2^15: paired and single columns, near and far (every border) */
    static const struct { int depth; double rx, ry; } deep_words[] = {
        { 10, 9.5, 9.5 }, { 10, 14.4, 14.4 }, { 10, 20, 3 }, { 10, 40, 6 }, { 12, 2.4, 2.4 },
        { 12, 1, 1 },
    };
    for (size_t i = 0; i < sizeof(deep_words) / sizeof(deep_words[0]); i++) {
        const int depth = deep_words[i].depth;
        test_image_alloc(&img, 203, 61, depth, "deep noise");
        test_fill_noise(&img, (int)i);
        SmearDefocusParams d = { deep_words[i].rx, deep_words[i].ry, 0,
                                 { (SmearBorderMode)(i % 4), 700 } };
        check("deep disk, integer pass", &d, &img, 3, 1 << (depth - 8));
        test_check_invariance("deep defocus, integer pass", &smear_kernel_defocus, &d, &img);
        test_image_free(&img);
    }
    /* near white, where a run's sum comes closest to 2^15: the tallest runs
     * of 10 and 12 bits that the integer pass takes, single (31 and 7 rows)
     * and paired (15 and 3), and each two rows taller (which must take the
     * next way: single, or the float pass) */
    static const struct { int depth; double r; } bright[] = {
        { 10, 16.45 }, { 10, 16.6 }, { 10, 8.45 }, { 10, 8.6 },
        { 12, 4.45 },  { 12, 4.6 },  { 12, 2.45 }, { 12, 2.6 },
    };
    for (size_t i = 0; i < sizeof(bright) / sizeof(bright[0]); i++) {
        const int depth = bright[i].depth, maxv = (1 << depth) - 1;
        test_image_alloc(&img, 150, 41, depth, "bright noise");
        test_fill_noise(&img, 40 + i);
        for (int y = 0; y < 41; y++)
            for (int x = 0; x < 150; x++)
                test_image_set(&img, x, y, maxv - test_image_get(&img, x, y) / 64);
        SmearDefocusParams d = { bright[i].r, bright[i].r, 0, { SMEAR_BORDER_REPLICATE, 0 } };
        check("bright deep disk, integer pass", &d, &img, 1, 1 << (depth - 8));
        test_image_free(&img);
    }
    /* faint kernels: a disk inside its centre sample is the sample itself;
     * a needle-thin ellipse has weights too small for the integer pass's */
    static const double faint[][3] = { { 1.9e-5, 1.9e-5, 0 }, { 0.5, 0.5, 0 }, { 0.51, 0.3, 0 },
                                       { 1e-5, 5, 0 },        { 1e-14, 5, 0 }, { 7, 1e-9, 0 },
                                       { 1.5e-10, 4.45, 2e-7 }, { 3, 1e-6, 0.5 },
                                       { 1e-20, 5, 0 }, { 1e-40, 5, 0 }, { 5, 1e-40, 0 },
                                       { 1e-40, 3, 0.5 } };
    for (int depth = 8; depth <= 10; depth += 2) {
        test_image_alloc(&img, 90, 30, depth, "faint");
        test_fill_noise(&img, depth);
        for (size_t i = 0; i < sizeof(faint) / sizeof(faint[0]); i++) {
            SmearDefocusParams d = { faint[i][0], faint[i][1], faint[i][2], { SMEAR_BORDER_REFLECT, 0 } };
            const int e = check("faint disk", &d, &img, 1, 1 << (depth - 8));
            worst = depth == 8 && e > worst ? e : worst;
        }
        test_image_free(&img);
    }
    /* soft edges from a twentieth of the radius to all of it, small disks to
     * large, round and elliptical: samples on the edge, wholly on the ramp
     * (weighed at a few points) or across its ends (integrated) */
    test_image_alloc(&img, 150, 110, 8, "edges");
    test_fill_edges(&img, 21);
    static const double softs[][3] = { { 1.5, 1.5, 1 },  { 4, 4, 0.05 },   { 4, 4, 1 },
                                       { 9.3, 9.3, 0.3 }, { 9.3, 6.1, 0.7 }, { 25, 25, 1 },
                                       { 25, 25, 0.12 }, { 47, 47, 0.5 },  { 40, 12, 1 } };
    for (size_t i = 0; i < sizeof(softs) / sizeof(softs[0]); i++) {
        SmearDefocusParams d = { softs[i][0], softs[i][1], softs[i][2],
                                 { (SmearBorderMode)(i % 4), 40 } };
        worst = fmax(worst, check("soft disk", &d, &img, softs[i][0] > 20 ? 5 : 1, 1));
    }
    test_image_free(&img);
    /* soft ellipses thinner than a sample, either way, with edges thinner
     * still: sampled across, the profile's edge falls between the points
     * and the weights step (the fuzzer found 1.5 and 2 levels off) */
    static const double needle[][3] = { { 2.7e-7, 4.59, 0.007 }, { 1.78, 1e-5, 0.0225 },
                                        { 1.8, 2.8e-13, 0.0223 }, { 0.2, 6.3, 0.05 },
                                        { 9.5, 0.3, 0.01 } };
    for (int depth = 8; depth <= 10; depth += 2) {
        test_image_alloc(&img, 97, 50, depth, "edges");
        test_fill_edges(&img, depth + 3);
        for (size_t i = 0; i < sizeof(needle) / sizeof(needle[0]); i++)
            for (int b = 0; b < 4; b++) {
                SmearDefocusParams d = { needle[i][0], needle[i][1], needle[i][2],
                                         { (SmearBorderMode)b, 3 << (depth - 8) } };
                const int e = check("needle-thin soft ellipse", &d, &img, 1, 1 << (depth - 8));
                worst = depth == 8 && e > worst ? e : worst;
            }
        test_image_free(&img);
    }
    /* 8 bits: disks and ellipses whose runs are too tall to pair (one term
     * per column), reaching further than 31 columns (lines from further
     * out), further than 63 columns (loads), or taller than the integer pass
     * reaches (the float pass) */
    test_image_alloc(&img, 300, 170, 8, "noise");
    test_fill_noise(&img, 5);
    static const double tall[][2] = { { 12, 36 }, { 40, 40 }, { 45, 12 }, { 62, 62 },
                                      { 20, 62.4 }, { 70, 20 }, { 12, 70 } };
    for (size_t i = 0; i < sizeof(tall) / sizeof(tall[0]); i++) {
        SmearDefocusParams d = { tall[i][0], tall[i][1], 0, { (SmearBorderMode)(i % 4), 90 } };
        worst = fmax(worst, check("tall or wide ellipse", &d, &img, 7, 1));
    }
    test_image_free(&img);
    /* 16 bits and a radius whose column sums are added in several chunks
     * (each chunk's integer sum must stay below 2^31) */
    test_image_alloc(&img, 45, 31, 16, "bright edges");
    test_fill_edges(&img, 16);
    for (int y = 0; y < 31; y++) /* near the top of the range, where sums overflow first */
        for (int x = 0; x < 45; x++)
            test_image_set(&img, x, y, 65535 - test_image_get(&img, x, y) / 16);
    SmearDefocusParams deep_big = { 120, 120, 0, { SMEAR_BORDER_REFLECT, 0 } };
    check("deep huge disk", &deep_big, &img, 1, 1 << 8);
    test_image_free(&img);
    /* a radius far larger than the plane, and a large odd plane sampled */
    test_image_alloc(&img, 7, 3, 8, "noise");
    test_fill_noise(&img, 3);
    SmearDefocusParams huge = { 50, 50, 0, { SMEAR_BORDER_REFLECT, 0 } };
    worst = fmax(worst, check("huge disk", &huge, &img, 1, 1));
    test_image_free(&img);
    test_image_alloc(&img, 1921, 1081, 8, "edges");
    test_fill_edges(&img, 12);
    SmearDefocusParams big = { 9.5, 9.5, 0, { SMEAR_BORDER_REPLICATE, 0 } };
    worst = fmax(worst, check("big disk", &big, &img, 61, 1));
    test_image_free(&img);
    /* a wide plane and a tall disk: the integer pass in strips of columns
     * (whole rows would not stay in cache), hard and soft edged; on a
     * plane this low, a tile of the Fourier transform would be mostly
     * margin */
    test_image_alloc(&img, 1921, 41, 8, "edges");
    test_fill_edges(&img, 13);
    SmearDefocusParams strips = { 45, 45, 0, { SMEAR_BORDER_REFLECT, 0 } };
    SmearDefocusParams soft_strips = { 38, 38, 0.05, { SMEAR_BORDER_REPLICATE, 0 } };
    route("wide plane, tall disk", &strips, &img, 0);
    route("wide plane, tall soft disk", &soft_strips, &img, 0);
    worst = fmax(worst, check("wide plane, tall disk", &strips, &img, 13, 1));
    worst = fmax(worst, check("wide plane, tall soft disk", &soft_strips, &img, 13, 1));
    test_check_invariance("defocus in strips", &smear_kernel_defocus, &strips, &img);
    test_image_free(&img);
    /* the Fourier transform: soft and big disks on a plane of several
     * tiles each way, at every border and depth */
    for (int depth = 8; depth <= 16; depth += 4) {
        test_image_alloc(&img, 611, 397, depth, "edges");
        test_fill_edges(&img, 31);
        static const double fft[][3] = { { 20, 20, 0.5 }, { 45, 45, 0 }, { 30, 12, 1 }, { 4, 17, 1 } };
        for (int i = 0; i < 4; i++) {
            SmearDefocusParams d = { fft[i][0], fft[i][1], fft[i][2],
                                     { (SmearBorderMode)i, (1 << depth) / 3 } };
            route("Fourier", &d, &img, 1);
            const int e = check("Fourier", &d, &img, 7, 1 << (depth - 8));
            worst = depth == 8 && e > worst ? e : worst;
        }
        SmearDefocusParams d = { 20, 20, 0.5, { SMEAR_BORDER_REFLECT, 0 } };
        test_check_invariance("Fourier", &smear_kernel_defocus, &d, &img);
        test_image_free(&img);
    }
    /* disks bigger than the plane, through tiles of 1024, 2048 and 4096
     * (a radius of 500 with a soft edge of 1, the largest the filter
     * takes, reaches 751) */
    test_image_alloc(&img, 400, 300, 8, "edges");
    test_fill_edges(&img, 37);
    static const double giant[][3] = { { 130, 130, 0.4 }, { 300, 280, 0.5 }, { 500, 40, 1 } };
    for (int i = 0; i < 3; i++) {
        const SmearBorderMode mode[3] = { SMEAR_BORDER_REPLICATE, SMEAR_BORDER_CONSTANT,
                                          SMEAR_BORDER_REFLECT };
        SmearDefocusParams d = { giant[i][0], giant[i][1], giant[i][2], { mode[i], 85 } };
        route("giant disk", &d, &img, 1);
        worst = fmax(worst, check("giant disk", &d, &img, 13, 1));
    }
    giant_then_small(&img);
    SmearDefocusParams giant_wrap = { 140, 60, 1, { SMEAR_BORDER_WRAP, 0 } };
    route("giant disk", &giant_wrap, &img, 1);
    test_check_invariance("giant disk", &smear_kernel_defocus, &giant_wrap, &img);
    test_image_free(&img);
    static const char *const photos[] = { "baboon.jpg", "fruits.jpg" };
    for (int i = 0; i < 2; i++) {
        if (test_load_photo(&img, photos[i], 8) < 0) {
            printf("photo %s: absent (no media folder), skipped\n", photos[i]);
            continue;
        }
        SmearDefocusParams d = { 6.2, 6.2, 0, { SMEAR_BORDER_REFLECT, 0 } };
        worst = fmax(worst, check("photo disk", &d, &img, 5, 1));
        test_image_free(&img);
    }

    /* a radius that drifts by hundredths changes the output by hundredths,
     * also where the kernel changes ways (a soft disk on this plane goes
     * through the Fourier transform from radius 6.10 to 6.12 and from 6.38
     * on, a hard one from 20.51 on: the route model's choice) */
    drift(96, 64, 5, 5.1, 0, 0);
    drift(640, 400, 6, 6.5, 0.6, 1);
    drift(640, 400, 20.4, 20.6, 0, 1);

    test_image_alloc(&img, 301, 203, 8, "noise");
    test_fill_noise(&img, 2);
    static const double inv[][3] = { { 1.5, 1.5, 0 }, { 8, 8, 0 }, { 3, 6, 0 }, { 5, 5, 0.3 } };
    for (int i = 0; i < 4; i++) {
        SmearDefocusParams d = { inv[i][0], inv[i][1], inv[i][2], { SMEAR_BORDER_WRAP, 0 } };
        test_check_invariance("defocus", &smear_kernel_defocus, &d, &img);
    }
    test_image_free(&img);
    /* the float pass (10 bits; 8 bits past the integer pass's reach) */
    test_image_alloc(&img, 203, 151, 10, "deep noise");
    test_fill_noise(&img, 4);
    SmearDefocusParams deep_inv = { 20, 20, 0, { SMEAR_BORDER_WRAP, 0 } };
    test_check_invariance("deep defocus", &smear_kernel_defocus, &deep_inv, &img);
    test_image_free(&img);
    test_image_alloc(&img, 203, 61, 8, "noise"); /* low: the runs and taps */
    test_fill_noise(&img, 6);
    static const double tall_inv[][2] = { { 12, 36 }, { 50, 50 }, { 45, 12 }, { 70, 20 }, { 12, 70 } };
    for (size_t i = 0; i < sizeof(tall_inv) / sizeof(tall_inv[0]); i++) {
        SmearDefocusParams d = { tall_inv[i][0], tall_inv[i][1], 0, { SMEAR_BORDER_REPLICATE, 0 } };
        route("tall or wide defocus", &d, &img, 0);
        test_check_invariance("tall or wide defocus", &smear_kernel_defocus, &d, &img);
    }
    test_image_free(&img);
    printf("defocus: radii 1e-40 to 70, elliptical, soft, every border, 8-16 bits: worst %d level(s); "
           "smooth in the radius; identical for 1/2/7 threads and every build\n", worst);
    return 0;
}
