// Recovers the block structure of a checked graph for the emitter: which block call made each
// node (CallFrame.call), the calls nested in each other, runs of calls of one block at
// `label.0`, `label.1`, … (a `repeat`, emitted as a loop over indexed weights), and the kinds:
// calls of one block whose steps are alike up to their constants, emitted as one function.
// Constants that differ between the calls of a kind become its settings, one record per call.
// Invariant: reads only the checked IR; the lowering of each step is the tfjs kernels' own.
//
// Longer than 300 lines: the call tree, the loops and the kinds each need the others' types,
// and splitting them would scatter one algorithm over three files.

import type { CallFrame } from "../../ir/graph";
import { formatShape } from "../../ir/shape";
import type { CheckedGraph, CheckedNode } from "../../shapes/check";
import type { KernelContext, KernelStorage, Storage } from "../tfjs/kernel";
import { kernels } from "../tfjs/kernels";
import { isWindowed } from "../tfjs/kernels/attention";
import { fusableProjections } from "../tfjs/model";
import { fusedGlobalAttention, fusedWindowAttention, lowerings, type Literal, type OpLowering, type RuntimeCall } from "./lowerings";

/** One step of a call: a node (an op), a nested call, or a loop of calls. */
export type Item = NodeItem | CallItem | LoopItem;

export interface NodeItem {
  readonly type: "node";
  readonly node: CheckedNode;
  /** For an attention that a qkv Linear alone feeds: that Linear, computed inside this step. */
  readonly projection?: CheckedNode;
  /** The values the step reads (node ids). */
  readonly inputs: readonly number[];
  /** The storage each input must be held in (rank-4 inputs only; "logical" otherwise). */
  readonly wants: readonly Storage[];
  readonly value: number;
  /** The node's path relative to the call's: the weights' name in the call's record. */
  readonly rel: string;
  readonly prepare?: RuntimeCall;
  readonly run: RuntimeCall;
}

export interface CallItem {
  readonly type: "call";
  readonly call: Call;
  readonly rel: string;
}

export interface LoopItem {
  readonly type: "loop";
  /** The calls at `rel.0`, `rel.1`, …: each reads the one before it. */
  readonly calls: readonly Call[];
  readonly rel: string;
}

export interface Call {
  readonly frame: CallFrame;
  readonly items: Item[];
  /** Values made outside and read inside, in the order first read. */
  inputs: number[];
  /** Values made inside and read after it (or returned by the model). */
  outputs: number[];
  kind?: Kind;
}

export interface Kind {
  readonly id: number;
  readonly block: string;
  readonly frame: CallFrame;
  readonly calls: Call[];
  /** Settings: the constants that differ between the calls, by name, with each call's value. */
  settings: Setting[];
  /** Whether it calls other blocks (then it frees values as it goes). */
  readonly nested: boolean;
}

export interface Setting {
  readonly name: string;
  /** Where it is used: item index and "prepare" / "run" / "count", and the argument index. */
  readonly uses: readonly { readonly item: number; readonly phase: "prepare" | "run" | "count"; readonly arg: number }[];
  /** One value per call of the kind, in the order of `Kind.calls`. */
  readonly values: readonly Literal[];
}

export interface Structure {
  readonly root: Call;
  /** Kinds in the order they are first used. */
  readonly kinds: readonly Kind[];
  /** The storage of each node's value as held (rank-4 values may be channels-last). */
  readonly storage: readonly Storage[];
  /** The values the model returns: logits and features (the spec's, or the logits again). */
  readonly logits: number;
  readonly features: number;
  readonly globalAttention: boolean;
}

const logical: KernelStorage = { inputs: "logical", output: "logical" };

/** The checked graph as calls, loops and kinds. The graph must be complete (every shape known). */
export function recoverStructure(graph: CheckedGraph): Structure {
  const nodes = graph.nodes;
  const outputs = graph.graph.outputs;
  const logits = outputs.logits;
  const features = Object.hasOwn(outputs, "features") ? outputs.features : logits;
  const fusions = new Map([...fusableProjections(graph)].filter(([sdpa, linear]) => sameCall(nodes[sdpa], nodes[linear])));
  const fused = new Set(fusions.values());
  const storage = storages(graph, fusions);

  const calls = new Map<number, Call>();
  let root: Call | undefined;
  for (const checked of nodes) {
    const { node } = checked;
    const via = node.origin.via;
    if (via.length === 0) throw new Error(`node ${node.id} was made outside any block`);
    let parent: Call | undefined;
    for (const frame of via) {
      let call = calls.get(frame.call);
      if (!call) {
        call = { frame, items: [], inputs: [], outputs: [] };
        calls.set(frame.call, call);
        if (parent) parent.items.push({ type: "call", call, rel: relativePath(parent.frame.path, frame.path) });
        else root = call;
      }
      parent = call;
    }
    if (node.op === "input" || fused.has(node.id)) continue;
    const projection = fusions.get(node.id);
    parent!.items.push(nodeItem(graph, checked, projection === undefined ? undefined : nodes[projection], storage, relativePath(parent!.frame.path, node.path)));
  }
  const inputNode = nodes.find((n) => n.node.op === "input")!.node.id;
  const needed = new Set([logits, features]);
  computeInterfaces(root!, inputNode, needed);
  const kinds: Kind[] = [];
  // How a value is held (storage and rank) decides the conversions a function writes, so it is
  // part of what calls of one kind must share.
  const held = (v: number) => `${storage[v]}/${nodes[v].shape!.dims.length}`;
  assignKinds(root!, kinds, held);
  return { root: root!, kinds, storage, logits, features, globalAttention: nodes.some((n) => n.node.op === "sdpa" && !isWindowed(n.node)) };
}

