// preprocessImage reproduces timm's eval transform: the resize and crop sizes torchvision and timm
// compute, PIL's 8-bit resampler bit for bit, and torch's float32 ToTensor + Normalize; and
// dataConfigFor returns timm v0.9.16's default data config for each model.

import { describe, expect, it } from "vitest";
import type { RgbImage } from "../../src/images/decode";
import { type DataConfig, dataConfigFor, preprocessImage, resizeTarget } from "../../src/images/preprocess";
import { type Interpolation, interpolations, resizeImage, resizeWindow } from "../../src/images/resample";

/** An RGB image whose three channels are all `gray` (rows of values). */
function grayImage(rows: number[][]): RgbImage {
  return { width: rows[0].length, height: rows.length, data: new Uint8Array(rows.flat().flatMap((v) => [v, v, v])) };
}

/** The red channel of an image as rows, to compare with hand-computed values. */
function redRows(image: RgbImage): number[][] {
  return Array.from({ length: image.height }, (_, y) => Array.from({ length: image.width }, (_, x) => image.data[3 * (y * image.width + x)]));
}

const plain = { cropPct: 1, interpolation: "bilinear", mean: [0, 0, 0], std: [1, 1, 1] } as const;
const config = (inputSize: [number, number], rest: Partial<DataConfig> = {}): DataConfig => ({ ...plain, inputSize, ...rest });

describe("resize and crop sizes", () => {
  it("resizes the shorter side to floor(size / crop_pct), the longer to int(size * long / short)", () => {
    const vit = dataConfigFor("vit", "vit_base_patch16_224", [224, 224]); // crop_pct 0.9: 224 / 0.9 = 248.9
    expect(resizeTarget(640, 480, vit)).toEqual({ width: 330, height: 248, filter: "bicubic" }); // 248 * 640 / 480 = 330.7
    expect(resizeTarget(480, 640, vit)).toEqual({ width: 248, height: 330, filter: "bicubic" });
    const deit = { ...dataConfigFor("vit", "deit_tiny_patch16_224", [224, 224]), cropPct: 0.875 };
    expect(resizeTarget(500, 500, deit)).toEqual({ width: 256, height: 256, filter: "bicubic" }); // 224 / 0.875 = 256 exactly
  });

  it("sends a non-square input through timm's ResizeKeepRatio: smaller ratio, Python rounding, bilinear", () => {
    // scale_size (100, 50); ratios 200/100 = 2 and 300/50 = 6; the smaller, 2, divides both sides.
    expect(resizeTarget(300, 200, config([100, 50], { interpolation: "bicubic" }))).toEqual({ width: 150, height: 100, filter: "bilinear" });
    // 5 / 2 = 2.5 rounds to the even 2, as Python's round() does.
    expect(resizeTarget(5, 8, config([4, 1]))).toEqual({ width: 2, height: 4, filter: "bilinear" });
  });
});

