// The safetensors reader trusts nothing it has not checked: each malformed header below is one
// V4001 naming the problem. F16 and BF16 convert exactly; the writer never leaves a partial file.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ToolError } from "../../src/diagnostics/tool-error";
import { openSafetensors, writeSafetensors } from "../../src/weights/safetensors";
import { sharedDir } from "../helpers/compile";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-st-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file from a header object and raw data bytes. */
function rawFile(name: string, header: unknown, data: Uint8Array = new Uint8Array(0), headerBytes?: string | Buffer): string {
  const json = Buffer.isBuffer(headerBytes) ? headerBytes : Buffer.from(headerBytes ?? JSON.stringify(header), "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([length, json, data]));
  return file;
}

function expectV4001(open: () => unknown, text: string) {
  let error: unknown;
  try {
    open();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ToolError);
  expect((error as ToolError).code).toBe("V4001");
  expect((error as ToolError).message).toContain(text);
}

describe("reading", () => {
  it("round-trips what the writer wrote, with metadata", () => {
    const file = path.join(dir, "round.safetensors");
    writeSafetensors(file, [{ name: "a", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, { name: "b", shape: [], data: Float32Array.from([7.5]) }], { note: "x" });
    const st = openSafetensors(file);
    expect([...st.tensors.keys()]).toEqual(["a", "b"]);
    expect(st.tensors.get("a")).toMatchObject({ dtype: "F32", shape: [2, 3] });
    expect(Array.from(st.read("a"))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(st.read("b"))).toEqual([7.5]);
    expect(st.metadata).toEqual({ note: "x" });
    st.close();
    // The header is padded to a multiple of 8 bytes.
    expect(Number(fs.readFileSync(file).readBigUInt64LE(0)) % 8).toBe(0);
  });

  it("reads timm's fixture weights", () => {
    const st = openSafetensors(path.join(sharedDir, "fixtures", "vit_tiny", "weights.safetensors"));
    expect(st.tensors.size).toBe(32);
    expect(st.tensors.get("blocks.0.attn.qkv.weight")!.shape).toEqual([192, 64]);
    const values = st.read("blocks.0.attn.qkv.weight");
    expect(values).toHaveLength(192 * 64);
    expect(values.every(Number.isFinite)).toBe(true);
    st.close();
  });

  it("converts F16 exactly, including subnormals, infinities and NaN", () => {
    const halves = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x7c00, 0xfc00, 0x7e00];
    const data = new Uint8Array(new Uint16Array(halves).buffer);
    const st = openSafetensors(rawFile("f16.safetensors", { h: { dtype: "F16", shape: [8], data_offsets: [0, 16] } }, data));
    expect(Array.from(st.read("h"))).toEqual([1, -2, 0.5, 65504, 2 ** -24, Infinity, -Infinity, NaN]);
    st.close();
  });

  it("converts BF16 as the upper half of a float32", () => {
    const data = new Uint8Array(new Uint16Array([0x3f80, 0xc040, 0x3e80]).buffer);
    const st = openSafetensors(rawFile("bf16.safetensors", { h: { dtype: "BF16", shape: [3], data_offsets: [0, 6] } }, data));
    expect(Array.from(st.read("h"))).toEqual([1, -3, 0.25]);
    st.close();
  });

  it("refuses to read integer tensors as weights", () => {
    const st = openSafetensors(rawFile("i64.safetensors", { n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)));
    expectV4001(() => st.read("n"), "is I64");
    st.close();
  });
});

describe("each malformed file is one V4001 that names the problem", () => {
  const tensor = (begin: number, end: number, shape = [2]) => ({ dtype: "F32", shape, data_offsets: [begin, end] });
  it.each([
    ["a missing file", () => path.join(dir, "missing.safetensors"), "no such file"],
    ["a directory", () => dir, "is a directory"],
    ["fewer than 8 bytes", () => { const f = path.join(dir, "tiny"); fs.writeFileSync(f, "abc"); return f; }, "fewer than the 8"],
    ["a header length larger than the file", () => { const f = path.join(dir, "long"); const b = Buffer.alloc(16); b.writeBigUInt64LE(2n ** 64n - 1n); fs.writeFileSync(f, b); return f; }, "larger than the rest of the file"],
    ["a zero header length", () => { const f = path.join(dir, "zero"); fs.writeFileSync(f, Buffer.alloc(16)); return f; }, "header length is 0"],
    ["a header that is not JSON", () => rawFile("json", null, undefined, "{not json"), "not UTF-8 JSON"],
    ["a header that is not UTF-8", () => rawFile("utf8", null, undefined, Buffer.from([0x22, 0xff, 0x22])), "not UTF-8 JSON"],
    ["a header that is not an object", () => rawFile("array", [1, 2]), "not a JSON object"],
    ["an unknown dtype", () => rawFile("dtype", { t: { dtype: "F12", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), "unknown dtype \"F12\""],
    ["a negative dimension", () => rawFile("shape", { t: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), "invalid shape"],
    ["offsets out of order", () => rawFile("order", { t: tensor(8, 0) }, new Uint8Array(8)), "invalid data_offsets"],
    ["a byte count that does not match the shape", () => rawFile("count", { t: tensor(0, 12) }, new Uint8Array(12)), "needs 8 bytes"],
    ["a tensor past the end of the data", () => rawFile("past", { t: tensor(0, 8) }, new Uint8Array(4)), "has only 4 bytes"],
    ["overlapping tensors", () => rawFile("overlap", { a: tensor(0, 8), b: tensor(4, 12) }, new Uint8Array(12)), "overlaps"],
    ["a gap between tensors", () => rawFile("gap", { a: tensor(0, 8), b: tensor(12, 20) }, new Uint8Array(20)), "bytes 8..12 of the data belong to no tensor"],
    ["bytes after the last tensor", () => rawFile("tail", { a: tensor(0, 8) }, new Uint8Array(10)), "bytes 8..10 of the data belong to no tensor"],
    ["metadata that is not strings", () => rawFile("meta", { __metadata__: { a: 1 } }), "`__metadata__` is not an object of strings"],
    ["an absurd shape", () => rawFile("huge", { t: { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, new Uint8Array(4)), "needs"],
  ])("%s", (_what, make, text) => expectV4001(() => openSafetensors(make()), text));
});

describe("writing", () => {
  it("a missing directory is a V4005 and leaves nothing behind", () => {
    const target = path.join(dir, "no-such-dir", "out.safetensors");
    let error: unknown;
    try {
      writeSafetensors(target, [{ name: "a", shape: [1], data: Float32Array.from([1]) }]);
    } catch (err) {
      error = err;
    }
    expect((error as ToolError).code).toBe("V4005");
    expect((error as ToolError).message).toContain("directory");
    expect(fs.existsSync(path.dirname(target))).toBe(false);
  });

  it("replaces an existing file only once the new one is complete", () => {
    const target = path.join(dir, "replace.safetensors");
    fs.writeFileSync(target, "old");
    writeSafetensors(target, [{ name: "a", shape: [1], data: Float32Array.from([3]) }]);
    expect(Array.from(openSafetensors(target).read("a"))).toEqual([3]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
