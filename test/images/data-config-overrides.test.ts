// resolveDataConfig puts the user's `--crop-pct`, `--mean`, `--std` and `--interpolation` on top
// of timm's default data config, refusing bad values as problems that name the flag and quote
// the text; describeDataConfig says which values were used and where each comes from.

import { describe, expect, it } from "vitest";
import { type PreprocessOverrides, dataConfigFor, describeDataConfig, resolveDataConfig } from "../../src/images/preprocess";

const vitBase = dataConfigFor("vit", "vit_base_patch16_224", [224, 224]);
const origin = "timm default for vit_base_patch16_224.augreg2_in21k_ft_in1k";

function resolved(overrides: PreprocessOverrides) {
  const result = resolveDataConfig(vitBase, overrides);
  if (!result.ok) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.config;
}

describe("resolveDataConfig", () => {
  it("keeps timm's defaults without overrides, each value sourced to the default", () => {
    const config = resolved({});
    expect(config).toMatchObject({ inputSize: [224, 224], interpolation: "bicubic", cropPct: 0.9, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(config.sources.cropPct).toEqual({ kind: "default", origin });
    expect(describeDataConfig(config)).toEqual([`bicubic, crop_pct 0.9, mean 0.5, std 0.5 (${origin})`]);
  });

  const accepted: Array<[string, PreprocessOverrides, object, string[]]> = [
    ["a crop_pct", { cropPct: "0.875" }, { cropPct: 0.875 }, [`bicubic, mean 0.5, std 0.5 (${origin})`, "crop_pct 0.875 (--crop-pct)"]],
    ["crop_pct 1", { cropPct: "1" }, { cropPct: 1 }, [`bicubic, mean 0.5, std 0.5 (${origin})`, "crop_pct 1.0 (--crop-pct)"]],
    ["one mean for all channels, as timm's --mean", { mean: "0.4" }, { mean: [0.4, 0.4, 0.4] }, [`bicubic, crop_pct 0.9, std 0.5 (${origin})`, "mean 0.4 (--mean)"]],
    ["three means as separate values", { mean: ["0.485", "0.456", "0.406"] }, { mean: [0.485, 0.456, 0.406] }, [`bicubic, crop_pct 0.9, std 0.5 (${origin})`, "mean (0.485, 0.456, 0.406) (--mean)"]],
    ["three stds in one string with commas", { std: "0.229,0.224,0.225" }, { std: [0.229, 0.224, 0.225] }, [`bicubic, crop_pct 0.9, mean 0.5 (${origin})`, "std (0.229, 0.224, 0.225) (--std)"]],
    ["stds as vitc prints them", { std: "(0.229, 0.224, 0.225)" }, { std: [0.229, 0.224, 0.225] }, [`bicubic, crop_pct 0.9, mean 0.5 (${origin})`, "std (0.229, 0.224, 0.225) (--std)"]],
    ["numbers already parsed", { cropPct: 0.95, mean: [0, 0.5, 1] }, { cropPct: 0.95, mean: [0, 0.5, 1] }, [`bicubic, std 0.5 (${origin})`, "crop_pct 0.95 (--crop-pct), mean (0.0, 0.5, 1.0) (--mean)"]],
    ["nearest", { interpolation: "nearest" }, { interpolation: "nearest" }, [`crop_pct 0.9, mean 0.5, std 0.5 (${origin})`, "nearest (--interpolation)"]],
    ["every value", { interpolation: "bilinear", cropPct: "1.0", mean: "0", std: "1" }, { interpolation: "bilinear", cropPct: 1, mean: [0, 0, 0], std: [1, 1, 1] },
      ["bilinear (--interpolation), crop_pct 1.0 (--crop-pct), mean 0.0 (--mean), std 1.0 (--std)"]],
  ];
  it.each(accepted)("accepts %s", (_, overrides, values, lines) => {
    const config = resolved(overrides);
    expect(config).toMatchObject(values);
    expect(describeDataConfig(config)).toEqual(lines);
  });

  const refused: Array<[string, PreprocessOverrides, Array<{ flag: string; message: string; help?: RegExp }>]> = [
    ["crop_pct above 1", { cropPct: "1.5" }, [{ flag: "--crop-pct", message: "`--crop-pct` 1.5 is outside (0, 1]", help: /0\.875 is timm's default/ }]],
    ["crop_pct 0", { cropPct: "0" }, [{ flag: "--crop-pct", message: "`--crop-pct` 0 is outside (0, 1]" }]],
    ["a negative crop_pct", { cropPct: -0.5 }, [{ flag: "--crop-pct", message: "`--crop-pct` -0.5 is outside (0, 1]" }]],
    ["a crop_pct that is not a number", { cropPct: "90%" }, [{ flag: "--crop-pct", message: "`--crop-pct` `90%` is not a number" }]],
    ["an infinite crop_pct", { cropPct: Infinity }, [{ flag: "--crop-pct", message: "`--crop-pct` Infinity is not a finite number" }]],
    ["NaN as text", { mean: "nan" }, [{ flag: "--mean", message: "`--mean` `nan` is not a number" }]],
    ["two means", { mean: "0.5,0.4" }, [{ flag: "--mean", message: "`--mean` takes 1 or 3 numbers, one for all channels or one per channel, not 2: 0.5, 0.4" }]],
    ["an empty mean", { mean: "" }, [{ flag: "--mean", message: "`--mean` takes 1 or 3 numbers, one for all channels or one per channel, not 0" }]],
    ["a zero std", { std: ["0.2", "0", "0.2"] }, [{ flag: "--std", message: "`--std` 0 is not positive", help: /divided by its std/ }]],
    ["a negative std", { std: "-1" }, [{ flag: "--std", message: "`--std` -1 is not positive" }]],
    ["lanczos, which timm has and vitc does not", { interpolation: "lanczos" }, [{ flag: "--interpolation", message: "`--interpolation` `lanczos` is not one vitc reproduces: bicubic, bilinear, nearest", help: /does not implement Pillow's lanczos filter/ }]],
    ["a capitalised name", { interpolation: "Bicubic" }, [{ flag: "--interpolation", message: "`--interpolation` `Bicubic` is not one vitc reproduces: bicubic, bilinear, nearest", help: /lower case.*`bicubic`/ }]],
    ["several bad values at once, each reported", { cropPct: "2", std: "0", interpolation: "box" }, [
      { flag: "--crop-pct", message: "`--crop-pct` 2 is outside (0, 1]" },
      { flag: "--std", message: "`--std` 0 is not positive" },
      { flag: "--interpolation", message: "`--interpolation` `box` is not one vitc reproduces: bicubic, bilinear, nearest" },
    ]],
  ];
  it.each(refused)("refuses %s", (_, overrides, problems) => {
    const result = resolveDataConfig(vitBase, overrides);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map(({ flag, message }) => ({ flag, message }))).toEqual(problems.map(({ flag, message }) => ({ flag, message })));
    problems.forEach((p, i) => { if (p.help) expect(result.problems[i].help).toMatch(p.help); });
  });
});

describe("describeDataConfig", () => {
  it("says that a non-square input is resized bilinearly whatever the interpolation", () => {
    const config = resolved({});
    const wide = resolveDataConfig(dataConfigFor("vit", "my_vit", [224, 320]), {});
    expect(wide.ok && describeDataConfig(wide.config)).toEqual([
      "bicubic, crop_pct 0.9, mean 0.5, std 0.5 (`my_vit` is not a timm model vitc knows; `vit` family default (timm vision_transformer.py _cfg))",
      "resized bilinearly, not bicubic: timm's ResizeKeepRatio, used for the non-square input 224x320, ignores the interpolation",
    ]);
    expect(describeDataConfig(config)).toHaveLength(1);
  });

  it("names the model's own default for DeiT and the 384 models", () => {
    const deit = resolveDataConfig(dataConfigFor("vit", "deit_base_patch16_384", [384, 384]), { cropPct: "0.875" });
    expect(deit.ok && describeDataConfig(deit.config)).toEqual([
      "bicubic, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) (timm default for deit_base_patch16_384.fb_in1k)",
      "crop_pct 0.875 (--crop-pct)",
    ]);
  });
});