describe("preprocessImage, exact small cases", () => {
  it("upsamples a 2x2 picture to 4x4 with PIL's bilinear weights (0.75, 0.25) and rounding", () => {
    // Worked by hand. Each axis maps output i to input centre (i + 0.5) / 2 - 0.5: outputs 0 and 3
    // copy an edge pixel (their window holds one input pixel), outputs 1 and 2 mix 3:1 and 1:3.
    // Horizontal pass: row [0, 100] → [0, 25, 75, 100]; row [200, 40] → [200, 160, 80, 40].
    // Vertical pass, e.g. column 1: 0.75 * 25 + 0.25 * 160 = 58.75 → 59; 0.25 * 25 + 0.75 * 160 = 126.25 → 126.
    const out = preprocessImage(grayImage([[0, 100], [200, 40]]), config([4, 4]));
    const expected = [[0, 25, 75, 100], [50, 59, 76, 85], [150, 126, 79, 55], [200, 160, 80, 40]];
    for (let c = 0; c < 3; c++) {
      expect(Array.from(out.subarray(16 * c, 16 * (c + 1)))).toEqual(expected.flat().map((v) => Math.fround(v / 255)));
    }
  });

  it("upsamples with PIL's nearest neighbour when the config says nearest", () => {
    // Source positions (i + 0.5) / 2 truncated: outputs 0, 1 read pixel 0 and 2, 3 read pixel 1.
    const out = preprocessImage(grayImage([[0, 100], [200, 40]]), config([4, 4], { interpolation: "nearest" }));
    const expected = [[0, 0, 100, 100], [0, 0, 100, 100], [200, 200, 40, 40], [200, 200, 40, 40]];
    expect(Array.from(out.subarray(0, 16))).toEqual(expected.flat().map((v) => Math.fround(v / 255)));
  });

  it("leaves the picture alone when it already has the input size, so values are (v/255 - mean) / std in float32", () => {
    const rows = [[0, 1, 2], [127, 128, 129], [253, 254, 255]];
    const mean = [0.485, 0.456, 0.406] as const;
    const std = [0.229, 0.224, 0.225] as const;
    const out = preprocessImage(grayImage(rows), config([3, 3], { interpolation: "bicubic", mean, std }));
    const f = Math.fround;
    for (let c = 0; c < 3; c++) {
      expect(Array.from(out.subarray(9 * c, 9 * (c + 1)))).toEqual(rows.flat().map((v) => f(f(f(v / 255) - f(mean[c])) / f(std[c]))));
    }
    expect(out[8]).toBeCloseTo((1 - 0.485) / 0.229, 5);
  });

  it("centres the crop with Python's round-half-to-even on odd differences", () => {
    // Width 4 = crop size, so no resize; rows hold their index. Differences 1, 3 and 5 give
    // offsets round(0.5) = 0, round(1.5) = 2 and round(2.5) = 2.
    for (const [height, top] of [[5, 0], [7, 2], [9, 2]]) {
      const rows = Array.from({ length: height }, (_, y) => [y, y, y, y]);
      const out = preprocessImage(grayImage(rows), config([4, 4], { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] }));
      expect(Math.round(out[0]), `height ${height}`).toBe(top);
    }
    const columns = grayImage([0, 1, 2, 3].map(() => [0, 1, 2, 3, 4, 5, 6]));
    const out = preprocessImage(columns, config([4, 4], { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] }));
    expect(Math.round(out[0])).toBe(2);
  });

  it("keeps the aspect ratio of a wide picture and crops its middle", () => {
    // 16x8 → shorter side 4, longer 8: exact halving, and the crop takes columns 2..5 of 8.
    const rows = Array.from({ length: 8 }, () => Array.from({ length: 16 }, (_, x) => (x < 4 || x >= 12 ? 250 : 10)));
    expect(resizeTarget(16, 8, config([4, 4]))).toEqual({ width: 8, height: 4, filter: "bilinear" });
    const out = preprocessImage(grayImage(rows), config([4, 4], { std: [1 / 255, 1 / 255, 1 / 255] }));
    // Resized columns 0..7 are 250, 250, 10, ..., 10, 250, 250 blended at the edges; the crop
    // keeps 2..5, whose outer two blend 10 with some 250 and inner two are pure 10.
    const row = Array.from(out.subarray(0, 4), Math.round);
    expect(row[1]).toBe(10);
    expect(row[2]).toBe(10);
    expect(row[0]).toBe(row[3]);
    expect(row[0]).toBeGreaterThan(10);
  });

  it("returns NCHW: the planes hold red, then green, then blue", () => {
    const image: RgbImage = { width: 1, height: 1, data: new Uint8Array([255, 0, 51]) };
    expect(Array.from(preprocessImage(image, config([1, 1])))).toEqual([1, 0, Math.fround(0.2)]);
  });
});

/** A high-contrast test picture; golden.py below builds the same one with numpy. */
function pattern(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[3 * (y * width + x) + c] = ((x * 37 + y * 91 + c * 53) ^ (x * y * 11)) & 255;
    }
  }
  return { width, height, data };
}

