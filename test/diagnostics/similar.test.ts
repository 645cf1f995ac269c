// Similar-name suggestions: by spelling first, then by a whole word of a longer name; the
// search stays bounded on hostile input.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closestName, editDistance, findClosestName, maxCandidates, maxNameLength } from "../../src/diagnostics/similar";

const vit = ["img_size", "patch_size", "in_chans", "num_classes", "global_pool", "embed_dim", "depth", "num_heads", "mlp_ratio", "qkv_bias", "class_token"];

describe("closestName", () => {
  it.each([
    ["embed_dims", "embed_dim"], ["numheads", "num_heads"], ["heads_num", "num_heads"], ["dpeth", "depth"],
    ["heads", "num_heads"], ["patch", "patch_size"], ["ratio", "mlp_ratio"],
  ])("%s → %s", (name, expected) => {
    expect(closestName(name, vit)).toBe(expected);
  });

  it("suggests nothing for an unrelated name, a short word or a word that several names share", () => {
    expect(closestName("learning_rate", vit)).toBeUndefined();
    expect(closestName("in", vit)).toBeUndefined();
    expect(closestName("num", vit)).toBeUndefined(); // num_classes and num_heads
  });
});

/** The plain O(n·m) table, as the bounded one must agree with it. */
function fullDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

describe("editDistance with a limit", () => {
  it("equals the full table's distance, or limit + 1 past the limit", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "_", "A"), maxLength: 14 });
    fc.assert(fc.property(word, word, fc.integer({ min: 0, max: 16 }), (a, b, limit) => {
      expect(editDistance(a, b, limit)).toBe(Math.min(fullDistance(a, b), limit + 1));
      expect(editDistance(a, b)).toBe(fullDistance(a, b));
    }), { numRuns: 2000 });
  });
});

describe("closestName on hostile input stays bounded", () => {
  it("gives no suggestion for two 20 000-character names, after looking at them once", () => {
    const a = "a".repeat(20_000);
    const found = findClosestName(a, [`${a}b`, "b".repeat(20_000)]);
    expect(found.name).toBeUndefined();
    expect(found.work).toBeLessThan(10);
  });

  it("compares at most maxCandidates candidates of a length near the name's", () => {
    const candidates = Array.from({ length: 10_000 }, (_, i) => `layer_${String(i).padStart(5, "0")}_${"x".repeat(80)}`);
    const found = findClosestName(`layer_zzzzz_${"x".repeat(80)}`, candidates);
    expect(found.work).toBeLessThan(10_000 + maxCandidates * maxNameLength * (2 * 30 + 1));
    expect(found.name).toBe("layer_00000_" + "x".repeat(80));
  });

  it("still finds a typo in a long weight key among thousands", () => {
    const keys = Array.from({ length: 1_500 }, (_, i) => `layers.${i % 4}.blocks.${i}.attn.relative_position_bias_table`);
    expect(closestName("layers.2.blocks.1402.attn.relative_positon_bias_table", keys)).toBe("layers.2.blocks.1402.attn.relative_position_bias_table");
  });
});
