// The safetensors reader trusts nothing it has not checked: each malformed file below is one
// V4001 whose message names the problem and its numbers. F16 and BF16 convert exactly; the
// writer keeps the given order and never leaves a partial or temporary file behind.

import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ToolError } from "../../src/diagnostics/tool-error";
import { openSafetensors, writeSafetensors } from "../../src/weights/safetensors";

const fixtures = path.resolve(__dirname, "..", "fixtures", "timm");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-safetensors-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;

/** A file of an 8-byte length, then the header (a value to stringify, or exact text or bytes), then data. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): string {
  const json = Buffer.isBuffer(header) ? header : Buffer.from(typeof header === "string" ? header : JSON.stringify(header), "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return bytesFile(Buffer.concat([length, json, data]));
}

function bytesFile(bytes: Uint8Array): string {
  const file = path.join(dir, `file-${fileCount++}.safetensors`);
  fs.writeFileSync(file, bytes);
  return file;
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error, but none was thrown");
}

function expectToolError(action: () => unknown, code: string, text: string): void {
  const error = thrownBy(action);
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).code).toBe(code);
  expect((error as ToolError).message).toContain(text);
}

/** Makes `fs.openSync` fail with `code`: root ignores file modes, so chmod cannot make one. */
function withOpenFailing<T>(code: string, action: () => T): T {
  const spy = vi.spyOn(fs, "openSync").mockImplementation(() => {
    throw Object.assign(new Error(`${code}: simulated`), { code });
  });
  // The source imports `node:fs` as an ES module namespace, which copies the CommonJS exports.
  syncBuiltinESMExports();
  try {
    return action();
  } finally {
    spy.mockRestore();
    syncBuiltinESMExports();
  }
}

const f32 = (begin: number, end: number, shape: unknown = [2]) => ({ dtype: "F32", shape, data_offsets: [begin, end] });

