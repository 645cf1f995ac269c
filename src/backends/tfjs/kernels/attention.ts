// Multi-head attention (the tensor code, and why it is shaped as it is, is in
// runtime/attention.ts). Global attention reads a fused qkv tensor; where nothing else reads the
// qkv Linear, model.ts runs the pair as one step (`qkvAttentionKernel`,
// `qkvWindowAttentionKernel`) with per-head weights cut at load.

import { isWindowed } from "../../../ops/attention";
import { pairAttr } from "../../../ops/op-def";
import {
  attendGlobal, prepareQkvAttention, prepareQkvWindowAttention, prepareWindowAttention, qkvAttention, qkvWindowAttention, windowAttention,
  type QkvAttentionWeights, type QkvWindowAttentionWeights, type WindowAttentionWeights, type WindowSettings,
} from "../runtime/attention";
import type { KernelContext, TfjsKernel } from "../kernel";

export function windowSettings(ctx: KernelContext): WindowSettings {
  return { heads: ctx.attrs.heads as number, window: pairAttr(ctx.attrs, "window"), shift: pairAttr(ctx.attrs, "shift"), grid: pairAttr(ctx.attrs, "grid") };
}

export const sdpaKernel: TfjsKernel<WindowAttentionWeights | undefined> = {
  prepare: (tf, w, ctx) => (isWindowed(ctx) ? prepareWindowAttention(tf, w, windowSettings(ctx)) : undefined),
  run: (tf, [x], w, ctx) => (w ? windowAttention(tf, x, w) : attendGlobal(tf, x, ctx.attrs.heads as number)),
};

/** A qkv `linear` and the global attention that reads it, as one kernel; its input is the Linear's. */
export const qkvAttentionKernel: TfjsKernel<QkvAttentionWeights> = {
  prepare: (tf, w, ctx) => prepareQkvAttention(tf, w, ctx.attrs.heads as number),
  run: (tf, [x], w) => qkvAttention(tf, x, w),
};

/** A qkv `linear` and the window attention that reads it, as one kernel. */
export const qkvWindowAttentionKernel: TfjsKernel<QkvWindowAttentionWeights> = {
  prepare: (tf, w, ctx) => prepareQkvWindowAttention(tf, w, windowSettings(ctx)),
  run: (tf, [x], w) => qkvWindowAttention(tf, x, w),
};
