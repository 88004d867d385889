/*
 * smear - defocus: the kernel (exact area of the disk over each sample,
 * or a soft edge) and job splitting (the passes are in defocus_dsp.c).
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "defocus.h"
#include "defocus_dsp.h"
#include "fft.h"
#include "padded.h"

/* The most bytes a narrow pass's rings of whole rows may take; a taller
 * disk's rings hold strips of columns (a 1080p plane, radius 60: 23.2 ms in
 * strips of 512 columns, 24.8 in whole rows; radius 40 and 50 the same
 * either way, within the timing's noise). */
#define DEFOCUS_RING_BYTES ((size_t)640 << 10)

/* The largest tile of the Fourier route, for a disk of reach up to 1023
 * each side (every disk the filter accepts: radius 500 with a soft edge of
 * 1 reaches 751): 128 MB of scratch a job, no more jobs than pairs of
 * tiles, and the kernel's spectrum 64 MB. A tile only grows that big for a
 * disk that big, which the runs and taps would take seconds or minutes a
 * plane over (a 1080p plane, radius 200 with a soft edge of 1: 17 s). */
#define DEFOCUS_FFT_MAX_TILE 4096

typedef struct DefocusPriv {
    DefocusPlan plan;
    int         identity;
    int         nb_work;
    size_t      work_size;     ///< bytes of scratch per job
    uint8_t    *work;
    void (*rows)(const DefocusPlan *, const SmearPlane *, const SmearPlane *, int, int, void *);
    /* the route through the Fourier transform, where it is cheaper (fft.T
     * is 0 when the runs and taps are taken) */
    SmearFftConv fft;
    void (*fft_run)(const SmearFftConv *, const SmearPlane *, const SmearPlane *, int, int, void *);
    const SmearPlane *src; /* of the frame being processed */
    const SmearPlane *dst;
    SmearBuf    buf_work;
    SmearBuf    buf_spectrum;  ///< the Fourier way's kernel spectrum
} DefocusPriv;

/* Antiderivative of sqrt(r^2 - x^2), for x in [-r, r]. */
static double half_disk(double x, double r)
{
    x = x < -r ? -r : x > r ? r : x;
    return 0.5 * (x * sqrt(fmax(r * r - x * x, 0)) + r * r * asin(x / r));
}

static double chord(double x, double r)
{
    return fabs(x) >= r ? 0 : sqrt(r * r - x * x);
}

static int cmp_double(const void *a, const void *b)
{
    const double d = *(const double *)a - *(const double *)b;
    return d < 0 ? -1 : d > 0;
}

/* The integral over [x0, x1] of clamp(chord(x), lo, hi), exactly: between
 * the points where the chord crosses lo or hi the integrand is a constant
 * or the chord itself. */
static double clamped_area(double x0, double x1, double lo, double hi, double r)
{
    double pts[12];
    int n = 0;
    pts[n++] = x0;
    pts[n++] = x1;
    const double cand[] = { 0, -r, r,
                            lo >= 0 && lo <= r ? sqrt(r * r - lo * lo) : NAN,
                            hi >= 0 && hi <= r ? sqrt(r * r - hi * hi) : NAN };
    for (int i = 0; i < 5; i++)
        if (isfinite(cand[i]))
            for (int s = -1; s <= 1; s += 2)
                if (s * cand[i] > x0 && s * cand[i] < x1)
                    pts[n++] = s * cand[i];
    qsort(pts, n, sizeof(double), cmp_double);
    double area = 0;
    for (int i = 0; i + 1 < n; i++) {
        const double a = pts[i], b = pts[i + 1];
        if (b <= a)
            continue;
        const double f = chord(0.5 * (a + b), r);
        if (f <= lo)
            area += lo * (b - a);
        else if (f >= hi)
            area += hi * (b - a);
        else
            area += half_disk(b, r) - half_disk(a, r);
    }
    return area;
}

/* Exact area of the disk of radius r centred at 0 over [x0,x1] x [y0,y1]. */
static double disk_area(double x0, double x1, double y0, double y1, double r)
{
    return clamped_area(x0, x1, y0, y1, r) + clamped_area(x0, x1, -y1, -y0, r);
}