describe("reading", () => {
  it("round-trips what the writer wrote, with metadata, in the given order", () => {
    const file = path.join(dir, "round.safetensors");
    const a = Float32Array.from([1, -2.5, 3e-40, 4, 5, 6]);
    writeSafetensors(file, [{ name: "b", shape: [2, 3], data: a }, { name: "10", shape: [], data: Float32Array.from([7.5]) }, { name: "2", shape: [0], data: new Float32Array(0) }], { model: "m" });
    const st = openSafetensors(file);
    expect(st.path).toBe(file);
    expect([...st.tensors.keys()]).toEqual(["b", "10", "2"]);
    expect(st.tensors.get("b")).toEqual({ name: "b", dtype: "F32", shape: [2, 3], begin: 0, end: 24 });
    expect(st.read("b")).toEqual(a);
    expect(Array.from(st.read("10"))).toEqual([7.5]);
    expect(st.read("2")).toHaveLength(0);
    expect(st.metadata).toEqual({ model: "m" });
    st.close();
    const bytes = fs.readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(bytes.subarray(8, 8 + headerLength).toString("utf8")).toMatch(/^\{"__metadata__":\{"model":"m"\},"b":\{"dtype":"F32".*\} *$/);
    expect(bytes.length).toBe(8 + headerLength + 28);
  });

  it("reads timm's fixture weights", () => {
    const st = openSafetensors(path.join(fixtures, "vit_tiny", "weights.safetensors"));
    expect(st.tensors.size).toBe(32);
    expect(st.tensors.get("blocks.0.attn.qkv.weight")!.shape).toEqual([192, 64]);
    const values = st.read("blocks.0.attn.qkv.weight");
    expect(values).toHaveLength(192 * 64);
    expect(values.every(Number.isFinite)).toBe(true);
    expect(values.some((v) => v !== 0)).toBe(true);
    st.close();
  });

  it("converts F16 exactly, including subnormals, infinities and NaN", () => {
    const halves = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x03ff, 0x8000, 0x7c00, 0xfc00, 0x7e00];
    const data = new Uint8Array(new Uint16Array(halves).buffer);
    // Offset 2: tensors need not be aligned in the file.
    const file = rawFile({ pad: { dtype: "U8", shape: [2], data_offsets: [0, 2] }, h: { dtype: "F16", shape: [10], data_offsets: [2, 22] } }, Buffer.concat([Buffer.alloc(2), data]));
    const st = openSafetensors(file);
    expect(Array.from(st.read("h"))).toEqual([1, -2, 0.5, 65504, 2 ** -24, 1023 * 2 ** -24, -0, Infinity, -Infinity, NaN]);
    st.close();
  });

  it("converts BF16 as the upper half of a float32, and F64 by rounding", () => {
    const data = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x3e80, 0x0001, 0x7f80, 0x7fc0]).buffer);
    const st = openSafetensors(rawFile({ h: { dtype: "BF16", shape: [2, 3], data_offsets: [0, 12] } }, data));
    expect(Array.from(st.read("h"))).toEqual([1, -3, 0.25, 2 ** -133, Infinity, NaN]);
    st.close();
    const doubles = new Uint8Array(Float64Array.from([0.1, -1e300]).buffer);
    const st64 = openSafetensors(rawFile({ d: { dtype: "F64", shape: [2], data_offsets: [0, 16] } }, doubles));
    expect(Array.from(st64.read("d"))).toEqual([Math.fround(0.1), -Infinity]);
    st64.close();
  });

  it("refuses to read integer tensors as weights, naming the dtype", () => {
    const st = openSafetensors(rawFile({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)));
    expectToolError(() => st.read("n"), "V4001", "tensor `n` of `" + st.path + "` is I64");
    st.close();
  });

  it("treats an unknown tensor name as a bug: a plain Error", () => {
    const st = openSafetensors(rawFile({ a: f32(0, 8) }, new Uint8Array(8)));
    const error = thrownBy(() => st.read("b"));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ToolError);
    st.close();
  });

  it("reports a file that shrank after it was opened", () => {
    const file = rawFile({ a: f32(0, 8) }, new Uint8Array(8));
    const st = openSafetensors(file);
    fs.truncateSync(file, fs.statSync(file).size - 3);
    expectToolError(() => st.read("a"), "V4001", "the file ends at byte");
    st.close();
  });
});

describe("a file that cannot be read is one V4001 saying why", () => {
  it("a missing file", () => {
    const file = path.join(dir, "missing.safetensors");
    expectToolError(() => openSafetensors(file), "V4001", `cannot read \`${file}\`: no such file`);
  });
  it("a directory", () => expectToolError(() => openSafetensors(dir), "V4001", `cannot read \`${dir}\`: is a directory`));
  it("permission denied", () => {
    const file = rawFile({});
    withOpenFailing("EACCES", () => expectToolError(() => openSafetensors(file), "V4001", `cannot read \`${file}\`: permission denied`));
  });
});

