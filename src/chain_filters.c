/*
 * smear - the filters the augmentation chain knows, as data: options with
 * defaults and ranges, the kernel each drives, and how a frame's values
 * become each plane's kernel parameters.
 *
 * Geometry is given in luma samples of the frame. A chroma plane of a
 * subsampled format gets the same blur or warp expressed in its own
 * samples (sizes divided by the subsampling, warps conjugated by the
 * chroma siting), so luma and chroma stay aligned.
 */
#include <math.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "affine.h"
#include "box.h"
#include "chain.h"
#include "defocus.h"
#include "gaussian.h"
#include "motion.h"

static const char *const border_names[] = { "replicate", "reflect", "wrap", "constant", NULL };
static const char *const interp_names[] = { "bilinear", "bicubic", NULL };

#define BORDER_OPTIONS                                                                   \
    { "border", OPT_ENUM, "replicate", 0, 0, border_names,                               \
      "samples outside the frame: replicate the edge, reflect, wrap around, or constant" }, \
    { "fill", OPT_COLOR, "black", 0, 0, NULL, "colour outside the frame when border=constant" }

static SmearBorder plane_border(const double *v, int border_idx, const ChainPlane *pl)
{
    SmearBorder b = { (SmearBorderMode)(int)v[border_idx], pl->fill };
    return b;
}

static double deg2rad(double d)
{
    return d * (M_PI / 180.0);
}

/* ------------------------------------------------------------------ blur */

enum { BLUR_SIGMA, BLUR_SIGMA_Y, BLUR_SIGMA_X, BLUR_ANGLE, BLUR_BORDER, BLUR_FILL };

static const ChainOption blur_options[] = {
    { "sigma",   OPT_NUM, "1",   0, 1000, NULL, "standard deviation in pixels (both axes unless sigma_x/sigma_y are given)" },
    { "sigma_y", OPT_NUM, NULL,  0, 1000, NULL, "standard deviation along the blur's y axis (default: sigma)" },
    { "sigma_x", OPT_NUM, NULL,  0, 1000, NULL, "standard deviation along the blur's x axis (default: sigma)" },
    { "angle",   OPT_NUM, "0", -360, 360, NULL, "rotation of the blur's x axis in degrees, counter-clockwise" },
    BORDER_OPTIONS,
    { NULL }
};

static int blur_resolve(double *v, void *log_ctx, const char *what)
{
    if (isnan(v[BLUR_SIGMA_X]))
        v[BLUR_SIGMA_X] = v[BLUR_SIGMA];
    if (isnan(v[BLUR_SIGMA_Y]))
        v[BLUR_SIGMA_Y] = v[BLUR_SIGMA];
    return 0;
}

/* The luma Gaussian seen in the plane's own samples. With equal
 * subsampling on both axes (or an axis-aligned or round blur) it is the same
 * shape scaled; otherwise its covariance is transformed and split back into
 * two deviations and an angle. */
static int blur_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearGaussianParams *g = kp;
    const double sx = v[BLUR_SIGMA_X], sy = v[BLUR_SIGMA_Y], deg = v[BLUR_ANGLE];
    const double a = deg2rad(deg);
    memset(g, 0, sizeof(*g));
    g->border = plane_border(v, BLUR_BORDER, pl);
    if (sx == 0 && sy == 0)
        return 1;
    if (fmod(deg, 180) == 0 || sx == sy) {
        g->sigma_x = sx / pl->scale_x;
        g->sigma_y = sy / pl->scale_y;
    } else if (fmod(deg, 90) == 0) {
        g->sigma_x = sy / pl->scale_x;
        g->sigma_y = sx / pl->scale_y;
    } else if (pl->scale_x == pl->scale_y) {
        g->sigma_x = sx / pl->scale_x;
        g->sigma_y = sy / pl->scale_y;
        g->angle = -a; /* the kernel's angle turns from +x towards +y (down) */
    } else {
        const double c = cos(a), s = sin(a);
        const double cxx = (c * c * sx * sx + s * s * sy * sy) / (pl->scale_x * pl->scale_x);
        const double cyy = (s * s * sx * sx + c * c * sy * sy) / (pl->scale_y * pl->scale_y);
        const double cxy = -c * s * (sx * sx - sy * sy) / (pl->scale_x * pl->scale_y);
        const double mid = 0.5 * (cxx + cyy);
        const double rad = sqrt(0.25 * (cxx - cyy) * (cxx - cyy) + cxy * cxy);
        g->sigma_x = sqrt(fmax(mid + rad, 0));
        g->sigma_y = sqrt(fmax(mid - rad, 0));
        g->angle = 0.5 * atan2(2 * cxy, cxx - cyy);
    }
    return 0;
}

