// Evaluation work is bounded as a whole (src/elaborate/limits.ts): each hostile spec below
// took seconds to minutes, or crashed, before the budget; each now ends with one clear error
// where the work was spent. The tests assert the errors, not times; the commit that added the
// budget has the times.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { nearDivisors } from "../../src/elaborate/builtins";
import { limits } from "../../src/elaborate/limits";
import type { Compilation } from "../../src/pipeline";
import { compileFile, compileText, repoRoot } from "../helpers/compile";

const workMessage = `the spec takes too much work to evaluate: more than ${limits.maxWork} steps`;

/** A block `a` with `statements` after its input, and a model of it. */
const inBlock = (statements: string) => `block a() {\n  input [B, 3, 8, 8]\n${statements}\n  conv2d(out: 4, kernel: 1)\n}\nmodel m = a()\n`;

/** `long`: a 100 000-character name, made without a 100 000-character line. */
const longLabel = `  let s = join([${Array(100).fill('"abcdefghij"').join(", ")}], "")\n  let long = join([${Array(100).fill("s").join(", ")}], "")`;

/** Each diagnostic as `CODE message @ the text it points at`. */
function described(c: Compilation, text: string): string[] {
  return c.diagnostics.map((d) => `${d.code} ${d.message} @ ${text.slice(d.primary.span.start, d.primary.span.end)}`);
}

