// Multi-head attention from a fused qkv tensor [S, N, 3*D] (channel s*D + h*hd + d), as timm
// computes it: softmax((q * hd^-0.5) @ kᵀ [+ bias] [+ mask]) @ v, heads concatenated. One
// subgraph per block, in the form timm's own export has: the scale as a Mul on q and kᵀ as a
// Transpose of the last two axes, which ORT fuses into the MatMul (FusedMatMul with alpha and
// transB), so q, k and v are each copied once, by the transpose that splits the heads.
//
// With the `onnxruntime` op set, a global attention whose qkv comes straight from a Linear is one
// com.microsoft Attention node: the Linear's input, its weight as [in, 3*D] and its bias. The
// kernel computes the projection with the heads split out as it goes and the scores with its own
// scale of hd^-0.5, so the Transpose, Split and Squeeze copies go, and so does the final
// Transpose; the Linear's own MatMul and Add are then unread and dropped. `npm run bench -- onnx`
// measures what this gains (most at batch 8, where the copies are largest). Swin's windows keep
// the standard form: with the kernel's attention_bias input (and the shift mask expanded over the
// batch) they measured the same as without, at batch 1 and 8, for more nodes.
//
// Swin's relative position bias is a Gather of the stored table (timm's key) by the index timm
// derives; with a shift, the mask is added to it. Both are constant: ORT folds them into one
// [nW, heads, N, N] tensor when the session loads.

import { weightKey } from "../../../ir/graph";
import { isWindowed } from "../../../ops/attention";
import { pairAttr } from "../../../ops/op-def";
import { relativePositionIndex, shiftMask } from "../../../ops/window-attention";
import { reshape, reshapeBatchAtRunTime, transpose, type LoweringContext, type OnnxLowering } from "../lowering";

/** The bias added to the scores: [heads, N, N], or [nW, heads, N, N] with the shift mask. */
function windowBias(ctx: LoweringContext, n: number, heads: number): { bias: string; windows: number } {
  const { g, attrs, path } = ctx;
  const [wh, ww] = pairAttr(attrs, "window");
  const [sh, sw] = pairAttr(attrs, "shift");
  const index = g.initializer(weightKey(path, "relative_position_index"), [n * n], BigInt64Array.from(relativePositionIndex(wh, ww), (v) => BigInt(v)));
  const rows = g.op("Gather", [ctx.weight("relative_position_bias_table"), index], { axis: 0 }); // [N*N, heads]
  const bias = transpose(g, reshape(g, rows, [n, n, heads]), [2, 0, 1]);
  if (sh === 0 && sw === 0) return { bias, windows: 1 };
  const grid = pairAttr(attrs, "grid");
  const windows = (grid[0] / wh) * (grid[1] / ww);
  const mask = g.initializer(weightKey(path, "attn_mask"), [windows, 1, n, n], shiftMask(grid, [wh, ww], [sh, sw]));
  return { bias: g.op("Add", [bias, mask]), windows };
}

/** The fused Attention of ONNX Runtime, where the op set allows it and qkv is a Linear's output. */
function ortAttention(ctx: LoweringContext): string | undefined {
  const qkv = ctx.producer(0);
  if (ctx.ops !== "onnxruntime" || isWindowed(ctx) || qkv?.op !== "linear") return undefined;
  const { g } = ctx;
  const weights = transpose(g, qkv.weight("weight"), [1, 0]); // [in, 3*D]: q, k, v, each head after head
  // ONNX Runtime 1.30's CPU kernel crashes (SIGSEGV) when the optional bias is left out: zeros instead.
  const width = ctx.inputShapes[0].dims[1];
  const bias = qkv.attrs.bias ? qkv.weight("bias") : g.floats(new Array<number>(width).fill(0), [width]);
  return g.ortOp("Attention", [qkv.inputs[0], weights, bias], { num_heads: ctx.attrs.heads as number });
}

export const sdpaLowering: OnnxLowering = (ctx) => {
  const fused = ortAttention(ctx);
  if (fused !== undefined) return fused;
  const { g, inputs: [x], inputShapes: [shape], attrs } = ctx;
  const heads = attrs.heads as number;
  const [n, c3] = shape.dims;
  const dim = c3 / 3;
  const headDim = dim / heads;
  // [S, N, 3, H, hd] → [3, S, H, N, hd]: q, k and v, each with its heads split out. With the batch
  // read at run time, ViT-Ti/16 at batch 8 spent 61-69 ms in kernels instead of 75-78 (ORT's
  // profiler: the Transpose, Split and FusedMatMul after the split); Swin-T, ViT-B/16 and
  // MobileViT-S the same within noise.
  const parts = transpose(g, reshapeBatchAtRunTime(g, x, [n, 3, heads, headDim]), [2, 0, 3, 1, 4]);
  const [q, k, v] = g.opN("Split", [parts], 3, { axis: 0 }).map((t) => g.op("Squeeze", [t, g.ints([0])]));
  let scores = g.op("MatMul", [g.op("Mul", [q, g.floats([headDim ** -0.5])]), transpose(g, k, [0, 1, 3, 2])]); // [S, H, N, N]
  if (isWindowed(ctx)) {
    const { bias, windows } = windowBias(ctx, n, heads);
    scores = windows === 1
      ? g.op("Add", [scores, bias])
      : reshape(g, g.op("Add", [reshape(g, scores, [-1, windows, heads, n, n]), bias]), [-1, heads, n, n]);
  }
  const out = g.op("MatMul", [g.op("Softmax", [scores], { axis: -1 }), v]); // [S, H, N, hd]
  return reshape(g, transpose(g, out, [0, 2, 1, 3]), [0, n, dim]);
};
