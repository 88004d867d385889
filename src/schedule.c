/*
 * smear - parameter schedules (see schedule.h for the language).
 *
 * The text is split into generator calls, which are replaced by variables
 * _g0, _g1, ..., and the rest, which libavutil's expression evaluator
 * parses once. Per frame the generators are stepped, then the expression
 * is evaluated with t, n, w, h, fps and the generator values.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/avstring.h>
#include <libavutil/bprint.h>
#include <libavutil/error.h>
#include <libavutil/eval.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "schedule.h"

#define MAX_GENERATORS 16
/* av_expr's own messages go to debug level: each failure here gets one
 * line of ours that names the filter and option */
#define QUIET_OFFSET (AV_LOG_DEBUG - AV_LOG_ERROR)
#define MAX_KEYS 256

enum GenKind { GEN_UNIFORM, GEN_NORMAL, GEN_DRIFT, GEN_KEYS, GEN_BURST };
enum GenPer { PER_CLIP, PER_FRAME };
enum KeyMode { KEYS_LINEAR, KEYS_SMOOTH, KEYS_STEP };

typedef struct Generator {
    enum GenKind kind;
    int          per;      ///< PER_CLIP or PER_FRAME for uniform/normal
    int          key_mode;
    double       a[5];     ///< arguments
    int          nb_args;
    uint64_t     stream;   ///< random stream of this generator
    /* keys */
    int          nb_keys;
    double      *kt, *kv, *kslope;
    /* drift state */
    int          started;
    double       x, last_t, last_n;
} Generator;

struct SmearSchedule {
    int        is_const;
    int        stateful;    ///< the expression keeps values between frames (st, ld, random)
    double     value;       ///< the constant
    AVExpr    *expr;
    Generator  gen[MAX_GENERATORS];
    int        nb_gen;
    uint64_t   seed, stream;
    char      *what;
    void      *log_ctx;
};

static const char *const var_names[] = {
    "t", "n", "w", "h", "fps",
    "_g0", "_g1", "_g2", "_g3", "_g4", "_g5", "_g6", "_g7",
    "_g8", "_g9", "_g10", "_g11", "_g12", "_g13", "_g14", "_g15",
    NULL
};
enum { VAR_T, VAR_N, VAR_W, VAR_H, VAR_FPS, VAR_G0, VAR_COUNT = VAR_G0 + MAX_GENERATORS };

/* ---------------------------------------------------------------- hashing */

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t smear_hash64(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = mix64(a + 0x9E3779B97F4A7C15ull);
    h = mix64(h ^ (b + 0x632BE59BD9B4E019ull));
    return mix64(h ^ (c + 0x8CB92BA72F3D8DD7ull));
}

double smear_hash_unit(uint64_t h)
{
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

double smear_hash_normal(uint64_t a, uint64_t b, uint64_t c)
{
    /* Box-Muller on two independent hashes; u1 in (0, 1] so log() is finite */
    double u1 = 1.0 - smear_hash_unit(smear_hash64(a, b, 2 * c));
    double u2 = smear_hash_unit(smear_hash64(a, b, 2 * c + 1));
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---------------------------------------------------------------- parsing */

static int eval_constant(const char *text, double *out)
{
    int ret = av_expr_parse_and_eval(out, text, NULL, NULL, NULL, NULL, NULL, NULL,
                                     NULL, QUIET_OFFSET, NULL);
    if (ret < 0 || !isfinite(*out))
        return AVERROR(EINVAL);
    return 0;
}

/* Names av_expr knows besides the variables, so that an unknown one can be
 * reported by name. */
static const char *const known_names[] = {
    "sinh", "cosh", "tanh", "sin", "cos", "tan", "atan", "asin", "acos", "exp",
    "log", "abs", "time", "squish", "gauss", "isinf", "isnan", "floor", "ceil",
    "trunc", "round", "sqrt", "not", "pow", "print", "random", "hypot", "gcd",
    "if", "ifnot", "taylor", "root", "between", "clip", "atan2", "lerp", "sgn",
    "mod", "max", "min", "eq", "gte", "gt", "lte", "lt", "ld", "st", "while",
    "bitand", "bitor", "PI", "E", "PHI", "QP2LAMBDA", NULL
};

static int is_ident_start(int c) { return isalpha(c) || c == '_'; }
static int is_ident_char(int c) { return isalnum(c) || c == '_'; }

/* The next identifier in s from *p on (numbers, with their exponents and
 * SI suffixes, skipped): its start and length, *p moved past it; 0 at the
 * end. */
static int next_name(const char **p, const char **name, size_t *len)
{
    const char *q = *p;
    while (*q) {
        if (isdigit((unsigned char)*q) || *q == '.') {
            const char *first = q;
            while (isalnum((unsigned char)*q) || *q == '.' ||
                   ((*q == '+' || *q == '-') && q > first && (q[-1] == 'e' || q[-1] == 'E')))
                q++;
            continue;
        }
        if (!is_ident_start((unsigned char)*q)) {
            q++;
            continue;
        }
        *name = q;
        while (is_ident_char((unsigned char)*q))
            q++;
        *len = (size_t)(q - *name);
        *p = q;
        return 1;
    }
    *p = q;
    return 0;
}

static int name_in(const char *const *list, const char *name, size_t len)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == len && !strncmp(list[i], name, len))
            return 1;
    return 0;
}

