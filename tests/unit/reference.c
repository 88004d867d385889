/*
 * smear - the kernels' float64 references (see reference.h).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "border.h"
#include "reference.h"

static int taps_alloc(RefTaps *t, int x0, int y0, int kw, int kh, SmearBorder border)
{
    *t = (RefTaps){ x0, y0, kw, kh, calloc((size_t)kw * kh, sizeof(double)), border };
    return t->w ? 0 : -1;
}

static void taps_normalise(RefTaps *t)
{
    const size_t n = (size_t)t->kw * t->kh;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t->w[i];
    for (size_t i = 0; i < n; i++)
        t->w[i] /= sum;
}

void ref_taps_free(RefTaps *t)
{
    free(t->w);
    t->w = NULL;
}


double ref_sample(const SmearPlane *in, int x, int y)
{
    const uint8_t *row = in->data + (ptrdiff_t)y * in->stride;
    if (in->depth > 8) {
        uint16_t v;
        memcpy(&v, row + 2 * (ptrdiff_t)x, sizeof(v));
        return v;
    }
    return row[x];
}

int ref_levels_off(double ref, int got, int depth)
{
    if (!isfinite(ref))
        return INT_MAX;
    const double rounded = fmin(fmax(floor(ref + 0.5), 0), (1 << depth) - 1);
    return abs(got - (int)rounded);
}

/* The sample at (x, y), anywhere, by the border mode. */
static double tap(const SmearPlane *in, const SmearBorder *b, int64_t x, int64_t y)
{
    const int mx = smear_border_index(x, in->w, b->mode);
    const int my = smear_border_index(y, in->h, b->mode);
    return mx < 0 || my < 0 ? b->fill : ref_sample(in, mx, my);
}

double ref_taps_at(const RefTaps *t, const SmearPlane *in, int x, int y)
{
    double acc = 0;
    for (int j = 0; j < t->kh; j++)
        for (int i = 0; i < t->kw; i++) {
            const double w = t->w[(size_t)j * t->kw + i];
            if (w != 0)
                acc += w * tap(in, &t->border, (int64_t)x + t->x0 + i, (int64_t)y + t->y0 + j);
        }
    return acc;
}

/* exp(-(u^2 / 2 sx^2 + v^2 / 2 sy^2)) over the turned offsets (u, v), out to
 * 5 sigma along the blur's own axes. As documented, an angle less than
 * 1e-9 right angles from a multiple of one is that multiple; a kernel
 * turned off the axes with unequal sigmas has its narrower sigma raised to
 * 0.5, or to the wider if that is less; a zero sigma on an axis is a line. */
int ref_taps_gaussian(RefTaps *t, const SmearGaussianParams *asked)
{
    SmearGaussianParams gp = *asked;
    const double turns = asked->angle / (M_PI / 2);
    if (fabs(turns - round(turns)) < 1e-9) {
        gp.angle = round(turns) * (M_PI / 2);
    } else if (asked->sigma_x != asked->sigma_y) {
        double *narrow = asked->sigma_x < asked->sigma_y ? &gp.sigma_x : &gp.sigma_y;
        *narrow = fmax(*narrow, fmin(0.5, fmax(asked->sigma_x, asked->sigma_y)));
    }
    const double c = cos(gp.angle), s = sin(gp.angle);
    int rx = (int)ceil(5 * sqrt(pow(gp.sigma_x * c, 2) + pow(gp.sigma_y * s, 2)));
    int ry = (int)ceil(5 * sqrt(pow(gp.sigma_x * s, 2) + pow(gp.sigma_y * c, 2)));
    if (gp.sigma_x == 0 && gp.sigma_y == 0)
        rx = ry = 0;
    if (taps_alloc(t, -rx, -ry, 2 * rx + 1, 2 * ry + 1, gp.border) < 0)
        return -1;
    for (int dy = -ry; dy <= ry; dy++)
        for (int dx = -rx; dx <= rx; dx++) {
            const double u = dx * c + dy * s, v = -dx * s + dy * c;
            double e = 0;
            if (gp.sigma_x > 0)
                e += u * u / (2 * gp.sigma_x * gp.sigma_x);
            else if (fabs(u) > 1e-9)
                e = INFINITY;
            if (gp.sigma_y > 0)
                e += v * v / (2 * gp.sigma_y * gp.sigma_y);
            else if (fabs(v) > 1e-9)
                e = INFINITY;
            t->w[(size_t)(dy + ry) * t->kw + dx + rx] = exp(-e);
        }
    taps_normalise(t);
    return 0;
}

/* The share of sample i's square [i - 1/2, i + 1/2] inside a window of the
 * given width centred on 0. */
static double box_weight(int i, double width)
{
    const double lo = fmax(i - 0.5, -width / 2), hi = fmin(i + 0.5, width / 2);
    return hi > lo ? (hi - lo) / width : 0;
}

