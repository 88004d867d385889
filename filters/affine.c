/* placeholder: being written */
#include "affine.h"
static int configure(void *priv, const void *params, const SmearPlaneInfo *info) { return 0; }
static void process(void *priv, const SmearPlane *dst, const SmearPlane *src, const SmearExec *ex) { smear_plane_copy(dst, src); }
static void uninit(void *priv) {}
const SmearKernel smear_kernel_affine = { "affine", 8, configure, process, uninit };
