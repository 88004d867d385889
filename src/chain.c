/*
 * smear - parsing and evaluating the augmentation chain.
 */
#include <math.h>
#include <string.h>

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libavutil/parseutils.h>

#include "chain.h"
#include "util.h"

const ChainFilterDef *smear_chain_find(const char *name)
{
    for (int i = 0; smear_chain_filters[i]; i++)
        if (!strcmp(smear_chain_filters[i]->name, name))
            return smear_chain_filters[i];
    return NULL;
}

int smear_chain_option_index(const ChainFilterDef *def, const char *name)
{
    for (int i = 0; def->options[i].name; i++)
        if (!strcmp(def->options[i].name, name))
            return i;
    return -1;
}

/* ------------------------------------------------------------- tokenising */

/* Length of the next token of s up to a top-level separator in seps:
 * separators inside '...' quotes, after a backslash or inside parentheses do
 * not count. */
static size_t token_len(const char *s, const char *seps)
{
    int depth = 0, quoted = 0;
    const char *p = s;
    for (; *p; p++) {
        if (*p == '\\' && p[1] && !quoted) {
            p++;
        } else if (*p == '\'') {
            quoted = !quoted;
        } else if (!quoted) {
            if (*p == '(')
                depth++;
            else if (*p == ')' && depth > 0)
                depth--;
            else if (depth == 0 && strchr(seps, *p))
                break;
        }
    }
    return (size_t)(p - s);
}

/* Copy of s[0..len) without quotes and escapes, trimmed of outer spaces. */
static char *unquote(const char *s, size_t len)
{
    char *out = av_malloc(len + 1), *o = out;
    int quoted = 0;
    if (!out)
        return NULL;
    while (len && *s == ' ')
        s++, len--;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len && !quoted)
            *o++ = s[++i];
        else if (s[i] == '\'')
            quoted = !quoted;
        else
            *o++ = s[i];
    }
    while (o > out && o[-1] == ' ' )
        o--;
    *o = '\0';
    return out;
}

static void list_names(AVBPrint *bp, const ChainFilterDef *def)
{
    if (def) {
        for (int i = 0; def->options[i].name; i++)
            av_bprintf(bp, "%s%s", i ? ", " : "", def->options[i].name);
    } else {
        for (int i = 0; smear_chain_filters[i]; i++)
            av_bprintf(bp, "%s%s", i ? ", " : "", smear_chain_filters[i]->name);
    }
}

/* ---------------------------------------------------------------- options */

static int set_option(ChainFilter *f, int idx, const char *value, uint64_t seed,
                      int filter_index, void *log_ctx)
{
    const ChainOption *o = &f->def->options[idx];
    char what[96];
    snprintf(what, sizeof(what), "%s: %s", f->what, o->name);

    switch (o->type) {
    case OPT_NUM: {
        smear_schedule_free(&f->sched[idx]);
        if (!*value) {
            av_log(log_ctx, AV_LOG_ERROR, "%s: empty value\n", what);
            return AVERROR(EINVAL);
        }
        const uint64_t stream = ((uint64_t)filter_index << 8) | (uint64_t)idx;
        int ret = smear_schedule_parse(&f->sched[idx], value, seed, stream, log_ctx, what);
        if (ret < 0)
            return ret;
        double c;
        if (smear_schedule_constant(f->sched[idx], &c) && (c < o->min || c > o->max)) {
            av_log(log_ctx, AV_LOG_ERROR, "%s=%s is out of range [%g, %g]\n", what, value,
                   o->min, o->max);
            return AVERROR(EINVAL);
        }
        return 0;
    }
    case OPT_ENUM:
        for (int k = 0; o->names[k]; k++)
            if (!strcmp(o->names[k], value)) {
                f->v[idx] = k;
                return 0;
            }
        {
            AVBPrint bp;
            av_bprint_init(&bp, 0, AV_BPRINT_SIZE_AUTOMATIC);
            for (int k = 0; o->names[k]; k++)
                av_bprintf(&bp, "%s%s", k ? ", " : "", o->names[k]);
            av_log(log_ctx, AV_LOG_ERROR, "%s: unknown value '%s' (one of: %s)\n", what,
                   value, bp.str);
            av_bprint_finalize(&bp, NULL);
        }
        return AVERROR(EINVAL);
    case OPT_STR: {
        char *copy = av_strdup(value);
        if (!copy)
            return AVERROR(ENOMEM);
        av_free(f->str[idx]);
        f->str[idx] = copy;
        return 0;
    }
    case OPT_COLOR: {
        if (av_parse_color(f->rgba[idx], value, -1, smear_quiet_log_ctx()) < 0) {
            av_log(log_ctx, AV_LOG_ERROR,
                   "%s: '%s' is not a colour (a name such as black, or 0xRRGGBB[AA])\n",
                   what, value);
            return AVERROR(EINVAL);
        }
        return 0;
    }
    }
    return AVERROR(EINVAL);
}

