/*
 * smear - previewing a chain's parameters over time, without any video:
 * a CSV table on standard output and, on request, an SVG plot with one
 * panel per parameter that moves.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "jsonflat.h"
#include "schedule_print.h"

#define MAX_COLUMNS 128

typedef struct Series {
    char    name[128];
    double *v;
} Series;

/* Appends the chain's numbers of one frame's JSON to the columns
 * (filter.option names, as flat_parse gives them). */
static int scan_frame(const char *json, Series *cols, int *nb_cols, int frame, int nb_frames)
{
    FlatField *fields;
    int nb = flat_parse(json, &fields), col = 0;
    if (nb < 0)
        return nb;
    for (int i = 0; i < nb; i++) {
        if (!fields[i].is_number || !strchr(fields[i].name, '.'))
            continue;
        if (frame == 0 && *nb_cols < MAX_COLUMNS) {
            Series *s = &cols[(*nb_cols)++];
            snprintf(s->name, sizeof(s->name), "%s", fields[i].name);
            if (!(s->v = av_calloc(nb_frames, sizeof(double)))) {
                flat_free(&fields, nb);
                return AVERROR(ENOMEM);
            }
        }
        if (col < *nb_cols)
            cols[col++].v[frame] = fields[i].number;
    }
    flat_free(&fields, nb);
    return 0;
}

static void write_svg(FILE *f, const Series *cols, int nb_cols, const double *t, int n)
{
    int moving[MAX_COLUMNS], nb_moving = 0;
    for (int c = 0; c < nb_cols; c++) {
        double lo = cols[c].v[0], hi = lo;
        for (int i = 1; i < n; i++) {
            lo = fmin(lo, cols[c].v[i]);
            hi = fmax(hi, cols[c].v[i]);
        }
        if (hi > lo)
            moving[nb_moving++] = c;
    }
    const int pw = 760, ph = 140, left = 70, top = 30, gap = 40;
    const int height = top + (nb_moving ? nb_moving : 1) * (ph + gap) + 30;
    const double t1 = n > 1 ? t[n - 1] : 1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", left + pw + 30, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%d\" y=\"18\" font-size=\"14\">smear schedule: %d frames, %.2f s</text>\n",
            left, n, t1);
    if (!nb_moving)
        fprintf(f, "<text x=\"%d\" y=\"%d\">every parameter is constant</text>\n", left, top + 40);
    for (int k = 0; k < nb_moving; k++) {
        const Series *s = &cols[moving[k]];
        const int y0 = top + k * (ph + gap) + 14;
        double lo = s->v[0], hi = lo;
        for (int i = 1; i < n; i++) {
            lo = fmin(lo, s->v[i]);
            hi = fmax(hi, s->v[i]);
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", left, y0 - 4, s->name);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                left, y0, pw, ph);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.4g</text>\n", left - 6, y0 + 10, hi);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.4g</text>\n", left - 6, y0 + ph, lo);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.2f s</text>\n", left + pw, y0 + ph + 14, t1);
        fprintf(f, "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"");
        for (int i = 0; i < n; i++) {
            double x = left + pw * (n > 1 ? t[i] / t1 : 0);
            double y = y0 + ph - ph * (s->v[i] - lo) / (hi - lo);
            fprintf(f, "%.1f,%.1f ", x, y);
        }
        fprintf(f, "\"/>\n");
    }
    fprintf(f, "</svg>\n");
}

int print_schedule(SmearContext *ctx, double duration, AVRational fps, int w, int h,
                   const char *plot_path)
{
    const int n = (int)ceil(duration * av_q2d(fps) - 1e-9);
    Series cols[MAX_COLUMNS];
    int nb_cols = 0, ret = 0;
    double *t = av_calloc(n > 0 ? n : 1, sizeof(double));
    if (!t)
        return AVERROR(ENOMEM);
    memset(cols, 0, sizeof(cols));
    AVFrame *frame = av_frame_alloc();
    if (!frame) {
        av_free(t);
        return AVERROR(ENOMEM);
    }
    frame->width = w;
    frame->height = h;
    frame->time_base = av_inv_q(fps);
    for (int i = 0; i < n && ret >= 0; i++) {
        char *json = NULL;
        t[i] = i / av_q2d(fps);
        frame->pts = i;
        if ((ret = smear_evaluate(ctx, frame, &json)) >= 0)
            ret = scan_frame(json, cols, &nb_cols, i, n);
        av_free(json);
    }
    av_frame_free(&frame);
    if (ret >= 0) {
        printf("frame,t");
        for (int c = 0; c < nb_cols; c++)
            printf(",%s", cols[c].name);
        printf("\n");
        for (int i = 0; i < n; i++) {
            printf("%d,%.6f", i, t[i]);
            for (int c = 0; c < nb_cols; c++)
                printf(",%.9g", cols[c].v[i]);
            printf("\n");
        }
        if (plot_path) {
            FILE *f = fopen(plot_path, "w");
            if (!f) {
                av_log(NULL, AV_LOG_ERROR, "cannot create the plot '%s': %s\n", plot_path,
                       strerror(errno));
                ret = AVERROR(errno);
            } else {
                write_svg(f, cols, nb_cols, t, n);
                if (fclose(f) != 0) {
                    av_log(NULL, AV_LOG_ERROR, "cannot write the plot '%s'\n", plot_path);
                    ret = AVERROR(EIO);
                }
            }
        }
    }
    for (int c = 0; c < nb_cols; c++)
        av_free(cols[c].v);
    av_free(t);
    return ret;
}
