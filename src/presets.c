/*
 * smear - named chains for common kinds of footage. Each is an ordinary
 * chain: print it with --print-preset, edit it, pass it with -a.
 */
#include <string.h>

#include "presets.h"

const SmearPresetDef smear_presets[] = {
    { "handheld",
      "a phone or camera held in the hand: smooth shake traced during each exposure, "
      "focus breathing a little",
      "motion=length=0:shake=2.5:shake_freq=4:exposure=0.03,"
      "blur=sigma='drift(0.7,0.35,2.5,0,2)'" },
    { "autofocus-hunt",
      "an autofocus that loses the subject now and then and hunts: the blur swells, "
      "oscillates and settles within a second",
      "defocus=radius='0.3+burst(0.2,7,0.5)*abs(cos(2*PI*2.5*t))':soft=0.2" },
    { "vehicle",
      "a camera on a moving vehicle: fast engine and road vibration, forward motion blur "
      "that comes and goes, rolling-shutter skew from the jitter",
      "motion=length='abs(drift(3,2,1.5))':angle='drift(0,8,2)':shake=1.2:shake_freq=14:exposure=0.01,"
      "shear=x='drift(0,0.03,0.4,-0.1,0.1)'" },
    { "low-light",
      "dim light: long exposures smear the shake, focus is soft",
      "motion=length=0:shake=3:shake_freq=3:exposure=0.066,"
      "blur=sigma='drift(1.4,0.3,4,0.6,2.5)'" },
    { "rolling-shutter",
      "a fast pan with a rolling-shutter sensor: the picture skews with the pan speed and "
      "blurs along it",
      "shear=x='0.12*sin(2*PI*t/3)',motion=length='abs(30*sin(2*PI*t/3))':angle=0" },
    { NULL, NULL, NULL }
};

const SmearPresetDef *smear_preset_find(const char *name)
{
    for (const SmearPresetDef *p = smear_presets; p->name; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}
