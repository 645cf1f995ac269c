// A checked model and its weights as ONNX bytes: the lowered graph (export-graph.ts), encoded
// with the model's metadata (encode.ts). The metadata carries what a server needs besides the
// graph: the model's name, the vitc version, and timm's preprocessing for the model (its default
// pretrained data config, as `vitc run --image` uses it).

import { dataConfigFor } from "../../images/data-config";
import { inputDims, type CheckedGraph } from "../../shapes/check";
import type { WeightSource } from "../../weights/bind";
import { encodeModel, type EncodedModel } from "./encode";
import { lowerToOnnx, type LowerOptions } from "./export-graph";
import type { OnnxOpSet } from "./lowering";

export interface ExportOptions extends LowerOptions {
  /** vitc's version, for `vitc.version` and the producer. */
  readonly version: string;
  /** The external data file's name beside the model file, if one is needed (default `<model>.onnx.data`). */
  readonly externalDataName?: string;
  /** Initializer bytes past which weights go to the external file (default: just under 2 GB). */
  readonly maxInlineBytes?: number;
}

/**
 * `vitc.model`, `vitc.version` and the `preprocess.*` keys of DESIGN.md's ONNX interface, and
 * `vitc.ops`: `standard`, or `onnxruntime` for a graph that only ONNX Runtime loads.
 */
export function onnxMetadata(checked: CheckedGraph, version: string, ops: OnnxOpSet = "standard"): Record<string, string> {
  const dims = inputDims(checked);
  const config = dataConfigFor(checked.graph.family, checked.graph.name, [dims[1] ?? 0, dims[2] ?? 0]);
  return {
    "vitc.model": checked.graph.name,
    "vitc.version": version,
    "vitc.ops": ops,
    "preprocess.input_size": dims.join(","),
    "preprocess.crop_pct": String(config.cropPct),
    "preprocess.mean": config.mean.join(","),
    "preprocess.std": config.std.join(","),
    "preprocess.interpolation": config.interpolation,
    "preprocess.source": config.origin,
  };
}

export function exportOnnx(checked: CheckedGraph, source: WeightSource, options: ExportOptions): EncodedModel {
  const graph = lowerToOnnx(checked, source, options);
  return encodeModel(graph, {
    metadata: onnxMetadata(checked, options.version, options.ops),
    producerVersion: options.version,
    externalDataName: options.externalDataName ?? `${checked.graph.name}.onnx.data`,
    maxInlineBytes: options.maxInlineBytes,
  });
}
