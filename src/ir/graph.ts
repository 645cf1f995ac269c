// The IR: a graph of primitive-op nodes in topological order, made by elaboration. Each node
// remembers the user's source that caused it; shapes come later, from the shape checker.

import type { Span } from "../source/span";
import type { OpKind } from "../ops/kinds";

/** An attribute value: what a primitive op's keyword arguments evaluate to. */
export type AttrValue = number | boolean | string | readonly AttrValue[];

/** Where a value was written: a literal's span, and the keyword it was first passed under. */
export interface ValueOrigin {
  readonly span: Span;
  readonly name?: string;
}

/** One block call of an origin's chain. */
export interface CallFrame {
  /** The call site. */
  readonly span: Span;
  readonly block: string;
  /** Numbers the calls of one model: every node that one call made (outside nested calls) shares it. */
  readonly call: number;
  /** The weight path the block was called at: its layers' paths start with it. */
  readonly path: string;
  /** The block's name in its declaration, and its `##` doc comment ("" when it has none). */
  readonly definition: Span;
  readonly doc: string;
}

export interface Origin {
  /** The op call itself (often in the standard library). */
  readonly span: Span;
  /** Call sites from the user's model line inward, each with the block it called. */
  readonly via: readonly CallFrame[];
  /** The innermost span of the chain that lies in a user file: where errors land. */
  readonly user: Span;
}

export interface Node {
  readonly id: number;
  readonly op: OpKind;
  /** Tensor inputs: the current tensor first, then tensor-valued arguments. */
  readonly inputs: readonly number[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly attrOrigins: Readonly<Record<string, ValueOrigin | undefined>>;
  /** Weight path: labels joined by dots (`blocks.3.attn.qkv`); "" at the root. */
  readonly path: string;
  readonly origin: Origin;
}

export interface InputSpec {
  readonly node: number;
}

export interface Expectation {
  readonly tensor: number;
  /** Expected dims, with dimension 0 as a batch factor. */
  readonly batch: number;
  readonly dims: readonly number[];
  readonly span: Span;
  readonly origin: Origin;
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly Node[];
  /** Named outputs: `logits` is the final tensor; `features`, `pre_logits` where marked. */
  readonly outputs: Readonly<Record<string, number>>;
  readonly expectations: readonly Expectation[];
  /** The model declaration's span in the user's file. */
  readonly span: Span;
  readonly family: string;
  /** The model's keyword arguments after defaults, for reports and preprocessing. */
  readonly config: Readonly<Record<string, AttrValue>>;
}

/**
 * Joins a weight path and a name (a label, a repeat index, a parameter) into a longer path or a
 * state_dict key: `weightKey("blocks.3", "qkv")` is `blocks.3.qkv`; an empty side is dropped.
 */
export function weightKey(path: string, name: string): string {
  if (name === "") return path;
  return path === "" ? name : `${path}.${name}`;
}

/**
 * The node whose output is the output of the module at weight path `path` (timm's
 * `model.get_submodule(path)`): the last node, in graph order, at that path or under it.
 */
export function moduleOutputNode(graph: Graph, path: string): number | undefined {
  let found: number | undefined;
  for (const node of graph.nodes) if (node.path === path || node.path.startsWith(`${path}.`)) found = node.id;
  return found;
}
