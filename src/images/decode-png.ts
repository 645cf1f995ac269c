// Decodes a PNG into 8-bit RGB as PIL's `Image.open(f).convert('RGB')` does, checking every size
// the header declares against the data the file holds before allocating for it.
// Invariants: nothing larger than the file's own compressed data allows is allocated (deflate
// inflates at most 1032 bytes per byte, so the header's row bytes are checked against that
// first); the inflated data is bounded by what the rows need; pixel data that ends early is
// refused, never filled in; every problem is a `DecodeProblem`, and no zlib error escapes.
//
// PIL's results, and the one place vitc differs:
// - Alpha (colour types 4 and 6, and any `tRNS` chunk) is dropped without compositing onto a
//   background. Palettes are looked up; gray is copied to three channels; 1-, 2- and 4-bit gray
//   is scaled to 0..255 as PIL's `L;1`/`L;2`/`L;4` unpackers do.
// - 16-bit samples keep their high byte, as PIL's 16-bit RGB, RGBA and gray+alpha unpackers do.
//   PIL opens 16-bit gray as mode `I;16`, and `convert('RGB')` then clips every value above 255
//   to 255, which turns almost any real 16-bit picture white; vitc keeps the high byte there too.
// - PIL accepts a file cut after its last pixel row and ignores deflate data beyond the rows;
//   vitc refuses both (the file is damaged, and the excess would be unbounded work).

import * as zlib from "node:zlib";
import type { RgbImage } from "./rgb-image";
import { groupDigits } from "../diagnostics/visible-text";
import { DecodeProblem } from "./decode-problem";

/** The most bytes one byte of deflate data can inflate to: a 258-byte match coded in 2 bits. */
export const maxDeflateRatio = 1032;

