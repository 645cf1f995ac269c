// Reads a PNG or JPEG file into 8-bit RGB, as timm's loader does with PIL's
// `Image.open(f).convert('RGB')`.
// Invariants: the format comes from the file's first bytes, never its extension; every failure
// (missing file, directory, other format, corrupt or truncated data, more than 100 megapixels)
// is a V4004 ToolError naming the file, and no exception from pngjs or jpeg-js escapes.
//
// Where the result can differ from PIL's:
// - JPEG: jpeg-js upsamples subsampled chroma by repeating samples and uses its own IDCT, while
//   PIL's libjpeg(-turbo) interpolates chroma ("fancy upsampling"), so pixels of a 4:2:0 JPEG can
//   differ from PIL's by a few levels. Grayscale and 4:4:4 JPEGs differ by at most a level or so.
// - 16-bit grayscale PNG: PIL opens it as mode `I;16`, and `convert('RGB')` then clips every
//   value above 255 to 255, which turns almost any real 16-bit picture white. vitc keeps the
//   high byte instead, as PIL itself does for 16-bit RGB, RGBA and gray+alpha PNGs.
// Neither PIL's `Image.open` nor timm applies the EXIF orientation, so vitc ignores it too.

import * as fs from "node:fs";
import { decode as decodeJpeg } from "jpeg-js";
import { PNG } from "pngjs";
import { ToolError } from "../diagnostics/tool-error";
import { describeFileError } from "../source/host";

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  readonly data: Uint8Array;
}

/** Pictures larger than this are refused before decoding, so a hostile header cannot exhaust memory. */
const maxPixels = 100_000_000;
/** jpeg-js's own budget: a 100-megapixel JPEG needs about 2 GB of coefficient and output buffers. */
const jpegMemoryLimitMb = 3072;

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodeImage(path: string): RgbImage {
  const bytes = readImageFile(path);
  if (startsWith(bytes, pngSignature)) return decodePng(path, bytes);
  if (startsWith(bytes, [0xff, 0xd8])) return decodeJpegFile(path, bytes);
  const looks = guessFormat(bytes);
  throw new ToolError("V4004", `\`${path}\` is not a PNG or JPEG image${looks ? ` (${looks})` : ""}`, {
    file: path,
    notes: ["vitc recognises a picture by its first bytes, not by its file extension"],
    help: ["convert the picture to PNG or JPEG"],
  });
}

