/*
 * smear - image kernels: the one interface every kernel implements.
 *
 * Kernels work on bare image planes. They know nothing of FFmpeg, of frames
 * or of time: the pipeline (src/) turns a frame and the chain's parameters
 * for that frame into one call per plane.
 *
 * Life of a kernel instance:
 *   priv = zeroed block of kernel->priv_size bytes
 *   kernel->configure(priv, &params, &info)   whenever params or geometry change
 *                                             (on a configured instance too: it may
 *                                             keep its scratch buffers)
 *   kernel->process(priv, &dst, &src, &exec) once per plane per frame
 *   kernel->uninit(priv)                      frees what configure allocated
 *
 * configure() builds everything that depends only on the parameters and the
 * plane geometry (coefficients, tables, scratch), so process() does no
 * per-frame set-up. process() is called with dst and src of identical size,
 * never aliasing, and must produce bit-identical output whatever the number
 * of jobs the executor runs.
 */
#ifndef SMEAR_FILTERS_KERNEL_H
#define SMEAR_FILTERS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/** One image plane. Samples are uint8_t when depth == 8, else uint16_t
 *  holding depth significant bits (9..16), as in FFmpeg's planar formats. */
typedef struct SmearPlane {
    uint8_t  *data;   ///< first sample of the first row
    ptrdiff_t stride; ///< bytes from one row to the next, > 0
    int       w, h;   ///< size in samples, >= 1
    int       depth;  ///< bits per sample, 8..16
} SmearPlane;

/** How samples outside the plane are defined. Shared by every kernel. */
typedef enum SmearBorderMode {
    SMEAR_BORDER_REPLICATE = 0, ///< aaa|abcd|ddd   (edge sample repeated; the default)
    SMEAR_BORDER_REFLECT   = 1, ///< cba|abcd|dcb   (mirrored about the plane edge)
    SMEAR_BORDER_WRAP      = 2, ///< bcd|abcd|abc   (periodic)
    SMEAR_BORDER_CONSTANT  = 3, ///< fff|abcd|fff   (a fill value)
} SmearBorderMode;

typedef struct SmearBorder {
    SmearBorderMode mode;
    int             fill; ///< sample value outside the plane for CONSTANT, in the plane's depth
} SmearBorder;

/** Geometry a kernel instance is configured for. */
typedef struct SmearPlaneInfo {
    int w, h;       ///< plane size in samples
    int depth;      ///< bits per sample, 8..16
    int nb_threads; ///< most jobs process() will be asked to split into (>= 1)
    unsigned cpu;   ///< SMEAR_CPU_* flags the kernel may use (see cpu.h)
} SmearPlaneInfo;

/** A job: run part jobnr of nb_jobs of some work described by arg. */
typedef void (*SmearJobFn)(void *arg, int jobnr, int nb_jobs);

/** Runs jobs, possibly in parallel. execute() returns once every job
 *  0..nb_jobs-1 has returned. Jobs of one call never depend on each other. */
typedef struct SmearExec {
    void (*execute)(void *opaque, SmearJobFn fn, void *arg, int nb_jobs);
    void *opaque;
    int   nb_threads; ///< threads behind execute(); jobs beyond this just queue
} SmearExec;

/** Runs fn over nb_jobs jobs with ex, or inline when ex is NULL. */
void smear_exec_run(const SmearExec *ex, SmearJobFn fn, void *arg, int nb_jobs);

typedef struct SmearKernel {
    const char *name;
    size_t      priv_size;
    /** Builds the instance for these parameters (the kernel's own params
     *  struct) and this geometry. May be called again on a configured
     *  instance. Returns 0 or a negative errno value. */
    int  (*configure)(void *priv, const void *params, const SmearPlaneInfo *info);
    /** Filters src into dst, both of the configured geometry. */
    void (*process)(void *priv, const SmearPlane *dst, const SmearPlane *src,
                    const SmearExec *ex);
    /** Frees what configure allocated; priv itself is the caller's. */
    void (*uninit)(void *priv);
} SmearKernel;

/** A scratch buffer a kernel keeps across reconfigurations, so that a
 *  parameter that changes every frame costs no allocation (nor the page
 *  faults of fresh memory). */
typedef struct SmearBuf {
    void  *ptr;
    size_t size;
} SmearBuf;

/** Whether a buffer of held bytes is given back when size are asked: more
 *  than four times as much, and 16 MiB or more over. A kernel set up once
 *  for a giant size (the Fourier way of a disk of radius 300 holds some
 *  200 MB) then does not keep that memory for the rest of a stream, while
 *  sizes that move a little from frame to frame keep reusing theirs. */
static inline int smear_buf_too_big(size_t held, size_t size)
{
    return held / 4 > size && held - size >= ((size_t)16 << 20);
}

/** b's memory, 64-byte aligned, of at least size bytes: grown if needed,
 *  or made anew smaller if smear_buf_too_big() (its content is then lost).
 *  NULL when out of memory. */
void *smear_buf_get(SmearBuf *b, size_t size);
void  smear_buf_free(SmearBuf *b);

/** Copies src into dst (same size and depth). */
void smear_plane_copy(const SmearPlane *dst, const SmearPlane *src);

/** Rows [y0, y1) of the transpose of src into dst (dst is src->h wide and
 *  src->w high, at the same depth): dst(x, y) = src(y, x). */
void smear_plane_transpose(const SmearPlane *dst, const SmearPlane *src, int y0, int y1);

/** Rows [y0, y1) of job jobnr when h rows are split into nb_jobs bands. */
static inline void smear_job_rows(int h, int jobnr, int nb_jobs, int *y0, int *y1)
{
    *y0 = (int)((int64_t)h * jobnr / nb_jobs);
    *y1 = (int)((int64_t)h * (jobnr + 1) / nb_jobs);
}

#endif /* SMEAR_FILTERS_KERNEL_H */
