// A model's output is the tensor its block leaves in `x`. A block that leaves a number, nothing
// or a list passed `check`, printed `output ?` in `summary` and crashed `run`; it is V2017 at the
// model line, pointing at the statement that set `x`. The case files hold the messages; this
// file checks the labels and that the commands stop at the error.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { compileText } from "../helpers/compile";

const intOutput = "block a() {\n  input [B, 3, 8, 8]\n  let x = 5\n}\nmodel m = a()\n";

describe("a model whose output is not a tensor", () => {
  it("is V2017 at the model's call, with the `let` that set `x` labelled", () => {
    const c = compileText(intOutput);
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2017"]);
    const [d] = c.diagnostics;
    expect(intOutput.slice(d.primary.span.start, d.primary.span.end)).toBe("a()");
    expect(d.labels.map((l) => [intOutput.slice(l.span.start, l.span.end), l.text])).toEqual([["let x = 5", "`x` last set here"]]);
  });

  it("labels the parameter when the block's `x` is a parameter never replaced", () => {
    const text = "block a(x: int = 2) {\n  let y = 1\n}\nmodel m = a()\n";
    const [d] = compileText(text).diagnostics;
    expect(d.message).toBe("the output of model `m` is int 2, not a tensor");
    expect(d.labels.map((l) => text.slice(l.span.start, l.span.end))).toEqual(["x: int = 2"]);
  });

  it("is one error when an earlier error left `x` unknown", () => {
    const c = compileText("block a() {\n  input [B, 3, 8, 8]\n  conv2d(out: 4, kernel: 1, nope: 3)\n}\nmodel m = a()\n");
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2003"]);
  });

  it("is one error when a failed `require` abandoned the block", () => {
    const c = compileText("block a(n: int = 3) {\n  input [B, 3, 8, 8]\n  require n == 2 else \"`n` is {n}\"\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = a()\n");
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2015"]);
  });

  it("is one error for a standard-library family with a wrong argument", () => {
    const c = compileText("use std.vit\nmodel m = vit(img_size: 32, patch_size: 8, embed_dim: 64, depth: 1, num_heads: 4, nope: 1)\n");
    expect(c.diagnostics.map((d) => d.code)).toEqual(["V2003"]);
  });

  it("leaves models whose output is a tensor alone", () => {
    const c = compileText("block a() {\n  input [B, 3, 8, 8]\n  let y = 5\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = a()\n");
    expect(c.diagnostics).toEqual([]);
  });
});

describe("the commands stop at V2017 instead of printing `output ?` or crashing", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-output-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "int-output.vit");
  fs.writeFileSync(file, intOutput);

  it.each([["check"], ["summary"], ["run"]])("vitc %s", async (command) => {
    let all = "";
    const code = await main([command, file, ...(command === "run" ? ["--backend", "cpu"] : [])], { out: (t) => { all += t; }, err: (t) => { all += t; }, color: false });
    expect(code).toBe(1);
    expect(all).toContain("error[V2017]: the output of model `m` is int 5, not a tensor");
    expect(all).not.toContain("internal error");
    expect(all).not.toContain("output ?");
  });
});
