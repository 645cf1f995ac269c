// What every primitive op declares: its attributes, its shape rule, its parameter shapes and its
// MAC count, side by side. Lowerings live in backends/, under the same keys.

import type { Code } from "../diagnostics/codes";
import type { AttrValue } from "../ir/graph";
import type { Shape } from "../ir/shape";

export type AttrType =
  | "int" | "float" | "bool" | "string"
  /** An int, or a list of two ints: `kernel: 3` or `kernel: [3, 1]`. */
  | "pair"
  /** A list of ints. */
  | "ints"
  /** An int, a pair, or "same" (TensorFlow SAME padding). */
  | "padding"
  /** A tensor: an extra input of the node, after the current tensor. */
  | "tensor";

export interface AttrSpec {
  readonly type: AttrType;
  readonly default?: AttrValue;
  /** The smallest number allowed (each number of a pair or padding); checked at the call. */
  readonly min?: number;
  readonly doc: string;
}

export type Attrs = Readonly<Record<string, AttrValue>>;

/** A shape error found by an op. `attr` names the argument whose value is at fault. */
export interface ShapeProblem {
  readonly problem: true;
  readonly code: Code;
  readonly message: string;
  readonly attr?: string;
  /** Other arguments involved, labelled at their origins. */
  readonly related?: readonly string[];
  readonly notes?: readonly string[];
  readonly help?: readonly string[];
}

/** Parameter or buffer shapes by name; the name "" means the node's path itself (`cls_token`). */
export type TensorShapes = Readonly<Record<string, readonly number[]>>;

export interface OpDef {
  readonly doc: string;
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** The output shape, or the problem that prevents one. inputs[0] is the current tensor. */
  shape(inputs: readonly Shape[], attrs: Attrs): Shape | ShapeProblem;
  /** Trainable parameters (counted in `params`). */
  params(inputs: readonly Shape[], attrs: Attrs, out: Shape): TensorShapes;
  /** Persistent non-trainable state (BatchNorm statistics): loaded, never counted. */
  buffers?(inputs: readonly Shape[], attrs: Attrs, out: Shape): TensorShapes;
  /**
   * Multiply-accumulates for one image. Only Linear, Conv2d and the attention matmuls count.
   * A bigint: a huge model's count passes 2^53, where a double is no longer exact.
   */
  macs(inputs: readonly Shape[], attrs: Attrs, out: Shape): bigint;
}

export function problem(code: Code, message: string, extra: Omit<ShapeProblem, "problem" | "code" | "message"> = {}): ShapeProblem {
  return { problem: true, code, message, ...extra };
}

export function isProblem(x: Shape | ShapeProblem): x is ShapeProblem {
  return (x as ShapeProblem).problem === true;
}

export const none = (): TensorShapes => ({});
export const noMacs = (): bigint => 0n;

export function intAttr(attrs: Attrs, name: string): number {
  return attrs[name] as number;
}

export function pairAttr(attrs: Attrs, name: string): [number, number] {
  const v = attrs[name];
  if (Array.isArray(v)) return [v[0] as number, (v[1] ?? v[0]) as number];
  return [v as number, v as number];
}

/** A rank check shared by most ops: `expected` counts dimension 0. */
export function requireRank(input: Shape, expected: number, op: string, layout: string): ShapeProblem | undefined {
  const actual = input.dims.length + 1;
  if (actual === expected) return undefined;
  return problem("V3110", `\`${op}\` expects a rank-${expected} tensor ${layout}, got rank ${actual}`);
}
