/*
 * smear - border handling shared by every kernel.
 */
#include <string.h>

#include "border.h"

void smear_border_pad_f32(float *row, int n, int left, int right,
                          SmearBorderMode mode, float fill)
{
    if (mode == SMEAR_BORDER_CONSTANT) {
        for (int i = 1; i <= left; i++)
            row[-i] = fill;
        for (int i = 0; i < right; i++)
            row[n + i] = fill;
        return;
    }
    if (mode == SMEAR_BORDER_REPLICATE) {
        const float a = row[0], b = row[n - 1];
        for (int i = 1; i <= left; i++)
            row[-i] = a;
        for (int i = 0; i < right; i++)
            row[n + i] = b;
        return;
    }
    for (int i = 1; i <= left; i++)
        row[-i] = row[smear_border_index(-i, n, mode)];
    for (int i = 0; i < right; i++)
        row[n + i] = row[smear_border_index((int64_t)n + i, n, mode)];
}

const char *smear_border_name(SmearBorderMode mode)
{
    switch (mode) {
    case SMEAR_BORDER_REPLICATE: return "replicate";
    case SMEAR_BORDER_REFLECT:   return "reflect";
    case SMEAR_BORDER_WRAP:      return "wrap";
    case SMEAR_BORDER_CONSTANT:  return "constant";
    }
    return "?";
}
