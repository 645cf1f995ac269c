// The runtime: the tensor code that `vitc run` executes and that `vitc build --emit ts` copies
// into each emitted module, so that both compute the same numbers by construction. This file
// holds the types and helpers the others share.
//
// Invariants of every file in runtime/ (checked by test/backends/typescript/runtime.test.ts):
// it imports only the types of @tensorflow/tfjs-core and names from its siblings; a function that
// uses tfjs takes it as its first parameter `tf: Tf` and passes it on as the first argument (the
// emitter drops both, since an emitted module imports tfjs-core as `tf`; TypeScript itself checks
// that none is missing); top-level names are unique across the folder; nothing runs at module
// load; and each doc comment opens with a sentence of at most 100 characters, which is all the
// copy in a module keeps of it.

import type * as tfc from "@tensorflow/tfjs-core";

export type Tf = typeof tfc;

/** A weight as loaded, on the host: float32 values in PyTorch layout. */
export interface HostTensor {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** One layer's weights by parameter name ("" for the layer's own path, as in `cls_token`). */
export type HostWeights = Readonly<Record<string, HostTensor>>;

/** Explicit NHWC padding: [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type Padding4 = [[number, number], [number, number], [number, number], [number, number]];

export function upload(tf: Tf, weight: HostTensor): tfc.Tensor {
  return tf.tensor(weight.values, [...weight.shape], "float32");
}

/** The weights as tensors, unchanged. */
export function uploadAll(tf: Tf, weights: HostWeights): Record<string, tfc.Tensor> {
  return Object.fromEntries(Object.entries(weights).map(([name, w]) => [name, upload(tf, w)]));
}
