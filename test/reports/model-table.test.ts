// The truth for parameter and MAC counts: test/fixtures/model-table.json, built from timm.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { summarize } from "../../src/reports/summary";
import { compileFile, modelTablePath, repoRoot } from "../helpers/compile";

interface TableModel {
  name: string;
  class: string;
  create_kwargs: { num_classes?: number };
  params: number;
  input_size: number[];
  forward_shape: number[];
  macs: { linear: number; conv: number; attn_matmul: number; total: number };
}

const table = JSON.parse(fs.readFileSync(modelTablePath, "utf8")) as { models: TableModel[] };
const cases = table.models;

describe("model table", () => {
  it.each(cases.map((m) => [`${m.name}${m.create_kwargs.num_classes !== undefined ? ` (num_classes ${m.create_kwargs.num_classes})` : ""}`, m] as const))(
    "%s matches timm's params and MACs",
    (_label, m) => {
      const compiled = compileFile(path.join(repoRoot, "specs", `${m.name}.vit`));
      expect(compiled.diagnostics).toEqual([]);
      // A file may hold the default model and variants; create_kwargs pick the variant.
      const model = m.create_kwargs.num_classes !== undefined && compiled.models.length > 1 ? compiled.models[1] : compiled.models[0];
      const s = summarize(model);
      // Counts are exact bigints; the table's numbers are all below 2^53.
      expect(s.params).toBe(BigInt(m.params));
      expect(s.macsByKind).toEqual({ linear: BigInt(m.macs.linear), conv: BigInt(m.macs.conv), attn_matmul: BigInt(m.macs.attn_matmul) });
      expect(s.macs).toBe(BigInt(m.macs.total));
      expect(s.input).toBe(`[B, ${m.input_size.join(", ")}]`);
      expect(s.output).toBe(`[B, ${m.forward_shape.slice(1).join(", ")}]`);
    },
  );
});
