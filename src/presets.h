/*
 * smear - named chains for common kinds of footage.
 */
#ifndef SMEAR_SRC_PRESETS_H
#define SMEAR_SRC_PRESETS_H

typedef struct SmearPresetDef {
    const char *name;
    const char *description;
    const char *chain;
} SmearPresetDef;

/** NULL-terminated by name. */
extern const SmearPresetDef smear_presets[];
const SmearPresetDef *smear_preset_find(const char *name);

#endif /* SMEAR_SRC_PRESETS_H */
