// Similar-name suggestions: by spelling first, then by a whole word of a longer name.

import { describe, expect, it } from "vitest";
import { closestName } from "../../src/diagnostics/similar";

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
