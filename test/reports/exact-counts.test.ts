// MACs and parameter counts are exact past 2^53, where a double rounds them: per node, in
// totals, in the summary table and in the summary JSON's digits. Expected counts are worked
// out here with BigInt from the models' formulas.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { vitc } from "../helpers/vitc-process";
import { renderSummaryTable, summarize, summaryJson, summaryJsonText } from "../../src/reports/summary";
import { compileFile, compileText, repoRoot } from "../helpers/compile";

/** `n` grouped as the table prints it: 18,439,944,275,935,232. */
const grouped = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function summaryOf(text: string) {
  const c = compileText(text);
  expect(c.diagnostics).toEqual([]);
  return summarize(c.models[0]);
}

describe("a ViT whose MACs pass 2^53", () => {
  // 16384 / 16 = 1024 patches a side: N = 1024² + 1 tokens of D = 4096.
  const text = "use std.vit\nmodel big = vit(img_size: 16384, patch_size: 16, embed_dim: 4096, depth: 2, num_heads: 32, num_classes: 1000)\n";
  const [N, D, P, depth, classes] = [1024n * 1024n + 1n, 4096n, 16n, 2n, 1000n];
  const conv = (N - 1n) * D * 3n * P * P;
  const attention = depth * 2n * N * N * D;
  const linear = depth * (N * D * 3n * D + N * D * D + 2n * N * D * 4n * D) + D * classes;
  const macs = conv + attention + linear;
  const params = D * 3n * P * P + D + D + N * D
    + depth * (2n * D + 3n * D * D + 3n * D + D * D + D + 2n * D + 4n * D * D + 4n * D + 4n * D * D + D)
    + 2n * D + classes * D + classes;

  it("counts them exactly", () => {
    expect(macs > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const s = summaryOf(text);
    expect(s.macs).toBe(macs);
    expect(s.macsByKind).toEqual({ linear, conv, attn_matmul: attention });
    expect(s.params).toBe(params);
    expect(s.layers.reduce((sum, l) => sum + l.macs, 0n)).toBe(macs);
  });

  it("prints them exactly in the table", () => {
    const table = renderSummaryTable(summaryOf(text));
    expect(table).toContain(`MACs:   ${grouped(macs)} per image (linear ${grouped(linear)}, conv ${grouped(conv)}, attention matmuls ${grouped(attention)})`);
    expect(grouped(macs)).toBe("18,439,944,275,935,232");
  });

  it("writes their exact digits in the JSON", () => {
    const json = summaryJsonText([summaryOf(text)]);
    expect(json).toContain(`"macs": ${macs},`);
    expect(json).toContain(`"attn_matmul": ${attention}`);
    expect(json).toContain(`"params": ${params},`);
    // Still one JSON value that parses (to rounded numbers, as JSON.parse reads any number).
    expect(JSON.parse(json).models[0].name).toBe("big");
  });
});

describe("`vitc summary --json` of that ViT", () => {
  it("writes the exact digits, through the real bin/vitc.js", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-exact-"));
    const file = path.join(dir, "big.vit");
    fs.writeFileSync(file, "use std.vit\nmodel big = vit(img_size: 16384, patch_size: 16, embed_dim: 4096, depth: 2, num_heads: 32, num_classes: 1000)\n");
    try {
      const r = vitc(["summary", file, "--json"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain('"macs": 18439944275935232,');
      const table = vitc(["summary", file]);
      expect(table.out).toContain("18,439,944,275,935,232 per image");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a layer whose parameters pass 2^53", () => {
  const text = "block b() {\n  input [B, 100000007]\n  fc: linear(out: 100000009)\n}\nmodel m = b()\n";
  const weights = 100000009n * 100000007n;

  it("counts them exactly, per layer and in total, with its MACs", () => {
    const s = summaryOf(text);
    const fc = s.layers.find((l) => l.path === "fc")!;
    expect(fc.params).toBe(weights + 100000009n);
    expect(fc.macs).toBe(weights);
    expect(s.params).toBe(weights + 100000009n);
    expect(summaryJsonText([s])).toContain(`"params": ${weights + 100000009n},`);
    expect(renderSummaryTable(s)).toContain(`params: ${grouped(weights + 100000009n)}`);
  });
});

describe("the JSON of every normal model is unchanged", () => {
  const specs = fs.readdirSync(path.join(repoRoot, "specs")).filter((f) => f.endsWith(".vit"));
  it.each(specs)("%s: the same text as JSON.stringify, with numbers", (file) => {
    const summaries = compileFile(path.join(repoRoot, "specs", file)).models.map(summarize);
    const plain = summaryJson(summaries) as { models: Array<{ params: unknown; macs: unknown }> };
    expect(typeof plain.models[0].params).toBe("number");
    expect(typeof plain.models[0].macs).toBe("number");
    expect(summaryJsonText(summaries)).toBe(JSON.stringify(plain, null, 2));
  });
});