static const ChainFilterDef blur_def = {
    .name = "blur",
    .help = "Gaussian blur (focus drift, soft optics); anisotropic with sigma_x, sigma_y, angle",
    .options = blur_options,
    .kernel = &smear_kernel_gaussian,
    .kparams_size = sizeof(SmearGaussianParams),
    .resolve = blur_resolve,
    .bind = blur_bind,
};

/* ------------------------------------------------------------------- box */

enum { BOX_SIZE, BOX_W, BOX_H, BOX_BORDER, BOX_FILL };

static const ChainOption box_options[] = {
    { "size", OPT_NUM, "3", 1, 10000, NULL, "window width and height in pixels" },
    { "w",    OPT_NUM, NULL, 1, 10000, NULL, "window width (default: size)" },
    { "h",    OPT_NUM, NULL, 1, 10000, NULL, "window height (default: size)" },
    BORDER_OPTIONS,
    { NULL }
};

static int box_resolve(double *v, void *log_ctx, const char *what)
{
    if (isnan(v[BOX_W]))
        v[BOX_W] = v[BOX_SIZE];
    if (isnan(v[BOX_H]))
        v[BOX_H] = v[BOX_SIZE];
    return 0;
}

static int box_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearBoxParams *b = kp;
    memset(b, 0, sizeof(*b));
    b->w = fmax(v[BOX_W] / pl->scale_x, 1);
    b->h = fmax(v[BOX_H] / pl->scale_y, 1);
    b->border = plane_border(v, BOX_BORDER, pl);
    return b->w == 1 && b->h == 1;
}

static const ChainFilterDef box_def = {
    .name = "box",
    .help = "box (mean) blur of any width and height",
    .options = box_options,
    .kernel = &smear_kernel_box,
    .kparams_size = sizeof(SmearBoxParams),
    .resolve = box_resolve,
    .bind = box_bind,
};

/* --------------------------------------------------------------- defocus */

enum { DEF_RADIUS, DEF_SOFT, DEF_BORDER, DEF_FILL };

static const ChainOption defocus_options[] = {
    { "radius", OPT_NUM, "3", 0, 500, NULL, "radius of the out-of-focus disk in pixels (fractions are exact)" },
    { "soft",   OPT_NUM, "0", 0, 1, NULL, "width of a soft edge as a fraction of the radius" },
    BORDER_OPTIONS,
    { NULL }
};

static int defocus_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearDefocusParams *d = kp;
    memset(d, 0, sizeof(*d));
    d->radius_x = v[DEF_RADIUS] / pl->scale_x;
    d->radius_y = v[DEF_RADIUS] / pl->scale_y;
    d->soft = v[DEF_SOFT];
    d->border = plane_border(v, DEF_BORDER, pl);
    return v[DEF_RADIUS] == 0;
}

static const ChainFilterDef defocus_def = {
    .name = "defocus",
    .help = "out-of-focus lens blur: a disk with antialiased (or soft) edges",
    .options = defocus_options,
    .kernel = &smear_kernel_defocus,
    .kparams_size = sizeof(SmearDefocusParams),
    .bind = defocus_bind,
};

/* ---------------------------------------------------------------- motion */

static const char *const align_names[] = { "center", "forward", "backward", NULL };

