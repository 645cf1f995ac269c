// The `config.pbtxt` of a Triton Inference Server model repository for an exported model, served
// by Triton's ONNX Runtime backend:
//
//   <repository>/<model>/config.pbtxt
//   <repository>/<model>/1/model.onnx         (and model.onnx.data past 2 GB)
//
// With `max_batch_size` > 0 Triton adds the batch dimension itself, so the dims listed here are
// the ones after it; the model's batch dimension is symbolic, which is what dynamic batching needs.

import { inputDims, type CheckedGraph } from "../../shapes/check";
import { presentOutputs } from "./export-graph";

export const tritonModelFile = "model.onnx";

export interface TritonOptions {
  /** The largest batch Triton forms (default 32). */
  readonly maxBatchSize?: number;
}

function tensorEntry(name: string, dims: readonly number[]): string {
  return `  {\n    name: "${name}"\n    data_type: TYPE_FP32\n    dims: [ ${dims.join(", ")} ]\n  }`;
}

export function tritonConfig(checked: CheckedGraph, options: TritonOptions = {}): string {
  const input = inputDims(checked);
  const outputs = presentOutputs(checked);
  const maxBatch = options.maxBatchSize ?? 32;
  const fitting = [8, 16, 32].filter((b) => b <= maxBatch);
  const preferred = fitting.length > 0 ? fitting : [maxBatch];
  return [
    `# Written by vitc for Triton's ONNX Runtime backend. The request: \`input\`, FP32 [batch, ${input.join(", ")}],`,
    "# NCHW and preprocessed as the model's metadata says (preprocess.* in model.onnx).",
    `name: "${checked.graph.name}"`,
    `backend: "onnxruntime"`,
    `max_batch_size: ${maxBatch}`,
    `input [\n${tensorEntry("input", input)}\n]`,
    `output [\n${outputs.map((name) => tensorEntry(name, checked.nodes[checked.graph.outputs[name]].shape!.dims)).join(",\n")}\n]`,
    `dynamic_batching {\n  preferred_batch_size: [ ${preferred.join(", ")} ]\n  max_queue_delay_microseconds: 2000\n}`,
    "",
  ].join("\n");
}
