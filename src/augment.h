/*
 * smear - augmentation of one frame: the chain's kernels run over every
 * plane, in the frame's own pixel format when it is planar (converted
 * through libswscale and back otherwise).
 */
#ifndef SMEAR_SRC_AUGMENT_H
#define SMEAR_SRC_AUGMENT_H

#include <libavutil/frame.h>

#include "chain.h"
#include "kernel.h"

typedef struct SmearAugment SmearAugment;

/** chain and exec must outlive the returned object. */
SmearAugment *smear_augment_new(SmearChain *chain, const SmearExec *exec, unsigned cpu);
void smear_augment_free(SmearAugment **pa);

/**
 * Applies the chain, with the values of its last smear_chain_eval(), to in.
 * out must be blank; on success it holds a new frame (or a new reference to
 * in when nothing changes) with in's properties.
 */
int smear_augment_frame(SmearAugment *a, const AVFrame *in, AVFrame *out,
                        void *log_ctx);

/** 1 when the kernels run on this pixel format directly. */
int smear_pixfmt_is_native(enum AVPixelFormat fmt);

#endif /* SMEAR_SRC_AUGMENT_H */
