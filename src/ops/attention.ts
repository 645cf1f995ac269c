// Multi-head self-attention over token sequences, from a fused qkv projection. With a window,
// it is Swin's window attention: a learned relative position bias and, when shifted, the mask.

import { shape } from "../ir/shape";
import { none, pairAttr, problem, requireRank, type Attrs, type OpDef } from "./op-def";

/** Whether an `sdpa` node attends within windows (Swin) rather than over all tokens. */
export function isWindowed(node: { readonly attrs: Attrs }): boolean {
  return pairAttr(node.attrs, "window")[0] > 0;
}

export const attention: OpDef = {
  doc: "Scaled dot-product attention: input `[B, N, 3*D]` ordered `[q | k | v]` (by head, then channel), output `[B, N, D]` with heads concatenated. `scale = head_dim ** -0.5`.",
  attrs: {
    heads: { type: "int", min: 1, doc: "number of heads" },
    window: { type: "pair", default: 0, min: 0, doc: "window size for a relative position bias table (0: none)" },
    shift: { type: "pair", default: 0, min: 0, doc: "cyclic shift of the windows; non-zero adds the shift mask" },
    grid: { type: "pair", default: 0, min: 0, doc: "the feature map the windows tile (for the shift mask)" },
  },
  shape(inputs, attrs) {
    const [x] = inputs;
    const bad = requireRank(x, 3, "sdpa", "[B, N, 3*D]");
    if (bad) return bad;
    const [n, c3] = x.dims;
    if (c3 % 3 !== 0) return problem("V3110", `\`sdpa\` expects fused q, k, v channels (3 * dim), got ${c3}, not a multiple of 3`);
    const dim = c3 / 3;
    const heads = attrs.heads as number;
    if (heads <= 0 || dim % heads !== 0) {
      return problem("V3102", `embedding dim ${dim} is not divisible by \`heads\` ${heads}`, {
        attr: "heads", notes: heads > 0 ? [`each head would get ${dim} / ${heads} = ${(dim / heads).toFixed(2)} channels`] : [],
      });
    }
    const [wh, ww] = pairAttr(attrs, "window");
    if (wh > 0 && wh * ww !== n) {
      return problem("V3110", `window attention over a ${wh}x${ww} window needs ${wh * ww} tokens, got ${n}`, { attr: "window" });
    }
    return shape(x.batch, [n, dim]);
  },
  params(_inputs, attrs) {
    const [wh, ww] = pairAttr(attrs, "window");
    if (wh <= 0) return none();
    return { relative_position_bias_table: [(2 * wh - 1) * (2 * ww - 1), attrs.heads as number] };
  },
  macs(inputs, _attrs, out) {
    // q @ k^T and attn @ v: N*N*D multiply-accumulates each, over all heads.
    const [n, dim] = out.dims;
    return 2n * BigInt(inputs[0].batch) * BigInt(n) * BigInt(n) * BigInt(dim);
  },
};