/* Antiderivative of sqrt(x^2 + y^2) in x. */
static double dist_integral(double x, double y)
{
    const double ay = fabs(y);
    return 0.5 * (x * sqrt(x * x + y * y) + (ay > 0 ? y * y * asinh(x / ay) : 0));
}

/* The integral over [a, b] of max(r - sqrt(x^2 + y^2), 0) in x, exactly: a
 * cone of height r over the line at y. */
static double cone_row(double a, double b, double y, double r)
{
    const double h2 = r * r - y * y;
    if (!(h2 > 0))
        return 0;
    const double h = sqrt(h2);
    a = fmax(a, -h), b = fmin(b, h);
    return b > a ? r * (b - a) - (dist_integral(b, y) - dist_integral(a, y)) : 0;
}

/* The soft profile over the square of sample (dx, dy) of an ellipse of
 * radii rx, ry (rx <= ry). In units of the radii the profile is
 * clamp((ro - rho) / soft, 0, 1) of the distance rho to the centre (its
 * flat top ends at ri = 1 - soft / 2, its edge at ro = 1 + soft / 2), the
 * difference of two cones, (max(ro - rho, 0) - max(ri - rho, 0)) / soft.
 * Across x, the narrower way, each cone's integral is exact; along y, n
 * points over the part of the square within the ellipse's reach. The
 * integrand along y is continuous, and it falls to 0 at the tips, where it
 * is hardest to sample, only in the end squares of the longer way: however
 * thin the ellipse, the points do not step along its edge. */
static double soft_weight(double rx, double ry, double soft, int dx, int dy)
{
    enum { n = 16 };
    const double ri = 1 - soft / 2, ro = 1 + soft / 2, ex = rx * ro, ey = ry * ro;
    const double x0 = fmax(dx - 0.5, -ex), x1 = fmin(dx + 0.5, ex);
    const double y0 = fmax(dy - 0.5, -ey), y1 = fmin(dy + 0.5, ey);
    if (!(x1 > x0 && y1 > y0))
        return 0;
    /* the square's nearest and farthest points in units of the radii: all
     * of it inside the profile's flat top weighs its area, all of it past
     * the edge nothing */
    const double nx = (x0 > 0 ? x0 : x1 < 0 ? -x1 : 0) / rx;
    const double ny = (y0 > 0 ? y0 : y1 < 0 ? -y1 : 0) / ry;
    const double fx = fmax(fabs(x0), fabs(x1)) / rx, fy = fmax(fabs(y0), fabs(y1)) / ry;
    const double near = sqrt(nx * nx + ny * ny), far = sqrt(fx * fx + fy * fy);
    if (far <= ri)
        return (x1 - x0) * (y1 - y0);
    if (near >= ro)
        return 0;
    if (near >= ri && far <= ro) {
        /* wholly on the ramp, (ro - rho) / soft, smooth over the square
         * (the centre lies off it): 3 x 3 Gauss-Legendre points weigh it as
         * closely as the integral below (measured in a float64 model
         * against the integral at 400 points, radii 2 to 20), with 9 square
         * roots instead of about 160 square roots and asinh */
        static const double gx[3] = { -0.7745966692414834, 0, 0.7745966692414834 };
        static const double gw[3] = { 5.0 / 9, 8.0 / 9, 5.0 / 9 };
        const double cx = 0.5 * (x0 + x1), hx = 0.5 * (x1 - x0);
        const double cy = 0.5 * (y0 + y1), hy = 0.5 * (y1 - y0);
        double sum = 0;
        for (int j = 0; j < 3; j++) {
            const double y = (cy + gx[j] * hy) / ry;
            for (int i = 0; i < 3; i++) {
                const double x = (cx + gx[i] * hx) / rx;
                sum += gw[j] * gw[i] * (ro - sqrt(x * x + y * y));
            }
        }
        return sum / (4 * soft) * (x1 - x0) * (y1 - y0);
    }
    const double a = x0 / rx, b = x1 / rx;
    double sum = 0;
    for (int j = 0; j < n; j++) {
        const double y = (y0 + (j + 0.5) * (y1 - y0) / n) / ry;
        sum += cone_row(a, b, y, ro) - cone_row(a, b, y, ri);
    }
    /* the mean over y of the integral across, in units of the radii */
    return sum / (n * soft) * (y1 - y0) * rx;
}

