/*
 * smear - parameter schedules: the statistics of every generator over many
 * frames, bounds, determinism, keyframes, and clear errors.
 */
#include <math.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "schedule.h"
#include "testutil.h"

static int nb_errors;
static char last_error[512];

static void count_errors(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_ERROR)
        return;
    nb_errors++;
    vsnprintf(last_error, sizeof(last_error), fmt, vl);
}

static SmearSchedule *parse(const char *text, uint64_t seed)
{
    SmearSchedule *s = NULL;
    nb_errors = 0;
    int ret = smear_schedule_parse(&s, text, seed, 1, NULL, "test: x");
    REQUIRE(ret == 0 && s, "'%s' should parse (%s)", text, last_error);
    REQUIRE(nb_errors == 0, "'%s' logged: %s", text, last_error);
    return s;
}

/* Values at frames 0..n-1 at fps 25. */
static double *series(SmearSchedule *s, int n)
{
    double *v = malloc(sizeof(double) * n);
    REQUIRE(v, "out of memory");
    for (int i = 0; i < n; i++) {
        const SmearScheduleVars vars = { i / 25.0, i, 640, 360, 25 };
        REQUIRE(smear_schedule_eval(s, &vars, &v[i]) == 0, "eval at frame %d", i);
    }
    return v;
}

static void stats(const double *v, int n, double *mean, double *sd, double *lo, double *hi)
{
    double m = 0, q = 0;
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        m += v[i];
        *lo = fmin(*lo, v[i]);
        *hi = fmax(*hi, v[i]);
    }
    m /= n;
    for (int i = 0; i < n; i++)
        q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = sqrt(q / (n - 1));
}