enum { MOT_LENGTH, MOT_ANGLE, MOT_ALIGN, MOT_BORDER, MOT_FILL };

static const ChainOption motion_options[] = {
    { "length", OPT_NUM, "10", 0, 2000, NULL, "length of the motion path in pixels" },
    { "angle",  OPT_NUM, "0", -360, 360, NULL, "direction of motion in degrees, counter-clockwise from +x" },
    { "align",  OPT_ENUM, "center", 0, 0, align_names, "where the path lies relative to each pixel: centred, ahead of it or behind it" },
    BORDER_OPTIONS,
    { NULL }
};

static int motion_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearMotionParams *m = kp;
    const double len = v[MOT_LENGTH], a = deg2rad(v[MOT_ANGLE]);
    /* screen y grows downwards: counter-clockwise is -y */
    const double dx = cos(a) * len, dy = -sin(a) * len;
    double t0 = -0.5, t1 = 0.5;
    memset(m, 0, sizeof(*m));
    m->border = plane_border(v, MOT_BORDER, pl);
    if (len == 0)
        return 1;
    if ((int)v[MOT_ALIGN] == 1)
        t0 = 0, t1 = 1;
    else if ((int)v[MOT_ALIGN] == 2)
        t0 = -1, t1 = 0;
    m->nb_points = 2;
    m->points[0].x = t0 * dx / pl->scale_x;
    m->points[0].y = t0 * dy / pl->scale_y;
    m->points[1].x = t1 * dx / pl->scale_x;
    m->points[1].y = t1 * dy / pl->scale_y;
    return 0;
}

static const ChainFilterDef motion_def = {
    .name = "motion",
    .help = "linear motion blur of any length and direction",
    .options = motion_options,
    .kernel = &smear_kernel_motion,
    .kparams_size = sizeof(SmearMotionParams),
    .bind = motion_bind,
};

/* ------------------------------------------------------- shear and affine */

/* Sets the plane's output->input map from the luma one: luma position p
 * maps to A p + b; plane position q sits at luma S q + o. */
static void affine_to_plane(const double A[4], const double b[2], const ChainPlane *pl,
                            double m[6])
{
    const double sx = pl->scale_x, sy = pl->scale_y, ox = pl->off_x, oy = pl->off_y;
    /* q_in = S^-1 (A (S q + o) + b - o) */
    m[0] = A[0];
    m[1] = A[1] * sy / sx;
    m[2] = (A[0] * ox + A[1] * oy + b[0] - ox) / sx;
    m[3] = A[2] * sx / sy;
    m[4] = A[3];
    m[5] = (A[2] * ox + A[3] * oy + b[1] - oy) / sy;
}

/* Inverse of the forward map F p + f (luma coordinates), as A p + b. */
static int invert_forward(const double F[4], const double f[2], double A[4], double b[2])
{
    const double det = F[0] * F[3] - F[1] * F[2];
    if (fabs(det) < 1e-9)
        return -1;
    A[0] = F[3] / det;
    A[1] = -F[1] / det;
    A[2] = -F[2] / det;
    A[3] = F[0] / det;
    b[0] = -(A[0] * f[0] + A[1] * f[1]);
    b[1] = -(A[2] * f[0] + A[3] * f[1]);
    return 0;
}

/* Forward map linear part L applied about the frame centre c: p' = L (p - c) + c. */
static int bind_about_centre(const double L[4], const ChainPlane *pl, double m[6])
{
    const double cx = 0.5 * (pl->frame_w - 1), cy = 0.5 * (pl->frame_h - 1);
    const double f[2] = { cx - (L[0] * cx + L[1] * cy), cy - (L[2] * cx + L[3] * cy) };
    double A[4], b[2];
    if (invert_forward(L, f, A, b) < 0)
        return -1;
    affine_to_plane(A, b, pl, m);
    return 0;
}

enum { SHEAR_X, SHEAR_Y, SHEAR_INTERP, SHEAR_BORDER, SHEAR_FILL };