static int parse_options(ChainFilter *f, const char *p, const char *end, uint64_t seed,
                         int fi, void *log_ctx)
{
    const ChainFilterDef *def = f->def;
    int ret;
    int positional = 0, named_seen = 0;
    while (p < end) {
        size_t olen = token_len(p, ":");
        if (olen > (size_t)(end - p))
            olen = (size_t)(end - p);
        size_t klen = token_len(p, "=");
        char *key = NULL, *value;
        int idx;
        if (klen < olen) {
            key = unquote(p, klen);
            value = unquote(p + klen + 1, olen - klen - 1);
            if (!key || !value) {
                av_free(key);
                av_free(value);
                return AVERROR(ENOMEM);
            }
            idx = smear_chain_option_index(def, key);
            if (idx < 0) {
                AVBPrint bp;
                av_bprint_init(&bp, 0, AV_BPRINT_SIZE_AUTOMATIC);
                list_names(&bp, def);
                av_log(log_ctx, AV_LOG_ERROR, "%s: unknown option '%s' (options: %s)\n",
                       f->what, key, bp.str);
                av_bprint_finalize(&bp, NULL);
                av_free(key);
                av_free(value);
                return AVERROR(EINVAL);
            }
            named_seen = 1;
        } else {
            value = unquote(p, olen);
            if (!value)
                return AVERROR(ENOMEM);
            idx = positional++;
            if (named_seen || idx >= f->nb_options) {
                av_log(log_ctx, AV_LOG_ERROR, "%s: value '%s' has no option name\n", f->what,
                       value);
                av_free(value);
                return AVERROR(EINVAL);
            }
        }
        ret = set_option(f, idx, value, seed, fi, log_ctx);
        av_free(key);
        av_free(value);
        if (ret < 0)
            return ret;
        p += olen + 1;
    }
    return 0;
}

