// The one follow-on policy (elaborate/follow-ons.ts), through the pipeline: an unknown layer
// name is reported once by name resolution (in code no model expands too) with the models that
// reach it; names after a failed `use` and statements a syntax error broke stay quiet; the same
// error through two models is reported once.

import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/pipeline";
import { memoryHost } from "../../src/source/host";
import { compileText } from "../helpers/compile";

const lines = (text: string) => compileText(text).diagnostics.map((d) => `${d.code} ${d.message}${d.notes.map((n) => ` [${n.text}]`).join("")}`);

describe("suppressFollowOns", () => {
  it("reports an unknown layer once, with the models whose expansion reached it", () => {
    expect(lines(`block shared(d: int) {
  input [B, 3, 8, 8]
  nosuch(d: d)
}
block unused() { input [B, 3, 8, 8] if false { gone() } }
model a = shared(d: 4)
model b = shared(d: 8)
`)).toEqual([
      "V2002 unknown block or op `nosuch` [in models `a`, `b`]",
      "V2002 unknown block or op `gone`",
    ]);
  });

  it("keeps names quiet in a file whose `use` failed", () => {
    expect(lines('use "missing.vit"\nblock b() {\n  input [B, 3, 8, 8]\n  nosuch()\n}\nmodel a = b()\nmodel c = vit(img_size: 32)\n').map((l) => l.split(" ")[0])).toEqual(["V2008"]);
  });

  it("keeps quiet what a syntax error broke, and reports the rest of the block", () => {
    expect(lines("block b(d: int) {\n  input [B, 3, 8, 8]\n  conv: conv2d(out: d kernel: 1)\n  other_unknown()\n}\nmodel a = b(d: 4)\n").map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual(["V1001 expected", "V2002 unknown"]);
  });

  it("reports an error in a shared block once, naming the models", () => {
    const c = compileSource("m.vit", "use std.vit\nblock x(h: int) { input [B, 3, 32, 32] }\nmodel a = vit(img_size: 32, patch_size: 8, embed_dim: 70, num_heads: 4, depth: 1)\n", memoryHost({}));
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V3102"]);
  });
});
