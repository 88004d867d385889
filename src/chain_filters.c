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
#include <libavutil/common.h>
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
    { "sigma_y", OPT_NUM, NULL,  0, 1000, NULL, "standard deviation along the blur's y axis (default: sigma); turned off the axes, the narrower sigma is at least 0.5" },
    { "sigma_x", OPT_NUM, NULL,  0, 1000, NULL, "standard deviation along the blur's x axis (default: sigma)" },
    { "angle",   OPT_NUM, "0", -360, 360, NULL, "rotation of the blur's x axis in degrees, counter-clockwise" },
    BORDER_OPTIONS,
    { NULL }
};

static int blur_resolve(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                        void *log_ctx, const char *what)
{
    if (isnan(v[BLUR_SIGMA_X]))
        v[BLUR_SIGMA_X] = v[BLUR_SIGMA];
    if (isnan(v[BLUR_SIGMA_Y]))
        v[BLUR_SIGMA_Y] = v[BLUR_SIGMA];
    /* a turned blur is at least half a sample across: what is applied (to
     * luma) is what is reported */
    smear_gaussian_floor(&v[BLUR_SIGMA_X], &v[BLUR_SIGMA_Y], deg2rad(v[BLUR_ANGLE]));
    return 0;
}

/* The luma Gaussian seen in the plane's own samples. With equal
 * subsampling on both axes (or an axis-aligned or round blur) it is the same
 * shape scaled; otherwise its covariance is transformed and split back into
 * two deviations and an angle. */
static int blur_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
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

static int box_resolve(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                       void *log_ctx, const char *what)
{
    if (isnan(v[BOX_W]))
        v[BOX_W] = v[BOX_SIZE];
    if (isnan(v[BOX_H]))
        v[BOX_H] = v[BOX_SIZE];
    return 0;
}

static int box_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
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

static int defocus_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
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

enum {
    MOT_LENGTH, MOT_ANGLE, MOT_ALIGN, MOT_SHAKE, MOT_SHAKE_FREQ, MOT_EXPOSURE, MOT_PATH,
    MOT_BORDER, MOT_FILL
};

static const ChainOption motion_options[] = {
    { "length",     OPT_NUM, "10", 0, 2000, NULL, "length of a straight motion path in pixels" },
    { "angle",      OPT_NUM, "0", -360, 360, NULL, "direction of the straight motion in degrees, counter-clockwise from +x" },
    { "align",      OPT_ENUM, "center", 0, 0, align_names, "where the path lies relative to each pixel: centred, ahead of it or behind it" },
    { "shake",      OPT_NUM, "0", 0, 500, NULL, "camera shake: RMS displacement of a smooth random trajectory, in pixels; each frame's kernel is the part traced during its exposure" },
    { "shake_freq", OPT_NUM, "6", 0.01, 100, NULL, "typical frequency of the shake in Hz (its spectrum spans about a factor 8 around it)" },
    { "exposure",   OPT_NUM, "0.02", 0, 10, NULL, "exposure time in seconds over which the shake is traced" },
    { "path",       OPT_STR, NULL, 0, 0, NULL, "a polyline 'x/y x/y ...' in pixels, traced in equal times, instead of the straight path" },
    BORDER_OPTIONS,
    { NULL }
};

#define SHAKE_TERMS 8

typedef struct MotionState {
    int              nb_user;                      ///< points of the path option
    SmearMotionPoint user[SMEAR_MOTION_MAX_POINTS];
    int              nb_points;                    ///< this frame's path, luma pixels
    SmearMotionPoint points[SMEAR_MOTION_MAX_POINTS];
} MotionState;