/* Weight of sample (dx, dy): the ellipse's area over its square (a hard
 * edge, or a soft one narrower than a thousandth of a sample), or the
 * integral of the soft profile over it. */
static double sample_weight(const SmearDefocusParams *d, int dx, int dy)
{
    if (d->soft * fmax(d->radius_x, d->radius_y) < 1e-3) {
        /* an ellipse is a disk of radius ry stretched by rx / ry along x;
         * the square's columns clipped to the ellipse's first, so that a
         * needle-thin one does not scale them past what a double holds */
        const double k = d->radius_y / d->radius_x;
        const double x0 = fmax(dx - 0.5, -d->radius_x), x1 = fmin(dx + 0.5, d->radius_x);
        return x1 > x0 ? disk_area(x0 * k, x1 * k, dy - 0.5, dy + 0.5, d->radius_y) / k : 0;
    }
    /* exact across the narrower way: across y for an ellipse wider than tall */
    return d->radius_x <= d->radius_y ? soft_weight(d->radius_x, d->radius_y, d->soft, dx, dy)
                                      : soft_weight(d->radius_y, d->radius_x, d->soft, dy, dx);
}

/* Frees the plan; the scratch buffers are kept for the next configuration
 * unless all is set. */
static void priv_free(DefocusPriv *d, int all)
{
    SmearBuf keep = d->buf_work, keep_spectrum = d->buf_spectrum;
    free(d->plan.runs);
    free(d->plan.taps);
    free(d->plan.terms);
    free(d->plan.qw);
    smear_fft_conv_free(&d->fft);
    if (all) {
        smear_buf_free(&keep);
        smear_buf_free(&keep_spectrum);
    }
    memset(d, 0, sizeof(*d));
    d->buf_work = keep;
    d->buf_spectrum = keep_spectrum;
}

static int cmp_tap_row(const void *a, const void *b)
{
    const DefocusTap *s = a, *t = b;
    return s->dy != t->dy ? (s->dy > t->dy) - (s->dy < t->dy) : (s->dx > t->dx) - (s->dx < t->dx);
}

/* The narrow pass's terms (the runs, then the taps, each padded to an even
 * count) and their integer weights: as fine as the 32-bit sums allow, at
 * most 2^14 (an int16). Unless paired, each column of a run is a term, and
 * a run's two columns make a pair of terms. */
static int narrow_terms(DefocusPlan *p, double total, int paired)
{
    p->paired = paired;
    const int nr = (p->paired ? 1 : 2) * p->nb_runs + p->has_centre_run;
    const int n = nr + 1 + p->nb_taps + 1;
    int16_t *w = calloc((size_t)n, sizeof(*w));
    p->terms = calloc((size_t)n, sizeof(*p->terms));
    p->qw = calloc((size_t)n / 2 + 1, sizeof(*p->qw));
    if (!w || !p->terms || !p->qw) {
        free(w);
        return -ENOMEM;
    }
    int q = 14;
    const double max = (1 << p->depth) - 1;
    while (q > 1 && max * total * 1.01 * (1 << q) >= 2147483647.0)
        q--;
    const int unit = 1 << q;
    double qtotal = 0;
    int k = 0;
    for (int i = 0; i < p->nb_runs + p->has_centre_run; i++) {
        const DefocusRun *r = i < p->nb_runs ? &p->runs[i] : &p->centre_run;
        const int len = r->b - r->a + 1;
        if (p->paired) {
            /* the centre column's run is loaded twice, at half the weight */
            p->terms[k] = (DefocusTerm){ r->dx, 0, r->a, r->b };
            w[k] = (int16_t)(r->dx ? unit : unit / 2);
            qtotal += 2.0 * w[k++] * len;
        } else {
            /* columns -dx and dx, or the centre column once */
            for (int side = r->dx ? -1 : 1; side <= 1; side += 2) {
                p->terms[k] = (DefocusTerm){ side * r->dx, 0, r->a, r->b };
                w[k] = (int16_t)unit;
                qtotal += (double)w[k++] * len;
            }
        }
    }
    p->nb_run_real = k;
    if (k % 2) /* padding, of weight 0 */
        p->terms[k++] = (DefocusTerm){ 0, 0, 0, 0 };
    p->nb_run_terms = k;
    double off = 0; /* how far the integer weights are from the exact ones */
    for (int i = 0; i < p->nb_taps; i++, k++) {
        const DefocusTap *t = &p->taps[i];
        p->terms[k] = (DefocusTerm){ t->dx, t->dy, 0, 0 };
        w[k] = (int16_t)lrint(t->w * unit);
        qtotal += 4.0 * w[k];
        off += 4.0 * fabs(w[k] - t->w * unit);
    }
    if (!(qtotal > 0 && off <= qtotal / 1024)) {
        /* a kernel too faint for integer weights (a disk of a tiny fraction
         * of a sample, whose weights round to 0): the float pass */
        free(w);
        free(p->terms);
        free(p->qw);
        p->terms = NULL;
        p->qw = NULL;
        return 0;
    }
    p->nb_term_real = k;
    if (k % 2)
        p->terms[k++] = (DefocusTerm){ 0, 0, 0, 0 };
    p->nb_terms = k;
    for (int i = 0; i < k; i += 2)
        p->qw[i / 2] = (int32_t)((uint32_t)(uint16_t)w[i] | (uint32_t)(uint16_t)w[i + 1] << 16);
    free(w);
    p->qscale = (float)(1 / qtotal);
    p->narrow = 1;
    return 0;
}

