// Pillow's `Image.resize` on an 8-bit RGB picture (Pillow 12.3: src/libImaging/Resample.c for
// bilinear and bicubic, Geometry.c's ImagingScaleAffine for nearest), computing only a window of
// the result: what timm's CenterCrop keeps.
// Invariants: every output pixel depends only on its own position, the input and the two sizes,
// never on the window, so a window is bit for bit the same pixels as the full resize followed by
// the crop; the work and memory are those of the window (plus the input rows or columns its
// kernels read), so a picture that resizes to millions of rows costs what its crop costs.
// Bilinear and bicubic reproduce Pillow's integer arithmetic: 22-bit fixed-point weights, a
// horizontal then a vertical pass, each rounded and clipped to 8 bits. The one known source of
// difference is a Pillow build that fuses multiply-adds when computing the weights (some ARM
// builds): a weight can then differ in its last bit, and rarely a pixel by one level.

import type { RgbImage } from "./rgb-image";

/** The resampling filters timm's eval transform can use that vitc reproduces exactly. */
export const interpolations = ["bicubic", "bilinear", "nearest"] as const;
export type Interpolation = (typeof interpolations)[number];

/** A rectangle of the resized picture, in its pixels. */
export interface CropWindow {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/**
 * `Image.resize((width, height), filter).crop(window)` in PIL, computing only the window.
 * The window must lie inside width x height.
 */
export function resizeWindow(image: RgbImage, width: number, height: number, filter: Interpolation, window: CropWindow): RgbImage {
  const { left, top } = window;
  if (left < 0 || top < 0 || window.width < 1 || window.height < 1 || left + window.width > width || top + window.height > height) {
    throw new Error(`crop window ${window.width}x${window.height} at (${left}, ${top}) is outside the ${width}x${height} picture`);
  }
  if (filter === "nearest") return nearestWindow(image, width, height, window);
  const xs = axisWeights(image.width, width, kernels[filter], left, window.width);
  const ys = axisWeights(image.height, height, kernels[filter], top, window.height);
  // Pillow 12.2 and later resize a picture more than 100 times taller than wide vertically
  // first when its height shrinks (Image.resize); otherwise horizontally first. Each pass rounds
  // to 8 bits, so the order can change a pixel by a level.
  if (image.height > image.width * 100 && height < image.height) {
    const [first, end] = span(xs);
    return horizontalPass(verticalPass(image, ys, 0, first, end), xs, first);
  }
  const [first, end] = span(ys);
  return verticalPass(horizontalPass(image, xs, 0, first, end), ys, first);
}

/** `Image.resize((width, height), filter)` in PIL: the whole picture. */
export function resizeImage(image: RgbImage, width: number, height: number, filter: Interpolation): RgbImage {
  return resizeWindow(image, width, height, filter, { left: 0, top: 0, width, height });
}

interface Kernel {
  /** Half-width of the kernel at scale 1, in input pixels. */
  readonly support: number;
  readonly weight: (x: number) => number;
}

const kernels: Record<Exclude<Interpolation, "nearest">, Kernel> = {
  bilinear: { support: 1, weight: (x) => { const t = Math.abs(x); return t < 1 ? 1 - t : 0; } },
  // Keys' cubic convolution with a = -0.5, written term for term as Pillow does so that the
  // doubles round identically.
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/** Pillow keeps 8-bit resampling weights as integers with this many fractional bits. */
const precisionBits = 32 - 8 - 2;

/** For each output pixel of a window along one axis: the first input pixel it reads, how many, and their weights. */
interface AxisWeights {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** count[i] integer weights for output i, at offset i * stride. */
  readonly weights: Int32Array;
  readonly stride: number;
}

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc for outputs start .. start + length - 1:
 * when shrinking, the kernel is stretched by the scale factor (the antialiasing), the weights of
 * each output pixel are divided by their sum, then rounded half away from zero to fixed point.
 * An axis whose size does not change gets weight 1 on its own pixel, an exact copy, as Pillow
 * skips that pass.
 */
function axisWeights(inSize: number, outSize: number, kernel: Kernel, start: number, length: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = inSize === outSize ? 0 : kernel.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(length);
  const count = new Int32Array(length);
  const weights = new Int32Array(length * stride);
  const exact = new Float64Array(stride);
  const inverseFilterScale = 1 / filterScale;
  for (let k = 0; k < length; k++) {
    const i = start + k;
    if (inSize === outSize) {
      first[k] = i;
      count[k] = 1;
      weights[k * stride] = 1 << precisionBits;
      continue;
    }
    const center = (i + 0.5) * scale;
    // C's (int) truncates toward zero; the clamps then keep the window inside the image.
    const from = Math.max(0, Math.trunc(center - support + 0.5));
    const to = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let j = 0; j < to - from; j++) {
      exact[j] = kernel.weight((j + from - center + 0.5) * inverseFilterScale);
      sum += exact[j];
    }
    for (let j = 0; j < to - from; j++) {
      const w = sum !== 0 ? exact[j] / sum : exact[j];
      weights[k * stride + j] = w < 0 ? Math.trunc(-0.5 + w * (1 << precisionBits)) : Math.trunc(0.5 + w * (1 << precisionBits));
    }
    first[k] = from;
    count[k] = to - from;
  }
  return { first, count, weights, stride };
}

/** The input pixels [first, end) that the weights read. */
function span(w: AxisWeights): [number, number] {
  let first = Infinity;
  let end = 0;
  for (let k = 0; k < w.first.length; k++) {
    first = Math.min(first, w.first[k]);
    end = Math.max(end, w.first[k] + w.count[k]);
  }
  return [first, end];
}

/**
 * Weighted sum in Pillow's fixed point: start from one half for rounding, then shift back and
 * clip to 0..255 (Pillow's clip8 table; `>>` floors like C's arithmetic shift). The sums stay far
 * inside int32, as in Pillow.
 */
function clip8(sum: number): number {
  const v = sum >> precisionBits;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resamples rows [rowFirst, rowEnd) of `src` along x; `xs.first` counts from column `xShift`. */
function horizontalPass(src: RgbImage, xs: AxisWeights, xShift: number, rowFirst = 0, rowEnd = src.height): RgbImage {
  const width = xs.first.length;
  const height = rowEnd - rowFirst;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = (rowFirst + y) * src.width * 3;
    for (let x = 0; x < width; x++) {
      let r = 1 << (precisionBits - 1), g = r, b = r;
      const taps = xs.count[x];
      const base = x * xs.stride;
      let p = row + (xs.first[x] - xShift) * 3;
      for (let j = 0; j < taps; j++, p += 3) {
        const k = xs.weights[base + j];
        r += src.data[p] * k;
        g += src.data[p + 1] * k;
        b += src.data[p + 2] * k;
      }
      const q = (y * width + x) * 3;
      out[q] = clip8(r);
      out[q + 1] = clip8(g);
      out[q + 2] = clip8(b);
    }
  }
  return { width, height, data: out };
}

/** Resamples columns [colFirst, colEnd) of `src` along y; `ys.first` counts from row `yShift`. */
function verticalPass(src: RgbImage, ys: AxisWeights, yShift: number, colFirst = 0, colEnd = src.width): RgbImage {
  const width = colEnd - colFirst;
  const height = ys.first.length;
  const srcRow = src.width * 3;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const taps = ys.count[y];
    const base = y * ys.stride;
    const top = (ys.first[y] - yShift) * srcRow + colFirst * 3;
    for (let x = 0; x < width * 3; x++) {
      let sum = 1 << (precisionBits - 1);
      for (let j = 0; j < taps; j++) sum += src.data[top + j * srcRow + x] * ys.weights[base + j];
      out[y * width * 3 + x] = clip8(sum);
    }
  }
  return { width, height, data: out };
}