int ref_taps_box(RefTaps *t, const SmearBoxParams *bp)
{
    const int rx = (int)ceil(bp->w / 2) + 1, ry = (int)ceil(bp->h / 2) + 1;
    if (taps_alloc(t, -rx, -ry, 2 * rx + 1, 2 * ry + 1, bp->border) < 0)
        return -1;
    for (int dy = -ry; dy <= ry; dy++)
        for (int dx = -rx; dx <= rx; dx++)
            t->w[(size_t)(dy + ry) * t->kw + dx + rx] = box_weight(dx, bp->w) * box_weight(dy, bp->h);
    return 0;
}

/* Where the square of sample (dx, dy) lies against the ellipse of radii
 * (rx, ry): 1 wholly inside (its corners are, and the ellipse is convex),
 * -1 wholly outside (its point nearest the centre, with the axes scaled to
 * make the ellipse a circle, is outside), 0 across the edge. */
static int square_side(double rx, double ry, int dx, int dy)
{
    const double fx = abs(dx), fy = abs(dy);
    const double ax = (fx + 0.5) / rx, ay = (fy + 0.5) / ry;
    if (ax * ax + ay * ay <= 1)
        return 1;
    const double nx = dx ? (fx - 0.5) / rx : 0, ny = dy ? (fy - 0.5) / ry : 0;
    return nx * nx + ny * ny >= 1 ? -1 : 0;
}

/* The soft profile, clamp((ro - rho) / soft, 0, 1) of the distance rho to
 * the centre in units of the radii, integrated over x in [x0, x1] (also in
 * units of the radii) at y: n points on each piece between the places where
 * rho crosses the flat top's edge ri and the outer edge ro, on which the
 * profile is smooth. */
static double soft_row(double x0, double x1, double y, double soft, int n)
{
    const double ri = 1 - soft / 2, ro = 1 + soft / 2;
    double cut[6] = { x0, x1 };
    int nc = 2;
    for (int k = 0; k < 2; k++) {
        const double r = k ? ro : ri;
        if (r * r > y * y)
            for (int sign = -1; sign <= 1; sign += 2) {
                const double x = sign * sqrt(r * r - y * y);
                if (x > x0 && x < x1)
                    cut[nc++] = x;
            }
    }
    for (int i = 1; i < nc; i++) /* sorted */
        for (int j = i; j > 0 && cut[j] < cut[j - 1]; j--) {
            const double t = cut[j];
            cut[j] = cut[j - 1], cut[j - 1] = t;
        }
    double s = 0;
    for (int p = 0; p + 1 < nc; p++)
        for (int i = 0; i < n; i++) {
            const double x = cut[p] + (i + 0.5) * (cut[p + 1] - cut[p]) / n;
            const double t = (sqrt(x * x + y * y) - ri) / soft;
            s += (t <= 0 ? 1 : t >= 1 ? 0 : 1 - t) * (cut[p + 1] - cut[p]) / n;
        }
    return s;
}

/* The soft profile of an ellipse of radii rx <= ry over the square of
 * sample (dx, dy): integrated across x (soft_row()) at each of many points
 * on y over the part of the square it reaches. */
static double soft_area(double rx, double ry, double soft, int dx, int dy)
{
    const int n = 48;
    const double ex = rx * (1 + soft / 2), ey = ry * (1 + soft / 2);
    const double x0 = fmax(dx - 0.5, -ex), x1 = fmin(dx + 0.5, ex);
    const double y0 = fmax(dy - 0.5, -ey), y1 = fmin(dy + 0.5, ey);
    double s = 0;
    for (int j = 0; j < n && x1 > x0 && y1 > y0; j++) {
        const double y = y0 + (j + 0.5) * (y1 - y0) / n;
        s += soft_row(x0 / rx, x1 / rx, y / ry, soft, 16);
    }
    return s / n * (y1 - y0) * rx;
}

/* The kernel over the square of sample (dx, dy). A hard ellipse: the length
 * of each of many thin vertical slices inside it, summed (slices of the
 * part of the square's width it spans, however thin). A soft one:
 * soft_area() across the narrower way, where the profile's edges would
 * fall between points. A square wholly inside the flat top is 1, one
 * wholly past the edge 0. */
static double disk_area(const SmearDefocusParams *d, int dx, int dy)
{
    const double inner = d->soft > 0 ? 1 - d->soft / 2 : 1, outer = d->soft > 0 ? 1 + d->soft / 2 : 1;
    if (square_side(d->radius_x * inner, d->radius_y * inner, dx, dy) > 0)
        return 1;
    if (square_side(d->radius_x * outer, d->radius_y * outer, dx, dy) < 0)
        return 0;
    if (d->soft > 0)
        return d->radius_x <= d->radius_y ? soft_area(d->radius_x, d->radius_y, d->soft, dx, dy)
                                          : soft_area(d->radius_y, d->radius_x, d->soft, dy, dx);
    const int n = 4000;
    const double x0 = fmax(dx - 0.5, -d->radius_x), x1 = fmin(dx + 0.5, d->radius_x);
    double a = 0;
    for (int i = 0; i < n && x1 > x0; i++) {
        const double x = x0 + (i + 0.5) * (x1 - x0) / n;
        const double u = 1 - pow(x / d->radius_x, 2);
        if (u <= 0)
            continue;
        const double h = d->radius_y * sqrt(u); /* the ellipse spans [-h, h] at x */
        const double lo = fmax(dy - 0.5, -h), hi = fmin(dy + 0.5, h);
        if (hi > lo)
            a += (hi - lo) * (x1 - x0) / n;
    }
    return a;
}