function sameCall(a: CheckedNode, b: CheckedNode): boolean {
  const fa = a.node.origin.via.at(-1);
  const fb = b.node.origin.via.at(-1);
  return fa !== undefined && fa.call === fb?.call;
}

/** `path` below `base`: "blocks.0.norm1" below "blocks.0" is "norm1"; the same path is "". */
export function relativePath(base: string, path: string): string {
  if (base === "") return path;
  if (path === base) return "";
  return path.startsWith(`${base}.`) ? path.slice(base.length + 1) : path;
}

function contextOf(graph: CheckedGraph, checked: CheckedNode, readsFrom?: CheckedNode): KernelContext {
  const source = readsFrom ?? checked;
  return { attrs: checked.node.attrs, inputs: source.node.inputs.map((i) => graph.nodes[i].shape!), out: checked.shape! };
}

function loweringOf(checked: CheckedNode, projection: CheckedNode | undefined): OpLowering {
  if (!projection) return lowerings[checked.node.op];
  return isWindowed(checked.node) ? fusedWindowAttention : fusedGlobalAttention;
}

function hasWeights(checked: CheckedNode): boolean {
  return Object.keys(checked.params).length + Object.keys(checked.buffers).length > 0;
}

function nodeItem(graph: CheckedGraph, checked: CheckedNode, projection: CheckedNode | undefined, storage: readonly Storage[], rel: string): NodeItem {
  const ctx = contextOf(graph, checked, projection);
  const lowering = loweringOf(checked, projection);
  const inputs = projection ? projection.node.inputs : checked.node.inputs;
  const weighted = hasWeights(checked) || (projection !== undefined && hasWeights(projection));
  return {
    type: "node", node: checked, projection, inputs, value: checked.node.id, rel,
    wants: inputs.map((i) => wantedStorage(graph, checked, projection, storage, i)),
    prepare: weighted && lowering.prepare ? lowering.prepare(ctx) : undefined,
    run: lowering.run(ctx),
  };
}

function kernelStorage(graph: CheckedGraph, checked: CheckedNode, projection: CheckedNode | undefined): KernelStorage {
  if (projection) return logical;
  const kernel = kernels[checked.node.op];
  return kernel.storage?.(contextOf(graph, checked)) ?? logical;
}

function isRank4(checked: CheckedNode): boolean {
  return checked.shape!.dims.length === 3;
}

function wantedStorage(graph: CheckedGraph, checked: CheckedNode, projection: CheckedNode | undefined, storage: readonly Storage[], input: number): Storage {
  if (!isRank4(graph.nodes[input])) return "logical";
  const wanted = kernelStorage(graph, checked, projection).inputs;
  const first = (projection ?? checked).node.inputs[0];
  return wanted === "first" ? storage[first] : wanted;
}

/** How each value is held, decided as TfjsModel decides it (model.ts). */
function storages(graph: CheckedGraph, fusions: ReadonlyMap<number, number>): Storage[] {
  const held: Storage[] = [];
  for (const checked of graph.nodes) {
    const projection = fusions.has(checked.node.id) ? graph.nodes[fusions.get(checked.node.id)!] : undefined;
    const first = (projection ?? checked).node.inputs[0];
    const kernel = kernelStorage(graph, checked, projection);
    const want = kernel.inputs === "first" ? (held[first] ?? "logical") : kernel.inputs;
    const out = kernel.output === "first" ? want : kernel.output;
    held.push(checked.node.op !== "input" && isRank4(checked) && out === "nhwc" ? "nhwc" : "logical");
  }
  return held;
}

/** The values each item reads and makes, for calls computed from their items. */
function itemReads(item: Item): number[] {
  if (item.type === "node") return [...item.inputs];
  if (item.type === "call") return item.call.inputs;
  return item.calls[0].inputs;
}

