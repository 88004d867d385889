/*
 * smear - the augmentation chain's parser: syntax, options, defaults,
 * ranges, one clear error per mistake, and values reported as applied.
 */
#include <math.h>
#include <string.h>

#include <libavutil/bprint.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "chain.h"
#include "testutil.h"

static int nb_errors;
static char last_error[1024];

static void count_errors(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_ERROR)
        return;
    nb_errors++;
    vsnprintf(last_error, sizeof(last_error), fmt, vl);
}

static double value(const SmearChain *c, int filter, const char *option)
{
    const ChainFilter *f = &c->filters[filter];
    int idx = smear_chain_option_index(f->def, option);
    REQUIRE(idx >= 0, "no option %s", option);
    return f->v[idx];
}

static void eval_at(SmearChain *c, double t, double n)
{
    const SmearScheduleVars v = { t, n, 640, 360, 25 };
    REQUIRE(smear_chain_eval(c, &v, NULL) == 0, "eval failed: %s", last_error);
}

static void expect_ok(const char *text, SmearChain *c)
{
    nb_errors = 0;
    int ret = smear_chain_parse(c, text, 1234, NULL);
    REQUIRE(ret == 0, "'%s' should parse, got %d (%s)", text, ret, last_error);
    REQUIRE(nb_errors == 0, "'%s' logged an error: %s", text, last_error);
}

/* A mistake fails with EINVAL and exactly one error line mentioning needle. */
static void expect_error(const char *text, const char *needle)
{
    SmearChain c;
    nb_errors = 0;
    last_error[0] = '\0';
    int ret = smear_chain_parse(&c, text, 1234, NULL);
    REQUIRE(ret == AVERROR(EINVAL), "'%s' should fail with EINVAL, got %d", text, ret);
    REQUIRE(nb_errors == 1, "'%s' logged %d error lines (want 1); last: %s", text, nb_errors,
            last_error);
    REQUIRE(strstr(last_error, needle), "'%s': error '%s' does not mention '%s'", text,
            last_error, needle);
    REQUIRE(c.nb_filters == 0, "a failed parse leaves no filters");
}

