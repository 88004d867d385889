/*
 * smear - small helpers shared by the library's sources.
 */
#ifndef SMEAR_SRC_UTIL_H
#define SMEAR_SRC_UTIL_H

/** A log context whose messages av_log demotes to debug level: for calling
 *  libavutil parsers whose own error text would duplicate ours. */
void *smear_quiet_log_ctx(void);

#endif /* SMEAR_SRC_UTIL_H */
