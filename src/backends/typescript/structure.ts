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
import type { CheckedGraph, CheckedNode } from "../../shapes/check";
import type { KernelContext, KernelStorage, Storage } from "../tfjs/kernel";
import { kernels } from "../tfjs/kernels";
import { isWindowed } from "../../ops/attention";
import { fusableProjections, hasGlobalAttention } from "../tfjs/model";
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
  /**
   * This call's items aligned with its kind's template (`Kind.template.items`): undefined where
   * the template has an optional step this call does not take.
   */
  slots?: Array<Item | undefined>;
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
  /** The call whose items the kind's function follows: one that takes every optional step. */
  template: Call;
  /** The template's optional steps, by gap between its other steps (see `shapeOf`). */
  gaps: string[][];
  /** Settings: the constants that differ between the calls, by name, with each call's value. */
  settings: Setting[];
  /** Whether it calls other blocks (then it frees values as it goes). */
  readonly nested: boolean;
}

export type SettingPhase = "prepare" | "run" | "count" | "taken";

export interface Setting {
  readonly name: string;
  /**
   * Where it is used: the template's item index; "prepare" / "run" and the argument index, "count"
   * (a loop's length) or "taken" (whether an optional step runs).
   */
  readonly uses: readonly { readonly item: number; readonly phase: SettingPhase; readonly arg: number }[];
  /** One value per call of the kind, in the order of `Kind.calls`; null where the step is not taken. */
  readonly values: readonly (Literal | null)[];
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
  // The runner's pairs, all within one block call.
  const fusions = fusableProjections(graph);
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
  const needed = new Set([logits, features]);
  computeInterfaces(root!, needed);
  const kinds: Kind[] = [];
  // How a value is held (storage and rank) decides the conversions a function writes, so it is
  // part of what calls of one kind must share.
  const held = (v: number) => `${storage[v]}/${nodes[v].shape!.dims.length}`;
  assignKinds(root!, kinds, held, (item) => isOptionalStep(graph, storage, item));
  return { root: root!, kinds, storage, logits, features, globalAttention: hasGlobalAttention(graph) };
}

/**
 * Whether a step could be skipped by some calls of its block and not others: a node without
 * weights whose value has its first input's shape and storage, so that a reader can take that
 * input instead.
 */
