// A safetensors reader and writer. The reader checks the whole header before trusting any of
// it: the length against the file, the JSON, every dtype, shape and offset (inside the data,
// exact byte length, no overlaps, no gaps, nothing after the last tensor), as the reference Rust
// library does. Tensors are then read one at a time with positional reads, so a 1.2 GB file is
// never held whole in memory. The writer goes through writeFileAtomic, so no half-written file
// is ever left under the target name.
// Invariants: every problem with a file is a ToolError (V4001 reading, V4005 writing), never a
// raw Node exception; values are read into fresh, aligned typed arrays, so offsets in the file
// need no alignment. Typed arrays use the host's byte order, and the format is little-endian:
// big-endian hosts are not supported.

import * as fs from "node:fs";
import { ToolError } from "../diagnostics/tool-error";
import { describeFileError } from "../source/host";
import { writeFileAtomic, WriteFailure } from "../source/write-file";

export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL" | "F8_E4M3" | "F8_E5M2";

const dtypeBytes: Readonly<Record<Dtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

/** `begin` and `end` are byte offsets into the data section (after the header); end exclusive. */
export interface TensorInfo { readonly name: string; readonly dtype: Dtype; readonly shape: readonly number[]; readonly begin: number; readonly end: number }

export interface SafetensorsFile {
  readonly path: string;
  /** In header order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** The tensor's values as float32 (F32 is read straight into a fresh Float32Array; F16, BF16 and F64 are converted). Other dtypes: ToolError V4001 naming the dtype. */
  read(name: string): Float32Array;
  close(): void;
}

/**
 * Longer tensor names are refused: timm's are under 100 characters, and V8 hashes strings past
 * 16 383 characters by length alone, so 2 000 long names sharing a prefix took 8 s per Map.
 */
const maxNameLength = 4_096;
/** A header larger than this is not a weight file (real ones are well under 1 MB). */
const maxHeaderBytes = 100_000_000;
/** Node reads and writes at most 2 GiB per call; larger tensors go in pieces. */
const maxChunkBytes = 1 << 30;

function notSafetensors(file: string, why: string): ToolError {
  return new ToolError("V4001", `\`${file}\` is not a safetensors file: ${why}`, { file });
}

/** Runs a file operation, turning a Node error into a V4001 that names the file. */
function readingFile<T>(file: string, operation: () => T): T {
  try {
    return operation();
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError("V4001", `cannot read \`${file}\`: ${describeFileError(err)}`, { file });
  }
}

/** Fills `buffer` from `position`; readSync may return fewer bytes than asked, so it loops. */
function readExactly(fd: number, buffer: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < buffer.length) {
    const length = Math.min(buffer.length - done, maxChunkBytes);
    const n = readingFile(file, () => fs.readSync(fd, buffer, done, length, position + done));
    if (n === 0) throw notSafetensors(file, `the file ends at byte ${position + done}, before the ${buffer.length} bytes that start at byte ${position}`);
    done += n;
  }
}

/** A typed array of `count` elements; too many to allocate is a V4001, not a RangeError. */
function allocate<T>(file: string, name: string, count: number, make: (count: number) => T): T {
  try {
    return make(count);
  } catch {
    throw new ToolError("V4001", `tensor \`${name}\` of \`${file}\` has ${count} values, too many to hold in memory`, { file });
  }
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A JSON value for a message, cut short so a huge bad value cannot flood the terminal. */
function showJson(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The top-level keys of a JSON object's text, in order and with repeats. JSON.parse keeps only
 * the last of repeated keys and puts integer-like keys first; the header's own order is wanted.
 * The text must already have parsed as an object.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      let next = i + 1;
      while (text[next] === " " || text[next] === "\t" || text[next] === "\n" || text[next] === "\r") next++;
      if (depth === 1 && text[next] === ":") keys.push(JSON.parse(text.slice(start, i + 1)) as string);
    }
  }
  return keys;
}