/* First identifier in s that is neither a variable nor a known name. */
static int find_unknown_name(const char *s, char *name, size_t size)
{
    const char *b;
    size_t len;
    for (const char *p = s; next_name(&p, &b, &len);)
        if (!name_in(var_names, b, len) && !name_in(known_names, b, len)) {
            snprintf(name, size, "%.*s", (int)(len < 64 ? len : 64), b);
            return 1;
        }
    return 0;
}

/* Whether s names a variable (t, n, w, h, fps or a generator's value). */
static int uses_variable(const char *s)
{
    const char *b;
    size_t len;
    for (const char *p = s; next_name(&p, &b, &len);)
        if (name_in(var_names, b, len))
            return 1;
    return 0;
}

static const struct {
    const char  *name;
    enum GenKind kind;
    int          min_args, max_args;
    const char  *usage;
} gen_defs[] = {
    { "uniform", GEN_UNIFORM, 2, 2, "uniform(a,b)[@clip|@frame]" },
    { "normal",  GEN_NORMAL,  2, 2, "normal(mu,sd)[@clip|@frame]" },
    { "drift",   GEN_DRIFT,   3, 5, "drift(mean,sd,tau[,lo,hi])" },
    { "keys",    GEN_KEYS,    1, MAX_KEYS, "keys(t0:v0,t1:v1,...)[@linear|@smooth|@step]" },
    { "burst",   GEN_BURST,   3, 3, "burst(rate,amp,decay)" },
};

/* Splits the inside of a call on top-level commas. Returns the count, or -1
 * when there are too many. */
static int split_args(char *inside, char **args, int max)
{
    int n = 0, depth = 0;
    char *start = inside;
    for (char *p = inside;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if ((*p == ',' && depth == 0) || *p == '\0') {
            if (n == max)
                return -1;
            int end = *p == '\0';
            *p = '\0';
            args[n++] = start;
            start = p + 1;
            if (end)
                break;
        }
    }
    return n;
}

static void pchip_slopes(Generator *g)
{
    /* Fritsch-Carlson: monotone between keys, so a schedule never overshoots
     * the values it was given (a sigma never dips below both neighbours). */
    const int n = g->nb_keys;
    for (int i = 0; i < n; i++) {
        if (i == 0 || i == n - 1 || n < 3) {
            g->kslope[i] = 0;
            continue;
        }
        double d0 = (g->kv[i] - g->kv[i - 1]) / (g->kt[i] - g->kt[i - 1]);
        double d1 = (g->kv[i + 1] - g->kv[i]) / (g->kt[i + 1] - g->kt[i]);
        if (d0 * d1 <= 0) {
            g->kslope[i] = 0;
        } else {
            double h0 = g->kt[i] - g->kt[i - 1], h1 = g->kt[i + 1] - g->kt[i];
            double w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
            g->kslope[i] = (w1 + w2) / (w1 / d0 + w2 / d1);
        }
    }
}

