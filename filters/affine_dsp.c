/*
 * smear - affine kernel: hot loops, compiled once per instruction set.
 */
#include "config.h"