function parseEntry(file: string, name: string, entry: unknown, dataLength: number): TensorInfo {
  const where = `tensor \`${name}\``;
  if (!isPlainObject(entry)) throw notSafetensors(file, `${where} is ${showJson(entry)}, not an object`);
  const missing = ["dtype", "shape", "data_offsets"].find((key) => entry[key] === undefined);
  if (missing) throw notSafetensors(file, `${where} has no \`${missing}\``);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string" || !Object.hasOwn(dtypeBytes, dtype)) throw notSafetensors(file, `${where} has an unknown dtype ${showJson(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw notSafetensors(file, `${where} has shape ${showJson(shape)}; a shape is a list of non-negative integers below 2^53`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw notSafetensors(file, `${where} has data_offsets ${showJson(offsets)}; they must be two integers [begin, end] with begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) throw notSafetensors(file, `${where} ends at byte ${end} of the data, which has only ${dataLength} bytes`);
  // BigInt, so a shape like [2^40, 2^40] cannot wrap around to a plausible byte count.
  const bytes = shape.reduce((n: bigint, d: number) => n * BigInt(d), 1n) * BigInt(dtypeBytes[dtype as Dtype]);
  if (bytes !== BigInt(end - begin)) {
    throw notSafetensors(file, `${where} has data_offsets [${begin}, ${end}] but shape [${shape.join(", ")}] of ${dtype} needs ${bytes} bytes`);
  }
  return { name, dtype: dtype as Dtype, shape, begin, end };
}

/** Tensors must tile the data section exactly: no overlaps, no gaps, nothing after the last. */
function checkTiling(file: string, tensors: readonly TensorInfo[], dataLength: number): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  sorted.forEach((t, i) => {
    const p = sorted[i - 1]; // t.begin < at cannot happen for the first tensor, as at is 0
    if (t.begin < at) throw notSafetensors(file, `tensors \`${p.name}\` and \`${t.name}\` overlap: their data_offsets are [${p.begin}, ${p.end}] and [${t.begin}, ${t.end}]`);
    if (t.begin > at) throw notSafetensors(file, `bytes ${at}..${t.begin} of the data belong to no tensor`);
    at = t.end;
  });
  if (at !== dataLength) throw notSafetensors(file, `bytes ${at}..${dataLength} of the data belong to no tensor`);
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) throw notSafetensors(file, `its \`__metadata__\` is ${showJson(value)}, not an object of strings`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== "string") throw notSafetensors(file, `its \`__metadata__\` is not an object of strings: \`${key}\` is ${showJson(v)}`);
  }
  return value as Record<string, string>;
}

/** Reads and checks the header; the data is read later, one tensor at a time. */
function readHeader(file: string, fd: number): { dataStart: number; tensors: Map<string, TensorInfo>; metadata: Record<string, string> } {
  const size = readingFile(file, () => fs.fstatSync(fd)).size;
  if (size < 8) throw notSafetensors(file, `it has ${size} bytes, fewer than the 8 of the header length`);
  const lengthBytes = new Uint8Array(8);
  readExactly(fd, lengthBytes, 0, file);
  const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  if (headerLength === 0n) throw notSafetensors(file, "its header length is 0");
  if (headerLength > BigInt(size - 8)) {
    const plus = headerLength <= BigInt(size) ? " plus the 8 bytes that give it" : "";
    throw notSafetensors(file, `its header length ${headerLength}${plus} is larger than the file (${size} bytes)`);
  }
  if (headerLength > BigInt(maxHeaderBytes)) throw notSafetensors(file, `its header length ${headerLength} is over the limit of ${maxHeaderBytes} bytes`);
  const headerBytes = new Uint8Array(Number(headerLength));
  readExactly(fd, headerBytes, 8, file);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    throw notSafetensors(file, "its header is not valid UTF-8");
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw notSafetensors(file, `its header is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isPlainObject(header)) throw notSafetensors(file, `its header is ${Array.isArray(header) ? "an array" : showJson(header)}, not a JSON object`);
  const dataStart = 8 + Number(headerLength);
  const dataLength = size - dataStart;
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  for (const key of keys) {
    if (key.length > maxNameLength) throw notSafetensors(file, `a tensor's name is ${key.length} characters long (${showJson(key)}); names hold at most ${maxNameLength}`);
    if (seen.has(key)) throw notSafetensors(file, `its header has the key \`${key}\` twice`);
    seen.add(key);
    if (key === "__metadata__") metadata = parseMetadata(file, header[key]);
    else tensors.set(key, parseEntry(file, key, header[key], dataLength));
  }
  checkTiling(file, [...tensors.values()], dataLength);
  return { dataStart, tensors, metadata };
}