static int parse_generator(SmearSchedule *s, Generator *g, int def, char *inside,
                           const char *suffix)
{
    char *args[MAX_KEYS];
    int n = split_args(inside, args, MAX_KEYS);
    const char *usage = gen_defs[def].usage;
    g->kind = gen_defs[def].kind;
    if (n < gen_defs[def].min_args || n > gen_defs[def].max_args) {
        av_log(s->log_ctx, AV_LOG_ERROR, "%s: %s takes %s\n", s->what,
               gen_defs[def].name, usage);
        return AVERROR(EINVAL);
    }
    if (suffix) {
        int ok = 0;
        if (g->kind == GEN_UNIFORM || g->kind == GEN_NORMAL) {
            if (!strcmp(suffix, "clip"))
                ok = 1, g->per = PER_CLIP;
            else if (!strcmp(suffix, "frame"))
                ok = 1, g->per = PER_FRAME;
        } else if (g->kind == GEN_KEYS) {
            if (!strcmp(suffix, "linear"))
                ok = 1, g->key_mode = KEYS_LINEAR;
            else if (!strcmp(suffix, "smooth"))
                ok = 1, g->key_mode = KEYS_SMOOTH;
            else if (!strcmp(suffix, "step"))
                ok = 1, g->key_mode = KEYS_STEP;
        }
        if (!ok) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: unknown suffix '@%s' on %s (usage: %s)\n",
                   s->what, suffix, gen_defs[def].name, usage);
            return AVERROR(EINVAL);
        }
    }
    if (g->kind == GEN_KEYS) {
        g->kt = av_calloc(n, sizeof(double));
        g->kv = av_calloc(n, sizeof(double));
        g->kslope = av_calloc(n, sizeof(double));
        if (!g->kt || !g->kv || !g->kslope)
            return AVERROR(ENOMEM);
        for (int i = 0; i < n; i++) {
            char *colon = strchr(args[i], ':');
            if (!colon) {
                av_log(s->log_ctx, AV_LOG_ERROR, "%s: key '%s' is not time:value (usage: %s)\n",
                       s->what, args[i], usage);
                return AVERROR(EINVAL);
            }
            *colon = '\0';
            if (eval_constant(args[i], &g->kt[i]) < 0 || eval_constant(colon + 1, &g->kv[i]) < 0) {
                av_log(s->log_ctx, AV_LOG_ERROR, "%s: key '%s:%s' is not two numbers\n",
                       s->what, args[i], colon + 1);
                return AVERROR(EINVAL);
            }
            if (i > 0 && !(g->kt[i] > g->kt[i - 1])) {
                av_log(s->log_ctx, AV_LOG_ERROR, "%s: key times must increase (%g after %g)\n",
                       s->what, g->kt[i], g->kt[i - 1]);
                return AVERROR(EINVAL);
            }
        }
        g->nb_keys = n;
        pchip_slopes(g);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (eval_constant(args[i], &g->a[i]) < 0) {
            av_log(s->log_ctx, AV_LOG_ERROR,
                   "%s: argument %d of %s ('%s') is not a constant number (usage: %s)\n",
                   s->what, i + 1, gen_defs[def].name, args[i], usage);
            return AVERROR(EINVAL);
        }
    }
    g->nb_args = n;
    switch (g->kind) {
    case GEN_NORMAL:
        if (g->a[1] < 0)
            goto bad_spread;
        break;
    case GEN_DRIFT:
        if (g->a[1] < 0)
            goto bad_spread;
        if (!(g->a[2] > 0)) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: drift's tau must be > 0 seconds\n", s->what);
            return AVERROR(EINVAL);
        }
        if (n == 4) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: drift takes both bounds or neither (%s)\n",
                   s->what, usage);
            return AVERROR(EINVAL);
        }
        if (n == 5 && !(g->a[3] < g->a[4])) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: drift's bounds must satisfy lo < hi\n", s->what);
            return AVERROR(EINVAL);
        }
        break;
    case GEN_BURST:
        if (!(g->a[0] >= 0 && g->a[0] <= 100) || !(g->a[2] > 0 && g->a[2] <= 60)) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: burst needs a rate from 0 to 100 per second and "
                   "a decay from 0 to 60 seconds\n", s->what);
            return AVERROR(EINVAL);
        }
        break;
    default:
        break;
    }
    return 0;
bad_spread:
    av_log(s->log_ctx, AV_LOG_ERROR, "%s: %s's spread must be >= 0\n", s->what,
           gen_defs[def].name);
    return AVERROR(EINVAL);
}

