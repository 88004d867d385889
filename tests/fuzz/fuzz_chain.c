/*
 * smear - fuzz target: the augmentation chain's parser and its schedules.
 *
 * The input is a chain ("blur=sigma='...',shear=..."). It is parsed with a
 * seed from its first bytes, evaluated for a few frames at odd times and
 * sizes, and reported as JSON: none of it may crash, hang or leak, whatever
 * the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/bprint.h>
#include <libavutil/log.h>

#include "chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        av_log_set_level(AV_LOG_QUIET);
        quiet = 1;
    }
    if (size > 4096)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    SmearChain chain;
    const uint64_t seed = size ? data[0] * 2654435761u : 1;
    if (smear_chain_parse(&chain, text, seed, NULL) == 0) {
        static const double times[] = { 0, 0.04, 1e-9, 7.5, 3600, 1e7 };
        for (int i = 0; i < 6; i++) {
            const SmearScheduleVars v = { times[i], i, i ? 1 + i * 331 : 1, i ? 1 + i * 127 : 1, 25 };
            if (smear_chain_eval(&chain, &v, NULL) < 0)
                break;
            AVBPrint bp;
            av_bprint_init(&bp, 0, AV_BPRINT_SIZE_UNLIMITED);
            smear_chain_json(&chain, &bp);
            av_bprint_finalize(&bp, NULL);
        }
        smear_chain_uninit(&chain);
    }
    free(text);
    return 0;
}