interface Header {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

/** Samples per pixel of each colour type: gray, -, RGB, palette, gray+alpha, -, RGBA. */
const channelsOf: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const allowedDepths: Readonly<Record<number, readonly number[]>> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** Adam7: for each pass, the first column and row and the steps between them. */
const adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** One sub-image of the pixel data: the whole picture, or an Adam7 pass. */
interface Pass { readonly x0: number; readonly y0: number; readonly dx: number; readonly dy: number; readonly width: number; readonly height: number }

/** Width and height from the `IHDR` chunk, which must come first; a problem when it does not. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } | DecodeProblem {
  const header = readHeader(bytes);
  return header instanceof DecodeProblem ? header : { width: header.width, height: header.height };
}

/**
 * Decodes `bytes` (which start with the PNG signature). The caller checks the size from
 * `readPngSize` against its pixel limit first.
 */
export function decodePngBytes(bytes: Uint8Array): RgbImage | DecodeProblem {
  const header = readHeader(bytes);
  if (header instanceof DecodeProblem) return header;
  const chunks = readChunks(bytes);
  if (chunks instanceof DecodeProblem) return chunks;

  const passes = passesOf(header);
  const neededBytes = passes.reduce((sum, p) => sum + p.height * (1 + rowBytes(p.width, header)), 0);
  const idatBytes = chunks.idat.reduce((sum, c) => sum + c.length, 0);
  if (neededBytes > maxDeflateRatio * idatBytes) {
    return new DecodeProblem(
      `its header says ${header.width}x${header.height} pixels, whose rows need ${groupDigits(neededBytes)} bytes once inflated, but it holds only ${groupDigits(idatBytes)} bytes of compressed pixel data, which inflate to at most ${groupDigits(maxDeflateRatio * idatBytes)}`,
      [`deflate inflates at most ${maxDeflateRatio} bytes per compressed byte; the file is cut short or its header is damaged`],
    );
  }
  if (header.colorType === 3 && !chunks.palette) return new DecodeProblem("it is a palette image without a palette (`PLTE` chunk)");

  const raw = inflateBounded(Buffer.concat(chunks.idat), neededBytes);
  if (raw instanceof DecodeProblem) return raw;
  if (raw.length < neededBytes) {
    const where = chunks.truncated ? "the file ends early" : "the compressed pixel data ends early";
    if (header.interlaced) return new DecodeProblem(`${where}: only ${groupDigits(raw.length)} of the ${groupDigits(neededBytes)} bytes of interlaced pixel data are present`);
    const rows = Math.floor(raw.length / (1 + rowBytes(header.width, header)));
    return new DecodeProblem(`${where}: only ${rows} of ${header.height} rows are present`);
  }
  if (chunks.truncated) return new DecodeProblem("the file ends early, after its pixel data but before its `IEND` chunk");

  const data = new Uint8Array(header.width * header.height * 3);
  let offset = 0;
  for (const pass of passes) {
    const problem = unfilter(raw, offset, pass, header);
    if (problem) return problem;
    const paletteProblem = writePixels(raw, offset, pass, header, chunks.palette, data);
    if (paletteProblem) return paletteProblem;
    offset += pass.height * (1 + rowBytes(pass.width, header));
  }
  return { width: header.width, height: header.height, data };
}

function readHeader(bytes: Uint8Array): Header | DecodeProblem {
  // 8-byte signature, then IHDR: length (13), "IHDR", width, height, depth, colour type,
  // compression, filter, interlace, CRC.
  if (bytes.length < 33) return new DecodeProblem(`the file ends inside the PNG header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (latin1(bytes, 12, 16) !== "IHDR" || view.getUint32(8) !== 13) return new DecodeProblem("the PNG header chunk `IHDR` is missing");
  if (view.getUint32(29) !== zlib.crc32(bytes.subarray(12, 29))) return new DecodeProblem("the checksum of the `IHDR` chunk does not match (the file is corrupt)");
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const [bitDepth, colorType, compression, filter, interlace] = bytes.subarray(24, 29);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return new DecodeProblem(`the PNG header says the image is ${width}x${height} pixels`);
  if (!Object.hasOwn(allowedDepths, colorType)) return new DecodeProblem(`the PNG header gives colour type ${colorType}, which PNG does not define`);
  if (!allowedDepths[colorType].includes(bitDepth)) return new DecodeProblem(`the PNG header gives ${bitDepth}-bit samples for colour type ${colorType}, which PNG does not allow`);
  if (compression !== 0 || filter !== 0 || interlace > 1) return new DecodeProblem(`the PNG header gives compression method ${compression}, filter method ${filter} and interlace method ${interlace}; PNG defines only 0, 0 and 0 or 1`);
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 };
}

interface Chunks {
  readonly idat: Uint8Array[];
  readonly palette?: Uint8Array;
  /** The file ends before `IEND` (inside a chunk or between chunks). */
  readonly truncated: boolean;
}

/**
 * The `IDAT` data and the palette. Chunks are checked against their CRC (as pngjs and libpng
 * do); a chunk cut by the end of the file ends the walk with `truncated`, keeping the part of
 * an `IDAT` that is there so that the caller can say how many rows survived.
 */
function readChunks(bytes: Uint8Array): Chunks | DecodeProblem {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let idatEnded = false;
  let offset = 33;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = latin1(bytes, offset + 4, offset + 8);
    const dataEnd = offset + 8 + length;
    if (dataEnd + 4 > bytes.length) {
      if (type === "IDAT" && !idatEnded) idat.push(bytes.subarray(offset + 8, Math.min(dataEnd, bytes.length)));
      return { idat, palette, truncated: true };
    }
    if (view.getUint32(dataEnd) !== zlib.crc32(bytes.subarray(offset + 4, dataEnd))) {
      return new DecodeProblem(`the checksum of a \`${printable(type)}\` chunk does not match (the file is corrupt)`);
    }
    const data = bytes.subarray(offset + 8, dataEnd);
    if (type === "IEND") return { idat, palette, truncated: false };
    if (type === "IDAT") {
      // The pixel data is one stream split over consecutive IDAT chunks; PIL and libpng stop
      // at the first other chunk, and so does this.
      if (!idatEnded) idat.push(data);
    } else {
      if (idat.length > 0) idatEnded = true;
      if (type === "PLTE" && !palette) {
        if (length % 3 !== 0 || length === 0 || length > 768) return new DecodeProblem(`the palette (\`PLTE\` chunk) has ${length} bytes; it needs 3 per colour and at most 256 colours`);
        palette = data;
      }
    }
    offset = dataEnd + 4;
  }
  return { idat, palette, truncated: true }; // the file ends between chunks, before IEND
}

/**
 * Inflates at most `limit` bytes. A stream cut short gives what it holds (zlib's sync flush),
 * so that the caller can count the rows; a stream holding more than `limit` is refused.
 */
function inflateBounded(compressed: Buffer, limit: number): Buffer | DecodeProblem {
  if (compressed.length === 0) return Buffer.alloc(0);
  try {
    return zlib.inflateSync(compressed, { maxOutputLength: Math.max(limit, 1), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE") return new DecodeProblem(`the compressed pixel data inflates to more than the ${groupDigits(limit)} bytes its rows need (the file is corrupt)`);
    return new DecodeProblem(`the compressed pixel data is corrupt (zlib: ${err instanceof Error ? err.message : String(err)})`);
  }
}

function passesOf(header: Header): Pass[] {
  if (!header.interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width: header.width, height: header.height }];
  return adam7
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, width: Math.ceil((header.width - x0) / dx), height: Math.ceil((header.height - y0) / dy) }))
    .filter((p) => p.width > 0 && p.height > 0); // an empty pass has no bytes at all, not even filter bytes
}