/**
 * PIL's NEAREST resize: an affine scaling (ImagingScaleAffine) that walks the source position
 * by adding in / out once per output pixel, from half a step, and truncates it; the sum is
 * accumulated, not multiplied, because Pillow accumulates and the doubles round differently.
 * Positions outside the picture stay black, as in Pillow (which fills first).
 */
function nearestWindow(image: RgbImage, width: number, height: number, window: CropWindow): RgbImage {
  const xs = nearestPositions(image.width, width, window.left, window.width);
  const ys = nearestPositions(image.height, height, window.top, window.height);
  const out = new Uint8Array(window.width * window.height * 3);
  for (let y = 0; y < window.height; y++) {
    if (ys[y] < 0) continue;
    for (let x = 0; x < window.width; x++) {
      if (xs[x] < 0) continue;
      const p = (ys[y] * image.width + xs[x]) * 3;
      const q = (y * window.width + x) * 3;
      out[q] = image.data[p];
      out[q + 1] = image.data[p + 1];
      out[q + 2] = image.data[p + 2];
    }
  }
  return { width: window.width, height: window.height, data: out };
}

/** Source index of outputs start .. start + length - 1 along one axis; -1 outside the picture. */
function nearestPositions(inSize: number, outSize: number, start: number, length: number): Int32Array {
  const step = inSize / outSize;
  const positions = new Int32Array(length);
  let position = step * 0.5;
  for (let i = 0; i < start + length; i++, position += step) {
    if (i < start) continue;
    const index = position < 0 ? -1 : Math.trunc(position);
    positions[i - start] = index < inSize ? index : -1;
  }
  return positions;
}