/* Replaces each generator call in text by _gK; fills s->gen. */
static int extract_generators(SmearSchedule *s, const char *text, AVBPrint *out)
{
    const char *p = text;
    while (*p) {
        int def = -1;
        if (is_ident_start((unsigned char)*p) && (p == text || !is_ident_char((unsigned char)p[-1]))) {
            for (size_t i = 0; i < sizeof(gen_defs) / sizeof(gen_defs[0]); i++) {
                size_t len = strlen(gen_defs[i].name);
                const char *q = p + len;
                if (strncmp(p, gen_defs[i].name, len) || is_ident_char((unsigned char)*q))
                    continue;
                while (*q == ' ')
                    q++;
                if (*q == '(')
                    def = (int)i;
            }
        }
        if (def < 0) {
            av_bprint_chars(out, *p++, 1);
            continue;
        }
        const char *open = strchr(p, '(');
        int depth = 0;
        const char *close = open;
        for (; *close; close++) {
            depth += *close == '(';
            depth -= *close == ')';
            if (depth == 0)
                break;
        }
        if (!*close) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: missing ')' after %s(\n", s->what,
                   gen_defs[def].name);
            return AVERROR(EINVAL);
        }
        if (s->nb_gen == MAX_GENERATORS) {
            av_log(s->log_ctx, AV_LOG_ERROR, "%s: more than %d generators\n", s->what,
                   MAX_GENERATORS);
            return AVERROR(EINVAL);
        }
        char *inside = av_strndup(open + 1, (size_t)(close - open - 1));
        char suffix[16] = "";
        const char *after = close + 1;
        if (*after == '@') {
            const char *b = ++after;
            while (is_ident_char((unsigned char)*after))
                after++;
            snprintf(suffix, sizeof(suffix), "%.*s", (int)(after - b), b);
        }
        if (!inside)
            return AVERROR(ENOMEM);
        Generator *g = &s->gen[s->nb_gen];
        g->stream = smear_hash64(s->stream, (uint64_t)s->nb_gen, 0x5eed);
        int ret = parse_generator(s, g, def, inside, close[1] == '@' ? suffix : NULL);
        av_free(inside);
        if (ret < 0) {
            /* not counted yet: smear_schedule_free() would not see it */
            av_freep(&g->kt);
            av_freep(&g->kv);
            av_freep(&g->kslope);
            return ret;
        }
        av_bprintf(out, "_g%d", s->nb_gen++);
        p = after;
    }
    return 0;
}

/* Drops every white-space character of str, as the evaluator does before
 * it parses ("whi le" is a while); returns the new length. */
static size_t strip_space(char *str)
{
    size_t n = 0;
    for (size_t i = 0; str[i]; i++)
        if (!av_isspace((unsigned char)str[i]))
            str[n++] = str[i];
    str[n] = '\0';
    return n;
}

/* A schedule is evaluated once a frame for hours: a loop that may never end
 * has no place in it, nor the iterative solvers (root() and taylor()
 * iterate up to thousands of times, and nested they multiply). The whole
 * text is read, generators' arguments included (they are evaluated while
 * parsing), and without its white space, as the evaluator reads it ("whi
 * le" is a while). */
static int refuse_loops(const char *text, void *log_ctx, const char *what)
{
    static const char *const refused[] = { "while", "root", "taylor" };
    char *bare = av_strdup(text);
    if (!bare)
        return AVERROR(ENOMEM);
    strip_space(bare);
    int ret = 0;
    for (int k = 0; k < 3 && !ret; k++) {
        const size_t len = strlen(refused[k]);
        for (const char *w = bare; (w = strstr(w, refused[k])); w++) {
            if ((w == bare || !is_ident_char((unsigned char)w[-1])) &&
                !is_ident_char((unsigned char)w[len])) {
                av_log(log_ctx, AV_LOG_ERROR, "%s: %s() is not allowed in a schedule (%s)\n",
                       what, refused[k], k ? "an iterative solver" : "a loop");
                ret = AVERROR(EINVAL);
                break;
            }
        }
    }
    av_free(bare);
    return ret;
}