function isOptionalStep(graph: CheckedGraph, storage: readonly Storage[], item: Item): boolean {
  if (item.type !== "node" || item.prepare !== undefined || item.projection !== undefined || item.inputs.length === 0) return false;
  const [input] = item.inputs;
  const a = graph.nodes[input].shape!;
  const b = item.node.shape!;
  return storage[input] === storage[item.value] && a.batch === b.batch && a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
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
function computeInterfaces(root: Call, needed: ReadonlySet<number>): void {
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
}

function itemReadsDeep(item: Item, readsIn: ReadonlyMap<Call, number[]>): number[] {
  if (item.type === "node") return [...item.inputs];
  if (item.type === "call") return readsIn.get(item.call)!;
  return item.calls.flatMap((c) => readsIn.get(c)!);
}

/**
 * Bottom-up: folds runs of calls into loops, then gives each call a kind. Two calls are of one
 * kind when their blocks, steps, weights' names, wiring and storage agree; their constants may
 * differ (settings), and so may their optional steps: a step without weights that keeps its
 * input's shape and storage (Swin's `roll`, an `if act { silu() }`, a shortcut `add`) may be
 * taken by some calls and not by others, as long as one call (the template) takes all of them.
 */
function assignKinds(root: Call, kinds: Kind[], held: (value: number) => string, isOptional: (item: Item) => boolean): void {
  const byCore = new Map<string, Kind[]>();
  const steps = new Map<Item, string>();
  const visit = (call: Call): void => {
    for (const item of call.items) {
      if (item.type === "call") visit(item.call);
      else if (item.type === "loop") item.calls.forEach(visit);
    }
    foldLoops(call);
    const shape = shapeOf(call, held, isOptional);
    for (const [item, signature] of shape.optional) steps.set(item, signature);
    const candidates = byCore.get(shape.core) ?? [];
    byCore.set(shape.core, candidates);
    // A kind's settings are looked up by weight path: two calls at one path (a block without
    // weights called twice without labels) cannot share a kind.
    const open = candidates.filter((k) => !k.calls.some((c) => c.frame.path === call.frame.path));
    let kind = open.find((k) => covers(k.gaps, shape.gaps));
    if (kind === undefined) {
      kind = open.find((k) => covers(shape.gaps, k.gaps));
      if (kind) {
        kind.template = call;
        kind.gaps = shape.gaps;
      }
    }
    if (!kind) {
      kind = { id: kinds.length, block: call.frame.block, frame: call.frame, calls: [], template: call, gaps: shape.gaps, settings: [], nested: call.items.some((i) => i.type !== "node") };
      candidates.push(kind);
      kinds.push(kind);
    }
    kind.calls.push(call);
    call.kind = kind;
  };
  visit(root);
  for (const kind of kinds) {
    for (const call of kind.calls) call.slots = alignSlots(kind.template, call, (item) => steps.get(item));
    kind.settings = settingsOf(kind);
  }
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

/** Whether a template with optional steps `outer` takes those of `inner`: gap by gap, in order. */
function covers(outer: readonly string[][], inner: readonly string[][]): boolean {
  return outer.length === inner.length && inner.every((gap, g) => isSubsequence(gap, outer[g]));
}

function isSubsequence(inner: readonly string[], outer: readonly string[]): boolean {
  let at = 0;
  for (const step of outer) if (at < inner.length && inner[at] === step) at++;
  return at === inner.length;
}

/**
 * `call`'s items at the template's positions: other steps one to one, optional ones (whose
 * signatures `optional` gives) where this call takes them, matched in order.
 */
function alignSlots(template: Call, call: Call, optional: (item: Item) => string | undefined): Array<Item | undefined> {
  const slots: Array<Item | undefined> = [];
  let at = 0;
  for (const item of template.items) {
    const step = optional(item);
    if (step === undefined) {
      // This call's next core step; its optional steps before it are all matched already.
      slots.push(call.items[at++]);
    } else if (at < call.items.length && optional(call.items[at]) === step) {
      slots.push(call.items[at++]);
    } else slots.push(undefined);
  }
  return slots;
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
    // A run of one call stays a call: a loop of one would only hide it.
    folded.push(run.length > 1 ? { type: "loop", calls: run, rel: index.prefix } : first);
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
 * A call's shape of computation without its constants: what must agree within a kind. `core` is
 * its steps but the optional ones (a reader of an optional step's value reads as a reader of the
 * step's input, which it reads when the step is not taken); `gaps[g]` lists the optional steps
 * before core step g (the last: after every core step). `held` says how a value is held: one
 * function cannot serve a call whose input arrives channels-last and one whose input does not.
 */
function shapeOf(call: Call, held: (value: number) => string, isOptional: (item: Item) => boolean): { core: string; gaps: string[][]; optional: Map<Item, string> } {
  const local = new Map<number, string>();
  call.inputs.forEach((v, i) => local.set(v, `in${i}`));
  const ref = (v: number) => local.get(v) ?? `?${v}`;
  const core: string[] = [call.frame.block, `in ${call.inputs.map(held).join(",")}`];
  const gaps: string[][] = [[]];
  const optional = new Map<Item, string>();
  const args = (c: RuntimeCall | undefined) => (c ? `${c.general ?? c.fn}(${c.args.map((a) => (a.kind === "value" ? `${a.name}=` : a.kind)).join(",")})` : "-");
  for (const item of call.items) {
    const reads = itemReads(item).map(ref).join(",");
    if (item.type === "node" && isOptional(item)) {
      const step = `${JSON.stringify(item.rel)} ${args(item.run)} (${reads}) ${item.wants.join(",")}`;
      gaps[gaps.length - 1].push(step);
      optional.set(item, step);
      local.set(item.value, ref(item.inputs[0]));
      continue;
    }
    const i = gaps.length - 1;
    if (item.type === "node") {
      const weights = [...Object.keys(item.node.params), ...Object.keys(item.node.buffers), ...(item.projection ? Object.keys(item.projection.params) : [])].sort();
      core.push(`node ${JSON.stringify(item.rel)} ${args(item.prepare)} ${args(item.run)} [${weights}] (${reads}) ${item.wants.join(",")}`);
    } else if (item.type === "call") {
      core.push(`call ${item.call.kind!.id} ${JSON.stringify(item.rel)} (${reads}) -> ${item.call.outputs.length}`);
    } else {
      core.push(`loop ${item.calls[0].kind!.id} ${JSON.stringify(item.rel)} (${reads})`);
    }
    itemMakes(item).forEach((v, k) => local.set(v, `${i}.${k}`));
    core.push(`  makes ${itemMakes(item).map(held).join(",")}`);
    gaps.push([]);
  }
  core.push(`out ${call.outputs.map(ref).join(",")}`);
  return { core: core.join("\n"), gaps, optional };
}

/**
 * The constants that differ between the calls of a kind, named after their arguments, and for
 * each optional step that some calls skip, whether it is taken (named after the step). An
 * argument of an optional step is null for the calls that skip it.
 */
function settingsOf(kind: Kind): Setting[] {
  type Slot = { item: number; phase: SettingPhase; arg: number; name: string; owner: string; values: Array<Literal | null> };
  const slots: Slot[] = [];
  const at = (c: Call, i: number) => c.slots![i];
  kind.template.items.forEach((item, i) => {
    if (item.type === "loop") {
      slots.push({ item: i, phase: "count", arg: 0, name: "count", owner: item.rel, values: kind.calls.map((c) => (at(c, i) as LoopItem).calls.length) });
      return;
    }
    if (item.type !== "node") return;
    const owner = item.rel || item.node.node.op;
    const first = slots.length;
    for (const phase of ["prepare", "run"] as const) {
      item[phase]?.args.forEach((a, k) => {
        if (a.kind !== "value") return;
        const values = kind.calls.map((c) => {
          const step = at(c, i) as NodeItem | undefined;
          return step ? (step[phase]!.args[k] as { value: Literal }).value : null;
        });
        slots.push({ item: i, phase, arg: k, name: a.name, owner, values });
      });
    }
    // Whether a step some calls skip is taken: its first argument that differs says so (null
    // where skipped), else a boolean of its own.
    if (kind.calls.some((c) => at(c, i) === undefined) && !slots.slice(first).some(differs)) {
      slots.push({ item: i, phase: "taken", arg: 0, name: owner, owner, values: kind.calls.map((c) => at(c, i) !== undefined) });
    }
  });
  const varying = slots.filter((s) => s.phase === "taken" || differs(s));
  // Slots of one name whose values agree call by call are one setting.
  const merged: Array<{ name: string; owner: string; uses: Setting["uses"][number][]; values: Array<Literal | null> }> = [];
  for (const slot of varying) {
    const same = merged.find((m) => m.name === slot.name && JSON.stringify(m.values) === JSON.stringify(slot.values));
    if (same) same.uses.push({ item: slot.item, phase: slot.phase, arg: slot.arg });
    else merged.push({ name: slot.name, owner: slot.owner, uses: [{ item: slot.item, phase: slot.phase, arg: slot.arg }], values: slot.values });
  }
  const names = new Set<string>();
  return merged.map((m) => {
    let name = merged.filter((o) => o.name === m.name).length > 1 || m.name === "count" ? `${m.owner}.${m.name}` : m.name;
    for (let n = 2; names.has(name); n++) name = `${m.owner}.${m.name}${n}`;
    names.add(name);
    return { name, uses: m.uses, values: m.values };
  });
}

/** Whether the calls that take a step disagree on an argument of it. */
function differs(slot: { readonly values: ReadonlyArray<Literal | null> }): boolean {
  const taken = slot.values.filter((v) => v !== null);
  return taken.some((v) => JSON.stringify(v) !== JSON.stringify(taken[0]));
}