int main(void)
{
    SmearChain c;
    av_log_set_callback(count_errors);

    /* defaults, names, positional values */
    expect_ok("blur", &c);
    eval_at(&c, 0, 0);
    REQUIRE(c.nb_filters == 1 && !strcmp(c.filters[0].def->name, "blur"), "one blur");
    REQUIRE(value(&c, 0, "sigma") == 1, "default sigma 1");
    REQUIRE(value(&c, 0, "sigma_x") == 1 && value(&c, 0, "sigma_y") == 1, "sigma_x/y follow sigma");
    REQUIRE(value(&c, 0, "border") == SMEAR_BORDER_REPLICATE, "default border replicate");
    smear_chain_uninit(&c);

    expect_ok("blur=2.5:3", &c);
    eval_at(&c, 0, 0);
    REQUIRE(value(&c, 0, "sigma") == 2.5 && value(&c, 0, "sigma_y") == 3, "positional values");
    REQUIRE(value(&c, 0, "sigma_x") == 2.5, "sigma_x from sigma");
    smear_chain_uninit(&c);

    /* a turned blur is at least half a sample across, and reports what it
     * applies; on an axis a zero sigma stays */
    expect_ok("blur=sigma_x=3:sigma_y=0:angle=30", &c);
    eval_at(&c, 0, 0);
    REQUIRE(value(&c, 0, "sigma_y") == 0.5 && value(&c, 0, "sigma_x") == 3, "turned sigma_y raised to 0.5");
    smear_chain_uninit(&c);
    expect_ok("blur=sigma_x=3:sigma_y=0:angle=90", &c);
    eval_at(&c, 0, 0);
    REQUIRE(value(&c, 0, "sigma_y") == 0, "sigma_y 0 on an axis stays 0");
    smear_chain_uninit(&c);

    expect_ok(" blur=sigma=2:border=reflect , shear=x=0.12:y=-0.05:fill=red:border=constant ", &c);
    eval_at(&c, 0, 0);
    REQUIRE(c.nb_filters == 2, "two filters");
    REQUIRE(value(&c, 0, "border") == SMEAR_BORDER_REFLECT, "reflect");
    REQUIRE(value(&c, 1, "x") == 0.12 && value(&c, 1, "y") == -0.05, "shear values");
    REQUIRE(!memcmp(c.filters[1].rgba[smear_chain_option_index(c.filters[1].def, "fill")],
                    "\xff\x00\x00\xff", 4), "fill=red parsed as a colour");
    smear_chain_uninit(&c);

    /* commas and colons inside parentheses or quotes do not split */
    expect_ok("blur=sigma=keys(0:1,2:5):angle='if(lt(t,1),10,20)',motion=length=3", &c);
    REQUIRE(c.nb_filters == 2, "parenthesised commas kept the chain at two filters");
    eval_at(&c, 1, 25);
    REQUIRE(fabs(value(&c, 0, "sigma") - 3) < 1e-12, "keys at t=1: %g", value(&c, 0, "sigma"));
    REQUIRE(value(&c, 0, "angle") == 20, "quoted expression");
    smear_chain_uninit(&c);

    /* a repeated filter is told apart in messages */
    expect_ok("blur=1,blur=2", &c);
    REQUIRE(!strcmp(c.filters[1].what, "blur#2"), "second blur named blur#2: %s", c.filters[1].what);
    smear_chain_uninit(&c);

    /* expressions of time and frame */
    expect_ok("blur=sigma=1.5+1.2*sin(2*PI*t/4)", &c);
    for (int n = 0; n < 100; n += 7) {
        double t = n / 25.0;
        eval_at(&c, t, n);
        double want = 1.5 + 1.2 * sin(2 * M_PI * t / 4);
        REQUIRE(fabs(value(&c, 0, "sigma") - want) < 1e-12, "sigma at t=%g: %g want %g", t,
                value(&c, 0, "sigma"), want);
    }
    smear_chain_uninit(&c);

    /* an expression outside the range is clamped, and reported clamped */
    expect_ok("blur=sigma=t-5", &c);
    eval_at(&c, 1, 25);
    REQUIRE(value(&c, 0, "sigma") == 0, "clamped to the minimum: %g", value(&c, 0, "sigma"));
    smear_chain_uninit(&c);

    /* an empty chain is no filter */
    expect_ok("", &c);
    REQUIRE(c.nb_filters == 0, "empty chain");
    smear_chain_uninit(&c);

    /* every mistake: one line naming it */
    expect_error("blurr=1", "blurr");
    expect_error("blur=sigmaa=1", "sigmaa");
    expect_error("blur=sigma=-1", "sigma");
    expect_error("blur=sigma=1e9", "out of range");
    expect_error("blur=border=mirror", "mirror");
    expect_error("shear=fill=notacolour", "notacolour");
    expect_error("blur=sigma=1:2", "no option name");
    expect_error("blur=1,,shear=x=0.1", "empty filter");
    expect_error("blur=sigma=foo*2", "foo");
    expect_error("blur=sigma=1+", "cannot parse");
    expect_error("blur=sigma=", "empty value");
    expect_error("blur=sigma=drift(1,2)", "drift");
    expect_error("blur=sigma=uniform(1,2)@often", "@often");
    expect_error("blur=sigma=keys(2:1,1:3)", "increase");
    expect_error("shear=x=1:y=1", "x*y");
    /* a quote left open (it used to take the rest as its text and pass) */
    expect_error("blur=sigma='2", "quote");
    expect_error("blur=sigma='2:sigma_y=5", "quote");
    expect_error("blur=sigma=2,shear=x='0.1", "quote");
    expect_ok("blur=sigma='max(1,2)*(1+t)',shear=x=0.1", &c);
    smear_chain_uninit(&c);

    /* the JSON of a frame: the applied values, which parse back to the same
     * chain as constants */
    expect_ok("blur=sigma='2+sin(t)':sigma_y=3:angle=15:border=wrap,shear=x=0.1*n:interp=bicubic", &c);
    eval_at(&c, 0.37, 3);
    AVBPrint bp;
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    smear_chain_json(&c, &bp);
    REQUIRE(strstr(bp.str, "\"filter\":\"blur\"") && strstr(bp.str, "\"border\":\"wrap\"") &&
            strstr(bp.str, "\"interp\":\"bicubic\""), "json: %s", bp.str);
    char sig[64];
    snprintf(sig, sizeof(sig), "\"sigma\":%.17g", 2 + sin(0.37));
    REQUIRE(strstr(bp.str, sig), "json carries the evaluated sigma %s: %s", sig, bp.str);
    REQUIRE(strstr(bp.str, "\"x\":0.30000000000000004"), "json carries x = 0.1*3 exactly: %s", bp.str);
    av_bprint_finalize(&bp, NULL);
    smear_chain_uninit(&c);

    printf("chain: parser, defaults, ranges, errors and JSON all as specified\n");
    return 0;
}