describe("resizeImage matches PIL", () => {
  // Expected bytes from Pillow 12.3.0 (its Resample.c is unchanged in arithmetic since 7.x):
  //   import numpy as np; from PIL import Image
  //   def pattern(w, h):
  //       y, x, c = np.mgrid[0:h, 0:w, 0:3]
  //       return (((x * 37 + y * 91 + c * 53) ^ (x * y * 11)) & 255).astype(np.uint8)
  //   Image.fromarray(pattern(w, h), 'RGB').resize((ow, oh), Image.BICUBIC).tobytes().hex()
  // The same comparison over 3000 random sizes (1..700 pixels, both filters) matched exactly.
  const cases: Array<[number, number, number, number, DataConfig["interpolation"], string]> = [
    [7, 5, 3, 4, "bicubic", "2c679488b1afb583639c977e95646038569e4b5b5b556d9f268aa185b4baa1a6a6968194"],
    [5, 4, 11, 9, "bilinear",
      "00356a073c71184d82285d92396ea34a7fb45b90c56ca1d67cb1e68dc2f794c9fe0f4479174b80285d90396d9c4a7d9b" +
      "5c8c9a6e9ba880abb68cabc997a9de9ca9e7386da24074a75488b66799b779a4868aae55a0ba5bb7c560b79d7cb2689d" +
      "b153aa6095bc699ac17ea8cf92b5c89fbc72abc21cc5ca1ddfd11fd48a41c12e6bb90a7c89be738fad7aa0838ca76491" +
      "8b6b607073308a774da47a6b925788762aa56b18b1b1e629b5bf32c15e48bb1259771a4e3423434e237d6923b75023cf" +
      "2a25df1c25e576ab437992498153587d266551436225615f5962858d62ab6954ba2f43c3183cc62d626c2e5b6e324c74" +
      "33497a287e7b1cb37c6db587beb6928e92973e679a1e559b11467b12477c15497f17568218948419d28775d488d1d689" +
      "9caa8a44748b215e8b"],
    [64, 48, 13, 10, "bicubic",
      "767d84748ea18d96727e7679837b858879729983547d82737a82858c78867475824d7ba18f80807d876f86947f797184" +
      "757e86847e86957d86957f7b848378877d858184817e9c737a6c7d7d73918a8371847d82818085787d7b7e7e7f8b887a" +
      "7c78857f77748b7885769a7586886b8d857f8b867976817d847d8d777975826f6a8676827c7d867e7d8e78777a86766d" +
      "8581798380748f8089787372767b937b8e8d976d76826a67757c84767f7e778b7c7d6c657c7a778889737f8476817286" +
      "6b57748376719597698f887c787e8784788d7982835d9a8f78857a7e81848c83828c667f8b497a7d787f85727b7c7f6f" +
      "7d94837c8d81877b829a726377828675707e787d877889787587918c807b827b8676778a7c867f827d837d827a9b6b7f" +
      "8a80808a7b87787e8175847d6a8380778c797a8284807d80808490808f7b767a82867d797d748e807f88896e869a7172" +
      "87897b7e797c89816c88896b7fa47b7d847a7c8889847870766f6b888f7075749a868582a58f748b73737b80847c8072" +
      "807b8280b87a"],
  ];
  it.each(cases)("%ix%i to %ix%i %s", (width, height, outWidth, outHeight, filter, hex) => {
    const out = resizeImage(pattern(width, height), outWidth, outHeight, filter);
    expect(Buffer.from(out.data).toString("hex")).toBe(hex);
  });

  it("agrees within one level with a plain floating-point resampler", () => {
    // An independent, unoptimised statement of the same filter: for each output pixel, weights
    // filter((input centre - output centre) / stretch) over the pixels within the stretched support,
    // divided by their sum, applied in floating point and rounded to 8 bits after each pass.
    // It checks the geometry (window, stretch, normalisation, pass order), not the last bit:
    // small upscale ratios often put a weighted sum exactly on .5 (weights 5/6 and 1/6, say), and
    // there PIL's 22-bit rounded weights fall just below or above the tie. About 1% of pixels
    // here differ by one level for that reason.
    const kernels = {
      bilinear: { support: 1, f: (t: number) => Math.max(0, 1 - Math.abs(t)) },
      bicubic: { support: 2, f: (t: number) => { const a = Math.abs(t); return a < 1 ? 1.5 * a ** 3 - 2.5 * a ** 2 + 1 : a < 2 ? -0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2 : 0; } },
    };
    const resample1d = (line: number[], outSize: number, filter: "bilinear" | "bicubic"): number[] => {
      const { support, f } = kernels[filter];
      const scale = line.length / outSize;
      const stretch = Math.max(1, scale);
      return Array.from({ length: outSize }, (_, i) => {
        const centre = (i + 0.5) * scale;
        let total = 0;
        let weights = 0;
        line.forEach((v, j) => {
          if (Math.abs(j + 0.5 - centre) >= support * stretch + 0.5) return; // outside the window
          const w = f((j + 0.5 - centre) / stretch);
          total += w * v;
          weights += w;
        });
        return Math.min(255, Math.max(0, Math.round(total / weights)));
      });
    };
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let differing = 0;
    let compared = 0;
    for (let trial = 0; trial < 40; trial++) {
      const [w, h, ow, oh] = [1 + Math.floor(random() * 40), 1 + Math.floor(random() * 40), 1 + Math.floor(random() * 50), 1 + Math.floor(random() * 50)];
      const filter = trial % 2 === 0 ? "bicubic" as const : "bilinear" as const;
      const gray = Array.from({ length: h }, () => Array.from({ length: w }, () => Math.floor(random() * 256)));
      const got = redRows(resizeImage(grayImage(gray), ow, oh, filter));
      const horizontal = w === ow ? gray : gray.map((row) => resample1d(row, ow, filter));
      const columns = Array.from({ length: ow }, (_, x) => horizontal.map((row) => row[x]));
      const vertical = h === oh ? columns : columns.map((column) => resample1d(column, oh, filter));
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          expect(Math.abs(got[y][x] - vertical[x][y]), `trial ${trial} at ${x},${y}`).toBeLessThanOrEqual(1);
          if (got[y][x] !== vertical[x][y]) differing++;
          compared++;
        }
      }
    }
    expect(differing / compared).toBeLessThan(0.03);
  });

  it("returns a copy when the size does not change, as PIL does", () => {
    const image = pattern(3, 2);
    const out = resizeImage(image, 3, 2, "bicubic");
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
  });
});