static int motion_init(void *state, char *const *str, void *log_ctx, const char *what)
{
    MotionState *m = state;
    const char *p = str[MOT_PATH];
    if (!p)
        return 0;
    while (*p) {
        char *end;
        while (*p == ' ' || *p == ';')
            p++;
        if (!*p)
            break;
        double x = strtod(p, &end);
        if (end == p || *end != '/')
            goto bad;
        p = end + 1;
        double y = strtod(p, &end);
        if (end == p || !isfinite(x) || !isfinite(y) || fabs(x) > 1e5 || fabs(y) > 1e5)
            goto bad;
        p = end;
        if (m->nb_user == SMEAR_MOTION_MAX_POINTS) {
            av_log(log_ctx, AV_LOG_ERROR, "%s: path has more than %d points\n", what,
                   SMEAR_MOTION_MAX_POINTS);
            return AVERROR(EINVAL);
        }
        m->user[m->nb_user].x = x;
        m->user[m->nb_user].y = y;
        m->nb_user++;
    }
    if (m->nb_user < 2) {
        av_log(log_ctx, AV_LOG_ERROR, "%s: path needs at least two points 'x/y x/y'\n", what);
        return AVERROR(EINVAL);
    }
    return 0;
bad:
    av_log(log_ctx, AV_LOG_ERROR, "%s: path '%s' is not a list of x/y points\n", what, str[MOT_PATH]);
    return AVERROR(EINVAL);
}

/* The camera's random trajectory: on each axis a sum of sinusoids with
 * log-spread frequencies around f0, random phases and amplitudes falling as
 * 1/f (most of the energy is slow sway, the rest jitter), scaled so the RMS
 * displacement is rms. It is smooth and defined for every t, so successive
 * frames see consecutive pieces of one path. */
static SmearMotionPoint shake_at(uint64_t seed, double t, double rms, double f0)
{
    SmearMotionPoint p = { 0, 0 };
    double norm = 0;
    for (int k = 0; k < SHAKE_TERMS; k++) {
        const double u = (k + smear_hash_unit(smear_hash64(seed, 0x5a4e, (uint64_t)k))) / SHAKE_TERMS;
        const double f = f0 * exp2(3.0 * u - 1.5);
        const double a = 1.0 / f;
        const double phx = 2 * M_PI * smear_hash_unit(smear_hash64(seed, 0x5a4f, (uint64_t)k));
        const double phy = 2 * M_PI * smear_hash_unit(smear_hash64(seed, 0x5a50, (uint64_t)k));
        p.x += a * sin(2 * M_PI * f * t + phx);
        p.y += a * sin(2 * M_PI * f * t + phy);
        norm += a * a;
    }
    /* each axis has mean square norm/2; together rms^2 */
    const double scale = rms / sqrt(norm);
    p.x *= scale;
    p.y *= scale;
    return p;
}

/* Position on the user's polyline at time fraction s in [0, 1]: the points
 * are equally spaced in time. */
static SmearMotionPoint user_path_at(const MotionState *m, double s)
{
    const double pos = s * (m->nb_user - 1);
    int i = (int)floor(pos);
    if (i >= m->nb_user - 1)
        i = m->nb_user - 2;
    const double f = pos - i;
    SmearMotionPoint p = { m->user[i].x + f * (m->user[i + 1].x - m->user[i].x),
                           m->user[i].y + f * (m->user[i + 1].y - m->user[i].y) };
    return p;
}