static int parse_filter(SmearChain *chain, const char *s, size_t len, uint64_t seed,
                        void *log_ctx)
{
    const size_t name_len = token_len(s, "=");
    char *name = unquote(s, name_len < len ? name_len : len);
    int ret = 0;

    if (!name)
        return AVERROR(ENOMEM);
    if (!*name) {
        av_log(log_ctx, AV_LOG_ERROR, "empty filter in the chain (two commas in a row?)\n");
        av_free(name);
        return AVERROR(EINVAL);
    }
    const ChainFilterDef *def = smear_chain_find(name);
    if (!def) {
        AVBPrint bp;
        av_bprint_init(&bp, 0, AV_BPRINT_SIZE_AUTOMATIC);
        list_names(&bp, NULL);
        av_log(log_ctx, AV_LOG_ERROR, "unknown filter '%s' (filters: %s)\n", name, bp.str);
        av_bprint_finalize(&bp, NULL);
        av_free(name);
        return AVERROR(EINVAL);
    }
    av_free(name);
    if (chain->nb_filters == CHAIN_MAX_FILTERS) {
        av_log(log_ctx, AV_LOG_ERROR, "more than %d filters in the chain\n", CHAIN_MAX_FILTERS);
        return AVERROR(EINVAL);
    }

    const int fi = chain->nb_filters;
    ChainFilter *f = &chain->filters[chain->nb_filters++];
    memset(f, 0, sizeof(*f));
    f->def = def;
    int same = 0;
    for (int i = 0; i < fi; i++)
        same += chain->filters[i].def == def;
    if (same)
        snprintf(f->what, sizeof(f->what), "%s#%d", def->name, same + 1);
    else
        snprintf(f->what, sizeof(f->what), "%s", def->name);
    while (def->options[f->nb_options].name)
        f->nb_options++;
    for (int pl = 0; pl < 4; pl++)
        if (!(f->kparams_new[pl] = av_mallocz(def->kparams_size)))
            return AVERROR(ENOMEM);

    /* defaults first */
    for (int i = 0; i < f->nb_options; i++) {
        const ChainOption *o = &def->options[i];
        if (o->def && (ret = set_option(f, i, o->def, seed, fi, log_ctx)) < 0)
            return ret;
    }

    if (def->state_size && !(f->state = av_mallocz(def->state_size)))
        return AVERROR(ENOMEM);
    if (name_len < len && (ret = parse_options(f, s + name_len + 1, s + len, seed, fi, log_ctx)) < 0)
        return ret;
    return def->init ? def->init(f->state, f->str, log_ctx, f->what) : 0;
}

int smear_chain_parse(SmearChain *chain, const char *text, uint64_t seed, void *log_ctx)
{
    memset(chain, 0, sizeof(*chain));
    chain->seed = seed;
    if (!text)
        return 0;
    const char *p = text;
    while (*p == ' ')
        p++;
    if (!*p)
        return 0;
    /* a quote left open would take the rest of the chain as its text */
    int quoted = 0;
    for (const char *q = p; *q; q++) {
        if (*q == '\\' && q[1] && !quoted)
            q++;
        else if (*q == '\'')
            quoted = !quoted;
    }
    if (quoted) {
        av_log(log_ctx, AV_LOG_ERROR, "chain '%s': a quote (') is opened and not closed\n", text);
        return AVERROR(EINVAL);
    }
    for (;;) {
        size_t len = token_len(p, ",");
        int ret = parse_filter(chain, p, len, seed, log_ctx);
        if (ret < 0) {
            smear_chain_uninit(chain);
            return ret;
        }
        if (!p[len])
            break;
        p += len + 1;
    }
    /* evaluate the first frame once, so that constants that do not fit
     * together and expressions that are not finite fail now, not mid-run;
     * then start every schedule afresh */
    const SmearScheduleVars first = { 0, 0, 1920, 1080, 25 };
    int ret = smear_chain_eval(chain, &first, log_ctx);
    if (ret < 0) {
        smear_chain_uninit(chain);
        return ret == AVERROR(EDOM) ? AVERROR(EINVAL) : ret;
    }
    smear_chain_reseed(chain, seed);
    return 0;
}

void smear_chain_uninit(SmearChain *chain)
{
    for (int i = 0; i < chain->nb_filters; i++) {
        ChainFilter *f = &chain->filters[i];
        for (int k = 0; k < CHAIN_MAX_OPTIONS; k++) {
            smear_schedule_free(&f->sched[k]);
            av_freep(&f->str[k]);
        }
        av_freep(&f->state);
        for (int pl = 0; pl < 4; pl++) {
            if (f->kpriv[pl] && f->kready[pl])
                f->def->kernel->uninit(f->kpriv[pl]);
            av_freep(&f->kpriv[pl]);
            av_freep(&f->kparams[pl]);
            av_freep(&f->kparams_new[pl]);
        }
    }
    chain->nb_filters = 0;
}

int smear_chain_check(SmearChain *chain, double fps)
{
    for (int i = 0; i < chain->nb_filters; i++)
        for (int k = 0; k < CHAIN_MAX_OPTIONS; k++)
            if (chain->filters[i].sched[k] &&
                smear_schedule_check(chain->filters[i].sched[k], fps, 60, 1920, 1080) < 0)
                return AVERROR(EINVAL);
    return 0;
}