describe("nearest and tall pictures match PIL", () => {
  // Expected bytes from Pillow (9.4; its Geometry.c and Resample.c arithmetic is the same in
  // 12.3), with the same `pattern` as above. Pillow 12.2 and later resize a picture more than 100
  // times taller than wide vertically first when its height shrinks (Image.resize):
  //   def resize(im, size, f):
  //       if im.size[1] > im.size[0] * 100 and size[1] < im.size[1]:
  //           im = im.resize((im.size[0], size[1]), f, box=(0, 0) + im.size)
  //           return im.resize(size, f, box=(0, 0, im.size[0], size[1]))
  //       return im.resize(size, f)
  // The same comparison over 900 random cases (a third of them tall, a third wide; all three
  // filters; random crop windows of the result) matched exactly.
  const cases: Array<[number, number, number, number, Interpolation, string]> = [
    [7, 5, 3, 4, "nearest", "255a8f6fa4d9b9ee238bbee1ebde15237e49174a81e3d6896f5a91bdead75f94c1f98653"],
    [64, 48, 13, 10, "nearest",
      "2c19462374b97aafd45d16e300fdaacf8055964b00f2074c255e8ba8653277281d1ed3e8b982cf5d66ab9baef1a5f23fef3a41357e8b7b86d1bdf227" +
      "6532cf3fca81f58e5b8b46114d122717dae186cbf0dbe02d30055a7d2ae72aff84c78c796499cee83d721542bf52a7ecef9441bc7126613e0b9a4f04" +
      "6338cd2ce19695ea3ffe3368075c915085ba24d98eade237f62b601f5469487db271461b0f38e52bfeb5e7bc49bb76017f00d503ce95f7ac61d79c69" +
      "9b66319fd005d30e45074c714376b9b481ce93a47992470c4d16e3f835420f70a51ed3884a9fe4e5ae5b807d2a6728fdc61b5029625fe52e135b6e21" +
      "3d0ad7df0a417d26d31bd6a1057aafcd9a576fbac1eda6538b762185ca1f974a010e53981bd0ed182d620d3ae7f2276c772cd9ec2156b085dad5824f" +
      "5a8ff4cf847144b9eec18e5bf2c79c3378ad5489fe95da2fb64b00773ce1d80d428c41365d22f7ce03583f64a910c5fad1e6ab97a06d8bbee58fc411" +
      "ab7601a7e81dd32e657f34e9aff401ab66115728fdc30e555f04c923f6c9"],
    // Both differ from the horizontal-first order of Pillow before 12.2.
    [3, 400, 2, 5, "bicubic", "807c7d867c7b817d7d807f7c807d7e7d7b80807b7e827b7e827c7d857e7b"],
    [2, 250, 3, 4, "bilinear", "7f7e80807b7d807779817f7f837c7d84797a7f817e807c7c80777a7e8081817e7d837b79"],
  ];
  it.each(cases)("%ix%i to %ix%i %s", (width, height, outWidth, outHeight, filter, hex) => {
    expect(Buffer.from(resizeImage(pattern(width, height), outWidth, outHeight, filter).data).toString("hex")).toBe(hex);
  });
});

