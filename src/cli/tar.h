/*
 * smear - tar (ustar) shards for datasets, the format WebDataset-style
 * training pipelines stream from: each sample is an image and its JSON,
 * side by side under the same key.
 *
 * A shard is written as NAME.partial and renamed to NAME when sealed, so a
 * file named *.tar is always complete.
 */
#ifndef SMEAR_CLI_TAR_H
#define SMEAR_CLI_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct TarWriter TarWriter;

/** Starts shards dir/prefix-NNNNNN.tar, numbered after existing ones,
 *  sealing each once it holds max_bytes. */
TarWriter *tar_writer_new(const char *dir, const char *prefix, uint64_t max_bytes);
/** Adds one sample: files key.ext for each (ext, data, size). Thread-safe;
 *  the files of a sample stay together in one shard. Returns 0 or a
 *  negative AVERROR (logged). */
int tar_writer_add(TarWriter *w, const char *key, int nb_files, const char *const *exts,
                   const uint8_t *const *data, const size_t *sizes);
/** Seals the current shard. Returns 0 or a negative AVERROR (logged). */
int tar_writer_close(TarWriter **pw);

/**
 * Calls fn(name, opaque) for every member of the sealed shards
 * dir/prefix-*.tar, and deletes unsealed (.partial) ones left by an
 * interrupted run. Returns the number of shards read.
 */
int tar_scan_shards(const char *dir, const char *prefix,
                    void (*fn)(const char *name, void *opaque), void *opaque);

#endif /* SMEAR_CLI_TAR_H */
