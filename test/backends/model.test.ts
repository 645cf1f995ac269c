// The executable model: a batch run image by image equals the batch run whole, nothing leaks
// either way, and asking for a node that was fused away is a clear error.

import { describe, expect, it } from "vitest";
import { loadBackend } from "../../src/backends/tfjs/load-backend";
import { TfjsModel } from "../../src/backends/tfjs/model";
import { initialWeights } from "../../src/weights/bind";
import { compileText } from "../helpers/compile";

const spec = "use std.vit\nmodel m = vit(img_size: 16, patch_size: 8, embed_dim: 32, depth: 2, num_heads: 2, num_classes: 4, global_pool: \"avg\")\n";

describe("TfjsModel", () => {
  it("gives the same outputs image by image as for the whole batch, and leaks nothing", async () => {
    const { tf } = await loadBackend("cpu");
    const checked = compileText(spec).models[0].checked;
    const whole = TfjsModel.load(tf, checked, initialWeights(1), { imagesPerPass: 1000 });
    const single = TfjsModel.load(tf, checked, initialWeights(1), { imagesPerPass: 1 });
    const input = tf.randomNormal([3, 3, 16, 16], 0, 1, "float32", 7);
    const before = tf.memory().numTensors;
    const a = whole.forward(input, { capture: [5] });
    const b = single.forward(input, { capture: [5] });
    for (const name of ["logits", "features", "pre_logits"]) {
      expect(b.outputs[name].shape).toEqual(a.outputs[name].shape);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.outputs[name], b.outputs[name]))).dataSync()[0]);
      expect(diff, name).toBeLessThan(1e-6);
    }
    expect(b.captured.get(5)!.shape).toEqual(a.captured.get(5)!.shape);
    for (const r of [a, b]) for (const t of new Set([...Object.values(r.outputs), ...r.captured.values()])) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    whole.dispose();
    single.dispose();
  });

  it("returns an output named `__proto__` like any other, and leaks nothing", async () => {
    const { tf } = await loadBackend("cpu");
    const text = "block b() {\n  input [B, 3, 4, 4]\n  conv2d(out: 2, kernel: 1)\n  output __proto__\n  relu()\n}\nmodel m = b()\n";
    const checked = compileText(text).models[0].checked;
    const model = TfjsModel.load(tf, checked, initialWeights(1));
    const input = tf.zeros([1, 3, 4, 4]);
    const before = tf.memory().numTensors;
    const r = model.forward(input);
    expect(Object.keys(r.outputs).sort()).toEqual(["__proto__", "logits"]);
    expect(Object.getOwnPropertyDescriptor(r.outputs, "__proto__")?.value.shape).toEqual([1, 2, 4, 4]);
    for (const t of Object.values(r.outputs)) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
  });

  it("refuses to capture a projection fused into its attention", async () => {
    const { tf } = await loadBackend("cpu");
    const checked = compileText(spec).models[0].checked;
    const qkv = checked.nodes.find((n) => n.node.path === "blocks.0.attn.qkv")!.node.id;
    const model = TfjsModel.load(tf, checked, initialWeights(1));
    const input = tf.zeros([1, 3, 16, 16]);
    expect(() => model.forward(input, { capture: [qkv] })).toThrow(/fuse: false/);
    const unfused = TfjsModel.load(tf, checked, initialWeights(1), { fuse: false });
    const r = unfused.forward(input, { capture: [qkv] });
    expect(r.captured.get(qkv)!.shape).toEqual([1, 5, 96]);
    for (const t of new Set([...Object.values(r.outputs), ...r.captured.values()])) t.dispose();
    input.dispose();
    model.dispose();
    unfused.dispose();
  });
});

describe("fused and unfused attention", () => {
  it.each([
    ["global", spec],
    ["windowed, shifted", "use std.swin\nmodel s = swin(img_size: 32, patch_size: 2, num_classes: 3, embed_dim: 16, depths: [2, 2], num_heads: [1, 2], window_size: 4, mlp_ratio: 2.0)\n"],
  ])("%s attention gives the same outputs either way", async (_what, text) => {
    const { tf } = await loadBackend("cpu");
    const checked = compileText(text).models[0].checked;
    const fused = TfjsModel.load(tf, checked, initialWeights(2));
    const plain = TfjsModel.load(tf, checked, initialWeights(2), { fuse: false });
    const input = tf.randomNormal([2, 3, checked.nodes[0].shape!.dims[1], checked.nodes[0].shape!.dims[2]], 0, 1, "float32", 3);
    const a = fused.forward(input).outputs;
    const b = plain.forward(input).outputs;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.features, b.features))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-5);
    for (const t of [...Object.values(a), ...Object.values(b)]) t.dispose();
    input.dispose();
    fused.dispose();
    plain.dispose();
  });
});
