// Replaying repeated block calls (ViT's encoder blocks, Swin's pairs of blocks) is only a
// shortcut: every spec must compile to exactly the graph and diagnostics that expanding each
// call again gives, for the standard specs, the parity specs and every diagnostic test case.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Expander } from "../../src/elaborate/expand";
import { loadProgram } from "../../src/elaborate/program";
import type { Graph } from "../../src/ir/graph";
import { compileSource, type Compilation } from "../../src/pipeline";
import type { ModelDecl } from "../../src/syntax/ast";
import { diskHost, memoryHost } from "../../src/source/host";
import { repoRoot } from "../helpers/compile";

function specsIn(dir: string): string[] {
  return fs.readdirSync(path.join(repoRoot, dir)).filter((f) => f.endsWith(".vit")).sort().map((f) => path.join(dir, f));
}

const files = [...specsIn("specs"), ...specsIn("test/parity"), ...specsIn("test/diagnostics/cases")];

function compile(file: string, replay: boolean): Compilation {
  return compileSource(file, fs.readFileSync(path.join(repoRoot, file), "utf8"), diskHost(), { replay });
}

/** What a compilation gives its users: graphs (with shapes) and diagnostics. */
function outcome(c: Compilation) {
  return { models: c.models.map((m) => ({ name: m.name, checked: m.checked })), diagnostics: c.diagnostics };
}

describe("replayed block calls", () => {
  it.each(files)("%s compiles to the same graph and diagnostics", (file) => {
    expect(outcome(compile(file, true))).toEqual(outcome(compile(file, false)));
  });

  /** The model's graph and how many block calls were replayed. */
  function expand(text: string, replay = true): { graph: Graph; replayed: number } {
    const { program } = loadProgram("m.vit", text, memoryHost({ "m.vit": text }));
    const expander = new Expander(program, { replay });
    const graph = expander.expandModel(program.asts.get(program.entry.id)?.models[0] as ModelDecl);
    return { graph, replayed: expander.replayed };
  }

  it("replays where it can: ViT-B's 12 encoder blocks are expanded once", () => {
    const text = fs.readFileSync(path.join(repoRoot, "specs", "vit_base_patch16_224.vit"), "utf8");
    const { graph, replayed } = expand(text);
    expect(replayed).toBe(11);
    expect(graph).toEqual(expand(text, false).graph);
    expect(graph.nodes.map((n) => n.id)).toEqual(graph.nodes.map((_, i) => i));
  });

  it("expands again where the arguments, their origins or the call chain differ", () => {
    const text = [
      "block widen(out: int) {",
      "  fc: linear(out: out)",
      "}",
      "block net() {",
      "  input [B, 8]",
      "  same: repeat 3 as i { widen(out: 16) }",
      "  growing: repeat 3 as i { widen(out: 16 * (i + 1)) }",
      "  other: widen(out: 16)",
      "}",
      "model m = net()",
    ].join("\n");
    const { graph, replayed } = expand(text);
    expect(replayed).toBe(2); // same.1 and same.2 only
    expect(graph).toEqual(expand(text, false).graph);
    expect(graph.nodes.map((n) => [n.path, n.inputs, n.attrs.out ?? null])).toEqual([
      ["", [], null],
      ["same.0.fc", [0], 16], ["same.1.fc", [1], 16], ["same.2.fc", [2], 16],
      ["growing.0.fc", [3], 16], ["growing.1.fc", [4], 32], ["growing.2.fc", [5], 48],
      ["other.fc", [6], 16],
    ]);
  });
});