function readImageFile(path: string): Buffer {
  try {
    if (fs.statSync(path).isDirectory()) {
      throw new ToolError("V4004", `\`${path}\` is a directory, not an image`, { file: path, help: ["give the path of a PNG or JPEG file"] });
    }
    return fs.readFileSync(path);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError("V4004", `cannot read \`${path}\`: ${describeFileError(err)}`, { file: path });
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** A phrase naming another common format, for the error message; undefined when unknown. */
function guessFormat(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return "the file is empty";
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString("latin1");
  if (ascii(0, 4) === "GIF8") return "it looks like a GIF";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "it looks like a WebP";
  if (ascii(0, 2) === "BM") return "it looks like a BMP";
  if (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*") return "it looks like a TIFF";
  if (ascii(4, 8) === "ftyp") return ["avif", "avis"].includes(ascii(8, 12)) ? "it looks like an AVIF" : "it looks like a HEIC or other ISO media file";
  if (ascii(0, 4) === "%PDF") return "it looks like a PDF";
  return undefined;
}

function refuseIfTooLarge(path: string, width: number, height: number): void {
  if (width * height <= maxPixels) return;
  throw new ToolError("V4004", `\`${path}\` is ${width}x${height} pixels (${(width * height / 1e6).toFixed(1)} megapixels), more than the 100 megapixels vitc decodes`, {
    file: path,
    help: ["shrink the picture first: the model sees it resized to its input size anyway"],
  });
}

function cannotDecode(path: string, reason: string): ToolError {
  return new ToolError("V4004", `cannot decode \`${path}\`: ${reason}`, { file: path });
}

function decodePng(path: string, bytes: Buffer): RgbImage {
  // IHDR must be the first chunk: 8-byte signature, 4-byte length, "IHDR", then width and height.
  if (bytes.length < 33) throw cannotDecode(path, `the file ends inside the PNG header (${bytes.length} bytes)`);
  if (bytes.toString("latin1", 12, 16) !== "IHDR") throw cannotDecode(path, "the PNG header chunk `IHDR` is missing");
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const bitDepth = bytes[24];
  if (width === 0 || height === 0) throw cannotDecode(path, `the PNG header says the image is ${width}x${height} pixels`);
  refuseIfTooLarge(path, width, height);

  let png: { data: ArrayLike<number> };
  try {
    // 16-bit samples are kept whole (pngjs would otherwise rescale them to 8 bits with rounding);
    // below they are cut to their high byte, as PIL's `RGB;16B`-style unpackers do.
    png = PNG.sync.read(withoutTransparencyChunks(bytes), { skipRescale: bitDepth === 16 });
  } catch (err) {
    throw cannotDecode(path, describePngError(err));
  }
  // pngjs returns RGBA for every colour type: gray is replicated, palettes are looked up, and
  // 1/2/4-bit gray is scaled to 0..255 exactly as PIL's `L;1`/`L;2`/`L;4` unpackers do.
  // Alpha is dropped without compositing onto a background, as PIL's `convert('RGB')` does.
  const shift = bitDepth === 16 ? 8 : 0;
  const rgba = png.data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    data[3 * p] = rgba[4 * p] >> shift;
    data[3 * p + 1] = rgba[4 * p + 1] >> shift;
    data[3 * p + 2] = rgba[4 * p + 2] >> shift;
  }
  return { width, height, data };
}

/**
 * The PNG without its `tRNS` chunks. For gray and RGB images pngjs paints every pixel of the
 * transparent colour key black (RGB included), while PIL keeps its colour and `convert('RGB')`
 * simply drops the transparency; alpha is dropped here anyway, so the chunk carries nothing.
 */
function withoutTransparencyChunks(bytes: Buffer): Buffer {
  const kept: Buffer[] = [bytes.subarray(0, 8)];
  let offset = 8;
  let removed = false;
  while (offset + 12 <= bytes.length) {
    const end = offset + 12 + bytes.readUInt32BE(offset);
    if (bytes.toString("latin1", offset + 4, offset + 8) === "tRNS") removed = true;
    else kept.push(bytes.subarray(offset, Math.min(end, bytes.length)));
    offset = end;
  }
  if (!removed) return bytes;
  if (offset < bytes.length) kept.push(bytes.subarray(offset)); // a truncated tail: pngjs reports it
  return Buffer.concat(kept);
}

function describePngError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/read requests waitng on finished stream|unexpected end/i.test(message)) return "the file ends early (it is truncated)";
  if (/crc/i.test(message)) return "a chunk's checksum does not match (the file is corrupt)";
  if (/invalid inflate|incorrect header check|invalid (stored|block|distance|code)|unrecognised content at end of stream/i.test(message)) return "the compressed pixel data is corrupt";
  return `the PNG data is corrupt (${message})`;
}

function decodeJpegFile(path: string, bytes: Buffer): RgbImage {
  const size = jpegFrameSize(bytes);
  if (size) refuseIfTooLarge(path, size.width, size.height);
  try {
    const image = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: jpegMemoryLimitMb,
    });
    if (image.width === 0 || image.height === 0) throw cannotDecode(path, `the JPEG header says the image is ${image.width}x${image.height} pixels`);
    return { width: image.width, height: image.height, data: image.data };
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw cannotDecode(path, describeJpegError(err, bytes));
  }
}

function describeJpegError(err: unknown, bytes: Buffer): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/4 components/.test(message)) return "it is a 4-channel (CMYK) JPEG without an Adobe marker, which vitc cannot convert";
  if (/maxMemoryUsageInMB/.test(message)) return `it needs more than ${jpegMemoryLimitMb} MB to decode`;
  // Entropy-coded data never contains FF D9, so a file without it stops before its end marker.
  // (An EXIF thumbnail has its own, which hides truncation; the generic reason covers that.)
  if (bytes.lastIndexOf(Buffer.from([0xff, 0xd9])) < 0) return "the file ends early (it is truncated)";
  return `the JPEG data is corrupt (${message})`;
}

/**
 * Width and height from the first start-of-frame marker, read before decoding so that the size
 * limit is checked first; undefined when the markers end before one appears.
 */
function jpegFrameSize(bytes: Buffer): { width: number; height: number } | undefined {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) { offset += 1; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { offset += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) return undefined; // scan data or end: no frame header
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width.
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && offset + 9 <= bytes.length) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return undefined;
}
