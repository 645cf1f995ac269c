// A safetensors reader and writer. The reader checks the whole header before trusting any of
// it: the length against the file, the JSON, every dtype, shape and offset (inside the data,
// exact byte length, no overlaps, no gaps), as the reference Rust library does. Tensors are then
// read one at a time with positional reads, so a 1.2 GB file is never held whole in memory.
// The writer writes to a temporary name and renames, so no half-written file is ever left.

import * as fs from "node:fs";
import * as path from "node:path";
import { ToolError } from "../diagnostics/tool-error";

export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL" | "F8_E4M3" | "F8_E5M2";

const dtypeBytes: Readonly<Record<Dtype, number>> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Byte offsets into the data section (after the header); end exclusive. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsFile {
  readonly path: string;
  /** In header order. */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
  /** The tensor's values as float32 (F16, BF16 and F64 are converted). */
  read(name: string): Float32Array;
  close(): void;
}

/** A header larger than this is not a weight file (real ones are well under 1 MB). */
const maxHeaderBytes = 100_000_000;

function corrupt(file: string, why: string): ToolError {
  return new ToolError("V4001", `\`${file}\` is not a valid safetensors file: ${why}`, { file });
}

/** The reason a file operation failed, in words. */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case "ENOENT": return "no such file";
    case "EISDIR": return "is a directory";
    case "EACCES": case "EPERM": return "permission denied";
    case "ENOTDIR": return "a parent of the path is not a directory";
    default: return err instanceof Error ? err.message : String(err);
  }
}

function readExactly(fd: number, buffer: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < buffer.length) {
    const n = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) throw corrupt(file, `the file ends early, at byte ${position + done}`);
    done += n;
  }
}

function isSafeCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(file: string, name: string, entry: unknown, dataLength: number): TensorInfo {
  const where = `tensor \`${name}\``;
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw corrupt(file, `${where} is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== "string" || !(dtype in dtypeBytes)) throw corrupt(file, `${where} has an unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isSafeCount)) throw corrupt(file, `${where} has an invalid shape ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSafeCount) || offsets[0] > offsets[1]) {
    throw corrupt(file, `${where} has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const bytes = shape.reduce((n: bigint, d: number) => n * BigInt(d), 1n) * BigInt(dtypeBytes[dtype as Dtype]);
  if (bytes !== BigInt(end - begin)) {
    throw corrupt(file, `${where} has data_offsets [${begin}, ${end}] (${end - begin} bytes), but shape [${shape.join(", ")}] of ${dtype} needs ${bytes} bytes`);
  }
  if (end > dataLength) throw corrupt(file, `${where} ends at byte ${end} of the data, which has only ${dataLength} bytes`);
  return { name, dtype: dtype as Dtype, shape, begin, end };
}

/** Tensors must tile the data section exactly: no overlaps, no gaps, nothing after the last. */
function checkTiling(file: string, tensors: readonly TensorInfo[], dataLength: number): void {
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of sorted) {
    if (t.begin < at) throw corrupt(file, `tensor \`${t.name}\` overlaps another tensor at byte ${t.begin} of the data`);
    if (t.begin > at) throw corrupt(file, `bytes ${at}..${t.begin} of the data belong to no tensor`);
    at = t.end;
  }
  if (at !== dataLength) throw corrupt(file, `bytes ${at}..${dataLength} of the data belong to no tensor`);
}

export function openSafetensors(file: string): SafetensorsFile {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw new ToolError("V4001", `cannot read \`${file}\`: ${fileProblem(err)}`, { file });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new ToolError("V4001", `cannot read \`${file}\`: is a directory`, { file });
    if (stat.size < 8) throw corrupt(file, `it has ${stat.size} bytes, fewer than the 8 of a header length`);
    const lengthBytes = new Uint8Array(8);
    readExactly(fd, lengthBytes, 0, file);
    const headerLength = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (headerLength === 0n) throw corrupt(file, "its header length is 0");
    if (headerLength > BigInt(stat.size - 8)) throw corrupt(file, `its header length ${headerLength} is larger than the rest of the file (${stat.size - 8} bytes)`);
    if (headerLength > BigInt(maxHeaderBytes)) throw corrupt(file, `its header length ${headerLength} is over the limit of ${maxHeaderBytes} bytes`);
    const headerBytes = new Uint8Array(Number(headerLength));
    readExactly(fd, headerBytes, 8, file);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
    } catch (err) {
      throw corrupt(file, `its header is not UTF-8 JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    if (typeof header !== "object" || header === null || Array.isArray(header)) throw corrupt(file, "its header is not a JSON object");
    const dataStart = 8 + Number(headerLength);
    const dataLength = stat.size - dataStart;
    let metadata: Record<string, string> = {};
    const tensors = new Map<string, TensorInfo>();
    for (const [name, entry] of Object.entries(header)) {
      if (name === "__metadata__") {
        const valid = typeof entry === "object" && entry !== null && !Array.isArray(entry) && Object.values(entry).every((v) => typeof v === "string");
        if (!valid) throw corrupt(file, "its `__metadata__` is not an object of strings");
        metadata = entry as Record<string, string>;
        continue;
      }
      tensors.set(name, parseEntry(file, name, entry, dataLength));
    }
    checkTiling(file, [...tensors.values()], dataLength);
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
      if (!info) throw new Error(`no tensor \`${name}\` in ${file}`);
      if (!open) throw new Error(`${file} is closed`);
      const count = (info.end - info.begin) / dtypeBytes[info.dtype];
      if (info.dtype === "F32") {
        // Read straight into the result's memory: one copy, from the file.
        const values = new Float32Array(count);
        readExactly(fd, new Uint8Array(values.buffer), dataStart + info.begin, file);
        return values;
      }
      const bytes = new Uint8Array(info.end - info.begin);
      readExactly(fd, bytes, dataStart + info.begin, file);
      return toFloat32(file, info, bytes, count);
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

/** IEEE half precision to float32, exact for every value (subnormals, infinities, NaN). */
function halfToFloat(h: number): number {
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function toFloat32(file: string, info: TensorInfo, bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(count);
  switch (info.dtype) {
    case "F16":
      for (let i = 0; i < count; i++) values[i] = halfToFloat(view.getUint16(2 * i, true));
      return values;
    case "BF16": {
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(values.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return values;
    }
    case "F64":
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(8 * i, true);
      return values;
    default:
      throw new ToolError("V4001", `tensor \`${info.name}\` of \`${file}\` is ${info.dtype}; vitc reads F32, F16, BF16 and F64 tensors`, { file });
  }
}

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Writes F32 tensors to `file + ".<pid>.tmp"`, then renames it to `file`. */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata?: Readonly<Record<string, string>>): void {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`tensor ${t.name} has ${t.data.length} values for shape [${t.shape.join(", ")}]`);
    if (t.name in header) throw new Error(`tensor ${t.name} is written twice`);
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(temp, "w");
    try {
      fs.writeSync(fd, length);
      fs.writeSync(fd, padded);
      for (const t of tensors) fs.writeSync(fd, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    const dir = path.dirname(file);
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" && !fs.existsSync(dir) ? `directory \`${dir}\` does not exist` : fileProblem(err);
    throw new ToolError("V4005", `cannot write \`${file}\`: ${reason}`, { file });
  }
}
