// Ops that join two tensors: residual adds, averages and concatenation (the tensor code is in
// runtime/tokens.ts).

import { addTensors, averageTensors, concatTensors } from "../runtime/tokens";
import { elementwise, type KernelContext, type KernelStorage, type TfjsKernel } from "../kernel";

export const addKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x, other]) => addTensors(tf, x, other),
};

export const averageKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x, other]) => averageTensors(tf, x, other),
};

/** Channels of an NCHW tensor are the last axis of its channels-last storage. */
function concatStorage(ctx: KernelContext): KernelStorage {
  return ctx.out.dims.length === 3 && ctx.attrs.axis === 1 ? { inputs: "nhwc", output: "nhwc" } : { inputs: "logical", output: "logical" };
}

/** The axis of the stored tensors that the node's `axis` is. */
export function concatAxis(ctx: KernelContext): number {
  return concatStorage(ctx).inputs === "nhwc" ? 3 : (ctx.attrs.axis as number);
}

export const concatKernel: TfjsKernel = {
  storage: concatStorage,
  run: (tf, [x, first], _w, ctx) => concatTensors(tf, x, first, concatAxis(ctx)),
};
