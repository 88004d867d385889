/*
 * smear - CPU features and the per-instruction-set builds of the kernels.
 *
 * Hot loops live in files named *_dsp.c. The build compiles each of them
 * once per instruction set (plain C, AVX2, AVX-512), with SMEAR_ISA set to
 * c, avx2 or avx512, so one source gives three functions:
 *     void SMEAR_DSP(foo)(...)   ->  foo_c, foo_avx2, foo_avx512
 * The loops are written so the compiler vectorises them; a kernel picks the
 * best variant the CPU runs at configure time with SMEAR_DSP_PICK.
 * Floating-point contraction is off in every build, so the three variants
 * give bit-identical results.
 */
#ifndef SMEAR_FILTERS_CPU_H
#define SMEAR_FILTERS_CPU_H

#include "config.h"

enum {
    SMEAR_CPU_AVX2   = 1u << 0, ///< AVX2 + FMA + BMI2
    SMEAR_CPU_AVX512 = 1u << 1, ///< AVX-512 F, BW, DQ, VL
    SMEAR_CPU_VBMI   = 1u << 2, ///< AVX-512 VBMI (byte permutes), with AVX512
    SMEAR_CPU_VNNI   = 1u << 3, ///< AVX-512 VNNI (word dot products), with AVX512
};

/** Rows filtered together by the separable kernels' horizontal passes
 * (see lanes.h). */
#define SMEAR_LANES 32

/** Features of the running CPU, masked by the SMEAR_CPU_MASK environment
 *  variable when it is set (a number; 0 forces the plain C kernels). */
unsigned smear_cpu_flags(void);

#define SMEAR_DSP_CAT2(a, b) a##_##b
#define SMEAR_DSP_CAT(a, b) SMEAR_DSP_CAT2(a, b)
/** Name of function name in the build for the current SMEAR_ISA. */
#define SMEAR_DSP(name) SMEAR_DSP_CAT(name, SMEAR_ISA)

/** Declares the variants of a DSP function: ret name_c args; ... */
#if SMEAR_HAVE_X86_DSP
#define SMEAR_DSP_DECL(ret, name, args) \
    ret name##_c args;                  \
    ret name##_avx2 args;               \
    ret name##_avx512 args
/** Best variant of name for the CPU flags cpu. */
#define SMEAR_DSP_PICK(name, cpu)                   \
    (((cpu) & SMEAR_CPU_AVX512) ? name##_avx512 :   \
     ((cpu) & SMEAR_CPU_AVX2)   ? name##_avx2   : name##_c)
#else
#define SMEAR_DSP_DECL(ret, name, args) ret name##_c args
#define SMEAR_DSP_PICK(name, cpu) ((void)(cpu), name##_c)
#endif

#endif /* SMEAR_FILTERS_CPU_H */
