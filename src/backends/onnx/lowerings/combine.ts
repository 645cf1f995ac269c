// Ops that join two tensors: residual adds, averages and concatenation.

import type { OnnxLowering } from "../lowering";

export const addLowering: OnnxLowering = ({ g, inputs: [x, other] }) => g.op("Add", [other, x]);

export const averageLowering: OnnxLowering = ({ g, inputs: [x, other] }) => g.op("Mul", [g.op("Add", [other, x]), g.floats([0.5])]);

export const concatLowering: OnnxLowering = ({ g, inputs: [x, first], attrs }) => g.op("Concat", [first, x], { axis: attrs.axis as number });