static int defocus_configure(void *priv, const void *params, const SmearPlaneInfo *info)
{
    DefocusPriv *d = priv;
    const SmearDefocusParams *dp = params;
    priv_free(d, 0);
    if (!isfinite(dp->radius_x) || !isfinite(dp->radius_y) || !isfinite(dp->soft) ||
        dp->radius_x < 0 || dp->radius_y < 0 || dp->radius_x > 2000 || dp->radius_y > 2000 ||
        dp->soft < 0 || dp->soft > 1)
        return -EINVAL;
    /* no area, or an ellipse inside the centre sample's square: each output
     * is the mean over part of its own sample, the sample itself */
    const double grow = 1 + dp->soft / 2;
    if (dp->radius_x == 0 || dp->radius_y == 0 ||
        (dp->radius_x * grow <= 0.5 && dp->radius_y * grow <= 0.5)) {
        d->identity = 1;
        return 0;
    }
    DefocusPlan *p = &d->plan;
    p->w = info->w;
    p->h = info->h;
    p->depth = info->depth;
    p->border = dp->border;
    /* a fill outside the depth's range would not sum as the samples do */
    const int max = (1 << p->depth) - 1; /* the largest sample */
    p->border.fill = p->border.fill < 0 ? 0 : p->border.fill > max ? max : p->border.fill;
    p->rx = (int)ceil(dp->radius_x * grow + 0.5);
    p->ry = (int)ceil(dp->radius_y * grow + 0.5);
    const int kw = 2 * p->rx + 1, kh = 2 * p->ry + 1;
    double *k = malloc(sizeof(double) * kw * kh);
    p->runs = malloc(sizeof(*p->runs) * kw);
    p->taps = malloc(sizeof(*p->taps) * kw * kh);
    if (!k || !p->runs || !p->taps) {
        free(k);
        priv_free(d, 0);
        return -ENOMEM;
    }
    double total = 0;
    for (int dy = -p->ry; dy <= p->ry; dy++)
        for (int dx = -p->rx; dx <= p->rx; dx++) {
            const double w = sample_weight(dp, dx, dy);
            k[(dy + p->ry) * kw + dx + p->rx] = w;
            total += w;
        }
    if (!(total > 0)) { /* no area the sums can see: no blur */
        free(k);
        priv_free(d, 0);
        d->identity = 1;
        return 0;
    }
    /* the taps' weights in units of the kernel's total where that is below
     * 1 (no full sample then, so no run of weight 1): a kernel too faint for
     * a float (a needle of 1e-40 samples) still weighs its samples */
    const double unit = total < 1 ? total : 1;
    /* per column pair (dx, -dx): the run of full samples, and the rest as
     * taps, grouped with their mirror images */
    for (int dx = 0; dx <= p->rx; dx++) {
        int a = 1, b = 0;
        for (int dy = -p->ry; dy <= p->ry; dy++) {
            if (k[(dy + p->ry) * kw + dx + p->rx] >= 1 - 1e-9) {
                if (a > b)
                    a = dy;
                b = dy;
            }
        }
        if (b - a >= 1) { /* a run of two or more is worth its loads */
            if (dx)
                p->runs[p->nb_runs++] = (DefocusRun){ dx, a, b };
            else
                p->centre_run = (DefocusRun){ 0, a, b }, p->has_centre_run = 1;
        } else {
            a = 1, b = 0;
        }
        for (int dy = 0; dy <= p->ry; dy++) {
            double w = k[(dy + p->ry) * kw + dx + p->rx];
            if (w > 1e-12 * total && (dy < a || dy > b)) { /* the run is symmetric: -dy is out too */
                /* the passes always load four mirrored positions: a sample on
                 * an axis is loaded twice or four times, and weighs as much less */
                w = w >= 1 - 1e-9 ? 1 : w;
                w /= (dx ? 1 : 2) * (dy ? 1 : 2);
                p->taps[p->nb_taps++] = (DefocusTap){ dx, dy, (float)(w / unit) };
            }
        }
    }
    /* the Fourier route where it should be a tenth faster (fft.h): timed
     * on one 1080p plane (AVX-512), the passes below take about 0.6 ms +
     * 0.073 a tap + 0.1 to 0.25 a run (more as the disk grows taller), the
     * transforms 1.0 ms + 0.33 a unit of smear_fft_cost() (hard disks of
     * radius 16 to 24, best of 5: 0.31 to 0.33). Runs and taps against
     * the transforms, hard disks: radius 16, 5.1 ms either way; radius 18,
     * 5.7 against 5.0; radius 20, 6.6 against 6.0; radius 24, 8.0 against
     * 5.8. The choice depends on the kernel and the plane's size only,
     * never on the CPU, so that every build gives the same bytes. */
    const int T = smear_fft_tile(p->w, p->h, p->rx, p->ry, DEFOCUS_FFT_MAX_TILE);
    const double runs_ms = (0.1 + 0.003 * p->ry) * (p->nb_runs + p->has_centre_run);
    if (T && 1.0 + 0.33 * smear_fft_cost(p->w, p->h, p->rx, p->ry, T) <
                 0.9 * (0.6 + 0.073 * p->nb_taps + runs_ms)) {
        /* one job's scratch for the set-up, then as many jobs' as there
         * are threads, or pairs of tiles if fewer */
        d->work_size = smear_fft_conv_work(T);
        d->work = smear_buf_get(&d->buf_work, d->work_size);
        float *spectrum = smear_buf_get(&d->buf_spectrum, smear_fft_conv_spectrum(T));
        int ret = d->work && spectrum ? smear_fft_conv_init(&d->fft, k, p->rx, p->ry, total, T, info,
                                                            p->border, info->cpu, spectrum, d->work)
                                      : -ENOMEM;
        free(k);
        if (ret == 0) {
            const int threads = info->nb_threads > 0 ? info->nb_threads : 1;
            const int pairs = smear_fft_conv_pairs(&d->fft);
            d->nb_work = threads < pairs ? threads : pairs;
            d->work = smear_buf_get(&d->buf_work, d->work_size * d->nb_work);
            ret = d->work ? 0 : -ENOMEM;
        }
        if (ret < 0) {
            priv_free(d, 0);
            return ret;
        }
        d->fft_run = SMEAR_DSP_PICK(smear_fft_conv_pairs_run, info->cpu);
        return 0;
    }
    free(k);
    /* the runs and taps need no spectrum: a giant disk's goes back */
    if (smear_buf_too_big(d->buf_spectrum.size, 0))
        smear_buf_free(&d->buf_spectrum);
    /* the taps by row: the passes that load whole lines load a row pair's
     * once for all its taps */
    qsort(p->taps, (size_t)p->nb_taps, sizeof(*p->taps), cmp_tap_row);
    p->inv_total = (float)(unit / total);
    /* a chunk of runs summed as integers stays below 2^31 */
    const double run_max = 2.0 * max * kh;
    p->run_chunk = (int)fmin(fmax(floor(2147483647.0 / run_max), 1), 1 << 20);
    int ret;
    /* the integer pass, where its terms stay below DEFOCUS_WORD_SUM */
    int tallest = p->has_centre_run ? p->centre_run.b - p->centre_run.a + 1 : 0;
    for (int i = 0; i < p->nb_runs; i++)
        if (p->runs[i].b - p->runs[i].a + 1 > tallest)
            tallest = p->runs[i].b - p->runs[i].a + 1;
    if (4 * max < DEFOCUS_WORD_SUM && tallest * max < DEFOCUS_WORD_SUM &&
        (ret = narrow_terms(p, total / unit, 2 * tallest * max < DEFOCUS_WORD_SUM)) < 0) {
        priv_free(d, 0);
        return ret;
    }
    /* the rings of words are small: whole rows, unless a tall disk's
     * would not stay in the second-level cache */
    p->strip = smear_strip_width(p->rx, p->w, DEFOCUS_TILE);
    if (p->narrow) {
        const int whole = smear_row_strip(p->w, DEFOCUS_TILE);
        const size_t ring = sizeof(uint16_t) * (4 * (size_t)p->ry + 3) *
                            smear_lined_row(DEFOCUS_PAD, whole, p->rx);
        if (ring <= DEFOCUS_RING_BYTES)
            p->strip = whole;
    }
    p->pad = DEFOCUS_PAD;
    p->vnni = !!(info->cpu & SMEAR_CPU_VNNI);
    p->sw = smear_lined_row(DEFOCUS_PAD, p->strip, p->rx);
    d->nb_work = info->nb_threads > 0 ? info->nb_threads : 1;
    d->work_size = smear_defocus_work(p, NULL, NULL);
    d->work = smear_buf_get(&d->buf_work, d->work_size * d->nb_work);
    if (!d->work) {
        priv_free(d, 0);
        return -ENOMEM;
    }
    /* the last tile of a strip reads past the strip's columns (into lanes
     * it does not write out): keep those finite */
    memset(d->work, 0, d->work_size * d->nb_work);
    d->rows = SMEAR_DSP_PICK(smear_defocus_rows, info->cpu);
    return 0;
}

