/*
 * smear - version of the public API.
 */
#ifndef SMEAR_VERSION_H
#define SMEAR_VERSION_H

#define SMEAR_API_VERSION_MAJOR 1
#define SMEAR_API_VERSION_MINOR 0
#define SMEAR_API_VERSION_PATCH 0

/** Packs a version as one integer, comparable with < and >. */
#define SMEAR_VERSION_INT(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define SMEAR_API_VERSION_INT \
    SMEAR_VERSION_INT(SMEAR_API_VERSION_MAJOR, SMEAR_API_VERSION_MINOR, SMEAR_API_VERSION_PATCH)
#define SMEAR_API_MAJOR(v) ((v) >> 16)
#define SMEAR_API_MINOR(v) (((v) >> 8) & 0xff)
#define SMEAR_API_PATCH(v) ((v) & 0xff)

#endif /* SMEAR_VERSION_H */
