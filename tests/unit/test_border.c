/*
 * smear - border mapping against the definitions written out by hand.
 */
#include "border.h"
#include "testutil.h"

static void check_map(SmearBorderMode mode, int n, const int *expect, int first)
{
    for (int k = 0; expect[k] != -99; k++) {
        int i = first + k;
        int got = smear_border_index(i, n, mode);
        REQUIRE(got == expect[k], "%s n=%d i=%d: got %d, want %d",
                smear_border_name(mode), n, i, got, expect[k]);
    }
}

int main(void)
{
    /* n = 4: samples a b c d at 0..3; indices -6 .. 9 */
    static const int rep[] = { 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, -99 };
    static const int ref[] = { 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1, -99 };
    static const int wrp[] = { 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, -99 };
    static const int con[] = { -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, -1, -1, -99 };
    check_map(SMEAR_BORDER_REPLICATE, 4, rep, -6);
    check_map(SMEAR_BORDER_REFLECT, 4, ref, -6);
    check_map(SMEAR_BORDER_WRAP, 4, wrp, -6);
    check_map(SMEAR_BORDER_CONSTANT, 4, con, -6);

    /* one sample: every mode but constant maps everything to it */
    static const int one[] = { 0, 0, 0, 0, 0, -99 };
    check_map(SMEAR_BORDER_REPLICATE, 1, one, -2);
    check_map(SMEAR_BORDER_REFLECT, 1, one, -2);
    check_map(SMEAR_BORDER_WRAP, 1, one, -2);

    /* far outside (a kernel wider than the plane) stays in range */
    for (int mode = 0; mode < 3; mode++)
        for (int64_t i = -100000; i <= 100000; i += 997) {
            int got = smear_border_index(i, 7, (SmearBorderMode)mode);
            REQUIRE(got >= 0 && got < 7, "mode %d i=%lld -> %d", mode, (long long)i, got);
        }

    /* padding a float row agrees with the index mapping */
    for (int mode = 0; mode < 4; mode++) {
        float buf[3 + 5 + 9];
        float *row = buf + 3;
        for (int i = 0; i < 5; i++)
            row[i] = (float)(10 + i);
        smear_border_pad_f32(row, 5, 3, 9, (SmearBorderMode)mode, -7.0f);
        for (int i = -3; i < 5 + 9; i++) {
            int m = smear_border_index(i, 5, (SmearBorderMode)mode);
            float want = m < 0 ? -7.0f : (float)(10 + m);
            REQUIRE(row[i] == want, "%s pad at %d: got %g want %g",
                    smear_border_name((SmearBorderMode)mode), i, row[i], want);
        }
    }
    printf("border: all mappings agree\n");
    return 0;
}
