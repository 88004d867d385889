/*
 * smear - flattening smear's own JSON objects (a frame's parameters, a
 * manifest row) into name/value pairs for CSV tables and plots: top-level
 * fields keep their names, the chain's become filter.option (filter#2.option
 * for a second filter of the same kind).
 */
#ifndef SMEAR_CLI_JSONFLAT_H
#define SMEAR_CLI_JSONFLAT_H

typedef struct FlatField {
    char   name[96];
    char  *text;      ///< the value as written (strings without quotes)
    int    is_number;
    double number;
} FlatField;

/** Parses json into *fields (av_free each text and the array with
 *  flat_free). Returns the number of fields or a negative AVERROR. */
int  flat_parse(const char *json, FlatField **fields);
void flat_free(FlatField **fields, int nb);

#endif /* SMEAR_CLI_JSONFLAT_H */