static const ChainOption shear_options[] = {
    { "x", OPT_NUM, "0", -100, 100, NULL, "horizontal shear: each row moves right by x times its distance below the centre row" },
    { "y", OPT_NUM, "0", -100, 100, NULL, "vertical shear: each column moves down by y times its distance right of the centre column" },
    { "interp", OPT_ENUM, "bilinear", 0, 0, interp_names, "interpolation" },
    BORDER_OPTIONS,
    { NULL }
};

static int shear_resolve(double *v, void *log_ctx, const char *what)
{
    if (fabs(1 - v[SHEAR_X] * v[SHEAR_Y]) < 1e-6) {
        av_log(log_ctx, AV_LOG_ERROR,
               "%s: x*y = 1 folds the picture onto a line (x=%g, y=%g)\n", what,
               v[SHEAR_X], v[SHEAR_Y]);
        return AVERROR(EINVAL);
    }
    return 0;
}

static int shear_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearAffineParams *a = kp;
    const double L[4] = { 1, v[SHEAR_X], v[SHEAR_Y], 1 };
    memset(a, 0, sizeof(*a));
    a->interp = (SmearInterp)(int)v[SHEAR_INTERP];
    a->border = plane_border(v, SHEAR_BORDER, pl);
    if (v[SHEAR_X] == 0 && v[SHEAR_Y] == 0)
        return 1;
    bind_about_centre(L, pl, a->m);
    return 0;
}

static const ChainFilterDef shear_def = {
    .name = "shear",
    .help = "shear about the frame centre (rolling-shutter skew)",
    .options = shear_options,
    .kernel = &smear_kernel_affine,
    .kparams_size = sizeof(SmearAffineParams),
    .resolve = shear_resolve,
    .bind = shear_bind,
};

enum {
    AFF_ROTATE, AFF_SCALE, AFF_SCALE_X, AFF_SCALE_Y, AFF_SHEAR_X, AFF_SHEAR_Y,
    AFF_TX, AFF_TY, AFF_M00, AFF_M01, AFF_M02, AFF_M10, AFF_M11, AFF_M12,
    AFF_INTERP, AFF_BORDER, AFF_FILL
};

static const ChainOption affine_options[] = {
    { "rotate",  OPT_NUM, "0", -3600, 3600, NULL, "rotation in degrees, counter-clockwise, about the centre" },
    { "scale",   OPT_NUM, "1", 0.001, 1000, NULL, "zoom about the centre" },
    { "scale_x", OPT_NUM, NULL, 0.001, 1000, NULL, "horizontal zoom (default: scale)" },
    { "scale_y", OPT_NUM, NULL, 0.001, 1000, NULL, "vertical zoom (default: scale)" },
    { "shear_x", OPT_NUM, "0", -100, 100, NULL, "horizontal shear, as in the shear filter" },
    { "shear_y", OPT_NUM, "0", -100, 100, NULL, "vertical shear, as in the shear filter" },
    { "tx",      OPT_NUM, "0", -100000, 100000, NULL, "move right by this many pixels" },
    { "ty",      OPT_NUM, "0", -100000, 100000, NULL, "move down by this many pixels" },
    { "m00", OPT_NUM, NULL, -1e6, 1e6, NULL, "forward matrix x' = m00 x + m01 y + m02 in pixels; if any mNN is given the matrix replaces the options above" },
    { "m01", OPT_NUM, NULL, -1e6, 1e6, NULL, "see m00" },
    { "m02", OPT_NUM, NULL, -1e6, 1e6, NULL, "see m00" },
    { "m10", OPT_NUM, NULL, -1e6, 1e6, NULL, "forward matrix y' = m10 x + m11 y + m12" },
    { "m11", OPT_NUM, NULL, -1e6, 1e6, NULL, "see m10" },
    { "m12", OPT_NUM, NULL, -1e6, 1e6, NULL, "see m10" },
    { "interp", OPT_ENUM, "bilinear", 0, 0, interp_names, "interpolation" },
    BORDER_OPTIONS,
    { NULL }
};

