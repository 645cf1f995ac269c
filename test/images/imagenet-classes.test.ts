// imagenetClassName: the 1000 ImageNet-1k names in timm's class-index order.

import { describe, expect, it } from "vitest";
import { imagenetClassName } from "../../src/images/imagenet-classes";

describe("imagenetClassName", () => {
  it.each([
    [0, "tench"],
    [1, "goldfish"],
    [2, "great white shark"],
    [207, "golden retriever"],
    [281, "tabby"],
    [409, "analog clock"],
    [999, "toilet tissue"],
  ])("class %i is %s", (index, name) => expect(imagenetClassName(index)).toBe(name));

  it("has exactly 1000 names, none empty", () => {
    const names = Array.from({ length: 1000 }, (_, i) => imagenetClassName(i));
    expect(names.every((n) => n.length > 0 && n.trim() === n)).toBe(true);
    expect(() => imagenetClassName(1000)).toThrow(RangeError);
    expect(() => imagenetClassName(-1)).toThrow(RangeError);
  });

  it("keeps the lemma file's repeated first lemmas", () => {
    expect([imagenetClassName(134), imagenetClassName(517)]).toEqual(["crane", "crane"]);
    expect([imagenetClassName(638), imagenetClassName(639)]).toEqual(["maillot", "maillot"]);
  });
});
