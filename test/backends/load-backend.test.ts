// loadBackend on the backends that load everywhere (cpu, wasm), the one that does not load here
// (tensorflow: tfjs-node is an optional peer dependency), `auto`, and TFJS_BACKENDS.

import { describe, expect, it, vi } from "vitest";
import { backendNames, isInstalled, loadBackend, readTensor, type LoadedBackend } from "../../src/backends/tfjs/load-backend";
import { ToolError } from "../../src/diagnostics/tool-error";

/** The ToolError that `promise` rejects with. */
async function toolErrorOf(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

/** [[1, 2], [3, 4]] × [[5, 6], [7, 8]] on the active backend. */
async function smallMatMul({ tf }: LoadedBackend): Promise<number[]> {
  const before = tf.memory().numTensors;
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  const values = Array.from(await readTensor(product));
  product.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return values;
}

describe("loadBackend", () => {
  it("loads cpu, computes a matMul and prints nothing", async () => {
    const warn = vi.spyOn(console, "warn");
    const log = vi.spyOn(console, "log");
    try {
      const cpu = await loadBackend("cpu");
      expect(cpu).toMatchObject({ name: "cpu", device: "cpu", gpu: false, skipped: [] });
      expect(cpu.tf.getBackend()).toBe("cpu");
      expect(await smallMatMul(cpu)).toEqual([19, 22, 43, 50]);
      expect(warn).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });

  it("loads wasm and computes a matMul", async () => {
    const wasm = await loadBackend("wasm");
    expect(wasm.name).toBe("wasm");
    expect(wasm.device).toMatch(/^wasm \(XNNPACK, (no )?SIMD, \d+ threads?\)$/);
    expect(wasm.tf.getBackend()).toBe("wasm");
    expect(await smallMatMul(wasm)).toEqual([19, 22, 43, 50]);
  });

  it("switches between backends and keeps one tfjs-core", async () => {
    const a = await loadBackend("wasm");
    const b = await loadBackend("cpu");
    const c = await loadBackend("wasm");
    expect(b.tf).toBe(a.tf);
    expect(c.tf).toBe(a.tf);
    expect(c.tf.getBackend()).toBe("wasm");
    expect(await smallMatMul(c)).toEqual([19, 22, 43, 50]);
  });

  it("says why `tensorflow` cannot load and how to install it", async () => {
    if (isInstalled("@tensorflow/tfjs-node-gpu") || isInstalled("@tensorflow/tfjs-node")) {
      // Where tfjs-node is installed it either loads or says why not; either is fine here.
      const result = await loadBackend("tensorflow").catch((e: unknown) => e);
      if (result instanceof ToolError) expect(result.code).toBe("V5001");
      else expect(result).toMatchObject({ name: "tensorflow" });
      return;
    }
    const err = await toolErrorOf(loadBackend("tensorflow"));
    expect(err.code).toBe("V5001");
    expect(err.message).toBe(
      "backend `tensorflow` cannot be loaded: neither `@tensorflow/tfjs-node-gpu` nor `@tensorflow/tfjs-node` is installed",
    );
    const help = (err.details.help ?? []).join("\n");
    expect(help).toContain("npm install @tensorflow/tfjs-node-gpu@4.22.0");
    expect(help).toContain("CUDA 11.2 and cuDNN 8.1");
  });

  it("rejects a request that names no backend", async () => {
    const err = await toolErrorOf(loadBackend("gpu" as "cpu"));
    expect(err.code).toBe("V5001");
    expect(err.message).toBe("unknown backend `gpu`");
  });
});

describe("loadBackend auto", () => {
  it("picks a backend and says why it skipped the ones before it", async () => {
    const picked = await loadBackend("auto", { env: {} });
    expect(backendNames).toContain(picked.name);
    expect(picked.tf.getBackend()).toBe(picked.name);
    for (const s of picked.skipped) expect(s.reason).not.toBe("");
    if (!isInstalled("@tensorflow/tfjs-node-gpu") && !isInstalled("@tensorflow/tfjs-node")) {
      // tensorflow is in the default order twice but, failing to load, is reported once.
      expect(picked.skipped.filter((s) => s.name === "tensorflow")).toHaveLength(1);
      expect(picked.skipped[0].reason).toContain("is installed");
    }
    if (!picked.gpu) {
      // Without a GPU, auto ends on a CPU backend after trying the GPU ones.
      expect(picked.skipped.map((s) => s.name)).toContain("webgpu");
    }
    expect(await smallMatMul(picked)).toEqual([19, 22, 43, 50]);
  });

  it("follows TFJS_BACKENDS", async () => {
    const picked = await loadBackend("auto", { env: { TFJS_BACKENDS: " cpu , wasm" } });
    expect(picked).toMatchObject({ name: "cpu", skipped: [] });
    expect(await smallMatMul(picked)).toEqual([19, 22, 43, 50]);
  });

  it("rejects an unknown name in TFJS_BACKENDS", async () => {
    const err = await toolErrorOf(loadBackend("auto", { env: { TFJS_BACKENDS: "wasm,gpu" } }));
    expect(err.code).toBe("V5001");
    expect(err.message).toBe("`TFJS_BACKENDS` names an unknown backend `gpu`");
    expect(err.details.help?.[0]).toContain("`tensorflow`, `webgpu`, `wasm`, `cpu`");
  });

  it("fails with every reason when nothing in TFJS_BACKENDS loads", async () => {
    if (isInstalled("@tensorflow/tfjs-node-gpu") || isInstalled("@tensorflow/tfjs-node")) return;
    const err = await toolErrorOf(loadBackend("auto", { env: { TFJS_BACKENDS: "tensorflow" } }));
    expect(err.code).toBe("V5001");
    expect(err.message).toBe("no backend in the `auto` order could be loaded");
    expect(err.details.notes?.[0]).toMatch(/^`tensorflow`: backend `tensorflow` cannot be loaded/);
  });
});