int smear_schedule_parse(SmearSchedule **ps, const char *text, uint64_t seed,
                         uint64_t stream, void *log_ctx, const char *what)
{
    SmearSchedule *s = av_mallocz(sizeof(*s));
    AVBPrint bp;
    int ret;

    *ps = NULL;
    if (!s)
        return AVERROR(ENOMEM);
    s->seed = seed;
    s->stream = stream;
    s->log_ctx = log_ctx;
    s->what = av_strdup(what);
    av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
    if (!s->what) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }

    /* a plain number is by far the most common case */
    char *end;
    double v = strtod(text, &end);
    while (end && *end == ' ')
        end++;
    if (end != text && end && *end == '\0' && isfinite(v)) {
        s->is_const = 1;
        s->value = v;
        *ps = s;
        av_bprint_finalize(&bp, NULL);
        return 0;
    }

    if ((ret = refuse_loops(text, log_ctx, what)) < 0 ||
        (ret = extract_generators(s, text, &bp)) < 0)
        goto fail;
    if (!av_bprint_is_complete(&bp)) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    /* an unknown name is reported below as the evaluator reads it */
    bp.len = (unsigned)strip_space(bp.str);
    ret = av_expr_parse(&s->expr, bp.str, var_names, NULL, NULL, NULL, NULL, QUIET_OFFSET,
                        NULL);
    if (ret < 0) {
        char name[80];
        if (find_unknown_name(bp.str, name, sizeof(name)))
            av_log(log_ctx, AV_LOG_ERROR,
                   "%s: unknown name '%s' in '%s' (variables: t, n, w, h, fps)\n",
                   what, name, text);
        else
            av_log(log_ctx, AV_LOG_ERROR, "%s: cannot parse '%s' as an expression\n",
                   what, text);
        ret = AVERROR(EINVAL);
        goto fail;
    }
    s->stateful = strstr(bp.str, "random") || strstr(bp.str, "st(") || strstr(bp.str, "ld(") ||
                  strstr(bp.str, "time");
    /* a generator-free expression that names no variable is a constant
     * (read from the text: one that gives the same value at a few points,
     * such as if(gt(t,10),5,0), need not be) */
    if (s->nb_gen == 0 && !s->stateful && !uses_variable(bp.str)) {
        const double none[VAR_COUNT] = { 0 };
        const double a = av_expr_eval(s->expr, none, NULL);
        if (isfinite(a)) {
            av_expr_free(s->expr);
            s->expr = NULL;
            s->is_const = 1;
            s->value = a;
        }
    }
    av_bprint_finalize(&bp, NULL);
    *ps = s;
    return 0;
fail:
    av_bprint_finalize(&bp, NULL);
    smear_schedule_free(&s);
    return ret;
}

/* ------------------------------------------------------------- evaluation */

static double keys_value(const Generator *g, double t)
{
    const int n = g->nb_keys;
    if (t <= g->kt[0])
        return g->kv[0];
    if (t >= g->kt[n - 1])
        return g->kv[n - 1];
    int i = 0;
    while (t >= g->kt[i + 1])
        i++;
    const double h = g->kt[i + 1] - g->kt[i];
    const double u = (t - g->kt[i]) / h;
    switch (g->key_mode) {
    case KEYS_STEP:
        return g->kv[i];
    case KEYS_SMOOTH: {
        const double u2 = u * u, u3 = u2 * u;
        return (2 * u3 - 3 * u2 + 1) * g->kv[i] + (u3 - 2 * u2 + u) * h * g->kslope[i] +
               (-2 * u3 + 3 * u2) * g->kv[i + 1] + (u3 - u2) * h * g->kslope[i + 1];
    }
    default: {
        /* equal keys hold their value exactly; keys so far apart that their
         * difference overflows are mixed as a weighted mean instead */
        const double a = g->kv[i], b = g->kv[i + 1], d = b - a;
        return a == b ? a : isfinite(d) ? a + u * d : (1 - u) * a + u * b;
    }
    }
}

static double reflect_into(double x, double lo, double hi)
{
    const double span = hi - lo;
    double m = fmod(x - lo, 2 * span);
    if (m < 0)
        m += 2 * span;
    return lo + (m <= span ? m : 2 * span - m);
}

static double drift_value(const SmearSchedule *s, Generator *g, double t, double n)
{
    const double mean = g->a[0], sd = g->a[1], tau = g->a[2];
    const int bounded = g->nb_args == 5;
    if (g->started && n == g->last_n)
        return g->x;
    if (!g->started || n < g->last_n) {
        /* start from the stationary distribution */
        g->x = mean + sd * smear_hash_normal(s->seed, g->stream, 0);
        g->last_t = t;
        g->started = 1;
    } else if (t > g->last_t) {
        /* exact discretisation of the OU process over dt */
        const double a = exp(-(t - g->last_t) / tau);
        g->x = mean + (g->x - mean) * a +
               sd * sqrt(1 - a * a) * smear_hash_normal(s->seed, g->stream, (uint64_t)n + 1);
        g->last_t = t;
    }
    g->last_n = n;
    if (bounded)
        g->x = reflect_into(g->x, g->a[3], g->a[4]);
    return g->x;
}

/* Events are a Poisson process of the given rate, drawn second by second:
 * the count in each second (a Poisson draw) and the times within it come
 * from hashes of the second's number. The value at t is then a function of
 * t alone, costs the same at any t, and does not depend on the frame rate
 * or on which frames were evaluated. */
#define BURST_BUCKET 1.0 /* seconds */

