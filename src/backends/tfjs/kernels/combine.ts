// Ops that join two tensors: residual adds, averages and concatenation.

import { elementwise, type TfjsKernel } from "../kernel";

export const addKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x, other]) => tf.add(other, x),
};

export const averageKernel: TfjsKernel = {
  storage: () => elementwise,
  run: (tf, [x, other]) => tf.mul(tf.add(other, x), 0.5),
};

export const concatKernel: TfjsKernel = {
  // Channels of an NCHW tensor are the last axis of its channels-last storage.
  storage: (ctx) => (ctx.out.dims.length === 3 && ctx.attrs.axis === 1 ? { inputs: "nhwc", output: "nhwc" } : { inputs: "logical", output: "logical" }),
  run(tf, [x, first], _w, ctx) {
    const axis = x.shape.length === 4 && ctx.attrs.axis === 1 && ctx.out.dims.length === 3 ? 3 : (ctx.attrs.axis as number);
    return tf.concat([first, x], axis);
  },
};
