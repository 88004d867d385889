/*
 * smear - previewing a chain's parameters over time, without any video.
 */
#ifndef SMEAR_CLI_SCHEDULE_PRINT_H
#define SMEAR_CLI_SCHEDULE_PRINT_H

#include <libavutil/rational.h>

#include "smear/smear.h"

/** Prints frame, t and every numeric parameter per frame as CSV on standard
 *  output for duration seconds at fps; writes an SVG plot of the moving
 *  ones to plot_path when given. Returns 0 or a negative AVERROR (logged). */
int print_schedule(SmearContext *ctx, double duration, AVRational fps, int w, int h,
                   const char *plot_path);

#endif /* SMEAR_CLI_SCHEDULE_PRINT_H */
