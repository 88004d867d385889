/*
 * smear - small helpers shared by the library's sources.
 */
#include <stddef.h>

#include <libavutil/log.h>
#include <libavutil/version.h>

#include "util.h"

typedef struct QuietLog {
    const AVClass *class;
    int            level_offset;
} QuietLog;

static const AVClass quiet_class = {
    .class_name = "smear",
    .item_name = av_default_item_name,
    .version = LIBAVUTIL_VERSION_INT,
    .log_level_offset_offset = offsetof(QuietLog, level_offset),
};

static const QuietLog quiet = { &quiet_class, AV_LOG_DEBUG - AV_LOG_ERROR };

void *smear_quiet_log_ctx(void)
{
    return (void *)&quiet;
}
