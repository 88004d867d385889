/*
 * smear - turning videos into augmented frame datasets (--frames OUTDIR).
 */
#ifndef SMEAR_CLI_DATASET_H
#define SMEAR_CLI_DATASET_H

#include "cli.h"


/** Runs the dataset job (opt->dataset) with the full augmentation chain.
 *  Returns an exit status (see cli.h). */
int dataset_run(const CliOptions *opt, const char *chain);

#endif /* SMEAR_CLI_DATASET_H */
