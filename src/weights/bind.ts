// Binds a model's parameters and buffers to tensors by their timm state_dict keys: every key
// the model needs must be in the file with the same shape (PyTorch layout), and every tensor
// of the file must belong to the model. All mismatches are reported together, by name, with
// both shapes; nothing is skipped silently.

import { closestName } from "../diagnostics/similar";
import { ToolError } from "../diagnostics/tool-error";
import type { OpKind } from "../ops/kinds";
import { weightKey } from "../ir/graph";
import type { CheckedGraph } from "../shapes/check";
import { initialValues, initRule } from "./init";
import { openSafetensors, type SafetensorsFile } from "./safetensors";

export interface ExpectedTensor {
  readonly key: string;
  readonly shape: readonly number[];
  readonly op: OpKind;
  /** The node's path and the parameter's name under it ("" for the path itself). */
  readonly path: string;
  readonly name: string;
}

/** Where a model's weight values come from, in PyTorch layout, already checked. */
export interface WeightSource {
  readonly description: string;
  read(tensor: ExpectedTensor): Float32Array;
}

/** Elements of a tensor of this shape. */
export function tensorSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes of the model's weights as float32, the form every backend holds them in. */
export function weightBytes(checked: CheckedGraph): number {
  return expectedTensors(checked).reduce((sum, t) => sum + 4 * tensorSize(t.shape), 0);
}

export function expectedTensors(checked: CheckedGraph): ExpectedTensor[] {
  return checked.nodes.flatMap((n) =>
    Object.entries({ ...n.params, ...n.buffers }).map(([name, shape]) => ({ key: weightKey(n.node.path, name), shape, op: n.node.op, path: n.node.path, name })),
  );
}

const floatDtypes = new Set(["F32", "F16", "BF16", "F64"]);
const listed = 12;