int ref_taps_defocus(RefTaps *t, const SmearDefocusParams *d)
{
    if (d->radius_x == 0 || d->radius_y == 0) { /* as documented: no blur */
        if (taps_alloc(t, 0, 0, 1, 1, d->border) < 0)
            return -1;
        t->w[0] = 1;
        return 0;
    }
    const int rx = (int)ceil(d->radius_x * (1 + d->soft / 2)) + 1;
    const int ry = (int)ceil(d->radius_y * (1 + d->soft / 2)) + 1;
    if (taps_alloc(t, -rx, -ry, 2 * rx + 1, 2 * ry + 1, d->border) < 0)
        return -1;
    for (int dy = -ry; dy <= ry; dy++)
        for (int dx = -rx; dx <= rx; dx++)
            t->w[(size_t)(dy + ry) * t->kw + dx + rx] = disk_area(d, dx, dy);
    taps_normalise(t);
    return 0;
}

/* Each segment of the path an equal share of the exposure, walked in many
 * tiny equal steps of time, each credited to the sample square it lies in;
 * a single point (or a path of length 0) is no blur. */
int ref_taps_motion(RefTaps *t, const SmearMotionParams *mp)
{
    double minx = 1e9, maxx = -1e9, miny = 1e9, maxy = -1e9;
    for (int i = 0; i < mp->nb_points; i++) {
        minx = fmin(minx, mp->points[i].x), maxx = fmax(maxx, mp->points[i].x);
        miny = fmin(miny, mp->points[i].y), maxy = fmax(maxy, mp->points[i].y);
    }
    const int x0 = (int)floor(minx) - 2, y0 = (int)floor(miny) - 2;
    if (taps_alloc(t, x0, y0, (int)ceil(maxx) + 3 - x0, (int)ceil(maxy) + 3 - y0, mp->border) < 0)
        return -1;
    const int steps = 20000;
    const int segs = mp->nb_points > 1 ? mp->nb_points - 1 : 1;
    for (int s = 0; s < segs; s++) {
        const SmearMotionPoint a = mp->points[s], b = mp->points[mp->nb_points > 1 ? s + 1 : s];
        for (int i = 0; i < steps; i++) {
            const double f = (i + 0.5) / steps;
            const int px = (int)floor(a.x + f * (b.x - a.x) + 0.5);
            const int py = (int)floor(a.y + f * (b.y - a.y) + 0.5);
            t->w[(size_t)(py - y0) * t->kw + px - x0] += 1.0 / steps / segs;
        }
    }
    return 0;
}

int ref_taps_kernel(RefTaps *t, const SmearKernel *k, const void *params)
{
    *t = (RefTaps){ 0 };
    if (k == &smear_kernel_gaussian)
        return ref_taps_gaussian(t, params);
    if (k == &smear_kernel_box)
        return ref_taps_box(t, params);
    if (k == &smear_kernel_defocus)
        return ref_taps_defocus(t, params);
    if (k == &smear_kernel_motion)
        return ref_taps_motion(t, params);
    return -1;
}

/* Catmull-Rom (a = -1/2): the weight of the tap at offset i - 1 from the
 * sample before the position, t past it. */
static double catmull_rom(double t, int i)
{
    const double d = fabs(t - (i - 1));
    if (d < 1)
        return 1.5 * d * d * d - 2.5 * d * d + 1;
    if (d < 2)
        return -0.5 * d * d * d + 2.5 * d * d - 4 * d + 2;
    return 0;
}

double ref_affine_at(const SmearAffineParams *ap, const SmearPlane *in, int x, int y)
{
    const double sx = ap->m[0] * x + ap->m[1] * y + ap->m[2];
    const double sy = ap->m[3] * x + ap->m[4] * y + ap->m[5];
    const double fx0 = floor(sx), fy0 = floor(sy), fx = sx - fx0, fy = sy - fy0;
    const int64_t ix = (int64_t)fx0, iy = (int64_t)fy0;
    const SmearBorder *b = &ap->border;
    if (ap->interp == SMEAR_INTERP_BICUBIC) {
        double acc = 0;
        for (int j = 0; j < 4; j++)
            for (int i = 0; i < 4; i++)
                acc += catmull_rom(fx, i) * catmull_rom(fy, j) * tap(in, b, ix - 1 + i, iy - 1 + j);
        return acc;
    }
    return (1 - fy) * ((1 - fx) * tap(in, b, ix, iy) + fx * tap(in, b, ix + 1, iy)) +
           fy * ((1 - fx) * tap(in, b, ix, iy + 1) + fx * tap(in, b, ix + 1, iy + 1));
}