static double burst_value(const SmearSchedule *s, const Generator *g, double t)
{
    const double rate = g->a[0], amp = g->a[1], decay = g->a[2];
    if (rate <= 0 || !(t >= 0))
        return 0;
    /* the seconds are counted in 64 bits: past 2^52 of them (some hundred
     * million years, as a timestamp near the end of its range gives) the
     * pattern of the last one holds */
    if (t > 0x1p52)
        t = 0x1p52;
    /* older events add less than 1e-7 of amp */
    const double horizon = 16 * decay;
    const int64_t k0 = (int64_t)floor((t - horizon) / BURST_BUCKET), k1 = (int64_t)floor(t / BURST_BUCKET);
    const double mean = rate * BURST_BUCKET, emean = exp(-mean);
    double v = 0;
    for (int64_t k = k0 < 0 ? 0 : k0; k <= k1; k++) {
        /* the count: inverse of the Poisson distribution at a uniform draw */
        const double u = smear_hash_unit(smear_hash64(s->seed, g->stream, 2 * (uint64_t)k));
        double p = emean, cdf = p;
        int count = 0;
        while (u > cdf && count < 10000) {
            count++;
            p *= mean / count;
            cdf += p;
        }
        for (int j = 0; j < count; j++) {
            const double when = (k + smear_hash_unit(smear_hash64(s->seed, g->stream ^ 0xb0b, ((uint64_t)k << 16) | (uint64_t)j))) * BURST_BUCKET;
            if (when <= t)
                v += amp * exp(-(t - when) / decay);
        }
    }
    return v;
}

static double generator_value(SmearSchedule *s, Generator *g, const SmearScheduleVars *v)
{
    const uint64_t idx = g->per == PER_FRAME ? (uint64_t)v->n + 1 : 0;
    switch (g->kind) {
    case GEN_UNIFORM:
        return g->a[0] + (g->a[1] - g->a[0]) *
               smear_hash_unit(smear_hash64(s->seed, g->stream, idx));
    case GEN_NORMAL:
        return g->a[0] + g->a[1] * smear_hash_normal(s->seed, g->stream, idx);
    case GEN_DRIFT:
        return drift_value(s, g, v->t, v->n);
    case GEN_KEYS:
        return keys_value(g, v->t);
    case GEN_BURST:
        return burst_value(s, g, v->t);
    }
    return 0;
}

int smear_schedule_eval(SmearSchedule *s, const SmearScheduleVars *v, double *value)
{
    if (s->is_const) {
        *value = s->value;
        return 0;
    }
    double vars[VAR_COUNT] = { v->t, v->n, v->w, v->h, v->fps };
    for (int i = 0; i < s->nb_gen; i++)
        vars[VAR_G0 + i] = generator_value(s, &s->gen[i], v);
    *value = av_expr_eval(s->expr, vars, NULL);
    if (!isfinite(*value)) {
        av_log(s->log_ctx, AV_LOG_ERROR, "%s evaluates to %g at frame %.0f (t=%.3f s)\n",
               s->what, *value, v->n, v->t);
        return AVERROR(EDOM);
    }
    return 0;
}

int smear_schedule_check(SmearSchedule *s, double fps, double seconds, int w, int h)
{
    if (s->is_const || s->stateful || !(fps > 0))
        return 0;
    const double frames = fmin(ceil(seconds * fps), 100000);
    int ret = 0;
    for (double n = 0; n < frames && ret >= 0; n++) {
        const SmearScheduleVars v = { n / fps, n, w, h, fps };
        double value;
        ret = smear_schedule_eval(s, &v, &value);
    }
    smear_schedule_reseed(s, s->seed);
    return ret;
}

int smear_schedule_constant(const SmearSchedule *s, double *value)
{
    if (s->is_const && value)
        *value = s->value;
    return s->is_const;
}

void smear_schedule_reseed(SmearSchedule *s, uint64_t seed)
{
    s->seed = seed;
    for (int i = 0; i < s->nb_gen; i++) {
        Generator *g = &s->gen[i];
        g->started = 0;
    }
}

void smear_schedule_free(SmearSchedule **ps)
{
    SmearSchedule *s = *ps;
    if (!s)
        return;
    for (int i = 0; i < s->nb_gen; i++) {
        av_free(s->gen[i].kt);
        av_free(s->gen[i].kv);
        av_free(s->gen[i].kslope);
    }
    av_expr_free(s->expr);
    av_free(s->what);
    av_free(s);
    *ps = NULL;
}
