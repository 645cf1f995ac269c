// decodeImage: every PNG colour type and bit depth and baseline JPEG come out as 8-bit RGB the
// way PIL's `convert('RGB')` makes them, and every unreadable file is one V4004 error whose
// message names the file and the reason.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { encode as encodeJpeg } from "jpeg-js";
import { PNG, type PackerOptions } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { isToolError } from "../../src/diagnostics/tool-error";
import { decodeImage } from "../../src/images/decode";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-images-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function writeFile(name: string, bytes: Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** A PNG written by pngjs from RGBA input (8-bit values, or 16-bit ones when bitDepth is 16). */
function pngjsFile(name: string, width: number, height: number, rgba: readonly number[], options: PackerOptions): string {
  const png = new PNG({ width, height });
  png.data = options.bitDepth === 16 ? Buffer.from(new Uint16Array(rgba).buffer) : Buffer.from(rgba);
  return writeFile(name, PNG.sync.write(png, options));
}

/** A PNG assembled chunk by chunk, for what pngjs cannot write: palettes, 1-bit gray, tRNS. */
function handmadePng(name: string, ihdr: { width: number; height: number; bitDepth: number; colorType: number }, rows: number[][], extra: Array<[string, number[]]> = []): string {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header[8] = ihdr.bitDepth;
  header[9] = ihdr.colorType;
  const raw = Buffer.from(rows.flatMap((row) => [0, ...row])); // filter type 0 on every row
  return writeFile(name, Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    ...extra.map(([type, data]) => chunk(type, Buffer.from(data))),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]));
}

function expectV4004(file: string, text: string | RegExp): void {
  try {
    decodeImage(file);
  } catch (err) {
    expect(isToolError(err), String(err)).toBe(true);
    if (!isToolError(err)) return;
    expect(err.code).toBe("V4004");
    expect(err.details.file).toBe(file);
    expect(err.message).toMatch(typeof text === "string" ? new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : text);
    return;
  }
  expect.fail(`decoding ${file} did not fail`);
}