export function openSafetensors(file: string): SafetensorsFile {
  // Checked before opening: opening a FIFO would block, and a directory opens fine on Linux.
  const stat = readingFile(file, () => fs.statSync(file));
  if (stat.isDirectory()) throw new ToolError("V4001", `cannot read \`${file}\`: is a directory`, { file });
  if (!stat.isFile()) throw new ToolError("V4001", `cannot read \`${file}\`: not a regular file`, { file });
  const fd = readingFile(file, () => fs.openSync(file, "r"));
  try {
    const { dataStart, tensors, metadata } = readHeader(file, fd);
    return openedFile(file, fd, dataStart, tensors, metadata);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function openedFile(file: string, fd: number, dataStart: number, tensors: ReadonlyMap<string, TensorInfo>, metadata: Record<string, string>): SafetensorsFile {
  let open = true;
  return {
    path: file,
    tensors,
    metadata,
    read(name) {
      const info = tensors.get(name);
      if (!info) throw new Error(`no tensor \`${name}\` in \`${file}\``);
      if (!open) throw new Error(`\`${file}\` is already closed`);
      if (info.dtype !== "F32" && info.dtype !== "F16" && info.dtype !== "BF16" && info.dtype !== "F64") {
        throw new ToolError("V4001", `tensor \`${name}\` of \`${file}\` is ${info.dtype}; vitc reads F32, F16, BF16 and F64 tensors`, { file });
      }
      const count = (info.end - info.begin) / dtypeBytes[info.dtype];
      // Read straight into a fresh typed array of the file's dtype: one copy from the file.
      const raw = allocate(file, name, count, (n) => (info.dtype === "F32" ? new Float32Array(n) : info.dtype === "F64" ? new Float64Array(n) : new Uint16Array(n)));
      readExactly(fd, new Uint8Array(raw.buffer), dataStart + info.begin, file);
      return raw instanceof Float32Array ? raw : allocate(file, name, count, () => toFloat32(info.dtype, raw));
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

let halfValues: Float32Array | undefined;

/** Every IEEE half as float32, built once: a lookup is much faster than decoding 300M values. */
function halfTable(): Float32Array {
  if (halfValues) return halfValues;
  halfValues = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    // Every half is exactly a float32, so this arithmetic is exact, subnormals included.
    if (exponent === 0) halfValues[h] = sign * fraction * 2 ** -24;
    else if (exponent === 0x1f) halfValues[h] = fraction ? NaN : sign * Infinity;
    else halfValues[h] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return halfValues;
}

/** F64 values, or F16 and BF16 bits, as float32. */
function toFloat32(dtype: Dtype, raw: Float64Array | Uint16Array): Float32Array {
  if (raw instanceof Float64Array) return Float32Array.from(raw);
  const values = new Float32Array(raw.length);
  if (dtype === "F16") {
    const table = halfTable();
    for (let i = 0; i < raw.length; i++) values[i] = table[raw[i]];
  } else {
    // bfloat16 is the upper half of a float32's bits; NaN payloads survive too.
    const bits = new Uint32Array(values.buffer);
    for (let i = 0; i < raw.length; i++) bits[i] = raw[i] << 16;
  }
  return values;
}

export interface TensorToWrite { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }

/** Writes F32 tensors through a temporary file renamed when complete (source/write-file.ts), so no half-written file is ever left under `file`. */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata?: Readonly<Record<string, string>>): void {
  // Built as text, not one object, so the header keeps the given order even for names like "0".
  const entries = metadata ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every(isCount) || count !== t.data.length) {
      throw new Error(`tensor \`${t.name}\` has ${t.data.length} values for shape [${t.shape.join(", ")}]`);
    }
    if (names.has(t.name) || t.name === "__metadata__") throw new Error(`tensor name \`${t.name}\` is used twice or reserved`);
    names.add(t.name);
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] })}`);
    offset += 4 * count;
  }
  const json = Buffer.from(`{${entries.join(",")}}`, "utf8");
  // Padding to 8 bytes keeps the data section aligned for readers that map the file.
  const header = Buffer.alloc(8 + Math.ceil(json.length / 8) * 8, 0x20);
  header.writeBigUInt64LE(BigInt(header.length - 8));
  json.copy(header, 8);
  const chunks = [header, ...tensors.map((t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  try {
    writeFileAtomic(file, chunks);
  } catch (err) {
    if (err instanceof WriteFailure) throw new ToolError("V4005", err.message, { file });
    throw err;
  }
}
