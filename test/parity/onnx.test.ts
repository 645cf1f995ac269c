// The ONNX export must compute timm's numbers: each parity case is exported with its own timm
// weights and run by ONNX Runtime with every graph optimisation on (the fusions included), and
// every module output the case recorded (`act.*`, exported as extra graph outputs), then
// features, pre_logits and logits, must agree within the case's suggested_atol, in graph order,
// so that the first layer that disagrees is named. The plain export (no extra outputs, so ORT
// fuses freely) must give the same logits too. Both op sets: standard ONNX, and the graph with
// ONNX Runtime's fused Attention that `--backend onnxruntime` runs.

import { describe, expect, it } from "vitest";
import { exportOnnx } from "../../src/backends/onnx/export-model";
import { loadOrt } from "../../src/backends/onnx/load-runtime";
import { onnxOpSets } from "../../src/backends/onnx/lowering";
import { moduleOutputNode } from "../../src/ir/graph";
import { checkWeightFile, expectedTensors, fileWeights } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile } from "../helpers/compile";
import { maxAbsDiff, moduleAliases, parityCases, readFixtureConfig } from "../helpers/parity-cases";
import * as path from "node:path";

const ort = loadOrt();

async function runOnnx(bytes: Uint8Array, input: Float32Array, shape: readonly number[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all" });
  try {
    const result = await session.run({ input: new ort.Tensor("float32", input, [...shape]) });
    return Object.fromEntries(Object.entries(result).map(([name, t]) => [name, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

describe("timm parity through ONNX Runtime", () => {
  const cases = parityCases.flatMap((c) => onnxOpSets.map((ops) => ({ ...c, ops })));
  it.for(cases)("$name, $ops ops: every recorded module output, features and logits match timm", async ({ name, dir, spec, ops }) => {
    const config = readFixtureConfig(dir);
    const compiled = compileFile(spec);
    expect(compiled.diagnostics).toEqual([]);
    const checked = compiled.models[0].checked;
    const modules = Object.keys(config.output.tensors).filter((t) => t.startsWith("act.")).map((t) => {
      const modulePath = t.slice(4);
      const node = moduleOutputNode(checked.graph, moduleAliases[modulePath] ?? modulePath);
      expect(node, `no node of the graph is the output of \`${modulePath}\``).toBeDefined();
      return { name: t, node: node! };
    }).sort((a, b) => a.node - b.node);
    const capture = [...modules, ...(checked.graph.outputs.pre_logits !== undefined ? [{ name: "pre_logits", node: checked.graph.outputs.pre_logits }] : [])];

    const weights = openSafetensors(path.join(dir, "weights.safetensors"));
    checkWeightFile(expectedTensors(checked), weights, name);
    const withLayers = exportOnnx(checked, fileWeights(weights), { version: "test", capture, ops });
    const plain = exportOnnx(checked, fileWeights(weights), { version: "test", ops });
    weights.close();

    const inputs = openSafetensors(path.join(dir, "input.safetensors"));
    const input = inputs.read("input");
    const shape = inputs.tensors.get("input")!.shape;
    inputs.close();
    const actual = await runOnnx(withLayers.model, input, shape);
    const expected = openSafetensors(path.join(dir, "output.safetensors"));
    const report: string[] = [];
    for (const tensor of [...modules.map((m) => m.name), "features", "pre_logits", "logits"]) {
      if (!(tensor in config.output.tensors)) continue;
      expect(actual[tensor], `the export has no output \`${tensor}\``).toBeDefined();
      const diff = maxAbsDiff(actual[tensor], expected.read(tensor));
      const atol = config.output.tensors[tensor].suggested_atol;
      if (diff > atol && report.length === 0) report.push(`first disagreement: \`${tensor}\` differs by ${diff.toExponential(2)} (atol ${atol})`);
    }
    const fused = await runOnnx(plain.model, input, shape);
    const logitsDiff = maxAbsDiff(fused.logits, expected.read("logits"));
    if (logitsDiff > config.output.tensors.logits.suggested_atol) report.push(`the plain export's logits differ by ${logitsDiff.toExponential(2)}`);
    expected.close();
    expect(report).toEqual([]);
  });
});
