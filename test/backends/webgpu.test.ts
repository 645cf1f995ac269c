// The webgpu backend on Dawn, checked against cpu on a small ViT-style block. Machines without a
// GPU run it on Mesa's llvmpipe through Dawn's OpenGL ES backend (VITC_WEBGPU_FLAGS and
// EGL_PLATFORM below); where neither that nor the `webgpu` package is available the test is
// skipped with the reason printed, so the suite passes everywhere. Tensors stay tiny: llvmpipe
// compiles each shader slowly.

import { beforeAll, describe, expect, it } from "vitest";
import { forceGpuKernels, loadBackend, readTensor, type LoadedBackend, type Tf } from "../../src/backends/tfjs/load-backend";
import { ToolError } from "../../src/diagnostics/tool-error";

// Mesa reads EGL_PLATFORM when Dawn first opens a display (at requestAdapter), so setting it
// before loadBackend is enough. A flag set by whoever runs the tests wins (backend=vulkan on GPUs).
process.env.EGL_PLATFORM ??= "surfaceless";
const env = { ...process.env, VITC_WEBGPU_FLAGS: process.env.VITC_WEBGPU_FLAGS ?? "backend=opengles" };

/** Deterministic values in [-1, 1), the same on every backend. */
function numbers(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

const dim = 8;
const inputs = {
  image: numbers(16 * 16 * 3, 1), // [1, 16, 16, 3], NHWC
  patchFilter: numbers(4 * 4 * 3 * dim, 2), // [4, 4, 3, dim]: a stride-4 patch embedding
  gamma: numbers(dim, 3),
  qkv: numbers(dim * 3 * dim, 4), // [dim, 3·dim]
  proj: numbers(dim * dim, 5),
};

/** Patch embedding, layer norm, one attention head, projection, residual and a GELU-like gate. */
function vitBlock(tf: Tf): import("@tensorflow/tfjs-core").Tensor {
  return tf.tidy(() => {
    const image = tf.tensor4d(inputs.image, [1, 16, 16, 3]);
    const patches = tf.conv2d(image, tf.tensor4d(inputs.patchFilter, [4, 4, 3, dim]), 4, "valid");
    const tokens = tf.reshape(patches, [16, dim]);
    const { mean, variance } = tf.moments(tokens, -1, true);
    const normed = tf.mul(tf.div(tf.sub(tokens, mean), tf.sqrt(tf.add(variance, 1e-6))), tf.tensor1d(inputs.gamma));
    const qkv = tf.matMul(normed, tf.tensor2d(inputs.qkv, [dim, 3 * dim]));
    const [q, k, v] = tf.split(qkv, 3, 1);
    const attention = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dim)));
    const mixed = tf.matMul(tf.matMul(attention, v), tf.tensor2d(inputs.proj, [dim, dim]));
    const residual = tf.add(tokens, mixed);
    return tf.mul(residual, tf.sigmoid(tf.mul(residual, 1.702)));
  });
}

async function runBlock(backend: LoadedBackend): Promise<Float32Array> {
  const before = backend.tf.memory().numTensors;
  const out = vitBlock(backend.tf);
  const values = await readTensor(out);
  out.dispose();
  expect(backend.tf.memory().numTensors).toBe(before);
  return values;
}

describe("webgpu backend", () => {
  let webgpu: LoadedBackend | undefined;
  let unavailable = "";

  beforeAll(async () => {
    try {
      webgpu = await loadBackend("webgpu", { env });
    } catch (err) {
      if (!(err instanceof ToolError)) throw err;
      unavailable = `webgpu tests skipped: ${err.message}`;
      console.log(unavailable);
    }
  });

  it("runs a ViT-style block as the cpu backend does", async (ctx) => {
    if (webgpu === undefined) return ctx.skip(unavailable);
    console.log(`webgpu tests run on ${webgpu.device}`);
    const tf = webgpu.tf;
    forceGpuKernels(tf); // Otherwise tfjs computes tensors this small on the CPU.
    await loadBackend("webgpu", { env });
    expect(tf.getBackend()).toBe("webgpu");
    const got = await runBlock(webgpu);

    const cpu = await loadBackend("cpu");
    const want = await runBlock(cpu);

    expect(got).toHaveLength(16 * dim);
    const worst = Math.max(...want.map((w, i) => Math.abs(got[i] - w) / Math.max(Math.abs(w), 1)));
    expect(worst).toBeLessThan(1e-5);
    // The block is not trivially zero (Dawn's null backend would return zeros).
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(0.1);
  });
});