function itemMakes(item: Item): number[] {
  if (item.type === "node") return [item.value];
  if (item.type === "call") return item.call.outputs;
  return item.calls[item.calls.length - 1].outputs;
}

/** Fills in each call's inputs and outputs (bottom-up for inputs, then outputs from readers outside). */
function computeInterfaces(root: Call, inputNode: number, needed: ReadonlySet<number>): void {
  const madeIn = new Map<Call, Set<number>>();
  const readsIn = new Map<Call, number[]>();
  const collect = (call: Call): void => {
    const made = new Set<number>();
    const reads: number[] = [];
    for (const item of call.items) {
      if (item.type === "node") {
        reads.push(...item.inputs);
        made.add(item.value);
        if (item.projection) made.add(item.projection.node.id);
      } else {
        for (const inner of item.type === "call" ? [item.call] : item.calls) {
          collect(inner);
          reads.push(...readsIn.get(inner)!);
          for (const v of madeIn.get(inner)!) made.add(v);
        }
      }
    }
    madeIn.set(call, made);
    readsIn.set(call, reads);
    call.inputs = [...new Set(reads.filter((v) => !made.has(v)))];
  };
  collect(root);
  // A value is an output of a call when something after it (outside it) reads it.
  const assignOutputs = (call: Call, readAfter: ReadonlySet<number>): void => {
    const made = madeIn.get(call)!;
    call.outputs = [...made].filter((v) => readAfter.has(v)).sort((a, b) => a - b);
    const items = call.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.type === "node") continue;
      const later = new Set(readAfter);
      for (const next of items.slice(i + 1)) for (const v of itemReadsDeep(next, readsIn)) later.add(v);
      if (item.type === "call") assignOutputs(item.call, later);
      else item.calls.forEach((c, k) => assignOutputs(c, new Set([...later, ...item.calls.slice(k + 1).flatMap((n) => readsIn.get(n)!)])));
    }
  };
  assignOutputs(root, needed);
  void inputNode;
}

function itemReadsDeep(item: Item, readsIn: ReadonlyMap<Call, number[]>): number[] {
  if (item.type === "node") return [...item.inputs];
  if (item.type === "call") return readsIn.get(item.call)!;
  return item.calls.flatMap((c) => readsIn.get(c)!);
}

/**
 * Bottom-up: folds runs of calls into loops, then gives each call a kind. Two calls are of one
 * kind when their blocks, steps, weights' names, wiring and storage agree; their constants may
 * differ (settings).
 */
function assignKinds(root: Call, kinds: Kind[], held: (value: number) => string): void {
  const bySignature = new Map<string, Kind>();
  const visit = (call: Call): void => {
    for (const item of call.items) {
      if (item.type === "call") visit(item.call);
      else if (item.type === "loop") item.calls.forEach(visit);
    }
    foldLoops(call);
    const signature = signatureOf(call, held);
    let kind = bySignature.get(signature);
    if (!kind) {
      kind = { id: kinds.length, block: call.frame.block, frame: call.frame, calls: [], settings: [], nested: call.items.some((i) => i.type !== "node") };
      bySignature.set(signature, kind);
      kinds.push(kind);
    }
    kind.calls.push(call);
    call.kind = kind;
  };
  visit(root);
  for (const kind of kinds) kind.settings = settingsOf(kind);
  // First-use order: the root first, then each kind where its first call appears.
  const order: Kind[] = [];
  const walk = (call: Call): void => {
    if (!order.includes(call.kind!)) order.push(call.kind!);
    for (const item of call.items) {
      if (item.type === "call") walk(item.call);
      else if (item.type === "loop") walk(item.calls[0]);
    }
  };
  walk(root);
  kinds.splice(0, kinds.length, ...order);
}

/** Replaces each run of calls of one kind at `rel.0` … `rel.(n-1)`, each reading the one before, by a loop. */
function foldLoops(call: Call): void {
  const items = call.items;
  const folded: Item[] = [];
  for (let i = 0; i < items.length; ) {
    const first = items[i];
    const index = first.type === "call" ? indexedLabel(first.rel) : undefined;
    if (first.type !== "call" || index === undefined || index.index !== 0 || first.call.outputs.length !== 1 || first.call.inputs.length !== 1) {
      folded.push(first);
      i++;
      continue;
    }
    const run: Call[] = [first.call];
    let j = i + 1;
    for (; j < items.length; j++) {
      const next = items[j];
      if (next.type !== "call" || next.call.kind !== first.call.kind) break;
      const label = indexedLabel(next.rel);
      const previous = run[run.length - 1];
      if (label?.prefix !== index.prefix || label.index !== run.length) break;
      if (next.call.inputs.length !== 1 || next.call.inputs[0] !== previous.outputs[0] || next.call.outputs.length !== 1 || previous.outputs.length !== 1) break;
      run.push(next.call);
    }
    folded.push({ type: "loop", calls: run, rel: index.prefix });
    i = j;
  }
  items.splice(0, items.length, ...folded);
}

