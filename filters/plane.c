/*
 * smear - small helpers on planes shared by every kernel.
 */
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
