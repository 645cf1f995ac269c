// The JSON formats of `vitc summary --json` and `vitc check --format json` are fixed interfaces
// (DESIGN.md): outside tools read them, so their fields are pinned here.

import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/compile";
import { vitc } from "../helpers/vitc-process";

async function run(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return vitc(argv);
}

const spec = (name: string) => path.join(repoRoot, "specs", `${name}.vit`);

describe("vitc summary --json", () => {
  it("has the fixed fields, shapes with a symbolic batch, and timm's totals", async () => {
    const { code, out } = await run(["summary", spec("vit_tiny_patch16_224"), "--json"]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { models: Array<Record<string, unknown>> };
    expect(json.models).toHaveLength(1);
    const m = json.models[0] as { name: string; input: unknown; output: unknown; params: number; macs: number; layers: Array<Record<string, unknown>> };
    expect(m.name).toBe("vit_tiny_patch16_224");
    expect(m.input).toEqual(["B", 3, 224, 224]);
    expect(m.output).toEqual(["B", 1000]);
    expect(m.params).toBe(5717416);
    expect(m.macs).toBe(1253683200);
    expect(m.layers.find((l) => l.path === "blocks.11.attn.qkv")).toEqual({ path: "blocks.11.attn.qkv", op: "linear", output: ["B", 197, 576], params: 576 * 192 + 576, macs: 197 * 576 * 192 });
  });

  it("--model picks one model of a file", async () => {
    const { code, out } = await run(["summary", spec("vit_base_r50_s16_224"), "--json", "--model", "vit_base_r50_s16_224_in1k"]);
    expect(code).toBe(0);
    const json = JSON.parse(out) as { models: Array<{ name: string; params: number }> };
    expect(json.models.map((m) => [m.name, m.params])).toEqual([["vit_base_r50_s16_224_in1k", 98659112]]);
  });

  it("a model name that does not exist is an error", async () => {
    const { code, err } = await run(["summary", spec("vit_tiny_patch16_224"), "--model", "nope"]);
    expect(code).toBe(1);
    expect(err).toContain("no model `nope`");
    expect(err).toContain("it declares `vit_tiny_patch16_224`");
  });
});

describe("vitc check --format json", () => {
  it("reports LSP positions, notes and help", async () => {
    const file = path.join(repoRoot, "test", "cli", "inputs", "embed-dim.vit");
    const { code, out } = await run(["check", file, "--format", "json"]);
    expect(code).toBe(1);
    const diagnostics = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      file,
      severity: "error",
      code: "V3102",
      message: "`embed_dim` 770 is not divisible by `num_heads` 12",
      range: { start: { line: 2, character: 46 }, end: { line: 2, character: 49 } },
      help: ["values near 770 that 12 divides: 768, 780", "set `embed_dim` to 768"],
      suggestions: [{ message: "set `embed_dim` to 768", applicability: "machine-applicable", edits: [{ file, range: { start: { line: 2, character: 46 }, end: { line: 2, character: 49 } }, newText: "768" }] }],
    });
    expect(diagnostics[0].notes).toEqual([
      "each head would get 770 / 12 = 64.17 channels",
      expect.stringMatching(/^in expansion of `vit` → `vit_trunk` → `encoder_block` → `mh_attention` \(std\/layers\.vit:\d+:\d+\)$/),
    ]);
  });

  it("a clean file gives an empty array and exit 0", async () => {
    const { code, out } = await run(["check", spec("vit_tiny_patch16_224"), "--format", "json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([]);
  });
});