describe("a hostile spec runs out of work and says where", () => {
  const cases: Array<[string, string, string[]]> = [
    ["lists made in a loop", inBlock("  repeat 10000 as i { let l = range(10000) }"), [`V2012 ${workMessage} @ range(10000)`]],
    ["strings joined in a loop", inBlock("  repeat 10000 as i { let s = join(range(10000)) }"), [`V2012 ${workMessage} @ range(10000)`]],
    ["lists compared in a loop", inBlock("  let l = range(10000)\n  repeat 10000 as i { let e = l == l }"), [`V2012 ${workMessage} @ l == l`]],
    ["lists copied in a loop", inBlock("  let l = range(5000)\n  repeat 10000 as i { let m = l + l }"), [`V2012 ${workMessage} @ l + l`]],
    ["empty loops inside loops", inBlock("  repeat 10000 as i { repeat 10000 as j { } }"), [`V2012 ${workMessage} @ repeat 10000 as j { }`]],
    [
      "a list that holds a list ten times, four levels deep, compared with itself",
      inBlock("  let a = range(10000)\n  let b = [a, a, a, a, a, a, a, a, a, a]\n  let c = [b, b, b, b, b, b, b, b, b, b]\n  let d = [c, c, c, c, c, c, c, c, c, c]\n  let e = [d, d, d, d, d, d, d, d, d, d]\n  let t = e == e"),
      [`V2012 ${workMessage} @ e == e`],
    ],
    [
      "block calls in loops",
      "block check(n: int = 1) {\n  require n > 0 else \"`n` is {n}\"\n}\nblock a() {\n  repeat 10000 as i { repeat 10000 as j { check() } }\n  input [B, 3, 8, 8]\n}\nmodel m = a()\n",
      ['V2012 the model takes more than 2000000 steps to expand @ require n > 0 else "`n` is {n}"'],
    ],
    [
      "a 100 000-character label on 10 000 layers: the error, then the budget",
      inBlock(`${longLabel}\n  repeat 10000 as i { (long): relu() }`),
      ["V2015 the weight path here would be 100000 characters long; paths hold at most 1000 @ (long)", `V2012 ${workMessage} @ (long)`],
    ],
  ];

  it.each(cases)("%s", (_what, text, expected) => {
    expect(described(compileText(text), text)).toEqual(expected);
  });

  it("an unknown 20 000-character name in a loop: the error, then the budget", () => {
    const name = `nope_${"q".repeat(20_000)}`;
    const text = `block a(n: int = 1) {\n  repeat 10000 as i { if n == 1 { let y = ${name} } }\n  input [B, 3, 8, 8]\n}\nmodel m = a()\n`;
    expect(compileText(text).diagnostics.map((d) => d.code)).toEqual(["V2001", "V2012"]);
  });

  it("the budget is one per compilation: many models share it, and the rest are skipped", () => {
    const block = "block a() {\n  input [B, 3, 8, 8]\n  repeat 100 as i { let l = range(10000) }\n  conv2d(out: 4, kernel: 1)\n}\n";
    const models = Array.from({ length: 30 }, (_, i) => `model m${i} = a()\n`).join("");
    const c = compileText(block + models);
    expect(c.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([`V2012 ${workMessage}`]);
    expect(c.models.length).toBeLessThan(30);
  });
});

describe("values are refused where they are made, before the work", () => {
  it("a string past the limit, from a long separator between many items", () => {
    const text = inBlock("  let s = join(range(10000), join(range(10000)))");
    expect(described(compileText(text), text)).toEqual([
      "V2011 the result of `join(…)` would be 588860002 characters long; strings hold at most 100000 @ join(range(10000), join(range(10000)))",
    ]);
  });

  it("a list literal past the item limit", () => {
    const text = inBlock(`  let l = [${Array(10_001).fill("1").join(", ")}]`);
    expect(compileText(text).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["V2011 the list would have 10001 items; lists hold at most 10000"]);
  });

  it("a weight path past the length limit, where the label makes it too long", () => {
    const text = inBlock(`  let s = join([${Array(60).fill('"abcdefghij"').join(", ")}], "")\n  (s): repeat 2 as i {\n    (s): relu()\n  }`);
    expect(described(compileText(text), text)).toEqual(["V2015 the weight path here would be 1203 characters long; paths hold at most 1000 @ (s)"]);
  });

  it("lists nested past the depth limit", () => {
    const text = inBlock("  let l = [0]\n  repeat 100 as i { let l = [l] }");
    expect(described(compileText(text), text)).toEqual([
      `V2011 the list would nest ${limits.maxListDepth + 1} lists deep; lists nest at most ${limits.maxListDepth} deep @ [l]`,
    ]);
  });

  it("a huge value in a message is cut short", () => {
    const text = inBlock("  let l = range(10000)\n  conv2d(out: 4, kernel: 1, stride: [l, l])");
    const [d] = compileText(text).diagnostics;
    expect(d.code).toBe("V2005");
    expect(d.message.length).toBeLessThan(300);
    expect(d.message).toMatch(/got \[\[int\]\] \[\[0, 1, 2, .*…$/);
  });
});

describe("near_divisors", () => {
  it("finds the divisors nearest a value, as trying every number up to n does", () => {
    expect(nearDivisors(999983, 1)).toEqual([999983]); // a prime; 1 is the value itself
    expect(nearDivisors(768, 100)).toEqual([64, 96, 128]);
    expect(nearDivisors(36, 6)).toEqual([3, 4, 9]);
    expect(nearDivisors(1_000_000, 1000)).toEqual([625, 800, 1250]);
    const everyNumber = (n: number, x: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0 && d !== x)
      .sort((a, b) => Math.abs(a - x) - Math.abs(b - x) || a - b).slice(0, 3).sort((a, b) => a - b);
    for (let n = 1; n <= 400; n++) for (const x of [1, 2, 7, 16, n, n + 3]) expect(nearDivisors(n, x), `${n}, ${x}`).toEqual(everyNumber(n, x));
  });

  it("in a loop of 10 000 is accepted", () => {
    expect(compileText(inBlock("  repeat 10000 as i { let d = near_divisors(999983, 1) }")).diagnostics).toEqual([]);
  });
});

describe("real specs are far below the budget", () => {
  const dirs = ["specs", "test/diagnostics/cases", "test/parity"];
  // Except the one case written to run out of work.
  const files = dirs.flatMap((d) => fs.readdirSync(path.join(repoRoot, d)).filter((f) => f.endsWith(".vit") && f !== "V2012-too-much-work.vit").map((f) => path.join(repoRoot, d, f)));

  it.each(files.map((f) => [path.relative(repoRoot, f), f]))("%s", (name, file) => {
    const c = compileFile(file);
    // The standard specs take under 10 000 units; the largest case (200 000 layers) 1.4 million.
    expect(c.work).toBeLessThan(name.startsWith("specs") ? limits.maxWork / 1000 : limits.maxWork / 5);
  });
});
