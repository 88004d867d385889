/*
 * smear - small helpers on planes shared by every kernel.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kernel.h"

void smear_plane_copy(const SmearPlane *dst, const SmearPlane *src)
{
    const size_t bytes = (size_t)src->w * (src->depth > 8 ? 2 : 1);
    for (int y = 0; y < src->h; y++)
        memcpy(dst->data + y * dst->stride, src->data + y * src->stride, bytes);
}

#if defined(__SSE2__)
/* Interleaving row i with row i + n / 2 (n rows of n samples) moves sample
 * (r, c) to the place whose index bits are those of (r, c) turned left by
 * one; log2(n) rounds of it turn them by half the bits, a transpose. */
static void transpose16x16_u8(uint8_t *d, ptrdiff_t ds, const uint8_t *s, ptrdiff_t ss)
{
    __m128i a[16], t[16];
    for (int i = 0; i < 16; i++)
        a[i] = _mm_loadu_si128((const __m128i *)(s + i * ss));
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 8; i++) {
            t[2 * i] = _mm_unpacklo_epi8(a[i], a[i + 8]);
            t[2 * i + 1] = _mm_unpackhi_epi8(a[i], a[i + 8]);
        }
        for (int i = 0; i < 16; i++)
            a[i] = t[i];
    }
    for (int i = 0; i < 16; i++)
        _mm_storeu_si128((__m128i *)(d + i * ds), a[i]);
}

static void transpose8x8_u16(uint8_t *d, ptrdiff_t ds, const uint8_t *s, ptrdiff_t ss)
{
    __m128i a[8], t[8];
    for (int i = 0; i < 8; i++)
        a[i] = _mm_loadu_si128((const __m128i *)(s + i * ss));
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 4; i++) {
            t[2 * i] = _mm_unpacklo_epi16(a[i], a[i + 4]);
            t[2 * i + 1] = _mm_unpackhi_epi16(a[i], a[i + 4]);
        }
        for (int i = 0; i < 8; i++)
            a[i] = t[i];
    }
    for (int i = 0; i < 8; i++)
        _mm_storeu_si128((__m128i *)(d + i * ds), a[i]);
}
#endif

void smear_plane_transpose(const SmearPlane *dst, const SmearPlane *src, int y0, int y1)
{
    const int deep = src->depth > 8, W = dst->w;
    int y = y0;
#if defined(__SSE2__)
    /* blocks of n x n samples, then the ragged right and bottom edges */
    const int n = deep ? 8 : 16;
    for (; y + n <= y1; y += n) {
        int x = 0;
        for (; x + n <= W; x += n) {
            uint8_t *d = dst->data + (ptrdiff_t)y * dst->stride + ((ptrdiff_t)x << deep);
            const uint8_t *s = src->data + (ptrdiff_t)x * src->stride + ((ptrdiff_t)y << deep);
            if (deep)
                transpose8x8_u16(d, dst->stride, s, src->stride);
            else
                transpose16x16_u8(d, dst->stride, s, src->stride);
        }
        for (; x < W; x++)
            for (int k = y; k < y + n; k++) {
                const uint8_t *s = src->data + (ptrdiff_t)x * src->stride;
                uint8_t *d = dst->data + (ptrdiff_t)k * dst->stride;
                if (deep)
                    ((uint16_t *)d)[x] = ((const uint16_t *)s)[k];
                else
                    d[x] = s[k];
            }
    }
#endif
    for (; y < y1; y++) {
        uint8_t *d = dst->data + (ptrdiff_t)y * dst->stride;
        for (int x = 0; x < W; x++) {
            const uint8_t *s = src->data + (ptrdiff_t)x * src->stride;
            if (deep)
                ((uint16_t *)d)[x] = ((const uint16_t *)s)[y];
            else
                d[x] = s[y];
        }
    }
}

void smear_exec_run(const SmearExec *ex, SmearJobFn fn, void *arg, int nb_jobs)
{
    if (ex && ex->execute && nb_jobs > 1) {
        ex->execute(ex->opaque, fn, arg, nb_jobs);
        return;
    }
    for (int j = 0; j < nb_jobs; j++)
        fn(arg, j, nb_jobs);
}

void *smear_buf_get(SmearBuf *b, size_t size)
{
    if (b->ptr && b->size >= size && !smear_buf_too_big(b->size, size))
        return b->ptr;
    free(b->ptr);
    size = (size + 63) & ~(size_t)63;
    b->ptr = aligned_alloc(64, size ? size : 64);
    b->size = b->ptr ? size : 0;
    return b->ptr;
}

void smear_buf_free(SmearBuf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->size = 0;
}