int main(void)
{
    const int N = 20000;
    double mean, sd, lo, hi;
    av_log_set_callback(count_errors);

    /* uniform per frame: mean (a+b)/2, spread (b-a)/sqrt(12), inside [a, b) */
    SmearSchedule *s = parse("uniform(1,3)@frame", 7);
    double *v = series(s, N);
    stats(v, N, &mean, &sd, &lo, &hi);
    REQUIRE(fabs(mean - 2) < 4 * (2 / sqrt(12)) / sqrt(N), "uniform mean %g", mean);
    REQUIRE(fabs(sd - 2 / sqrt(12)) < 0.02, "uniform spread %g (want %g)", sd, 2 / sqrt(12));
    REQUIRE(lo >= 1 && hi < 3, "uniform bounds [%g, %g]", lo, hi);
    printf("uniform(1,3)@frame: mean %.4f sd %.4f range [%.4f, %.4f]\n", mean, sd, lo, hi);
    /* the same seed gives the same values; another seed others */
    SmearSchedule *s2 = parse("uniform(1,3)@frame", 7), *s3 = parse("uniform(1,3)@frame", 8);
    double *v2 = series(s2, 100), *v3 = series(s3, 100);
    REQUIRE(!memcmp(v, v2, sizeof(double) * 100), "same seed, same draws");
    REQUIRE(memcmp(v, v3, sizeof(double) * 100), "another seed, other draws");
    /* a draw depends on the frame alone: evaluating only every 7th frame
     * gives the same values at those frames */
    smear_schedule_reseed(s2, 7);
    for (int i = 0; i < 100; i += 7) {
        const SmearScheduleVars vars = { i / 25.0, i, 640, 360, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s2, &vars, &x) == 0 && x == v[i], "frame %d drawn alone", i);
    }
    free(v), free(v2), free(v3);
    smear_schedule_free(&s), smear_schedule_free(&s2), smear_schedule_free(&s3);

    /* once per clip: one value for every frame */
    s = parse("uniform(0,10)", 3);
    v = series(s, 500);
    stats(v, 500, &mean, &sd, &lo, &hi);
    REQUIRE(lo == hi, "uniform per clip is constant over the clip: [%g, %g]", lo, hi);
    free(v);
    smear_schedule_free(&s);

    /* normal per frame: mean and spread, two-thirds within one deviation */
    s = parse("normal(5,2)@frame", 11);
    v = series(s, N);
    stats(v, N, &mean, &sd, &lo, &hi);
    int within = 0;
    for (int i = 0; i < N; i++)
        within += fabs(v[i] - 5) < 2;
    REQUIRE(fabs(mean - 5) < 4 * 2 / sqrt(N), "normal mean %g", mean);
    REQUIRE(fabs(sd - 2) < 0.05, "normal spread %g", sd);
    REQUIRE(fabs((double)within / N - 0.6827) < 0.015, "normal: %.3f within one deviation", (double)within / N);
    printf("normal(5,2)@frame: mean %.4f sd %.4f, %.3f within 1 sd\n", mean, sd, (double)within / N);
    free(v);
    smear_schedule_free(&s);

    /* drift: stationary mean and spread over a long run, correlation over
     * time exp(-dt/tau), and smooth from frame to frame */
    s = parse("drift(2,0.5,1)", 5);
    const int M = 25 * 4000; /* 4000 s, 4000 correlation times */
    v = series(s, M);
    stats(v, M, &mean, &sd, &lo, &hi);
    double c1 = 0, c25 = 0;
    for (int i = 0; i + 25 < M; i++) {
        c1 += (v[i] - mean) * (v[i + 1] - mean);
        c25 += (v[i] - mean) * (v[i + 25] - mean);
    }
    c1 /= (M - 25) * sd * sd;
    c25 /= (M - 25) * sd * sd;
    REQUIRE(fabs(mean - 2) < 0.05, "drift mean %g", mean);
    REQUIRE(fabs(sd - 0.5) < 0.05, "drift spread %g", sd);
    REQUIRE(fabs(c1 - exp(-0.04)) < 0.02, "drift correlation over one frame %g (want %g)", c1, exp(-0.04));
    REQUIRE(fabs(c25 - exp(-1)) < 0.05, "drift correlation over one second %g (want %g)", c25, exp(-1));
    printf("drift(2,0.5,1): mean %.4f sd %.4f, correlation %.3f after a frame, %.3f after 1 s\n",
           mean, sd, c1, c25);
    free(v);
    smear_schedule_free(&s);
    /* bounded drift stays inside */
    s = parse("drift(0,3,0.5,-1,2)", 9);
    v = series(s, N);
    stats(v, N, &mean, &sd, &lo, &hi);
    REQUIRE(lo >= -1 && hi <= 2, "bounded drift left [-1, 2]: [%g, %g]", lo, hi);
    free(v);
    smear_schedule_free(&s);

    /* keyframes */
    s = parse("keys(1:10,3:20,4:0)", 1);
    static const double at[][2] = { { 0, 10 }, { 1, 10 }, { 2, 15 }, { 3, 20 }, { 3.5, 10 }, { 9, 0 } };
    for (int i = 0; i < 6; i++) {
        const SmearScheduleVars vars = { at[i][0], 0, 1, 1, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &vars, &x) == 0 && fabs(x - at[i][1]) < 1e-12,
                "linear keys at %g: %g (want %g)", at[i][0], x, at[i][1]);
    }
    smear_schedule_free(&s);
    s = parse("keys(0:0,1:1,2:1,3:5)@smooth", 1);
    double prev = -1;
    for (int i = 0; i <= 300; i++) {
        const SmearScheduleVars vars = { i / 100.0, i, 1, 1, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &vars, &x) == 0, "eval");
        REQUIRE(x >= prev - 1e-12 && x >= 0 && x <= 5, "smooth keys overshoot or turn back at t=%g: %g", i / 100.0, x);
        if (i >= 100 && i <= 200)
            REQUIRE(fabs(x - 1) < 1e-12, "smooth keys hold a flat stretch: %g at %g", x, i / 100.0);
        prev = x;
    }
    smear_schedule_free(&s);
    s = parse("keys(0:1,2:3)@step", 1);
    {
        const SmearScheduleVars vars = { 1.9, 0, 1, 1, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &vars, &x) == 0 && x == 1, "step keys hold the last key");
    }
    smear_schedule_free(&s);

    /* bursts: events at the given rate, each jumping by amp and decaying */
    s = parse("burst(0.5,4,0.2)", 21);
    const int T = 25 * 2000;
    v = series(s, T);
    int events = 0;
    for (int i = 1; i < T; i++) {
        REQUIRE(v[i] >= 0, "burst is never negative");
        if (v[i] - v[i - 1] > 1.5) /* a jump (decay between frames is smaller) */
            events++;
    }
    REQUIRE(fabs(events - 0.5 * 2000) < 4 * sqrt(0.5 * 2000), "burst: %d events in 2000 s at 0.5/s", events);
    printf("burst(0.5,4,0.2): %d events in 2000 s (expected 1000)\n", events);
    /* a function of time alone: evaluated at a tenth of the frames, the
     * same values */
    SmearSchedule *sb = parse("burst(0.5,4,0.2)", 21);
    for (int i = 0; i < 2000; i += 10) {
        const SmearScheduleVars vars = { i / 25.0, i, 1, 1, 25 };
        double x;
        REQUIRE(smear_schedule_eval(sb, &vars, &x) == 0 && x == v[i], "burst at frame %d alone", i);
    }
    free(v);
    smear_schedule_free(&s), smear_schedule_free(&sb);

    /* at a timestamp near the end of its range (a pts close to INT64_MAX)
     * the pattern of second 2^52 holds: the same value, finite, from the
     * events of that second and those before it (with a decay of 50 s some
     * fifty of them are within reach, so it is not 0) */
    sb = parse("burst(1,1,50)", 5);
    {
        const double far[] = { 0x1p52, 0x1p60, 9.2e18, 1e300, INFINITY };
        double x0 = 0;
        for (int i = 0; i < (int)(sizeof(far) / sizeof(far[0])); i++) {
            const SmearScheduleVars vars = { far[i], 0, 1, 1, 25 };
            double x;
            REQUIRE(smear_schedule_eval(sb, &vars, &x) == 0 && isfinite(x), "burst at t = %g", far[i]);
            if (i == 0)
                x0 = x;
            REQUIRE(x == x0 && x > 1, "burst at t = %g: %g, at 2^52: %g", far[i], x, x0);
        }
        printf("burst(1,1,50) at t = 2^52 .. infinity: %.3f throughout\n", x0);
    }
    smear_schedule_free(&sb);

    /* expressions with generators inside, and the variables */
    s = parse("1+0.5*sin(2*PI*t)+uniform(0,0.001)@frame+w/1000", 2);
    {
        const SmearScheduleVars vars = { 0.25, 6, 1000, 10, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &vars, &x) == 0 && x > 2.5 && x < 2.5011, "expression %g", x);
    }
    smear_schedule_free(&s);

    /* expressions of the variables that give the same value at t = 0 and
     * at a few other points are not constants; expressions of numbers are */
    static const struct {
        const char *text;
        SmearScheduleVars at;
        double want;
    } varying[] = {
        { "if(gt(t,10),5,0)", { 20, 500, 640, 360, 25 }, 5 },
        { "if(gt(t,8),3,1)", { 9, 225, 640, 360, 25 }, 3 },
        { "if(gt(w,2000),4,1)", { 0, 0, 3840, 2160, 25 }, 4 },
        { "1+0*n+between(fps,59,61)", { 0, 0, 640, 360, 60 }, 2 },
    };
    for (size_t i = 0; i < sizeof(varying) / sizeof(varying[0]); i++) {
        s = parse(varying[i].text, 1);
        double x;
        REQUIRE(!smear_schedule_constant(s, &x), "'%s' taken for the constant %g", varying[i].text, x);
        REQUIRE(smear_schedule_eval(s, &varying[i].at, &x) == 0 && x == varying[i].want,
                "'%s' at t=%g, %gx%g: %g (expected %g)", varying[i].text, varying[i].at.t,
                varying[i].at.w, varying[i].at.h, x, varying[i].want);
        smear_schedule_free(&s);
    }
    /* linear keys between values far apart: finite between them */
    s = parse("keys(0:1e308,1:-1e308)", 1);
    {
        const SmearScheduleVars mid = { 0.5, 12, 640, 360, 25 }, q = { 0.25, 6, 640, 360, 25 };
        double x, y;
        REQUIRE(smear_schedule_eval(s, &mid, &x) == 0 && x == 0, "keys halfway: %g", x);
        REQUIRE(smear_schedule_eval(s, &q, &y) == 0 && fabs(y - 0.5e308) < 1e293,
                "keys a quarter of the way: %g", y);
    }
    smear_schedule_free(&s);
    /* equal keys: their value exactly, all the way */
    s = parse("keys(0:1.7,10:1.7)", 1);
    for (int i = 0; i < 250; i++) {
        const SmearScheduleVars at = { i * 0.04, i, 640, 360, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &at, &x) == 0 && x == 1.7, "flat keys at frame %d: %.17g",
                i, x);
    }
    smear_schedule_free(&s);
    s = parse("2*(3+1e1)-sqrt(4)/2+PI*0", 1);
    {
        double x;
        REQUIRE(smear_schedule_constant(s, &x) && x == 25, "a constant expression: %g", x);
    }
    smear_schedule_free(&s);

    /* errors: one line each, at parse time */
    static const char *const bad[][2] = {
        { "foo+1", "foo" }, { "uniform(1)", "uniform" }, { "normal(0,-1)", "spread" },
        { "drift(1,1,0)", "tau" }, { "keys(1:1,0:2)", "increase" }, { "keys(a:1)", "not two numbers" },
        { "burst(-1,1,1)", "burst" }, { "burst(1000,1,1)", "burst" }, { "uniform(1,2)@sometimes", "@sometimes" },
        { "(1+2", "parse" }, { "1+while(1,1)", "while" },
        /* the evaluator drops white space before it parses: still a while */
        { "whi\rle(1,1)", "while" }, { "1+wh ile (1, 1)", "while" },
        { "root(root(root(root(ld(0)-0.3,1)-0.2,1)-0.1,1),1)", "root" }, { "taylor(t,1)", "taylor" },
        /* a generator's arguments are evaluated while parsing: no loop there either */
        { "burst(while(1,1),2,0.5)", "while" }, { "uniform(0, wh ile(1,1))", "while" },
        { "keys(0:root(ld(0)-1,1),1:2)", "root" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        SmearSchedule *e = NULL;
        nb_errors = 0;
        last_error[0] = 0;
        int ret = smear_schedule_parse(&e, bad[i][0], 1, 1, NULL, "test: x");
        REQUIRE(ret < 0 && !e, "'%s' should fail", bad[i][0]);
        REQUIRE(nb_errors == 1 && strstr(last_error, bad[i][1]), "'%s': %d error line(s): %s",
                bad[i][0], nb_errors, last_error);
    }
    /* a division by zero at some time: a clear error then, not a crash */
    s = parse("1/(t-2)", 1);
    {
        const SmearScheduleVars ok = { 1, 25, 1, 1, 25 }, boom = { 2, 50, 1, 1, 25 };
        double x;
        REQUIRE(smear_schedule_eval(s, &ok, &x) == 0, "fine at t=1");
        nb_errors = 0;
        REQUIRE(smear_schedule_eval(s, &boom, &x) == AVERROR(EDOM), "not finite at t=2");
        REQUIRE(nb_errors == 1 && strstr(last_error, "frame 50"), "says which frame: %s", last_error);
    }
    smear_schedule_free(&s);
    printf("schedules: statistics, bounds, determinism, keyframes, bursts and errors as specified\n");
    return 0;
}
