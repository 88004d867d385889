/*
 * smear - flattening smear's own JSON objects into name/value pairs.
 *
 * The objects are smear's: flat, except the "chain" array of flat
 * objects, with no escapes other than \" and \\ in strings. A small
 * scanner is enough and keeps the program free of a JSON library.
 */
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "jsonflat.h"

/* Reads a JSON string at p (on the opening quote) into a new buffer. */
static char *read_string(const char **pp)
{
    const char *p = *pp + 1;
    size_t n = 0, cap = 64;
    char *out = av_malloc(cap);
    if (!out)
        return NULL;
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\' && *p)
            c = *p++;
        if (n + 2 > cap) {
            char *bigger = av_realloc(out, cap *= 2);
            if (!bigger) {
                av_free(out);
                return NULL;
            }
            out = bigger;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    *pp = *p ? p + 1 : p;
    return out;
}

static int add(FlatField **fields, int *nb, int *cap, const char *prefix, const char *key,
               char *text, int is_number)
{
    if (*nb == *cap) {
        int ncap = *cap ? 2 * *cap : 32;
        FlatField *f = av_realloc_array(*fields, ncap, sizeof(**fields));
        if (!f) {
            av_free(text);
            return AVERROR(ENOMEM);
        }
        *fields = f;
        *cap = ncap;
    }
    FlatField *f = &(*fields)[(*nb)++];
    snprintf(f->name, sizeof(f->name), "%s%s%s", prefix, *prefix ? "." : "", key);
    f->text = text;
    f->is_number = is_number;
    f->number = is_number ? strtod(text, NULL) : 0;
    return 0;
}

int flat_parse(const char *json, FlatField **fields)
{
    int nb = 0, cap = 0, depth = 0, in_chain = 0, ret = 0;
    char prefix[64] = "";
    char seen[32][40];
    int nb_seen = 0;
    const char *p = json;
    *fields = NULL;
    while (*p && ret >= 0) {
        if (*p == '{') {
            depth++;
            p++;
            continue;
        }
        if (*p == '}') {
            depth--;
            prefix[0] = '\0';
            p++;
            continue;
        }
        if (*p == ']') {
            in_chain = 0;
            p++;
            continue;
        }
        if (*p != '"') {
            p++;
            continue;
        }
        char *key = read_string(&p);
        if (!key)
            return AVERROR(ENOMEM);
        while (*p == ' ')
            p++;
        if (*p != ':') {
            av_free(key);
            continue;
        }
        p++;
        if (!strcmp(key, "chain") && *p == '[') {
            in_chain = 1;
            av_free(key);
            p++;
            continue;
        }
        char *text;
        int is_number = 0;
        if (*p == '"') {
            text = read_string(&p);
        } else {
            size_t len = strcspn(p, ",}]");
            text = av_strndup(p, len);
            p += len;
            is_number = 1;
        }
        if (!text) {
            av_free(key);
            ret = AVERROR(ENOMEM);
            break;
        }
        if (in_chain && depth == 2 && !strcmp(key, "filter")) {
            int same = 0;
            for (int i = 0; i < nb_seen; i++)
                same += !strcmp(seen[i], text);
            if (nb_seen < 32)
                snprintf(seen[nb_seen++], sizeof(seen[0]), "%.39s", text);
            if (same)
                snprintf(prefix, sizeof(prefix), "%.39s#%d", text, same + 1);
            else
                snprintf(prefix, sizeof(prefix), "%.39s", text);
            av_free(text);
        } else {
            ret = add(fields, &nb, &cap, in_chain ? prefix : "", key, text, is_number);
        }
        av_free(key);
    }
    if (ret < 0) {
        flat_free(fields, nb);
        return ret;
    }
    return nb;
}

void flat_free(FlatField **fields, int nb)
{
    if (!*fields)
        return;
    for (int i = 0; i < nb; i++)
        av_free((*fields)[i].text);
    av_freep(fields);
}
