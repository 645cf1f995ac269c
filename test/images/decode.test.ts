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
import { type Ihdr, pngBytes } from "../helpers/png-bytes";

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

/** A PNG assembled chunk by chunk (test/helpers/png-bytes.ts), written to the temporary folder. */
function assemblePng(name: string, ihdr: Ihdr, idat: Uint8Array, options: { extra?: Array<[string, number[]]>; end?: boolean } = {}): string {
  return writeFile(name, pngBytes(ihdr, idat, options));
}

/** A PNG of whole rows of packed samples (filter type 0 on every row): palettes, 1-bit gray, tRNS. */
function handmadePng(name: string, ihdr: Ihdr, rows: number[][], extra: Array<[string, number[]]> = []): string {
  return assemblePng(name, ihdr, zlib.deflateSync(Buffer.from(rows.flatMap((row) => [0, ...row]))), { extra });
}

/**
 * An Adam7-interlaced PNG (filter 0 on every row) of `values`: `channels` samples per pixel,
 * row-major, each `bitDepth` bits. Written here from the PNG spec's pass table, independently of
 * the decoder.
 */
function interlacedPng(name: string, ihdr: Ihdr, values: number[]): string {
  const channels = ihdr.colorType === 2 ? 3 : 1;
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  const raw: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const columns = Math.ceil((ihdr.width - x0) / dx);
    const rows = Math.ceil((ihdr.height - y0) / dy);
    if (columns <= 0 || rows <= 0) continue;
    for (let y = y0; y < ihdr.height; y += dy) {
      const bits: number[] = [];
      for (let x = x0; x < ihdr.width; x += dx) {
        for (let c = 0; c < channels; c++) {
          const v = values[(y * ihdr.width + x) * channels + c];
          for (let b = ihdr.bitDepth - 1; b >= 0; b--) bits.push((v >> b) & 1);
        }
      }
      while (bits.length % 8) bits.push(0);
      raw.push(0, ...Array.from({ length: bits.length / 8 }, (_, i) => bits.slice(8 * i, 8 * i + 8).reduce((a, b) => 2 * a + b, 0)));
    }
  }
  return assemblePng(name, { ...ihdr, interlace: 1 }, zlib.deflateSync(Buffer.from(raw)));
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

  it("undoes every filter type, at 8 and 16 bits, for gray, gray+alpha, RGB and RGBA", () => {
    // pngjs writes each row with the filter it is told; its decoder (which vitc used before) is
    // the reference, cut to the high byte at 16 bits as PIL does.
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) % 65536;
    for (const colorType of [0, 2, 4, 6] as const) {
      for (const bitDepth of [8, 16] as const) {
        for (const filterType of [0, 1, 2, 3, 4]) {
          const [width, height] = [13, 7];
          const png = new PNG({ width, height });
          const samples = Array.from({ length: width * height * 4 }, () => (bitDepth === 16 ? random() : random() & 255));
          png.data = bitDepth === 16 ? Buffer.from(new Uint16Array(samples).buffer) : Buffer.from(samples);
          const name = `filter-${colorType}-${bitDepth}-${filterType}.png`;
          const file = writeFile(name, PNG.sync.write(png, { colorType, bitDepth, filterType, inputHasAlpha: true }));
          const reference = PNG.sync.read(fs.readFileSync(file), { skipRescale: true });
          const expected = new Uint8Array(width * height * 3);
          const wide = bitDepth === 16 ? new Uint16Array(reference.data.buffer, reference.data.byteOffset, width * height * 4) : reference.data;
          for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) expected[3 * p + c] = wide[4 * p + c] >> (bitDepth === 16 ? 8 : 0);
          expect(decodeImage(file).data, name).toEqual(expected);
        }
      }
    }
  });

  it("reads Adam7-interlaced pictures, including passes narrower than a byte", () => {
    let seed = 5;
    const random = () => (seed = (seed * 16807) % 2147483647) & 255;
    for (const [width, height, bitDepth, colorType] of [[11, 9, 8, 2], [5, 3, 2, 0], [1, 1, 8, 2], [9, 17, 4, 0]] as const) {
      const channels = colorType === 2 ? 3 : 1;
      const values = Array.from({ length: width * height * channels }, () => random() & ((1 << bitDepth) - 1));
      const file = interlacedPng(`interlaced-${width}x${height}-${bitDepth}.png`, { width, height, bitDepth, colorType }, values);
      const scale = colorType === 0 ? 255 / ((1 << bitDepth) - 1) : 1;
      const expected = values.flatMap((v) => (channels === 3 ? [v] : [v * scale, v * scale, v * scale]));
      expect(Array.from(decodeImage(file).data), `${width}x${height}`).toEqual(expected);
    }
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

  it("reads a progressive JPEG whose EXIF block holds bytes that look like markers", () => {
    // fixtures/progressive.jpg, written by Pillow 9.4 (libjpeg-turbo) from a gradient:
    //   y, x = np.mgrid[0:32, 0:48]; a = np.dstack([40 + 3*x, 60 + 4*y, 200 - 2*x - 2*y]).astype(np.uint8)
    //   Image.fromarray(a).save(f, quality=95, progressive=True, subsampling=0,
    //                           exif=b"Exif\0\0" + b"\xff\xd8\xff\xd9" * 4)
    // PIL decodes it to within 3 levels of the gradient.
    const image = decodeImage(path.join(__dirname, "fixtures", "progressive.jpg"));
    expect([image.width, image.height]).toEqual([48, 32]);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 48; x++) {
        const want = [40 + 3 * x, 60 + 4 * y, 200 - 2 * x - 2 * y];
        for (let c = 0; c < 3; c++) expect(Math.abs(image.data[3 * (y * 48 + x) + c] - want[c]), `${x},${y}`).toBeLessThanOrEqual(4);
      }
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
  it("a PNG cut after its rows but before its end chunk", () => {
    // 20 bytes: IEND (12), IDAT's CRC (4) and the zlib checksum (4); every row is there.
    expectV4004(writeFile("cut.png", png.subarray(0, png.length - 20)), "the file ends early, after its pixel data but before its `IEND` chunk");
  });
  it("a PNG cut inside its header", () => expectV4004(writeFile("stub.png", png.subarray(0, 20)), "ends inside the PNG header"));
  it("a PNG with a damaged chunk", () => {
    const damaged = Buffer.from(png);
    damaged[damaged.length - 20] ^= 0xff; // inside IDAT: its checksum no longer matches
    expectV4004(writeFile("damaged.png", damaged), /^cannot decode `.*damaged\.png`: /);
  });
  it("a truncated JPEG", () => expectV4004(writeFile("cut.jpg", jpeg.subarray(0, jpeg.length - 40)), /^cannot decode `.*cut\.jpg`: the file ends early, inside a marker segment \(FF C4\)$/));
  it("a JPEG that is only a start marker", () => expectV4004(writeFile("soi.jpg", Buffer.from([0xff, 0xd8])), /^cannot decode `.*soi\.jpg`/));

  it("a PNG whose header claims 20000x20000 pixels, before decoding anything", () => {
    const file = handmadePng("huge.png", { width: 20000, height: 20000, bitDepth: 8, colorType: 2 }, [[1, 2, 3]]);
    expectV4004(file, "is 20000x20000 pixels (400.0 megapixels), more than the 89.5 megapixels vitc decodes");
  });

  it("a JPEG whose frame header claims 12000x9000 pixels", () => {
    const huge = Buffer.from(jpeg);
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(9000, sof + 5);
    huge.writeUInt16BE(12000, sof + 7);
    expectV4004(writeFile("huge.jpg", huge), "is 12000x9000 pixels (108.0 megapixels)");
  });
});

describe("hostile pictures: declared sizes are checked against the data before decoding", () => {
  /** An 8-bit RGB PNG with the given header size over the given IDAT bytes. */
  const pngWithIdat = (name: string, width: number, height: number, idat: Uint8Array, options: { end?: boolean } = {}) =>
    assemblePng(name, { width, height, bitDepth: 8, colorType: 2 }, idat, options);

  /** Rows of an 8-bit RGB picture with filter byte 0, `rows` of them, `width` pixels each. */
  const rawRows = (width: number, rows: number) => Buffer.from(Array.from({ length: rows * (1 + 3 * width) }, (_, i) => (i % (1 + 3 * width) === 0 ? 0 : (i * 37) & 255)));

  it("a 23-byte JPEG whose frame header claims 9000x9000 pixels and which has no scan data", () => {
    // SOI, SOF0 (8-bit, 9000x9000, three components at 1x1 sampling), EOI. jpeg-js spent 13 s
    // and 2.3 GB decoding nothing before failing.
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x23, 0x28, 0x23, 0x28, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9]);
    expect(bytes.length).toBe(23);
    // 1125 x 1125 blocks in each of 3 components = 3,796,875 blocks, at least one bit each.
    expectV4004(writeFile("header-only.jpg", bytes),
      "its header says 9000x9000 pixels, but it holds only 0 bytes of compressed image data, and any whole JPEG of that size needs at least 474,610");
  });

  it("counts the blocks of subsampled components at their own size", () => {
    // 4:2:0: luma 2x2, chroma 1x1 → a 64x64 picture has 8x8 luma blocks and 4x4 per chroma plane:
    // 96 blocks, 12 bytes. SOS (3 components) then 11 bytes of scan data, then EOI.
    const sof = [0xff, 0xc0, 0, 17, 8, 0, 64, 0, 64, 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0];
    const sos = [0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0];
    const bytes = Buffer.from([0xff, 0xd8, ...sof, ...sos, ...Array(11).fill(0x55), 0xff, 0xd9]);
    expectV4004(writeFile("subsampled.jpg", bytes), "holds only 11 bytes of compressed image data, and any whole JPEG of that size needs at least 12");
  });

  it("a PNG whose header claims 9000x9000 pixels over a few bytes of compressed data", () => {
    // The rows need 9000 * (1 + 3 * 9000) bytes; deflate gives at most 1032 per compressed byte.
    const idat = zlib.deflateSync(Buffer.alloc(64));
    expectV4004(pngWithIdat("tiny-huge.png", 9000, 9000, idat),
      `its header says 9000x9000 pixels, whose rows need 243,009,000 bytes once inflated, but it holds only ${idat.length} bytes of compressed pixel data, which inflate to at most ${(1032 * idat.length).toLocaleString("en-US")}`);
  });

  it("a PNG of 10000x10000 pixels, which the old limit of 100 megapixels let through", () => {
    expectV4004(pngWithIdat("huge.png", 10000, 10000, zlib.deflateSync(Buffer.alloc(64))), "is 10000x10000 pixels (100.0 megapixels), more than the 89.5 megapixels vitc decodes");
  });

  it("a PNG whose compressed data holds only half of its rows, which pngjs painted black", () => {
    expectV4004(pngWithIdat("half-rows.png", 8, 8, zlib.deflateSync(rawRows(8, 4))), /: the compressed pixel data ends early: only 4 of 8 rows are present$/);
  });

  it("a PNG cut in the middle of its pixel data", () => {
    // Stored (level 0) deflate keeps the rows' bytes as they are, after a 2-byte zlib header and
    // a 5-byte block header: cut 10 bytes into row 6 (rows are 1 + 3 * 16 = 49 bytes).
    const idat = zlib.deflateSync(rawRows(16, 16), { level: 0 });
    const file = pngWithIdat("cut-rows.png", 16, 16, idat);
    const cutAt = 8 + 25 + 8 + 2 + 5 + 5 * 49 + 10;
    expectV4004(writeFile("cut-rows.png", fs.readFileSync(file).subarray(0, cutAt)), /: the file ends early: only 5 of 16 rows are present$/);
  });

  it("a PNG whose deflate data holds more than its rows", () => {
    expectV4004(pngWithIdat("too-much.png", 8, 4, zlib.deflateSync(rawRows(8, 5))), "the compressed pixel data inflates to more than the 100 bytes its rows need");
  });

  it("a PNG whose last chunk is missing", () => {
    expectV4004(pngWithIdat("no-iend.png", 8, 4, zlib.deflateSync(rawRows(8, 4)), { end: false }), "the file ends early, after its pixel data but before its `IEND` chunk");
  });

  it("a JPEG cut inside its scan data", () => {
    const side = 64;
    const rgba = Buffer.from(Array.from({ length: side * side * 4 }, (_, i) => (i * 97) & 255));
    const jpeg = encodeJpeg({ width: side, height: side, data: rgba }, 90).data;
    const scan = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect(jpeg.length - scan).toBeGreaterThan(1000);
    expectV4004(writeFile("cut-scan.jpg", jpeg.subarray(0, scan + 500)), /: the file ends early, inside the compressed image data$/);
  });

  it("a JPEG whose scans never code one of its components", () => {
    // The one scan names component 1 twice instead of 1, 2, 3: jpeg-js would leave component 3
    // at zero and decode the picture without its red-difference plane.
    const jpeg = Buffer.from(encodeJpeg({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 99) }, 90).data);
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect(jpeg[sos + 4]).toBe(3);
    jpeg[sos + 9] = 1;
    expectV4004(writeFile("uncoded.jpg", jpeg), /: the compressed image data ends early: no scan codes component 3 of 3$/);
  });

  it("an arithmetic-coded JPEG, which jpeg-js cannot read", () => {
    const jpeg = Buffer.from(encodeJpeg({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 99) }, 90).data);
    jpeg[jpeg.indexOf(Buffer.from([0xff, 0xc0])) + 1] = 0xc9;
    expectV4004(writeFile("arithmetic.jpg", jpeg), "it is an arithmetic-coded JPEG (SOF9), which vitc's JPEG decoder does not read");
  });
});
