// Beyond the reference table: ~660 configurations of the five families drawn at random and by
// hand (non-square images, no class token, average pooling, hybrids with 0 to 4 stages, Swin
// windows clamped to small stages, MobileViT past output stride 32, ...), each built by timm
// 0.9.16 itself (scripts/timm-configs). vitc must give timm's parameter count, MAC count and
// output shape for every one timm builds, and an error for every one timm refuses.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { summarize } from "../../src/reports/summary";
import { compileText } from "../helpers/compile";

interface Built { family: string; spec: string; params: number; macs: number; output: number[] }
interface Refused { family: string; spec: string; timm_error: string }

const data = JSON.parse(fs.readFileSync(path.join(__dirname, "timm-configs.json"), "utf8")) as { built: Built[]; refused: Refused[] };
const modules = "use std.vit\nuse std.swin\nuse std.mobilevit\n";

describe("timm configurations", () => {
  it.each(data.built.map((c) => [c.spec, c] as const))("%s", (_spec, c) => {
    const compiled = compileText(`${modules}model m = ${c.spec}\n`);
    expect(compiled.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
    const s = summarize(compiled.models[0]);
    expect({ params: s.params, macs: s.macs, output: s.output }).toEqual({ params: BigInt(c.params), macs: BigInt(c.macs), output: `[B, ${c.output.join(", ")}]` });
  });

  it.each(data.refused.map((c) => [c.spec, c] as const))("refused by timm: %s", (_spec, c) => {
    const compiled = compileText(`${modules}model m = ${c.spec}\n`);
    expect(compiled.diagnostics.some((d) => d.severity === "error"), `timm: ${c.timm_error}`).toBe(true);
    expect(compiled.diagnostics.some((d) => d.code === "V9001")).toBe(false);
  });
});
