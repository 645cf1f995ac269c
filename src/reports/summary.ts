// Model summaries: per-layer output shapes and parameter counts, totals of trainable parameters
// (timm's sum of numel over model.parameters()) and MACs for one image. Counts are bigints: a
// huge model's pass 2^53, where a double rounds them (35,185,948,361,490,430 for …432), so the
// table and summaryJsonText print them exactly.

import type { CompiledModel } from "../pipeline";
import type { CheckedNode } from "../shapes/check";
import { groupDigits, visibleText } from "../diagnostics/visible-text";
import { formatShape, shapeToJson, type Shape } from "../ir/shape";

export type JsonShape = Array<string | number> | null;

export interface LayerRow {
  readonly path: string;
  readonly op: string;
  readonly output: string;
  readonly outputJson: JsonShape;
  readonly params: bigint;
  readonly macs: bigint;
}

export interface ModelSummary {
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly inputJson: JsonShape;
  readonly outputJson: JsonShape;
  readonly params: bigint;
  readonly macs: bigint;
  readonly macsByKind: { readonly linear: bigint; readonly conv: bigint; readonly attn_matmul: bigint };
  readonly layers: readonly LayerRow[];
}

/** Elements of a tensor of this shape, exactly. */
export function numel(shape: readonly number[]): bigint {
  return shape.reduce((a, b) => a * BigInt(b), 1n);
}

/** A node's parameter count (its buffers, such as BatchNorm's running statistics, are not parameters). */
export function paramsOf(n: CheckedNode): bigint {
  return Object.values(n.params).reduce((sum, s) => sum + numel(s), 0n);
}

export function summarize(model: CompiledModel): ModelSummary {
  const { checked } = model;
  const macsByKind = { linear: 0n, conv: 0n, attn_matmul: 0n };
  const layers: LayerRow[] = [];
  let inputShape: Shape | undefined;
  for (const n of checked.nodes) {
    const params = paramsOf(n);
    if (n.node.op === "linear") macsByKind.linear += n.macs;
    else if (n.node.op === "sdpa") macsByKind.attn_matmul += n.macs;
    else if (n.macs > 0n) macsByKind.conv += n.macs;
    if (n.node.op === "input") inputShape = n.shape;
    layers.push({ path: n.node.path, op: n.node.op, output: show(n.shape), outputJson: n.shape ? shapeToJson(n.shape) : null, params, macs: n.macs });
  }
  const logits = checked.graph.outputs.logits;
  const outShape = logits === undefined ? undefined : checked.nodes[logits]?.shape;
  return {
    name: model.name,
    input: show(inputShape),
    output: show(outShape),
    inputJson: inputShape ? shapeToJson(inputShape) : null,
    outputJson: outShape ? shapeToJson(outShape) : null,
    params: layers.reduce((sum, l) => sum + l.params, 0n),
    macs: macsByKind.linear + macsByKind.conv + macsByKind.attn_matmul,
    macsByKind,
    layers,
  };
}

function show(shape: Shape | undefined): string {
  return shape ? formatShape(shape) : "?";
}

/**
 * The JSON of `vitc summary --json`, as DESIGN.md fixes it; shapes are `["B", 197, 768]`. For
 * JSON.stringify, counts are numbers, rounded past 2^53: write summaryJsonText instead.
 */
export function summaryJson(summaries: readonly ModelSummary[]): unknown {
  return summaryRecords(summaries, Number);
}

/**
 * The text of `vitc summary --json`: what JSON.stringify(summaryJson(…), null, 2) writes, except
 * that counts are their exact digits (JSON allows any number of them; JSON.stringify cannot
 * write a bigint). For every model whose counts are below 2^53 the two texts are the same.
 */
export function summaryJsonText(summaries: readonly ModelSummary[]): string {
  return jsonText(summaryRecords(summaries, (n) => n));
}

function summaryRecords(summaries: readonly ModelSummary[], count: (n: bigint) => number | bigint): unknown {
  return {
    models: summaries.map((s) => ({
      name: s.name,
      input: s.inputJson,
      output: s.outputJson,
      params: count(s.params),
      macs: count(s.macs),
      macs_by_kind: { linear: count(s.macsByKind.linear), conv: count(s.macsByKind.conv), attn_matmul: count(s.macsByKind.attn_matmul) },
      layers: s.layers.map((l) => ({ path: l.path, op: l.op, output: l.outputJson, params: count(l.params), macs: count(l.macs) })),
    })),
  };
}

/** JSON.stringify(value, null, 2) for plain data, with bigints written as their digits. */
function jsonText(value: unknown, indent = ""): string {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + jsonText(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonText(v, inner)}`).join(",\n")}\n${indent}}`;
}


/**
 * A readable table: path, op, output shape, params and MACs per layer, then totals. Names and
 * paths go through visibleText: no control character reaches the terminal raw.
 */
export function renderSummaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [visibleText(l.path) || "(root)", l.op, l.output, l.params ? groupDigits(l.params) : "", l.macs ? groupDigits(l.macs) : ""]);
  const header = ["layer", "op", "output", "params", "MACs"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [
    `model ${visibleText(s.name)}: input ${s.input} → output ${s.output}`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    `params: ${groupDigits(s.params)}`,
    `MACs:   ${groupDigits(s.macs)} per image (linear ${groupDigits(s.macsByKind.linear)}, conv ${groupDigits(s.macsByKind.conv)}, attention matmuls ${groupDigits(s.macsByKind.attn_matmul)})`,
  ].join("\n");
}