function formatDims(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** At most `listed` lines, then a count of the rest. */
function capped(lines: string[]): string[] {
  return lines.length <= listed ? lines : [...lines.slice(0, listed), `… and ${lines.length - listed} more`];
}

/** Throws a V4002 ToolError listing every missing, unexpected, mis-shaped or non-float tensor. */
export function checkWeightFile(expected: readonly ExpectedTensor[], file: SafetensorsFile, model: string): void {
  const wanted = new Map(expected.map((t) => [t.key, t]));
  // BatchNorm's step counter is in every PyTorch state_dict but means nothing at inference.
  const counters = new Set(expected.filter((t) => t.op === "batch_norm" && t.name === "running_mean").map((t) => weightKey(t.path, "num_batches_tracked")));
  const missing: string[] = [];
  const misShaped: string[] = [];
  const unexpected: string[] = [];
  for (const t of expected) {
    const info = file.tensors.get(t.key);
    if (!info) missing.push(`missing \`${t.key}\`: the model needs ${formatDims(t.shape)}`);
    else if (!floatDtypes.has(info.dtype)) misShaped.push(`\`${t.key}\` is ${info.dtype} in the file; weights must be F32, F16 or BF16`);
    else if (info.shape.length !== t.shape.length || info.shape.some((d, i) => d !== t.shape[i])) {
      misShaped.push(`\`${t.key}\` is ${formatDims(info.shape)} in the file, the model needs ${formatDims(t.shape)}`);
    }
  }
  const missingKeys = expected.filter((t) => !file.tensors.has(t.key)).map((t) => t.key);
  for (const [key, info] of file.tensors) {
    if (wanted.has(key) || counters.has(key)) continue;
    // Only the listed lines show a similar key: searching for all of 2 000 unexpected keys among
    // 2 000 missing ones took 5 s for 30-character keys.
    const near = unexpected.length < listed ? closestName(key, missingKeys) : undefined;
    unexpected.push(`unexpected \`${key}\` ${formatDims(info.shape)}: no layer of \`${model}\` has this key${near ? ` (the model has \`${near}\`)` : ""}`);
  }
  const problems = missing.length + misShaped.length + unexpected.length;
  if (problems === 0) return;
  const counts = [
    missing.length ? `${missing.length} missing` : "",
    unexpected.length ? `${unexpected.length} unexpected` : "",
    misShaped.length ? `${misShaped.length} mis-shaped` : "",
  ].filter(Boolean).join(", ");
  throw new ToolError("V4002", `\`${file.path}\` does not fit model \`${model}\`: ${counts} tensor${problems === 1 ? "" : "s"}`, {
    file: file.path,
    notes: [...capped(missing), ...capped(misShaped), ...capped(unexpected)],
    help: [misShaped.length && !missing.length && !unexpected.length
      ? "the file has the model's layers with other sizes: compare the spec's arguments (num_classes, embed_dim, img_size …) with the checkpoint's"
      : "keys must be timm's state_dict names; `vitc summary --json` lists the ones this model expects"],
  });
}

/**
 * Opens a weight file and checks it against the model's tensors (V4001 unreadable, V4002 not
 * this model's), leaving it open for reading; the caller closes it.
 */
export function openCheckedWeights(path: string, checked: CheckedGraph, model: string): SafetensorsFile {
  const file = openSafetensors(path);
  try {
    checkWeightFile(expectedTensors(checked), file, model);
  } catch (err) {
    file.close();
    throw err;
  }
  return file;
}

/**
 * The weights of a run or export: the safetensors file at `path`, opened and checked against the
 * model (the caller closes it), or the seeded initialisation when no path is given.
 */
export function openWeights(path: string | undefined, seed: number, checked: CheckedGraph, model: string): { source: WeightSource; file?: SafetensorsFile } {
  if (path === undefined) return { source: initialWeights(seed) };
  const file = openCheckedWeights(path, checked, model);
  return { source: fileWeights(file), file };
}

export function fileWeights(file: SafetensorsFile): WeightSource {
  return { description: file.path, read: (t) => file.read(t.key) };
}

export function initialWeights(seed: number): WeightSource {
  return {
    description: `initialised from seed ${seed}`,
    read: (t) => initialValues(initRule(t.op, t.name, t.path, t.shape), tensorSize(t.shape), seed, t.key),
  };
}

/** How many values are NaN or ±Infinity. */
export function countNonFinite(values: Float32Array): number {
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
  return bad;
}

/**
 * A source that notes, as tensors are read, each one holding NaN or ±Infinity. Checked as the
 * model loads (one pass over values already in memory), so a 1 GB file is not read twice;
 * `refuseNonFinite` then reports all of them together.
 */
export function watchFinite(source: WeightSource): { source: WeightSource; nonFinite: Array<{ key: string; count: number; size: number }> } {
  const nonFinite: Array<{ key: string; count: number; size: number }> = [];
  return {
    nonFinite,
    source: {
      description: source.description,
      read(t) {
        const values = source.read(t);
        const count = countNonFinite(values);
        if (count > 0) nonFinite.push({ key: t.key, count, size: values.length });
        return values;
      },
    },
  };
}

/** Throws a V4006 naming every tensor with non-finite values, if any. */
/** A V4006 when weights read through `watchFinite` held NaN or infinite values: those of `file`, or the seeded ones. */
export function refuseNonFiniteWeights(file: string | undefined, found: ReadonlyArray<{ key: string; count: number; size: number }>): void {
  refuseNonFinite(file === undefined ? "the initial weights" : `\`${file}\``, file, found);
}

export function refuseNonFinite(what: string, file: string | undefined, found: ReadonlyArray<{ key: string; count: number; size: number }>): void {
  if (found.length === 0) return;
  const lines = found.map((f) => `\`${f.key}\`: ${f.count} of ${f.size} values are NaN or infinite`);
  throw new ToolError("V4006", `${what} has ${found.length === 1 ? "a tensor" : `${found.length} tensors`} with NaN or infinite values`, {
    file,
    notes: capped(lines),
    help: ["a model computes nothing meaningful from them: check how the file was saved (an overflow in F16, a training run that diverged)"],
  });
}

/** A V5004 naming every output of a forward pass that holds NaN or infinities, if any. */
export function refuseNonFiniteOutputs(model: string, backend: string, outputs: Readonly<Record<string, { readonly values: Float32Array; readonly shape: readonly number[] }>>): void {
  const bad: string[] = [];
  for (const [key, v] of Object.entries(outputs)) {
    const count = countNonFinite(v.values);
    if (count > 0) bad.push(`\`${key}\` [${v.shape.join(", ")}]: ${count} of ${v.values.length} values are NaN or infinite`);
  }
  if (bad.length > 0) {
    throw new ToolError("V5004", `\`${model}\` computed NaN or infinite values on \`${backend}\``, {
      notes: bad,
      help: ["with finite weights and input this is an overflow: check the weights' scale (seeded weights suit shapes, not values), or compare another `--backend`"],
    });
  }
}
