/*
 * smear - small helpers on planes shared by every kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel.h"

void smear_plane_copy(const SmearPlane *dst, const SmearPlane *src)
{
    const size_t bytes = (size_t)src->w * (src->depth > 8 ? 2 : 1);
    for (int y = 0; y < src->h; y++)
        memcpy(dst->data + y * dst->stride, src->data + y * src->stride, bytes);
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
    if (b->ptr && b->size >= size)
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
