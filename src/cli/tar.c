/*
 * smear - tar (ustar) shards for datasets.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavutil/avstring.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "tar.h"

struct TarWriter {
    pthread_mutex_t lock;
    char           *dir, *prefix;
    uint64_t        max_bytes;
    int             next_index;
    FILE           *f;
    char           *partial, *final;
    uint64_t        bytes;
    int             failed;
};

static void octal(char *field, size_t size, uint64_t v)
{
    /* size-1 octal digits and a NUL, as ustar wants */
    snprintf(field, size, "%0*llo", (int)size - 1, (unsigned long long)v);
}

static int write_header(FILE *f, const char *name, uint64_t size)
{
    char h[512];
    memset(h, 0, sizeof(h));
    const size_t len = strlen(name);
    if (len <= 100) {
        memcpy(h, name, len);
    } else {
        /* split into prefix (155) and name (100) at a slash */
        const char *slash = strrchr(name, '/');
        if (!slash || slash - name > 155 || strlen(slash + 1) > 100)
            return AVERROR(ENAMETOOLONG);
        memcpy(h + 345, name, (size_t)(slash - name));
        memcpy(h, slash + 1, strlen(slash + 1));
    }
    octal(h + 100, 8, 0644);
    octal(h + 108, 8, 0);
    octal(h + 116, 8, 0);
    octal(h + 124, 12, size);
    octal(h + 136, 12, (uint64_t)time(NULL));
    memset(h + 148, ' ', 8);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (unsigned char)h[i];
    snprintf(h + 148, 8, "%06o", sum);
    h[155] = ' ';
    return fwrite(h, 1, 512, f) == 512 ? 0 : AVERROR(errno ? errno : EIO);
}

static int write_padding(FILE *f, uint64_t size)
{
    static const char zero[512];
    const size_t pad = (size_t)((512 - size % 512) % 512);
    return fwrite(zero, 1, pad, f) == pad ? 0 : AVERROR(errno ? errno : EIO);
}

static int shard_exists(const char *dir, const char *prefix, int index)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s-%06d.tar", dir, prefix, index);
    return access(path, F_OK) == 0;
}

TarWriter *tar_writer_new(const char *dir, const char *prefix, uint64_t max_bytes)
{
    TarWriter *w = av_mallocz(sizeof(*w));
    if (!w || !(w->dir = av_strdup(dir)) || !(w->prefix = av_strdup(prefix))) {
        if (w) {
            av_free(w->dir);
            av_free(w);
        }
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    w->max_bytes = max_bytes;
    while (shard_exists(dir, prefix, w->next_index))
        w->next_index++;
    return w;
}

static int seal(TarWriter *w)
{
    static const char zero[1024];
    int ret = 0;
    if (!w->f)
        return 0;
    if (fwrite(zero, 1, sizeof(zero), w->f) != sizeof(zero) || fflush(w->f) != 0)
        ret = AVERROR(errno ? errno : EIO);
    if (fclose(w->f) != 0 && ret >= 0)
        ret = AVERROR(errno ? errno : EIO);
    w->f = NULL;
    if (ret >= 0 && rename(w->partial, w->final) < 0)
        ret = AVERROR(errno);
    if (ret < 0)
        av_log(NULL, AV_LOG_ERROR, "cannot finish the shard '%s': %s\n", w->final, av_err2str(ret));
    av_freep(&w->partial);
    av_freep(&w->final);
    return ret;
}

int tar_writer_add(TarWriter *w, const char *key, int nb_files, const char *const *exts,
                   const uint8_t *const *data, const size_t *sizes)
{
    int ret = 0;
    pthread_mutex_lock(&w->lock);
    if (w->failed) {
        ret = AVERROR(EIO);
        goto end;
    }
    if (!w->f) {
        w->final = av_asprintf("%s/%s-%06d.tar", w->dir, w->prefix, w->next_index++);
        w->partial = w->final ? av_asprintf("%s.partial", w->final) : NULL;
        if (!w->partial) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        if (!(w->f = fopen(w->partial, "wb"))) {
            ret = AVERROR(errno);
            av_log(NULL, AV_LOG_ERROR, "cannot create the shard '%s': %s\n", w->partial,
                   av_err2str(ret));
            goto end;
        }
        w->bytes = 0;
    }
    errno = 0;
    for (int i = 0; i < nb_files && ret >= 0; i++) {
        char name[512];
        snprintf(name, sizeof(name), "%s.%s", key, exts[i]);
        if ((ret = write_header(w->f, name, sizes[i])) >= 0 &&
            fwrite(data[i], 1, sizes[i], w->f) != sizes[i])
            ret = AVERROR(errno ? errno : EIO);
        if (ret >= 0)
            ret = write_padding(w->f, sizes[i]);
        w->bytes += 512 + (sizes[i] + 511) / 512 * 512;
    }
    if (ret >= 0 && fflush(w->f) != 0)
        ret = AVERROR(errno ? errno : EIO);
    if (ret < 0) {
        av_log(NULL, AV_LOG_ERROR, "cannot write to the shard '%s': %s\n", w->partial,
               av_err2str(ret));
        w->failed = 1;
        goto end;
    }
    if (w->bytes >= w->max_bytes)
        ret = seal(w);
end:
    pthread_mutex_unlock(&w->lock);
    return ret;
}

int tar_writer_close(TarWriter **pw)
{
    TarWriter *w = *pw;
    int ret = 0;
    if (!w)
        return 0;
    if (w->failed) {
        /* keep the partial shard out of the way of the sealed ones */
        if (w->f)
            fclose(w->f);
        w->f = NULL;
    } else {
        ret = seal(w);
    }
    pthread_mutex_destroy(&w->lock);
    av_free(w->partial);
    av_free(w->final);
    av_free(w->dir);
    av_free(w->prefix);
    av_freep(pw);
    return ret;
}

int tar_scan_shards(const char *dir, const char *prefix,
                    void (*fn)(const char *name, void *opaque), void *opaque)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int nb = 0;
    const size_t plen = strlen(prefix);
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, plen) || e->d_name[plen] != '-')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        const size_t len = strlen(e->d_name);
        if (len > 8 && !strcmp(e->d_name + len - 8, ".partial")) {
            av_log(NULL, AV_LOG_WARNING, "removing the unfinished shard '%s' of an interrupted run\n",
                   path);
            unlink(path);
            continue;
        }
        if (len < 4 || strcmp(e->d_name + len - 4, ".tar"))
            continue;
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char h[512];
        while (fread(h, 1, 512, f) == 512 && h[0]) {
            char name[260] = "";
            if (h[345])
                snprintf(name, sizeof(name), "%.155s/%.100s", h + 345, h);
            else
                snprintf(name, sizeof(name), "%.100s", h);
            const uint64_t size = strtoull(h + 124, NULL, 8);
            fn(name, opaque);
            if (fseek(f, (long)((size + 511) / 512 * 512), SEEK_CUR) != 0)
                break;
        }
        fclose(f);
        nb++;
    }
    closedir(d);
    return nb;
}