function rowBytes(width: number, header: Header): number {
  return Math.ceil((width * channelsOf[header.colorType] * header.bitDepth) / 8);
}

/** Undoes the per-row filters in place; each row then holds its samples. */
function unfilter(raw: Uint8Array, start: number, pass: Pass, header: Header): DecodeProblem | undefined {
  const stride = rowBytes(pass.width, header);
  // Filters look one whole pixel back, or one byte back for pixels narrower than a byte.
  const back = Math.max(1, (channelsOf[header.colorType] * header.bitDepth) >> 3);
  for (let y = 0; y < pass.height; y++) {
    const row = start + y * (stride + 1);
    const filter = raw[row];
    const at = row + 1;
    const up = at - stride - 1; // the previous row's first sample; unused on the first row
    const hasUp = y > 0;
    switch (filter) {
      case 0: break;
      case 1: for (let i = back; i < stride; i++) raw[at + i] = (raw[at + i] + raw[at + i - back]) & 255; break;
      case 2: if (hasUp) for (let i = 0; i < stride; i++) raw[at + i] = (raw[at + i] + raw[up + i]) & 255; break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const left = i >= back ? raw[at + i - back] : 0;
          const above = hasUp ? raw[up + i] : 0;
          raw[at + i] = (raw[at + i] + ((left + above) >> 1)) & 255;
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const left = i >= back ? raw[at + i - back] : 0;
          const above = hasUp ? raw[up + i] : 0;
          const corner = hasUp && i >= back ? raw[up + i - back] : 0;
          raw[at + i] = (raw[at + i] + paeth(left, above, corner)) & 255;
        }
        break;
      default:
        return new DecodeProblem(`row ${y + 1}${header.interlaced ? " of an interlace pass" : ""} has filter type ${filter}; PNG defines 0 to 4 (the file is corrupt)`);
    }
  }
  return undefined;
}

/** The PNG spec's Paeth predictor: whichever neighbour is closest to left + above - corner. */
function paeth(left: number, above: number, corner: number): number {
  const estimate = left + above - corner;
  const toLeft = Math.abs(estimate - left);
  const toAbove = Math.abs(estimate - above);
  const toCorner = Math.abs(estimate - corner);
  if (toLeft <= toAbove && toLeft <= toCorner) return left;
  return toAbove <= toCorner ? above : corner;
}

/** Writes one pass's unfiltered samples into the RGB picture. */
function writePixels(raw: Uint8Array, start: number, pass: Pass, header: Header, palette: Uint8Array | undefined, out: Uint8Array): DecodeProblem | undefined {
  const { colorType, bitDepth } = header;
  const stride = rowBytes(pass.width, header);
  const channels = channelsOf[colorType];
  // Gray below 8 bits scales to 0..255 (1 bit: ×255, 2: ×85, 4: ×17); a palette index does not.
  const grayScale = colorType === 0 && bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  const colours = palette ? palette.length / 3 : 0;
  for (let y = 0; y < pass.height; y++) {
    const row = start + y * (stride + 1) + 1;
    let target = 3 * ((pass.y0 + y * pass.dy) * header.width + pass.x0);
    const step = 3 * pass.dx;
    for (let x = 0; x < pass.width; x++, target += step) {
      if (bitDepth < 8) {
        const bit = x * bitDepth;
        const value = (raw[row + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
        if (colorType === 3) {
          if (value >= colours) return paletteMiss(value, colours);
          out[target] = palette![3 * value];
          out[target + 1] = palette![3 * value + 1];
          out[target + 2] = palette![3 * value + 2];
        } else {
          out[target] = out[target + 1] = out[target + 2] = value * grayScale;
        }
        continue;
      }
      // 8 or 16 bits: the first (high) byte of each sample; alpha is the sample after the colour.
      const size = bitDepth >> 3;
      const p = row + x * channels * size;
      if (colorType === 3) {
        const value = raw[p];
        if (value >= colours) return paletteMiss(value, colours);
        out[target] = palette![3 * value];
        out[target + 1] = palette![3 * value + 1];
        out[target + 2] = palette![3 * value + 2];
      } else if (colorType === 0 || colorType === 4) {
        out[target] = out[target + 1] = out[target + 2] = raw[p];
      } else {
        out[target] = raw[p];
        out[target + 1] = raw[p + size];
        out[target + 2] = raw[p + 2 * size];
      }
    }
  }
  return undefined;
}

function paletteMiss(index: number, colours: number): DecodeProblem {
  return new DecodeProblem(`a pixel uses palette entry ${index}, but the palette has ${colours} colours (the file is corrupt)`);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** A chunk type for a message: its four letters, or their codes when they are not letters. */
function printable(type: string): string {
  return /^[A-Za-z]{4}$/.test(type) ? type : [...type].map((c) => c.charCodeAt(0)).join(" ");
}

