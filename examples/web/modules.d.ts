// The two modules build.mjs makes for the page: the emitted model (its interface is fixed, see
// the README's "Emitted TypeScript") and the model's timm data config.

declare module "vitc-model" {
  import type * as tf from "@tensorflow/tfjs-core";
  export const spec: { readonly name: string; readonly input: readonly [number, number, number]; readonly output: readonly number[]; readonly params: number };
  export const weightShapes: { readonly [timmKey: string]: readonly number[] };
  export interface VitModel {
    predict(input: tf.Tensor4D): { logits: tf.Tensor; features: tf.Tensor };
    dispose(): void;
  }
  export function createModel(weights: Record<string, tf.Tensor>): VitModel;
}

declare module "vitc-model-config" {
  import type { DataConfig } from "../../src/images/data-config";
  export const dataConfig: DataConfig;
}
