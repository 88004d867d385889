/*
 * smear - helpers for the unit tests: checks, test images, references.
 *
 * A test is a plain program: it exits 0 when every check held, 1 on the
 * first failed REQUIRE (printing what failed and where), and 77 (meson's
 * "skipped") when something it needs is absent.
 */
#ifndef SMEAR_TESTS_TESTUTIL_H
#define SMEAR_TESTS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel.h"

#define REQUIRE(cond, ...)                                                  \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__,        \
                    __LINE__, #cond);                                       \
            fprintf(stderr, "" __VA_ARGS__);                                \
            fprintf(stderr, "\n");                                          \
            exit(1);                                                        \
        }                                                                   \
    } while (0)

/** Exits with meson's "skipped" status after printing why. */
void test_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/** An owned plane. */
typedef struct TestImage {
    SmearPlane p;
    char       name[96]; ///< what it shows, for messages
} TestImage;

void test_image_alloc(TestImage *img, int w, int h, int depth, const char *name);
void test_image_free(TestImage *img);
/** Sample (x, y) as an integer. */
int  test_image_get(const TestImage *img, int x, int y);
void test_image_set(TestImage *img, int x, int y, int v);

/** Uniform random samples over the whole range, from a seed. */
void test_fill_noise(TestImage *img, uint64_t seed);
/** Random axis-aligned and slanted step edges between extreme values. */
void test_fill_edges(TestImage *img, uint64_t seed);
/** A smooth ramp plus a few hard lines (an "easy" natural image stand-in). */
void test_fill_ramp(TestImage *img);

/**
 * Loads a photo from the media folder (SMEAR_MEDIA_DIR, set by meson) as its
 * luma plane, scaled to depth bits. Returns 0, or -1 when the folder or file
 * is absent (the caller then prints a reason and skips that part).
 */
int test_load_photo(TestImage *img, const char *file, int depth);
/** The media folder, or NULL when absent. */
const char *test_media_dir(void);

/** Deterministic pseudo-random numbers for tests. */
uint64_t test_rand(uint64_t *state);
double   test_rand_unit(uint64_t *state); ///< in [0, 1)

/**
 * Largest |got - round(ref)| over the plane, with the position of the first
 * worst sample. ref is row-major w*h doubles, rounded half up and clamped to
 * the sample range before comparing.
 */
typedef struct TestDiff {
    int    max_abs;
    int    x, y;
    int    got;
    double ref;
    double psnr; ///< against the rounded reference, dB (INFINITY when equal)
} TestDiff;
TestDiff test_compare(const TestImage *got, const double *ref);

/** An executor running jobs on n threads, for thread-count invariance. */
typedef struct TestExec TestExec;
TestExec *test_exec_new(int nb_threads);
const SmearExec *test_exec_get(TestExec *te);
void test_exec_free(TestExec *te);

/** Byte-wise equality of two planes of the same geometry. */
int test_planes_equal(const TestImage *a, const TestImage *b);

/** Configures kernel k with params for in's geometry and filters in into
 *  out with the given number of threads and CPU flags. */
void test_run_kernel(const SmearKernel *k, const void *params, const TestImage *in,
                     TestImage *out, int threads, unsigned cpu);

/** The exact (unrounded) value of output sample (x, y) for input in. */
typedef double (*TestRefFn)(const TestImage *in, int x, int y, const void *ctx);

/**
 * Runs k on in and compares every step-th row and column (the last ones
 * included) with ref rounded: fails (exit 1, saying where) when a sample is
 * more than tol levels off or the PSNR is below min_psnr. Returns the
 * largest error seen.
 */
int test_check_kernel(const char *what, const SmearKernel *k, const void *params,
                      const TestImage *in, TestRefFn ref, const void *ctx, int step, int tol,
                      double min_psnr);

/** test_check_kernel() for a convolution (Gaussian, box, defocus, motion)
 *  against its reference taps (see reference.h). */
int test_check_conv(const char *what, const SmearKernel *k, const void *params,
                    const TestImage *in, int step, int tol);

/** Fails unless k gives the same bytes for 1, 2 and 7 threads and for the
 *  plain C build as for the vector builds. */
void test_check_invariance(const char *what, const SmearKernel *k, const void *params,
                           const TestImage *in);

#endif /* SMEAR_TESTS_TESTUTIL_H */
