// What one step of the source became in a checked model: for a span (a step's call or an
// `input` statement), the nodes made there, directly (an op) or inside the block it called, with
// their output shape, parameters, MACs and weight path. A step run several times (in a `repeat`,
// or in a block called twice) has several instances; the facts are the first one's, with the
// count. For editors: hover and inlay hints read these, they compute nothing themselves.

import type { Span } from "../source/span";
import type { CheckedGraph, CheckedNode } from "../shapes/check";
import type { Shape } from "../ir/shape";
import { numel } from "./summary";

export interface StepFacts {
  /** The op of a primitive step, or the block a block step called. */
  readonly op: string;
  readonly kind: "op" | "block";
  /** The weight path of the first instance ("" at the root). */
  readonly path: string;
  /** The output of the first instance: undefined where it has no shape (after an error). */
  readonly output?: Shape;
  /** Parameters and MACs of the first instance (all its nodes, for a block). */
  readonly params: bigint;
  readonly macs: bigint;
  /** How many times the step was expanded in this model. */
  readonly instances: number;
}

const sameSpan = (a: Span, b: Span) => a.file === b.file && a.start === b.start && a.end === b.end;

/** The facts of the step whose call (or `input` statement) has exactly this span, if it made any node. */
export function stepFacts(model: CheckedGraph, span: Span): StepFacts | undefined {
  const direct = model.nodes.filter((n) => sameSpan(n.node.origin.span, span));
  if (direct.length > 0) {
    const first = direct[0];
    return { op: first.node.op, kind: "op", path: first.node.path, output: first.shape, params: paramsOf(first), macs: first.macs, instances: direct.length };
  }
  // A block call: every node made inside it has the call among its frames; each call of the
  // block is a frame object of its own (one per expansion).
  const instances = new Map<object, CheckedNode[]>();
  let block = "";
  for (const n of model.nodes) {
    const frame = n.node.origin.via.find((f) => sameSpan(f.span, span));
    if (!frame) continue;
    block = frame.block;
    const list = instances.get(frame) ?? [];
    list.push(n);
    instances.set(frame, list);
  }
  const [first] = instances.values();
  if (!first) return undefined;
  const last = first[first.length - 1];
  return {
    op: block,
    kind: "block",
    path: commonPath(first.map((n) => n.node.path)),
    output: last.shape,
    params: first.reduce((sum, n) => sum + paramsOf(n), 0n),
    macs: first.reduce((sum, n) => sum + n.macs, 0n),
    instances: instances.size,
  };
}

function paramsOf(n: CheckedNode): bigint {
  return Object.values(n.params).reduce((sum, s) => sum + numel(s), 0n);
}

/** The longest shared prefix of dotted paths, by whole segments. */
function commonPath(paths: readonly string[]): string {
  if (paths.length === 0) return "";
  let parts = paths[0].split(".");
  for (const p of paths.slice(1)) {
    const other = p.split(".");
    let i = 0;
    while (i < parts.length && i < other.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join(".");
}