void smear_chain_reseed(SmearChain *chain, uint64_t seed)
{
    chain->seed = seed;
    for (int i = 0; i < chain->nb_filters; i++)
        for (int k = 0; k < CHAIN_MAX_OPTIONS; k++)
            if (chain->filters[i].sched[k])
                smear_schedule_reseed(chain->filters[i].sched[k], seed);
}

int smear_chain_eval(SmearChain *chain, const SmearScheduleVars *vars, void *log_ctx)
{
    for (int i = 0; i < chain->nb_filters; i++) {
        ChainFilter *f = &chain->filters[i];
        for (int k = 0; k < f->nb_options; k++) {
            const ChainOption *o = &f->def->options[k];
            if (o->type != OPT_NUM)
                continue;
            if (!f->sched[k]) {
                f->v[k] = NAN;
                continue;
            }
            double v;
            int ret = smear_schedule_eval(f->sched[k], vars, &v);
            if (ret < 0)
                return ret;
            /* schedules may wander outside the range: they are clamped, and
             * the clamped value is what is applied and reported */
            f->v[k] = v < o->min ? o->min : v > o->max ? o->max : v;
        }
        if (f->def->resolve) {
            /* each filter draws from its own stream of the chain's seed */
            const uint64_t seed = smear_hash64(chain->seed, (uint64_t)i, 0xf17e);
            int ret = f->def->resolve(f->v, f->state, vars, seed, log_ctx, f->what);
            if (ret < 0)
                return ret;
        }
    }
    return 0;
}

void smear_chain_json(const SmearChain *chain, AVBPrint *bp)
{
    av_bprintf(bp, "[");
    for (int i = 0; i < chain->nb_filters; i++) {
        const ChainFilter *f = &chain->filters[i];
        av_bprintf(bp, "%s{\"filter\":\"%s\"", i ? "," : "", f->def->name);
        for (int k = 0; k < f->nb_options; k++) {
            const ChainOption *o = &f->def->options[k];
            switch (o->type) {
            case OPT_NUM:
                if (isfinite(f->v[k]))
                    av_bprintf(bp, ",\"%s\":%.17g", o->name, f->v[k]);
                break;
            case OPT_ENUM:
                av_bprintf(bp, ",\"%s\":\"%s\"", o->name, o->names[(int)f->v[k]]);
                break;
            case OPT_COLOR:
                av_bprintf(bp, ",\"%s\":\"0x%02x%02x%02x%02x\"", o->name, f->rgba[k][0],
                           f->rgba[k][1], f->rgba[k][2], f->rgba[k][3]);
                break;
            case OPT_STR:
                break; /* what a string means is the filter's to report */
            }
        }
        if (f->def->json)
            f->def->json(f->state, bp);
        av_bprintf(bp, "}");
    }
    av_bprintf(bp, "]");
}

void smear_chain_print_help(AVBPrint *bp, const char *filter_name)
{
    for (int i = 0; smear_chain_filters[i]; i++) {
        const ChainFilterDef *def = smear_chain_filters[i];
        if (filter_name && strcmp(filter_name, def->name))
            continue;
        av_bprintf(bp, "%s: %s\n", def->name, def->help);
        for (int k = 0; def->options[k].name; k++) {
            const ChainOption *o = &def->options[k];
            av_bprintf(bp, "    %-10s ", o->name);
            switch (o->type) {
            case OPT_NUM:
                av_bprintf(bp, "number in [%g, %g]", o->min, o->max);
                break;
            case OPT_ENUM:
                av_bprintf(bp, "one of ");
                for (int j = 0; o->names[j]; j++)
                    av_bprintf(bp, "%s%s", j ? "|" : "", o->names[j]);
                break;
            case OPT_COLOR:
                av_bprintf(bp, "colour");
                break;
            case OPT_STR:
                av_bprintf(bp, "text");
                break;
            }
            av_bprintf(bp, ", default %s: %s\n", o->def ? o->def : "unset", o->help);
        }
    }
}
