/*
 * smear - box blur: the passes, compiled once per instruction set.
 */
#include "config.h"

#include <string.h>

#include "box_dsp.h"
#include "lanes.h"

/* Row r of the source, r in [-(ry + 1), h + ry]. */
static inline const uint8_t *src_row(const BoxPlan *p, int r)
{
    return p->rows[r + p->y.r + 1];
}

/* acc[x] += sign * row[x] over the plane's width. */
static inline void add_row(int32_t *restrict acc, const uint8_t *row, int w, int depth, int sign)
{
    if (depth > 8) {
        const uint16_t *s = (const uint16_t *)row;
        if (sign > 0)
            for (int x = 0; x < w; x++)
                acc[x] += s[x];
        else
            for (int x = 0; x < w; x++)
                acc[x] -= s[x];
    } else {
        if (sign > 0)
            for (int x = 0; x < w; x++)
                acc[x] += row[x];
        else
            for (int x = 0; x < w; x++)
                acc[x] -= row[x];
    }
}

/* The vertically filtered row y into out (floats). */
static void vertical_row(const BoxPlan *p, const int32_t *S, int y, float *restrict out)
{
    const int w = p->w;
    if (p->y.none) {
        smear_row_to_f32(out, src_row(p, y), w, p->depth);
        return;
    }
    const float e = p->y.e, inv = p->y.inv;
    const uint8_t *a = src_row(p, y - p->y.r - 1), *b = src_row(p, y + p->y.r + 1);
    if (p->depth > 8) {
        const uint16_t *a16 = (const uint16_t *)a, *b16 = (const uint16_t *)b;
        for (int x = 0; x < w; x++)
            out[x] = ((float)S[x] + e * (float)(a16[x] + b16[x])) * inv;
    } else {
        for (int x = 0; x < w; x++)
            out[x] = ((float)S[x] + e * (float)(a[x] + b[x])) * inv;
    }
}

/* The running sum along x, on LANES rows at once: B at column 0, padded by
 * r + 1 columns each side. */
static void horizontal(const BoxPlan *p, const float *B, float *O)
{
    const int w = p->w, r = p->x.r;
    const float e = p->x.e, inv = p->x.inv;
    for (int v = 0; v < LANES / SMEAR_VF; v++) {
        vfn S = vfn_set1(0);
        for (int j = -r; j <= r; j++)
            S += vfn_load(B + (ptrdiff_t)j * LANES + SMEAR_VF * v);
        for (int x = 0; x < w; x++) {
            const vfn lo = vfn_load(B + (ptrdiff_t)(x - r - 1) * LANES + SMEAR_VF * v);
            const vfn hi = vfn_load(B + (ptrdiff_t)(x + r + 1) * LANES + SMEAR_VF * v);
            vfn_store(O + (ptrdiff_t)x * LANES + SMEAR_VF * v, (S + (lo + hi) * e) * inv);
            S += hi - vfn_load(B + (ptrdiff_t)(x - r) * LANES + SMEAR_VF * v);
        }
    }
}

void SMEAR_DSP(smear_box_rows)(const BoxPlan *p, const SmearPlane *dst, int y0, int y1,
                               float *work)
{
    const int w = p->w, pad = p->x.r + 1;
    int32_t *S = (int32_t *)work;
    float *rows = work + w;
    float *B = rows + (ptrdiff_t)LANES * w + (ptrdiff_t)pad * LANES; /* column 0 */
    float *O = B + (ptrdiff_t)(w + pad) * LANES;

    /* the column sums over the window of row y0 */
    memset(S, 0, sizeof(*S) * (size_t)w);
    if (!p->y.none)
        for (int r = y0 - p->y.r; r <= y0 + p->y.r; r++)
            add_row(S, src_row(p, r), w, p->depth, 1);
    for (int yb = y0; yb < y1; yb += LANES) {
        const int nrows = y1 - yb < LANES ? y1 - yb : LANES;
        for (int l = 0; l < nrows; l++) {
            const int y = yb + l;
            vertical_row(p, S, y, rows + (ptrdiff_t)l * w);
            if (!p->y.none) {
                add_row(S, src_row(p, y + p->y.r + 1), w, p->depth, 1);
                add_row(S, src_row(p, y - p->y.r), w, p->depth, -1);
            }
        }
        for (int l = nrows; l < LANES; l++)
            memset(rows + (ptrdiff_t)l * w, 0, sizeof(float) * (size_t)w);
        lanes_from_tile(B, 0, w, rows, w);
        if (p->x.none) {
            lanes_store(dst, yb, nrows, B);
            continue;
        }
        lanes_pad(B, w, pad, p->border);
        horizontal(p, B, O);
        lanes_store(dst, yb, nrows, O);
    }
}
