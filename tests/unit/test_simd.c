/*
 * smear - the fused multiply-add of the plain C build (simd.h) against the C
 * library's fmaf(), which rounds once by definition: bit for bit, on the
 * cases that a sum rounded twice gets wrong, on special values, and on
 * millions of random ones. The emulation in doubles (scalar, and in SSE2
 * vectors on x86) is checked by its own name whether or not the build
 * uses it, and so are smear_fmaf() and vfn_fma() as the build has them.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define SMEAR_ISA_IS_AVX2 0
#define SMEAR_ISA_IS_AVX512 0
#include "simd.h"
#include "testutil.h"

static uint32_t bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof(u));
    return u;
}

static float from_bits(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof(x));
    return x;
}

static int same(float x, float y)
{
    return (isnan(x) && isnan(y)) || bits(x) == bits(y);
}

static long nb_checked;

/* One case, through the scalar and the vector forms (in every lane). */
static void check(float a, float b, float c)
{
    const float want = fmaf(a, b, c), got = smear_fmaf(a, b, c);
    REQUIRE(same(got, want), "smear_fmaf(%a, %a, %a) = %a, fmaf gives %a", a, b, c, got, want);
#if SMEAR_ODD_FMAF
    const float odd = smear_fmaf_odd(a, b, c);
    REQUIRE(same(odd, want), "smear_fmaf_odd(%a, %a, %a) = %a, fmaf gives %a", a, b, c, odd, want);
#if defined(__SSE2__)
    /* each lane of its own, the others mixed up with it */
    float la[4] = { a, c, b, a }, lb[4] = { b, 1.0f, c, -b }, lc[4] = { c, a, a, c }, lr[4];
    _mm_storeu_ps(lr, smear_fma4_odd(_mm_loadu_ps(la), _mm_loadu_ps(lb), _mm_loadu_ps(lc)));
    for (int i = 0; i < 4; i++)
        REQUIRE(same(lr[i], fmaf(la[i], lb[i], lc[i])), "smear_fma4_odd lane %d of (%a, %a, %a) = %a",
                i, la[i], lb[i], lc[i], lr[i]);
#endif
#endif
    vfn va = vfn_set1(a), vb = vfn_set1(b), vc = vfn_set1(c);
    /* other values in the other lanes, so that a lane mixed up shows */
    for (int i = 1; i < SMEAR_VF; i += 2) {
        va[i] = c;
        vb[i] = 1.0f;
        vc[i] = a;
    }
    const vfn r = vfn_fma(va, vb, vc);
    for (int i = 0; i < SMEAR_VF; i++) {
        const float wi = i & 1 ? fmaf(c, 1.0f, a) : want;
        REQUIRE(same(r[i], wi), "vfn_fma lane %d of (%a, %a, %a) = %a, fmaf gives %a", i, a, b,
                c, r[i], wi);
    }
    nb_checked++;
}

/* A float of random sign, exponent in [lo, hi] and significand. */
static float random_float(uint64_t *s, int lo, int hi)
{
    const uint64_t r = test_rand(s);
    const int e = lo + (int)((r >> 40) % (uint64_t)(hi - lo + 1));
    const float m = 1.0f + (float)(r & 0x7fffff) * 0x1p-23f;
    const float x = ldexpf(m, e);
    return (r >> 63) ? -x : x;
}

int main(void)
{
    /* 24929 * 673 = 2^24 + 1: a * b is 1 + 2^-24, halfway between two
     * floats, and c tips it one way or the other by far less than a
     * double's last bit. Rounded to double and then to float, the sum
     * lands on the midpoint and goes to even, whichever way c tips it. */
    const float ma = 24929.0f, mb = 673.0f * 0x1p-24f;
    int naive_wrong = 0;
    for (int k = -60; k <= 60; k += 3) {
        const float sa = ldexpf(ma, k);
        for (int sg = 0; sg < 4; sg++) {
            const float a = sg & 1 ? -sa : sa;
            for (int t = -20; t <= 20; t += 5) {
                const float tip = ldexpf(sg & 2 ? -1.0f : 1.0f, k - 76 + t);
                check(a, mb, a < 0 ? -tip : tip);
                check(a, mb, a < 0 ? tip : -tip);
                if ((float)((double)a * mb + tip) != fmaf(a, mb, tip))
                    naive_wrong++;
            }
        }
    }
    REQUIRE(naive_wrong > 0, "the midpoint cases should defeat a sum rounded twice");

    /* special values and the ends of the range, every combination */
    const float special[] = { 0.0f, -0.0f, 1.0f, -1.0f, INFINITY, -INFINITY, NAN, FLT_MAX, -FLT_MAX,
                              FLT_MIN, -FLT_MIN, 0x1p-149f, -0x1p-149f, 0x1.fffffep-127f,
                              0.5f, 3.0f, 0x1p64f, 0x1p-64f, 1.0f + 0x1p-23f };
    const int ns = (int)(sizeof(special) / sizeof(special[0]));
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < ns; j++)
            for (int k = 0; k < ns; k++)
                check(special[i], special[j], special[k]);

    uint64_t s = 12345;
    /* random triples of every size, with c near -a * b: the cancellations
     * where the bits below a float's matter */
    for (int n = 0; n < 1000000; n++) {
        const float a = random_float(&s, -60, 60), b = random_float(&s, -60, 60);
        const float c = (n & 1) ? random_float(&s, -130, 120)
                                : from_bits(bits(-(a * b)) + (uint32_t)(test_rand(&s) % 7) - 3u);
        check(a, b, c);
    }
    /* results among the subnormals */
    for (int n = 0; n < 200000; n++)
        check(random_float(&s, -80, -60), random_float(&s, -80, -60), random_float(&s, -149, -120));
    /* any bits at all */
    for (int n = 0; n < 1000000; n++) {
        const uint64_t r = test_rand(&s);
        check(from_bits((uint32_t)r), from_bits((uint32_t)(r >> 32)), from_bits((uint32_t)test_rand(&s)));
    }
#if SMEAR_FAST_FMAF
    const char *how = "the CPU's fused multiply-add";
#elif SMEAR_ODD_FMAF
    const char *how = "the emulation in doubles, rounded to odd";
#else
    const char *how = "the C library's fmaf()";
#endif
    printf("fused multiply-add of the plain C build (%s): %ld cases, each as fmaf() gives it "
           "(%d midpoint cases that a sum rounded twice gets wrong)%s\n",
           how, nb_checked, naive_wrong,
           SMEAR_ODD_FMAF ? "; the emulation checked by its own name too" : "");
    return 0;
}