describe("resizeWindow computes exactly the crop of the full resize", () => {
  it.each(interpolations)("%s, over sizes, aspect ratios and windows", (filter) => {
    let seed = 17;
    const random = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    // Shrinking and enlarging, square, wide, tall and more than 100 times taller than wide.
    const shapes = [[40, 40, 13, 9], [9, 7, 31, 40], [120, 3, 37, 11], [2, 230, 5, 40], [3, 350, 2, 60], [50, 1, 20, 20], [1, 1, 7, 3], [16, 16, 16, 16], [30, 20, 30, 45]];
    for (const [width, height, outWidth, outHeight] of shapes) {
      const image = pattern(width, height);
      const full = resizeImage(image, outWidth, outHeight, filter);
      for (let trial = 0; trial < 12; trial++) {
        const w = 1 + random(outWidth);
        const h = 1 + random(outHeight);
        const window = { left: random(outWidth - w + 1), top: random(outHeight - h + 1), width: w, height: h };
        const expected = new Uint8Array(w * h * 3);
        for (let y = 0; y < h; y++) expected.set(full.data.subarray(3 * ((window.top + y) * outWidth + window.left), 3 * ((window.top + y) * outWidth + window.left + w)), 3 * y * w);
        expect(resizeWindow(image, outWidth, outHeight, filter, window).data, `${width}x${height} → ${outWidth}x${outHeight}, window ${JSON.stringify(window)}`).toEqual(expected);
      }
    }
  });

  it("preprocesses a 2x100 picture, which resizes to 248x12400, as the full resize then the crop would", () => {
    const image = pattern(2, 100);
    const config = dataConfigFor("vit", "vit_base_patch16_224", [224, 224]);
    const target = resizeTarget(2, 100, config);
    expect(target).toEqual({ width: 248, height: 12400, filter: "bicubic" });
    const full = resizeImage(image, target.width, target.height, target.filter);
    const out = preprocessImage(image, config);
    const [top, left] = [(12400 - 224) / 2, 12];
    const f = Math.fround;
    for (const [y, x] of [[0, 0], [100, 37], [223, 223]]) {
      const v = full.data[3 * ((top + y) * 248 + left + x)];
      expect(out[y * 224 + x]).toBe(f(f(f(v / 255) - f(0.5)) / f(0.5)));
    }
  });

  it("preprocesses a 1x20000 picture (4,960,000 rows once resized) in a fraction of a second", { timeout: 5000 }, () => {
    // Resizing it whole took 81 s and 3.7 GB.
    const out = preprocessImage(pattern(1, 20000), dataConfigFor("vit", "vit_base_patch16_224", [224, 224]));
    expect(out.length).toBe(3 * 224 * 224);
  });
});