static void rows_job(void *arg, int j, int nb)
{
    DefocusPriv *d = arg;
    int y0, y1;
    if (d->fft.T) { /* pairs of tiles, any of which a job may take */
        int p0, p1;
        smear_job_rows(smear_fft_conv_pairs(&d->fft), j, nb, &p0, &p1);
        if (p1 > p0)
            d->fft_run(&d->fft, d->dst, d->src, p0, p1, d->work + (size_t)j * d->work_size);
        return;
    }
    smear_job_rows(d->plan.h, j, nb, &y0, &y1);
    if (y1 > y0)
        d->rows(&d->plan, d->dst, d->src, y0, y1, d->work + (size_t)j * d->work_size);
}

static void defocus_process(void *priv, const SmearPlane *dst, const SmearPlane *src,
                            const SmearExec *ex)
{
    DefocusPriv *d = priv;
    if (d->identity) {
        smear_plane_copy(dst, src);
        return;
    }
    d->src = src;
    d->dst = dst;
    int jobs = ex ? ex->nb_threads : 1;
    jobs = jobs > d->nb_work ? d->nb_work : jobs;
    jobs = jobs < 1 ? 1 : jobs;
    const int units = d->fft.T ? smear_fft_conv_pairs(&d->fft) : d->plan.h;
    smear_exec_run(ex, rows_job, d, jobs > units ? units : jobs);
}

int smear_defocus_is_fourier(const void *priv)
{
    return ((const DefocusPriv *)priv)->fft.T > 0;
}

size_t smear_defocus_scratch_bytes(const void *priv)
{
    const DefocusPriv *d = priv;
    return d->buf_work.size + d->buf_spectrum.size;
}

static void defocus_uninit(void *priv)
{
    priv_free(priv, 1);
}

const SmearKernel smear_kernel_defocus = {
    .name = "defocus",
    .priv_size = sizeof(DefocusPriv),
    .configure = defocus_configure,
    .process = defocus_process,
    .uninit = defocus_uninit,
};
