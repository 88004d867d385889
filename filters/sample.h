/*
 * smear - sample conversions between planes and float rows.
 *
 * Static inline so that each per-instruction-set build of a *_dsp.c file
 * gets its own vectorised copy.
 */
#ifndef SMEAR_FILTERS_SAMPLE_H
#define SMEAR_FILTERS_SAMPLE_H

#include <stdint.h>

/** Reads n samples of the given depth as floats. */
static inline void smear_row_to_f32(float *restrict dst, const uint8_t *restrict src,
                                    int n, int depth)
{
    if (depth <= 8) {
        for (int i = 0; i < n; i++)
            dst[i] = (float)src[i];
    } else {
        const uint16_t *s = (const uint16_t *)src;
        for (int i = 0; i < n; i++)
            dst[i] = (float)s[i];
    }
}

/** Writes n floats as samples of the given depth, rounded to nearest
 *  (halves up) and clamped to [0, 2^depth - 1]. */
static inline void smear_f32_to_row(uint8_t *restrict dst, const float *restrict src,
                                    int n, int depth)
{
    const float maxv = (float)((1 << depth) - 1);
    if (depth <= 8) {
        for (int i = 0; i < n; i++) {
            float v = src[i] + 0.5f;
            v = v < 0.0f ? 0.0f : v;
            v = v > maxv ? maxv : v;
            dst[i] = (uint8_t)(int)v;
        }
    } else {
        uint16_t *d = (uint16_t *)dst;
        for (int i = 0; i < n; i++) {
            float v = src[i] + 0.5f;
            v = v < 0.0f ? 0.0f : v;
            v = v > maxv ? maxv : v;
            d[i] = (uint16_t)(int)v;
        }
    }
}

#endif /* SMEAR_FILTERS_SAMPLE_H */