describe("dataConfigFor", () => {
  it("gives augreg ViTs bicubic, crop_pct 0.9 and mean = std = 0.5", () => {
    const c = dataConfigFor("vit", "vit_base_patch16_224", [224, 224]);
    expect(c).toMatchObject({ inputSize: [224, 224], interpolation: "bicubic", cropPct: 0.9, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(c.source).toBe("timm default for vit_base_patch16_224.augreg2_in21k_ft_in1k: bicubic, crop_pct 0.9, mean 0.5, std 0.5");
  });

  it("gives DeiT (in the vit family or distilled) ImageNet mean and std with crop_pct 0.9", () => {
    for (const [family, name] of [["vit", "deit_small_patch16_224"], ["deit_distilled", "deit_base_distilled_patch16_224"]]) {
      const c = dataConfigFor(family, name, [224, 224]);
      expect(c).toMatchObject({ interpolation: "bicubic", cropPct: 0.9, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
      expect(c.source).toBe(`timm default for ${name}.fb_in1k: bicubic, crop_pct 0.9, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)`);
    }
  });

  it("uses crop_pct 1.0 for the 384 weights", () => {
    expect(dataConfigFor("swin", "swin_base_patch4_window12_384", [384, 384]).cropPct).toBe(1);
    expect(dataConfigFor("vit_hybrid", "vit_base_r50_s16_384", [384, 384]).source).toMatch(/^timm default for vit_base_r50_s16_384\.orig_in21k_ft_in1k: bicubic, crop_pct 1\.0, mean 0\.5/);
    expect(dataConfigFor("swin", "swin_tiny_patch4_window7_224", [224, 224]).source).toMatch(/swin_tiny_patch4_window7_224\.ms_in1k: bicubic, crop_pct 0\.9, mean \(0\.485/);
  });

  it("gives MobileViT no normalisation and the caller's input size", () => {
    const c = dataConfigFor("mobilevit", "mobilevit_s", [256, 256]);
    expect(c).toMatchObject({ inputSize: [256, 256], cropPct: 0.9, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(c.source).toBe("timm default for mobilevit_s.cvnets_in1k: bicubic, crop_pct 0.9, mean 0.0, std 1.0");
    expect(dataConfigFor("mobilevit", "mobilevit_s", [320, 288]).inputSize).toEqual([320, 288]);
  });

  it("falls back to the family default for names it does not know, and says so", () => {
    expect(dataConfigFor("vit", "my_vit", [32, 32]).source).toBe("`my_vit` is not a timm model vitc knows; `vit` family default (timm vision_transformer.py _cfg): bicubic, crop_pct 0.9, mean 0.5, std 0.5");
    expect(dataConfigFor("vit", "deit_custom", [32, 32]).mean).toEqual([0.485, 0.456, 0.406]);
    expect(dataConfigFor("swin", "small", [32, 32]).source).toMatch(/^`small` is not a timm model vitc knows; `swin` family default/);
    const unknown = dataConfigFor("convnext", "x", [32, 32]);
    expect(unknown).toMatchObject({ cropPct: 0.875, interpolation: "bicubic", mean: [0.485, 0.456, 0.406] });
    expect(unknown.source).toMatch(/^no timm config for family `convnext`/);
  });
});