static int motion_resolve(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                          void *log_ctx, const char *what)
{
    MotionState *m = state;
    const double len = v[MOT_LENGTH], a = deg2rad(v[MOT_ANGLE]);
    /* screen y grows downwards: counter-clockwise is -y */
    const double dx = cos(a) * len, dy = -sin(a) * len;
    const double s0 = (int)v[MOT_ALIGN] == 1 ? 0 : (int)v[MOT_ALIGN] == 2 ? 1 : 0.5;
    const double shake = v[MOT_SHAKE], exposure = v[MOT_EXPOSURE];

    if (!(shake > 0 && exposure > 0)) {
        if (m->nb_user) {
            m->nb_points = m->nb_user;
            memcpy(m->points, m->user, sizeof(m->user[0]) * m->nb_user);
        } else {
            m->nb_points = 2;
            m->points[0] = (SmearMotionPoint){ -s0 * dx, -s0 * dy };
            m->points[1] = (SmearMotionPoint){ (1 - s0) * dx, (1 - s0) * dy };
        }
        return 0;
    }
    /* the shake's part over this frame's exposure, anchored like the
     * straight path, plus the straight (or user) path, sampled finely
     * enough that the polyline follows the curve */
    const double f0 = v[MOT_SHAKE_FREQ];
    const double sweep = 2 * M_PI * f0 * 2.8 * exposure; /* phase swept by the fastest term */
    int n = (int)ceil(16 * fmax(1, sweep)) + 1;
    if (m->nb_user)
        n = FFMAX(n, 4 * m->nb_user);
    n = FFMIN(n, SMEAR_MOTION_MAX_POINTS);
    const SmearMotionPoint anchor = shake_at(seed, vars->t + s0 * exposure, shake, f0);
    for (int i = 0; i < n; i++) {
        const double s = (double)i / (n - 1);
        const SmearMotionPoint sh = shake_at(seed, vars->t + s * exposure, shake, f0);
        SmearMotionPoint base;
        if (m->nb_user)
            base = user_path_at(m, s);
        else
            base = (SmearMotionPoint){ (s - s0) * dx, (s - s0) * dy };
        m->points[i].x = base.x + sh.x - anchor.x;
        m->points[i].y = base.y + sh.y - anchor.y;
    }
    m->nb_points = n;
    return 0;
}

static void motion_json(const void *state, AVBPrint *bp)
{
    const MotionState *m = state;
    /* the path actually traced this frame, for plots and checks (not
     * options: the options above reproduce it) */
    double length = 0;
    for (int i = 1; i < m->nb_points; i++)
        length += hypot(m->points[i].x - m->points[i - 1].x, m->points[i].y - m->points[i - 1].y);
    av_bprintf(bp, ",\"kernel_length\":%.6g,\"kernel_path\":\"", length);
    for (int i = 0; i < m->nb_points; i++)
        av_bprintf(bp, "%s%.6g/%.6g", i ? " " : "", m->points[i].x, m->points[i].y);
    av_bprintf(bp, "\"");
}

static int motion_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
{
    const MotionState *m = state;
    SmearMotionParams *p = kp;
    memset(p, 0, sizeof(*p));
    p->border = plane_border(v, MOT_BORDER, pl);
    double extent = 0;
    for (int i = 1; i < m->nb_points; i++)
        extent += hypot(m->points[i].x - m->points[i - 1].x, m->points[i].y - m->points[i - 1].y);
    if (extent == 0)
        return 1;
    p->nb_points = m->nb_points;
    for (int i = 0; i < m->nb_points; i++) {
        p->points[i].x = m->points[i].x / pl->scale_x;
        p->points[i].y = m->points[i].y / pl->scale_y;
    }
    return 0;
}

static const ChainFilterDef motion_def = {
    .name = "motion",
    .help = "motion blur: a straight path of any length and direction, a drawn path, or camera shake",
    .options = motion_options,
    .kernel = &smear_kernel_motion,
    .kparams_size = sizeof(SmearMotionParams),
    .state_size = sizeof(MotionState),
    .init = motion_init,
    .resolve = motion_resolve,
    .json = motion_json,
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

static int shear_resolve(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                         void *log_ctx, const char *what)
{
    if (fabs(1 - v[SHEAR_X] * v[SHEAR_Y]) < 1e-6) {
        av_log(log_ctx, AV_LOG_ERROR,
               "%s: x*y = 1 folds the picture onto a line (x=%g, y=%g)\n", what,
               v[SHEAR_X], v[SHEAR_Y]);
        return AVERROR(EINVAL);
    }
    return 0;
}

static int shear_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
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

static int affine_resolve(double *v, void *state, const SmearScheduleVars *vars, uint64_t seed,
                          void *log_ctx, const char *what)
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

static int affine_bind(const double *v, const void *state, const ChainPlane *pl, void *kp)
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
