/*
 * smear-bench - the sections that time whole runs rather than kernels: a
 * transcode, a dataset, a paced live stream, and a soak for memory.
 */
#ifndef SMEAR_BENCH_PIPELINE_H
#define SMEAR_BENCH_PIPELINE_H

typedef struct PipelineOptions {
    int         quick;   ///< shorter clips and runs
    int         verbose;
    const char *smear;   ///< the smear program
} PipelineOptions;

/** Each prints its table and its targets; returns 0, or < 0 when it could
 *  not run at all. */
int bench_transcode(const PipelineOptions *o);
int bench_dataset(const PipelineOptions *o);
int bench_live(const PipelineOptions *o);
int bench_soak(const PipelineOptions *o);

#endif /* SMEAR_BENCH_PIPELINE_H */
