// `vitc build --emit onnx`: each model as `<model>.onnx` with its weights (a timm safetensors
// file given with `--weights`, checked against the model before any work, or the seeded
// initialisation of `--seed`), or, with `--layout triton`, as a Triton model repository entry
// (`<model>/config.pbtxt`, `<model>/1/model.onnx`). Weights past 2 GB go to ONNX external data
// beside the model file (`….onnx.data`). `--ops onnxruntime` lets the graph use ONNX Runtime's
// fused kernels, for a model that only ONNX Runtime will serve.

import { exportOnnx } from "../backends/onnx/export-model";
import { defaultMaxInlineBytes } from "../backends/onnx/encode";
import { onnxOpSets, type OnnxOpSet } from "../backends/onnx/lowering";
import { tritonConfig, tritonModelFile } from "../backends/onnx/triton-config";
import type { CompiledModel } from "../pipeline";
import { openWeights, refuseNonFiniteWeights, watchFinite } from "../weights/bind";
import { choiceFlag, countFlag, flagValue, hasFlag, UsageError } from "./args";
import type { EmitContext, Emitter } from "./build";
import { packageVersion } from "./version";

export const layouts = ["flat", "triton"] as const;

/** VITC_ONNX_MAX_INLINE_BYTES lowers the 2 GB threshold of external data, for tests of the split. */
function maxInlineBytes(): number {
  const text = process.env.VITC_ONNX_MAX_INLINE_BYTES;
  const value = text === undefined ? NaN : Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : defaultMaxInlineBytes;
}

/** The model file's name, its external data file's and the Triton config's, relative to the output folder. */
function modelFiles(model: CompiledModel, context: EmitContext): { model: string; data: string; config?: string } {
  if (choiceFlag(context.args, "layout", layouts, "flat") === "triton") {
    return { model: `${model.name}/1/${tritonModelFile}`, data: `${model.name}/1/${tritonModelFile}.data`, config: `${model.name}/config.pbtxt` };
  }
  return { model: `${model.name}.onnx`, data: `${model.name}.onnx.data` };
}

function opSet(context: EmitContext): OnnxOpSet {
  return choiceFlag(context.args, "ops", onnxOpSets, "standard");
}

export function onnxEmitter(): Emitter {
  return {
    files(model, context) {
      if (hasFlag(context.args, "weights") && hasFlag(context.args, "seed")) throw new UsageError("give either `--weights` or `--seed`, not both", context.args.command);
      opSet(context);
      const names = modelFiles(model, context);
      return [...(names.config ? [names.config] : []), names.model, names.data];
    },
    async emit(model, context) {
      const names = modelFiles(model, context);
      const path = flagValue(context.args, "weights");
      const weights = openWeights(path, countFlag(context.args, "seed", 0, 0), model.checked, model.name);
      try {
        const watched = watchFinite(weights.source);
        const encoded = exportOnnx(model.checked, watched.source, {
          version: packageVersion(), externalDataName: names.data.split("/").pop()!, maxInlineBytes: maxInlineBytes(), ops: opSet(context),
        });
        refuseNonFiniteWeights(path, watched.nonFinite);
        return [
          ...(names.config ? [{ file: names.config, content: tritonConfig(model.checked) }] : []),
          { file: names.model, content: encoded.model },
          ...(encoded.external ? [{ file: names.data, content: encoded.external.chunks }] : []),
        ];
      } finally {
        weights.file?.close();
      }
    },
  };
}
