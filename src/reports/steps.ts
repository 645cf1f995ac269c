// What one step of the source became in a checked model: for a span (a step's call, an `input`
// statement, a `repeat` or `residual`), the nodes made there, directly (an op), inside the block
// it called, or inside its body (a group), with their output shape, parameters, MACs and weight
// path. A step run several times (in a `repeat`, or in a block called twice) has several
// instances; the facts are the first one's, with the count (a group's instance is one run of the
// block that holds it, all its iterations). For editors: hover and inlay hints read these.

import { spanWithin, type Span } from "../source/span";
import type { CheckedGraph, CheckedNode } from "../shapes/check";
import type { Shape } from "../ir/shape";
import { paramsOf } from "./summary";

export interface StepFacts {
  /** The op of a primitive step, or the block a block step called. */
  readonly op: string;
  readonly kind: "op" | "block" | "group";
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
  return first ? runFacts(first, block, "block", instances.size) : groupFacts(model, span);
}

/**
 * A `repeat` or `residual`: the nodes made inside its body, directly or in blocks called there,
 * in the first run of the block that holds it (the innermost call frame outside the span).
 */
function groupFacts(model: CheckedGraph, span: Span): StepFacts | undefined {
  const runs = new Map<object, CheckedNode[]>();
  for (const n of model.nodes) {
    const { origin } = n.node;
    if (!spanWithin(origin.span, span) && !origin.via.some((f) => spanWithin(f.span, span))) continue;
    // Frames from the model's call inward: those before the first one inside the span lead to
    // the block that holds the statement; the last of them is this run of that block.
    const inside = origin.via.findIndex((f) => spanWithin(f.span, span));
    const holder = (inside >= 0 ? origin.via[inside - 1] : origin.via[origin.via.length - 1]) ?? model;
    const list = runs.get(holder) ?? [];
    list.push(n);
    runs.set(holder, list);
  }
  const [first] = runs.values();
  return first ? runFacts(first, "", "group", runs.size) : undefined;
}

/** The facts of a block call or group from the nodes of its first run. */
function runFacts(nodes: readonly CheckedNode[], op: string, kind: StepFacts["kind"], instances: number): StepFacts {
  return {
    op,
    kind,
    path: commonPath(nodes.map((n) => n.node.path)),
    output: nodes[nodes.length - 1].shape,
    params: nodes.reduce((sum, n) => sum + paramsOf(n), 0n),
    macs: nodes.reduce((sum, n) => sum + n.macs, 0n),
    instances,
  };
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
