// Model summaries: per-layer output shapes and parameter counts, totals of trainable parameters
// (timm's sum of numel over model.parameters()) and MACs for one image.

import type { CompiledModel } from "../pipeline";
import { formatShape, shapeToJson, type Shape } from "../ir/shape";

export type JsonShape = Array<string | number> | null;

export interface LayerRow {
  readonly path: string;
  readonly op: string;
  readonly output: string;
  readonly outputJson: JsonShape;
  readonly params: number;
  readonly macs: number;
}

export interface ModelSummary {
  readonly name: string;
  readonly input: string;
  readonly output: string;
  readonly inputJson: JsonShape;
  readonly outputJson: JsonShape;
  readonly params: number;
  readonly macs: number;
  readonly macsByKind: { readonly linear: number; readonly conv: number; readonly attn_matmul: number };
  readonly layers: readonly LayerRow[];
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function summarize(model: CompiledModel): ModelSummary {
  const { checked } = model;
  const macsByKind = { linear: 0, conv: 0, attn_matmul: 0 };
  const layers: LayerRow[] = [];
  let inputShape: Shape | undefined;
  for (const n of checked.nodes) {
    const params = Object.values(n.params).reduce((sum, s) => sum + numel(s), 0);
    if (n.node.op === "linear") macsByKind.linear += n.macs;
    else if (n.node.op === "sdpa") macsByKind.attn_matmul += n.macs;
    else if (n.macs > 0) macsByKind.conv += n.macs;
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
    params: layers.reduce((sum, l) => sum + l.params, 0),
    macs: macsByKind.linear + macsByKind.conv + macsByKind.attn_matmul,
    macsByKind,
    layers,
  };
}

function show(shape: Shape | undefined): string {
  return shape ? formatShape(shape) : "?";
}

/** The JSON of `vitc summary --json`, as DESIGN.md fixes it; shapes are `["B", 197, 768]`. */
export function summaryJson(summaries: readonly ModelSummary[]): unknown {
  return {
    models: summaries.map((s) => ({
      name: s.name,
      input: s.inputJson,
      output: s.outputJson,
      params: s.params,
      macs: s.macs,
      macs_by_kind: s.macsByKind,
      layers: s.layers.map((l) => ({ path: l.path, op: l.op, output: l.outputJson, params: l.params, macs: l.macs })),
    })),
  };
}

function group(n: number): string {
  return n.toLocaleString("en-US");
}

/** A readable table: path, op, output shape, params and MACs per layer, then totals. */
export function renderSummaryTable(s: ModelSummary): string {
  const rows = s.layers.map((l) => [l.path || "(root)", l.op, l.output, l.params ? group(l.params) : "", l.macs ? group(l.macs) : ""]);
  const header = ["layer", "op", "output", "params", "MACs"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [
    `model ${s.name}: input ${s.input} → output ${s.output}`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    `params: ${group(s.params)}`,
    `MACs:   ${group(s.macs)} per image (linear ${group(s.macsByKind.linear)}, conv ${group(s.macsByKind.conv)}, attention matmuls ${group(s.macsByKind.attn_matmul)})`,
  ].join("\n");
}
