// Reads a safetensors file (a timm state_dict saved with `safetensors.torch.save_file`) into tfjs
// tensors by key, in the page: F32, F16 and BF16 values become float32, as `vitc run` reads them.
// Invariants: every tensor's bytes lie inside the file and match its dtype and shape, or the
// whole file is refused with an error naming the tensor; keys are own properties (a key named
// `__proto__` stays a key).

import * as tf from "@tensorflow/tfjs-core";

interface Entry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

const bytesPerValue: Readonly<Record<string, number>> = { F32: 4, F16: 2, BF16: 2 };

/** Fetches `url` and reads it as safetensors. */
export async function fetchSafetensors(url: string): Promise<Record<string, tf.Tensor>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: ${response.status} ${response.statusText}`);
  return readSafetensors(new Uint8Array(await response.arrayBuffer()), url);
}

/** Every tensor of a safetensors file as a float32 tfjs tensor, by key. */
export function readSafetensors(bytes: Uint8Array, name: string): Record<string, tf.Tensor> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new Error(`${name} is not a safetensors file: it has ${bytes.byteLength} bytes`);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength) throw new Error(`${name} is not a safetensors file: its header runs past its end`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, Entry>;
  const dataStart = 8 + headerLength;
  const tensors: Array<[string, tf.Tensor]> = [];
  for (const [key, entry] of Object.entries(header)) {
    if (key === "__metadata__") continue;
    const size = bytesPerValue[entry.dtype];
    if (size === undefined) throw new Error(`${name}: \`${key}\` is ${entry.dtype}; only F32, F16 and BF16 weights are read`);
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size || dataStart + end > bytes.byteLength) throw new Error(`${name}: \`${key}\` does not fit the file`);
    tensors.push([key, tf.tensor(floats(view, dataStart + begin, count, entry.dtype), [...entry.shape], "float32")]);
  }
  return Object.fromEntries(tensors);
}

/** `count` little-endian values of `dtype` from byte `offset`, as float32. */
function floats(view: DataView, offset: number, count: number, dtype: string): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    if (dtype === "F32") out[i] = view.getFloat32(offset + 4 * i, true);
    else if (dtype === "BF16") out[i] = bfloat16(view.getUint16(offset + 2 * i, true));
    else out[i] = float16(view.getUint16(offset + 2 * i, true));
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/** A bfloat16 is the high half of a float32. */
function bfloat16(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/** IEEE half precision: 1 sign, 5 exponent and 10 fraction bits. */
function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