static int affine_has_matrix(const double *v)
{
    for (int i = AFF_M00; i <= AFF_M12; i++)
        if (!isnan(v[i]))
            return 1;
    return 0;
}

static int affine_resolve(double *v, void *log_ctx, const char *what)
{
    if (isnan(v[AFF_SCALE_X]))
        v[AFF_SCALE_X] = v[AFF_SCALE];
    if (isnan(v[AFF_SCALE_Y]))
        v[AFF_SCALE_Y] = v[AFF_SCALE];
    if (affine_has_matrix(v)) {
        static const double identity[6] = { 1, 0, 0, 0, 1, 0 };
        for (int i = AFF_M00; i <= AFF_M12; i++)
            if (isnan(v[i]))
                v[i] = identity[i - AFF_M00];
        if (fabs(v[AFF_M00] * v[AFF_M11] - v[AFF_M01] * v[AFF_M10]) < 1e-9) {
            av_log(log_ctx, AV_LOG_ERROR, "%s: the matrix is singular\n", what);
            return AVERROR(EINVAL);
        }
    } else if (fabs(1 - v[AFF_SHEAR_X] * v[AFF_SHEAR_Y]) < 1e-6) {
        av_log(log_ctx, AV_LOG_ERROR, "%s: shear_x*shear_y = 1 folds the picture onto a line\n",
               what);
        return AVERROR(EINVAL);
    }
    return 0;
}

static int affine_bind(const double *v, const ChainFrame *fr, const ChainPlane *pl, void *kp)
{
    SmearAffineParams *a = kp;
    double A[4], b[2];
    memset(a, 0, sizeof(*a));
    a->interp = (SmearInterp)(int)v[AFF_INTERP];
    a->border = plane_border(v, AFF_BORDER, pl);
    if (affine_has_matrix(v)) {
        const double F[4] = { v[AFF_M00], v[AFF_M01], v[AFF_M10], v[AFF_M11] };
        const double f[2] = { v[AFF_M02], v[AFF_M12] };
        if (invert_forward(F, f, A, b) < 0)
            return 1;
    } else {
        /* forward: scale, then shear, then rotate, about the centre; then move */
        const double r = deg2rad(v[AFF_ROTATE]), c = cos(r), s = sin(r);
        const double sx = v[AFF_SCALE_X], sy = v[AFF_SCALE_Y];
        const double hx = v[AFF_SHEAR_X], hy = v[AFF_SHEAR_Y];
        /* shear * scale */
        const double H[4] = { sx, hx * sy, hy * sx, sy };
        /* counter-clockwise on screen (y down) */
        const double R[4] = { c, s, -s, c };
        const double L[4] = { R[0] * H[0] + R[1] * H[2], R[0] * H[1] + R[1] * H[3],
                              R[2] * H[0] + R[3] * H[2], R[2] * H[1] + R[3] * H[3] };
        const double cx = 0.5 * (pl->frame_w - 1), cy = 0.5 * (pl->frame_h - 1);
        const double f[2] = { cx - (L[0] * cx + L[1] * cy) + v[AFF_TX],
                              cy - (L[2] * cx + L[3] * cy) + v[AFF_TY] };
        if (invert_forward(L, f, A, b) < 0)
            return 1;
    }
    if (A[0] == 1 && A[1] == 0 && A[2] == 0 && A[3] == 1 && b[0] == 0 && b[1] == 0)
        return 1;
    affine_to_plane(A, b, pl, a->m);
    return 0;
}

static const ChainFilterDef affine_def = {
    .name = "affine",
    .help = "affine warp: rotate, zoom, shear and move, or a 2x3 matrix",
    .options = affine_options,
    .kernel = &smear_kernel_affine,
    .kparams_size = sizeof(SmearAffineParams),
    .resolve = affine_resolve,
    .bind = affine_bind,
};

const ChainFilterDef *const smear_chain_filters[] = {
    &blur_def, &box_def, &defocus_def, &motion_def, &shear_def, &affine_def, NULL
};