describe("each malformed file is one V4001 that names the problem", () => {
  const length = (n: bigint, size: number) => {
    const b = Buffer.alloc(size, 0x20);
    b.writeBigUInt64LE(n);
    return b;
  };
  it.each<[string, () => string, string]>([
    ["fewer than 8 bytes", () => bytesFile(Buffer.from("abc")), "it has 3 bytes, fewer than the 8 of the header length"],
    ["a zero header length", () => bytesFile(length(0n, 16)), "its header length is 0"],
    ["a header length larger than the file", () => bytesFile(length(2n ** 64n - 1n, 1234)), "is not a safetensors file: its header length 18446744073709551615 is larger than the file (1234 bytes)"],
    ["a header that ends past the file", () => bytesFile(length(20n, 24)), "its header length 20 plus the 8 bytes that give it is larger than the file (24 bytes)"],
    ["a header over 100 MB", () => {
      const file = bytesFile(length(100_000_001n, 16));
      fs.truncateSync(file, 100_000_100); // sparse: costs no disk
      return file;
    }, "its header length 100000001 is over the limit of 100000000 bytes"],
    ["a header that is not UTF-8", () => rawFile(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), "its header is not valid UTF-8"],
    ["a header that is not JSON", () => rawFile("{not json"), "its header is not valid JSON ("],
    ["a header that is an array", () => rawFile([1, 2]), "its header is an array, not a JSON object"],
    ["a header that is a number", () => rawFile("3"), "its header is 3, not a JSON object"],
    ["a 20 000-character tensor name", () => rawFile({ [`${"w".repeat(20_000)}.0`]: f32(0, 8) }, new Uint8Array(8)), `a tensor's name is 20002 characters long ("${"w".repeat(56)}...); names hold at most 4096`],
    ["a repeated key", () => rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "a" :{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), "its header has the key `a` twice"],
    ["metadata that is not an object", () => rawFile({ __metadata__: ["x"] }), "its `__metadata__` is [\"x\"], not an object of strings"],
    ["metadata with a number", () => rawFile({ __metadata__: { a: 1 } }), "its `__metadata__` is not an object of strings: `a` is 1"],
    ["an entry that is not an object", () => rawFile({ t: [1] }), "tensor `t` is [1], not an object"],
    ["a missing dtype", () => rawFile({ t: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), "tensor `t` has no `dtype`"],
    ["an unknown dtype", () => rawFile({ t: { dtype: "F12", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), "tensor `t` has an unknown dtype \"F12\""],
    ["a dtype that is an Object method", () => rawFile({ t: { dtype: "toString", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), "unknown dtype \"toString\""],
    ["a missing shape", () => rawFile({ t: { dtype: "F32", data_offsets: [0, 4] } }, new Uint8Array(4)), "tensor `t` has no `shape`"],
    ["missing offsets", () => rawFile({ t: { dtype: "F32", shape: [] } }), "tensor `t` has no `data_offsets`"],
    ["a shape that is not a list", () => rawFile({ t: f32(0, 4, 1) }, new Uint8Array(4)), "tensor `t` has shape 1; a shape is a list of non-negative integers below 2^53"],
    ["a negative dimension", () => rawFile({ t: f32(0, 4, [-1]) }, new Uint8Array(4)), "tensor `t` has shape [-1]"],
    ["a fractional dimension", () => rawFile({ t: f32(0, 4, [1.5]) }, new Uint8Array(4)), "tensor `t` has shape [1.5]"],
    ["a dimension past 2^53", () => rawFile('{"t":{"dtype":"F32","shape":[9007199254740993],"data_offsets":[0,4]}}', new Uint8Array(4)), "tensor `t` has shape [9007199254740992]"],
    ["offsets out of order", () => rawFile({ t: f32(8, 0) }, new Uint8Array(8)), "tensor `t` has data_offsets [8,0]; they must be two integers [begin, end] with begin <= end"],
    ["three offsets", () => rawFile({ t: { dtype: "F32", shape: [2], data_offsets: [0, 4, 8] } }, new Uint8Array(8)), "tensor `t` has data_offsets [0,4,8]"],
    ["offsets that are strings", () => rawFile({ t: { dtype: "F32", shape: [2], data_offsets: ["0", "8"] } }, new Uint8Array(8)), "tensor `t` has data_offsets [\"0\",\"8\"]"],
    ["a tensor past the end of the data", () => rawFile({ t: f32(0, 8) }, new Uint8Array(4)), "tensor `t` ends at byte 8 of the data, which has only 4 bytes"],
    ["a byte count that does not match the shape", () => rawFile({ t: f32(0, 12, [3, 4]) }, new Uint8Array(12)), "tensor `t` has data_offsets [0, 12] but shape [3, 4] of F32 needs 48 bytes"],
    ["a shape whose size would wrap", () => rawFile({ t: f32(0, 0, [2 ** 32, 2 ** 32, 2 ** 32]) }), "shape [4294967296, 4294967296, 4294967296] of F32 needs 316912650057057350374175801344 bytes"],
    ["overlapping tensors", () => rawFile({ a: f32(0, 8), b: f32(4, 12) }, new Uint8Array(12)), "tensors `a` and `b` overlap: their data_offsets are [0, 8] and [4, 12]"],
    ["a gap between tensors", () => rawFile({ a: f32(0, 8), b: f32(12, 20) }, new Uint8Array(20)), "bytes 8..12 of the data belong to no tensor"],
    ["a gap before the first tensor", () => rawFile({ a: f32(4, 12) }, new Uint8Array(12)), "bytes 0..4 of the data belong to no tensor"],
    ["bytes after the last tensor", () => rawFile({ a: f32(0, 8) }, new Uint8Array(10)), "bytes 8..10 of the data belong to no tensor"],
  ])("%s", (_what, make, text) => {
    const file = make();
    expectToolError(() => openSafetensors(file), "V4001", text);
    expectToolError(() => openSafetensors(file), "V4001", `\`${file}\``);
  });
});

describe("writing", () => {
  const one = [{ name: "a", shape: [1], data: Float32Array.from([1]) }];
  const leftovers = (folder: string) => fs.readdirSync(folder).filter((f) => f.endsWith(".tmp"));

  it("a missing directory is a V4005 and leaves nothing behind", () => {
    const target = path.join(dir, "no-such-dir", "out.safetensors");
    expectToolError(() => writeSafetensors(target, one), "V4005", `cannot write \`${target}\`: directory \`${path.dirname(target)}\` does not exist`);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.existsSync(`${target}.${process.pid}.tmp`)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it("a failed rename is a V4005 and removes the temporary file", () => {
    const folder = fs.mkdtempSync(path.join(dir, "rename-"));
    const target = path.join(folder, "taken");
    fs.mkdirSync(path.join(target, "inside"), { recursive: true });
    expectToolError(() => writeSafetensors(target, one), "V4005", `cannot write \`${target}\`: `);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(leftovers(folder)).toEqual([]);
  });

  it("permission denied is a V4005", () => {
    const target = path.join(dir, "denied.safetensors");
    withOpenFailing("EACCES", () => expectToolError(() => writeSafetensors(target, one), "V4005", `cannot write \`${target}\`: permission denied`));
    expect(fs.existsSync(target)).toBe(false);
  });

  it("replaces an existing file only once the new one is complete", () => {
    const folder = fs.mkdtempSync(path.join(dir, "replace-"));
    const target = path.join(folder, "replace.safetensors");
    fs.writeFileSync(target, "old");
    writeSafetensors(target, [{ name: "a", shape: [1], data: Float32Array.from([3]) }]);
    const st = openSafetensors(target);
    expect(Array.from(st.read("a"))).toEqual([3]);
    st.close();
    expect(fs.readdirSync(folder)).toEqual(["replace.safetensors"]);
  });

  it("writes a view of a larger buffer, not the whole buffer", () => {
    const target = path.join(dir, "view.safetensors");
    const data = Float32Array.from([9, 1, 2, 9]).subarray(1, 3);
    writeSafetensors(target, [{ name: "v", shape: [2], data }]);
    const st = openSafetensors(target);
    expect(Array.from(st.read("v"))).toEqual([1, 2]);
    st.close();
  });

  it("rejects wrong lengths and repeated names as bugs: plain Errors", () => {
    const target = path.join(dir, "bad.safetensors");
    for (const tensors of [
      [{ name: "a", shape: [2, 2], data: new Float32Array(3) }],
      [{ name: "a", shape: [-1], data: new Float32Array(0) }],
      [{ name: "a", shape: [1], data: new Float32Array(1) }, { name: "a", shape: [1], data: new Float32Array(1) }],
      [{ name: "toString", shape: [1], data: new Float32Array(1) }, { name: "toString", shape: [1], data: new Float32Array(1) }],
      [{ name: "__metadata__", shape: [1], data: new Float32Array(1) }],
    ]) {
      const error = thrownBy(() => writeSafetensors(target, tensors));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ToolError);
    }
    expect(fs.existsSync(target)).toBe(false);
  });
});
