/*
 * smear - CPU feature detection.
 */
#include "config.h"

#include <stdlib.h>

#include "cpu.h"

static unsigned detect(void)
{
    unsigned flags = 0;
#if SMEAR_HAVE_X86_DSP
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("bmi2"))
        flags |= SMEAR_CPU_AVX2;
    if ((flags & SMEAR_CPU_AVX2) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
        flags |= SMEAR_CPU_AVX512;
    if ((flags & SMEAR_CPU_AVX512) && __builtin_cpu_supports("avx512vbmi"))
        flags |= SMEAR_CPU_VBMI;
    if ((flags & SMEAR_CPU_AVX512) && __builtin_cpu_supports("avx512vnni"))
        flags |= SMEAR_CPU_VNNI;
#endif
    return flags;
}

unsigned smear_cpu_flags(void)
{
    unsigned flags = detect();
    const char *mask = getenv("SMEAR_CPU_MASK");
    if (mask && *mask)
        flags &= (unsigned)strtoul(mask, NULL, 0);
    return flags;
}