/** "blocks.3" → { prefix: "blocks", index: 3 }; "3" → { prefix: "", index: 3 }. */
function indexedLabel(rel: string): { prefix: string; index: number } | undefined {
  const match = /^(?:(.*)\.)?(0|[1-9][0-9]*)$/.exec(rel);
  return match ? { prefix: match[1] ?? "", index: Number(match[2]) } : undefined;
}

/**
 * A call's shape of computation without its constants: what must agree within a kind. `held`
 * says how a value is held: one function cannot serve a call whose input arrives channels-last
 * and one whose input does not (it converts, or not, once for both).
 */
function signatureOf(call: Call, held: (value: number) => string): string {
  const local = new Map<number, string>();
  call.inputs.forEach((v, i) => local.set(v, `in${i}`));
  const ref = (v: number) => local.get(v) ?? `?${v}`;
  const parts: string[] = [call.frame.block, `in ${call.inputs.map(held).join(",")}`];
  call.items.forEach((item, i) => {
    const reads = itemReads(item).map(ref).join(",");
    if (item.type === "node") {
      const args = (c: RuntimeCall | undefined) => (c ? `${c.general ?? c.fn}(${c.args.map((a) => (a.kind === "value" ? `${a.name}=` : a.kind)).join(",")})` : "-");
      const weights = [...Object.keys(item.node.params), ...Object.keys(item.node.buffers), ...(item.projection ? Object.keys(item.projection.params) : [])].sort();
      parts.push(`node ${JSON.stringify(item.rel)} ${args(item.prepare)} ${args(item.run)} [${weights}] (${reads}) ${item.wants.join(",")}`);
    } else if (item.type === "call") {
      parts.push(`call ${item.call.kind!.id} ${JSON.stringify(item.rel)} (${reads}) -> ${item.call.outputs.length}`);
    } else {
      parts.push(`loop ${item.calls[0].kind!.id} ${JSON.stringify(item.rel)} (${reads})`);
    }
    itemMakes(item).forEach((v, k) => local.set(v, `${i}.${k}`));
    parts.push(`  makes ${itemMakes(item).map(held).join(",")}`);
  });
  parts.push(`out ${call.outputs.map(ref).join(",")}`);
  return parts.join("\n");
}

/** The constants that differ between the calls of a kind, named after their arguments. */
function settingsOf(kind: Kind): Setting[] {
  const [first] = kind.calls;
  const slots: Array<{ item: number; phase: "prepare" | "run" | "count"; arg: number; name: string; owner: string; values: Literal[] }> = [];
  first.items.forEach((item, i) => {
    if (item.type === "loop") {
      slots.push({ item: i, phase: "count", arg: 0, name: "count", owner: item.rel, values: kind.calls.map((c) => (c.items[i] as LoopItem).calls.length) });
      return;
    }
    if (item.type !== "node") return;
    for (const phase of ["prepare", "run"] as const) {
      item[phase]?.args.forEach((a, k) => {
        if (a.kind !== "value") return;
        const values = kind.calls.map((c) => ((c.items[i] as NodeItem)[phase]!.args[k] as { value: Literal }).value);
        slots.push({ item: i, phase, arg: k, name: a.name, owner: item.rel || item.node.node.op, values });
      });
    }
  });
  const varying = slots.filter((s) => s.values.some((v) => JSON.stringify(v) !== JSON.stringify(s.values[0])));
  // Slots of one name whose values agree call by call are one setting.
  const merged: Array<{ name: string; owner: string; uses: Setting["uses"][number][]; values: Literal[] }> = [];
  for (const slot of varying) {
    const same = merged.find((m) => m.name === slot.name && JSON.stringify(m.values) === JSON.stringify(slot.values));
    if (same) same.uses.push({ item: slot.item, phase: slot.phase, arg: slot.arg });
    else merged.push({ name: slot.name, owner: slot.owner, uses: [{ item: slot.item, phase: slot.phase, arg: slot.arg }], values: slot.values });
  }
  return merged.map((m) => ({
    name: merged.filter((o) => o.name === m.name).length > 1 || m.name === "count" ? `${m.owner}.${m.name}` : m.name,
    uses: m.uses,
    values: m.values,
  }));
}

/** The shape of a value as the spec writes it, for comments: `[B, 197, 768]`. */
export function shapeText(graph: CheckedGraph, value: number): string {
  return formatShape(graph.nodes[value].shape!);
}
