// The closed set of primitive ops. Adding one means adding its OpDef in ops/registry.ts (and, in
// later stages, its lowering): the `satisfies Record<OpKind, …>` tables make a gap a compile error.

export const opKinds = [
  "input", "conv2d", "std_conv2d", "linear", "layer_norm", "group_norm", "batch_norm",
  "gelu", "silu", "relu", "softmax", "sdpa", "reshape", "to_nhwc", "to_nchw", "flatten_tokens",
  "prepend_token", "pos_embed", "select_token", "mean_tokens", "global_avg_pool",
  "window_partition", "window_reverse", "roll", "patch_merge", "unfold", "fold",
  "concat", "add", "average", "max_pool",
] as const;

export type OpKind = (typeof opKinds)[number];

export function isOpKind(name: string): name is OpKind {
  return (opKinds as readonly string[]).includes(name);
}
