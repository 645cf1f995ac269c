// How each primitive op appears in an emitted module: the runtime function that prepares its
// weights at load (with the arguments after the host weights) and the one that computes it.
// The runtime functions are the ones `vitc run` executes (src/backends/tfjs/runtime/), and the
// arguments come from the same settings functions as the tfjs kernels', so an emitted module
// computes what `vitc run` computes. `satisfies Record<OpKind, …>` makes a new op a compile
// error here until it is lowered.

import type { OpKind } from "../../ops/kinds";
import { pairAttr } from "../../ops/op-def";
import type { KernelContext } from "../tfjs/kernel";
import { isWindowed } from "../../ops/attention";
import { windowSettings } from "../tfjs/kernels/attention";
import { concatAxis } from "../tfjs/kernels/combine";
import { convFunction, convSettings, explicitPadding } from "../tfjs/kernels/conv";

/** A value written into the emitted code: numbers, booleans, strings, and lists or records of them. */
export type Literal = number | boolean | string | readonly Literal[] | { readonly [name: string]: Literal };

export type Arg =
  /** The node's tensor input `index` (0: the current tensor). */
  | { readonly kind: "input"; readonly index: number }
  /** The node's prepared weights. */
  | { readonly kind: "weights" }
  /** A constant; `name` is what a setting holding it is called when instances of a block differ. */
  | { readonly kind: "value"; readonly name: string; readonly value: Literal };

export interface RuntimeCall {
  readonly fn: string;
  readonly args: readonly Arg[];
  /**
   * A function that computes what `fn` does and what its siblings do (`anyConv2d` for `conv2d`,
   * `depthwiseConv2d`, …), with the same arguments: calls of one block whose steps differ only in
   * which of them they need share a function that calls this one.
   */
  readonly general?: string;
}

export interface OpLowering {
  /** How the node's weights (as the host values by parameter name) are prepared: the function and its further arguments. */
  readonly prepare?: (ctx: KernelContext) => RuntimeCall;
  readonly run: (ctx: KernelContext) => RuntimeCall;
}

const x: Arg = { kind: "input", index: 0 };
const other: Arg = { kind: "input", index: 1 };
const weights: Arg = { kind: "weights" };
const value = (name: string, v: Literal): Arg => ({ kind: "value", name, value: v });
const call = (fn: string, ...args: Arg[]): RuntimeCall => ({ fn, args });
const unary = (fn: string): OpLowering => ({ run: () => call(fn, x) });
const eps = (ctx: KernelContext) => value("eps", ctx.attrs.eps as number);
const conv = (ctx: KernelContext): RuntimeCall => ({ ...call(convFunction(ctx), x, weights, value("conv", { ...convSettings(ctx) })), general: "anyConv2d" });

export const lowerings = {
  // The model's input is the function's parameter; nothing computes it.
  input: { run: () => call("tf.clone", x) },
  conv2d: {
    prepare: (ctx) => call("prepareConv", value("conv", { ...convSettings(ctx) })),
    run: conv,
  },
  std_conv2d: {
    prepare: (ctx) => call("prepareStdConv", value("conv", { ...convSettings(ctx) }), eps(ctx)),
    run: conv,
  },
  linear: { prepare: () => call("prepareLinear"), run: () => call("linear", x, weights) },
  layer_norm: { prepare: () => call("prepareNorm"), run: (ctx) => call("layerNorm", x, weights, eps(ctx)) },
  group_norm: { prepare: () => call("prepareNorm"), run: (ctx) => call("groupNorm", x, weights, value("groups", ctx.attrs.groups as number), eps(ctx)) },
  batch_norm: { prepare: (ctx) => call("prepareBatchNorm", eps(ctx)), run: () => call("batchNorm", x, weights) },
  gelu: unary("gelu"),
  silu: unary("silu"),
  relu: unary("relu"),
  softmax: unary("softmax"),
  sdpa: {
    prepare: (ctx) => call("prepareWindowAttention", value("window", { ...windowSettings(ctx) })),
    run: (ctx) => (isWindowed(ctx) ? call("windowAttention", x, weights) : call("attendGlobal", x, value("heads", ctx.attrs.heads as number))),
  },
  reshape: { run: (ctx) => call("reshapeTo", x, value("dims", ctx.attrs.dims as number[])) },
  // The IR's [B, C, H, W] held channels-last is exactly its [B, H, W, C] (and back): a copy.
  to_nhwc: unary("tf.clone"),
  to_nchw: unary("tf.clone"),
  flatten_tokens: unary("flattenTokens"),
  prepend_token: { prepare: () => call("prepareTensor"), run: () => call("prependToken", x, weights) },
  pos_embed: { prepare: () => call("prepareTensor"), run: () => call("addPosEmbed", x, weights) },
  select_token: { run: (ctx) => call("selectToken", x, value("index", ctx.attrs.index as number)) },
  mean_tokens: { run: (ctx) => call("meanTokens", x, value("start", ctx.attrs.start as number)) },
  global_avg_pool: unary("globalAvgPool"),
  window_partition: { run: (ctx) => call("windowPartition", x, value("window", pairAttr(ctx.attrs, "window"))) },
  window_reverse: { run: (ctx) => call("windowReverse", x, value("window", pairAttr(ctx.attrs, "window")), value("grid", pairAttr(ctx.attrs, "grid"))) },
  roll: { run: (ctx) => call("roll", x, value("shift", pairAttr(ctx.attrs, "shift"))) },
  patch_merge: unary("patchMerge"),
  unfold: { run: (ctx) => call("unfold", x, value("patch", pairAttr(ctx.attrs, "patch"))) },
  fold: { run: (ctx) => call("fold", x, value("patch", pairAttr(ctx.attrs, "patch")), value("grid", pairAttr(ctx.attrs, "grid"))) },
  concat: { run: (ctx) => call("concatTensors", x, other, value("axis", concatAxis(ctx))) },
  add: { run: () => call("addTensors", x, other) },
  average: { run: () => call("averageTensors", x, other) },
  max_pool: {
    run: (ctx) => call("maxPool", x, value("kernel", pairAttr(ctx.attrs, "kernel")), value("stride", pairAttr(ctx.attrs, "stride")), value("pad", explicitPadding(ctx))),
  },
} satisfies Record<OpKind, OpLowering>;

/** A qkv `linear` and the global attention that alone reads it, as one step (see runtime/attention.ts). */
export const fusedGlobalAttention: OpLowering = {
  prepare: (ctx) => call("prepareQkvAttention", value("heads", ctx.attrs.heads as number)),
  run: () => call("qkvAttention", x, weights),
};

/** A qkv `linear` and the window attention that alone reads it, as one step. */
export const fusedWindowAttention: OpLowering = {
  prepare: (ctx) => call("prepareQkvWindowAttention", value("window", { ...windowSettings(ctx) })),
  run: () => call("qkvWindowAttention", x, weights),
};
