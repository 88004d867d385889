/*
 * smear - degrade video the way real cameras do.
 *
 * The library applies an augmentation chain (Gaussian, box, defocus and
 * motion blur, shear and affine warps, each with parameters that may vary
 * over time) to decoded video frames. It works on libavutil's AVFrame, so
 * it slots between any libavcodec decoder and encoder.
 *
 *     SmearSettings s;
 *     smear_default_settings(&s);
 *     s.chain = "blur=sigma=2.5,shear=x=0.12";
 *     SmearContext *ctx;
 *     if (smear_open(&ctx, &s) < 0) ...           // one error line is logged with av_log
 *     for each decoded frame f:
 *         smear_send_frame(ctx, f);               // takes f's reference
 *         while (smear_receive_frame(ctx, out) == 0)
 *             ... use out, then av_frame_unref(out) ...
 *     smear_send_frame(ctx, NULL);                // end of stream
 *     while (smear_receive_frame(ctx, out) == 0) ...  // until AVERROR_EOF
 *     smear_close(&ctx);
 *
 * Errors are negative AVERROR codes (negated errno values), so they pass
 * through libav* unchanged: AVERROR(EINVAL) for bad arguments or a bad
 * chain, AVERROR(ENOMEM), AVERROR(ENOSYS) for an unsupported pixel format,
 * AVERROR(EAGAIN) as flow control, AVERROR_EOF at the end of the stream.
 * Messages go through av_log.
 *
 * Thread-safety: a context is used by one thread at a time; separate
 * contexts are independent.
 */
#ifndef SMEAR_SMEAR_H
#define SMEAR_SMEAR_H

#include <stddef.h>
#include <stdint.h>

#include <libavutil/frame.h>
#include <libavutil/rational.h>

#include "smear/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define SMEAR_API __declspec(dllexport)
#elif defined(__GNUC__)
#define SMEAR_API __attribute__((visibility("default")))
#else
#define SMEAR_API
#endif

typedef struct SmearContext SmearContext;

typedef struct SmearSettings {
    const char *chain;       ///< augmentation chain, e.g. "blur=sigma=2.5,shear=x=0.12"; NULL or "" passes frames through unchanged (default NULL)
    int         threads;     ///< threads for slice threading: 0 = one per online CPU (default), 1 = the calling thread only
    uint64_t    seed;        ///< seed of every random generator in the chain, used when seed_set is non-zero
    int         seed_set;    ///< 0 (default): choose a seed at open time; read it back with smear_get_seed()
    AVRational  time_base;   ///< time base of the pts of frames sent without AVFrame.time_base set (default 1/1000000)
    AVRational  frame_rate;  ///< nominal frame rate, used for t when frames carry no pts and for 'fps' in expressions (default 25/1)
    const char *source;      ///< name of the input, copied into each frame's parameters (default NULL: not reported)
    unsigned    cpu_mask;    ///< CPU features the kernels may use, ~0u (default) = all the CPU has, 0 = plain C only
    uint8_t     reserved[64];
} SmearSettings;

/** Fills s with the defaults documented above. */
SMEAR_API void smear_default_settings(SmearSettings *s);

/**
 * Creates a context. The chain is parsed and checked here: an unknown
 * filter or option, a value out of range or an expression that does not
 * parse fails now, with one error line naming the filter and option.
 * s need only live for the duration of the call.
 *
 * @return 0 and *pctx set, or a negative AVERROR code and *pctx NULL.
 */
SMEAR_API int smear_open(SmearContext **pctx, const SmearSettings *s);

/**
 * Gives the next input frame, in presentation order.
 * On success the frame's reference moves into the library and *frame is
 * left blank (as after av_frame_unref); on failure the caller keeps it.
 * frame == NULL signals the end of the stream.
 *
 * @return 0, AVERROR(EAGAIN) when an output frame must be received first,
 *         AVERROR_EOF after the end was signalled, or another error.
 */
SMEAR_API int smear_send_frame(SmearContext *ctx, AVFrame *frame);

/**
 * Takes the next augmented frame. frame must be blank (as after
 * av_frame_unref); on success the caller owns the reference placed in it.
 * The output has the input's size, pixel format and properties, and its
 * metadata holds what was applied (see SMEAR_META_* below).
 *
 * @return 0, AVERROR(EAGAIN) when more input is needed, AVERROR_EOF when
 *         the stream has ended and every frame was returned, or an error.
 */
SMEAR_API int smear_receive_frame(SmearContext *ctx, AVFrame *frame);

/** Frees the context and sets *pctx to NULL. A pointer to NULL is fine. */
SMEAR_API void smear_close(SmearContext **pctx);

/** The seed in use (the one given, or the one chosen at open time). */
SMEAR_API uint64_t smear_get_seed(const SmearContext *ctx);

/**
 * Frame metadata keys set on every output frame (AVFrame.metadata):
 * SMEAR_META_PARAMS is a JSON object with the frame's index, time, seed and
 * every parameter of every filter exactly as applied (after clamping), so
 * that running the chain again with those values as constants gives an
 * identical frame.
 */
#define SMEAR_META_PARAMS "smear.params"

/**
 * Evaluates the chain's parameters for the next frame without touching any
 * pixels: only frame's pts (with its time_base), width and height are read,
 * and frame->data may be empty. The schedules advance exactly as if the
 * frame had been sent, so a clip's parameters can be previewed (smear
 * --print-schedule) or frames skipped without breaking a random walk. On
 * success *json is the object the frame would carry in SMEAR_META_PARAMS;
 * free it with av_free(). Not while a sent frame waits to be received.
 */
SMEAR_API int smear_evaluate(SmearContext *ctx, const AVFrame *frame, char **json);

/**
 * Named chains for common kinds of footage ("handheld", "autofocus-hunt",
 * "vehicle", ...). smear_preset(i, &name, &description) gives the i-th
 * preset's chain (from 0), or NULL past the last; smear_preset_chain(name)
 * the chain of a preset by name, or NULL.
 */
SMEAR_API const char *smear_preset(int i, const char **name, const char **description);
SMEAR_API const char *smear_preset_chain(const char *name);

/**
 * Text describing the chain's filters and their options (all of them when
 * filter is NULL), for a program's --help. Free it with av_free().
 * NULL for an unknown filter name or when out of memory.
 */
SMEAR_API char *smear_help(const char *filter);

/** The library's version as a string, e.g. "0.1.0". */
SMEAR_API const char *smear_version(void);
/** The API version the library was built with, as SMEAR_API_VERSION_INT. */
SMEAR_API unsigned smear_version_api(void);

#ifdef __cplusplus
}
#endif

#endif /* SMEAR_SMEAR_H */