describe("PNG", () => {
  it("reads 8-bit RGB exactly", () => {
    const file = pngjsFile("rgb.png", 2, 1, [10, 20, 30, 255, 200, 150, 100, 255], { colorType: 2 });
    expect(decodeImage(file)).toEqual({ width: 2, height: 1, data: new Uint8Array([10, 20, 30, 200, 150, 100]) });
  });

  it("drops alpha without compositing, as PIL's convert('RGB') does", () => {
    const file = pngjsFile("rgba.png", 2, 1, [200, 10, 30, 0, 1, 2, 3, 128], { colorType: 6 });
    expect(decodeImage(file).data).toEqual(new Uint8Array([200, 10, 30, 1, 2, 3]));
  });

  it("replicates gray and gray+alpha into three channels", () => {
    const gray = pngjsFile("gray.png", 3, 1, [0, 0, 0, 255, 77, 77, 77, 255, 255, 255, 255, 255], { colorType: 0 });
    expect(decodeImage(gray).data).toEqual(new Uint8Array([0, 0, 0, 77, 77, 77, 255, 255, 255]));
    const grayAlpha = pngjsFile("gray-alpha.png", 1, 1, [90, 90, 90, 10], { colorType: 4 });
    expect(decodeImage(grayAlpha).data).toEqual(new Uint8Array([90, 90, 90]));
  });

  it("keeps the high byte of 16-bit samples, as PIL's 16-bit unpackers do", () => {
    // 0x10a0 rescaled with rounding (pngjs's default) would be 17; its high byte is 16.
    const rgb16 = pngjsFile("rgb16.png", 1, 1, [0x10a0, 0xffff, 0x00ff, 0xffff], { colorType: 2, bitDepth: 16 });
    expect(decodeImage(rgb16).data).toEqual(new Uint8Array([0x10, 0xff, 0x00]));
    const gray16 = pngjsFile("gray16.png", 1, 1, [0x80ff, 0x80ff, 0x80ff, 0xffff], { colorType: 0, bitDepth: 16 });
    expect(decodeImage(gray16).data).toEqual(new Uint8Array([0x80, 0x80, 0x80]));
  });

  it("looks up palette colours, ignoring the palette's transparency", () => {
    // 2-bit indices 0, 1, 2, 3 packed into one byte.
    const file = handmadePng("palette.png", { width: 4, height: 1, bitDepth: 2, colorType: 3 }, [[0b00011011]], [
      ["PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7]],
      ["tRNS", [0, 128, 255, 255]],
    ]);
    expect(decodeImage(file).data).toEqual(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 8, 7]));
  });

  it("scales 1-bit gray to 0 and 255 and keeps the colour of a tRNS colour key", () => {
    const bits = handmadePng("bits.png", { width: 2, height: 1, bitDepth: 1, colorType: 0 }, [[0b10000000]]);
    expect(decodeImage(bits).data).toEqual(new Uint8Array([255, 255, 255, 0, 0, 0]));
    // pngjs alone would paint the keyed pixel (value 50) black; PIL keeps 50.
    const keyed = handmadePng("keyed.png", { width: 2, height: 1, bitDepth: 8, colorType: 0 }, [[50, 60]], [["tRNS", [0, 50]]]);
    expect(decodeImage(keyed).data).toEqual(new Uint8Array([50, 50, 50, 60, 60, 60]));
  });

  it("goes by the first bytes, not the extension", () => {
    const file = pngjsFile("really-a-png.jpg", 1, 1, [1, 2, 3, 255], { colorType: 2 });
    expect(decodeImage(file).data).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe("JPEG", () => {
  it("decodes a quality-100 JPEG to within a few levels of the original", () => {
    const width = 16;
    const height = 8;
    const rgba = Buffer.alloc(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const x = p % width;
      const y = Math.floor(p / width);
      rgba.set([40 + 10 * x, 60 + 15 * y, 200 - 5 * x - 5 * y, 255], 4 * p);
    }
    const file = writeFile("smooth.jpg", encodeJpeg({ width, height, data: rgba }, 100).data);
    const image = decodeImage(file);
    expect([image.width, image.height, image.data.length]).toEqual([width, height, width * height * 3]);
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) expect(Math.abs(image.data[3 * p + c] - rgba[4 * p + c])).toBeLessThanOrEqual(3);
    }
  });
});

describe("errors", () => {
  const png = PNG.sync.write(Object.assign(new PNG({ width: 8, height: 8 }), { data: Buffer.alloc(256, 99) }));
  const jpeg = encodeJpeg({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 99) }, 90).data;

  it("a missing file", () => expectV4004(path.join(tmp, "nowhere.png"), "cannot read"));
  it("a missing file says why", () => expectV4004(path.join(tmp, "nowhere.png"), "no such file"));
  it("a directory", () => expectV4004(tmp, "is a directory, not an image"));
  it("a text file", () => expectV4004(writeFile("notes.png", Buffer.from("hello")), /`.*notes\.png` is not a PNG or JPEG image$/));
  it("a GIF", () => expectV4004(writeFile("cat.gif", Buffer.from("GIF89a\x01\x00\x01\x00", "latin1")), "is not a PNG or JPEG image (it looks like a GIF)"));
  it("a WebP", () => expectV4004(writeFile("cat.webp", Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 ", "latin1")), "(it looks like a WebP)"));
  it("an empty file", () => expectV4004(writeFile("empty.png", Buffer.alloc(0)), "(the file is empty)"));
  it("a truncated PNG", () => expectV4004(writeFile("cut.png", png.subarray(0, png.length - 20)), "ends early (it is truncated)"));
  it("a PNG cut inside its header", () => expectV4004(writeFile("stub.png", png.subarray(0, 20)), "ends inside the PNG header"));
  it("a PNG with a damaged chunk", () => {
    const damaged = Buffer.from(png);
    damaged[damaged.length - 20] ^= 0xff; // inside IDAT: its checksum no longer matches
    expectV4004(writeFile("damaged.png", damaged), /^cannot decode `.*damaged\.png`: /);
  });
  it("a truncated JPEG", () => expectV4004(writeFile("cut.jpg", jpeg.subarray(0, jpeg.length - 40)), "ends early (it is truncated)"));
  it("a JPEG that is only a start marker", () => expectV4004(writeFile("soi.jpg", Buffer.from([0xff, 0xd8])), /^cannot decode `.*soi\.jpg`/));

  it("a PNG whose header claims 20000x20000 pixels, before decoding anything", () => {
    const file = handmadePng("huge.png", { width: 20000, height: 20000, bitDepth: 8, colorType: 2 }, [[1, 2, 3]]);
    expectV4004(file, "is 20000x20000 pixels (400.0 megapixels), more than the 100 megapixels vitc decodes");
  });

  it("a JPEG whose frame header claims 12000x9000 pixels", () => {
    const huge = Buffer.from(jpeg);
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(9000, sof + 5);
    huge.writeUInt16BE(12000, sof + 7);
    expectV4004(writeFile("huge.jpg", huge), "is 12000x9000 pixels (108.0 megapixels)");
  });
});
