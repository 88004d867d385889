/*
 * smear - defocus kernel: hot loops, compiled once per instruction set.
 */
#include "config.h"
