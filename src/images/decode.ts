// Reads a PNG or JPEG file into 8-bit RGB, as timm's loader does with PIL's
// `Image.open(f).convert('RGB')`; decode-png.ts and decode-jpeg.ts say how each format is read
// and where the result can differ from PIL's.
// Invariants: the format comes from the file's first bytes, never its extension; the declared
// size is checked against the pixel limit before anything is decoded or allocated; every failure
// (missing file, directory, other format, corrupt, truncated or oversized data) is a V4004
// ToolError naming the file, and no exception from zlib or jpeg-js escapes.

import * as fs from "node:fs";
import { ToolError } from "../diagnostics/tool-error";
import { describeFileError } from "../source/host";
import { decodeJpegBytes, readJpegSize } from "./decode-jpeg";
import { decodePngBytes, readPngSize } from "./decode-png";
import { groupDigits } from "../diagnostics/visible-text";
import { DecodeProblem } from "./decode-problem";
import type { RgbImage } from "./rgb-image";

export type { RgbImage } from "./rgb-image";

/**
 * Pictures larger than this are refused before decoding, so that a header cannot make vitc
 * allocate gigabytes. It is Pillow's `Image.MAX_IMAGE_PIXELS`, int(1024 * 1024 * 1024 // 4 // 3),
 * above which PIL warns of a possible decompression bomb (it refuses above twice as many).
 * At the limit (9459x9459, measured here) a PNG took 5 s and 0.85 GB to decode and preprocess,
 * a JPEG 11 to 13 s and 1.7 GB (jpeg-js keeps every coefficient).
 */
export const maxImagePixels = 89_478_485;

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodeImage(path: string): RgbImage {
  const bytes = readImageFile(path);
  if (startsWith(bytes, pngSignature)) return decodeChecked(path, readPngSize(bytes), () => decodePngBytes(bytes));
  if (startsWith(bytes, [0xff, 0xd8])) return decodeChecked(path, readJpegSize(bytes), () => decodeJpegBytes(bytes, maxImagePixels));
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

/** Checks the declared size against the pixel limit, then decodes; a problem becomes the V4004 error. */
function decodeChecked(path: string, size: { width: number; height: number } | DecodeProblem, decode: () => RgbImage | DecodeProblem): RgbImage {
  if (!(size instanceof DecodeProblem)) refuseIfTooLarge(path, size.width, size.height);
  const result = size instanceof DecodeProblem ? size : decode();
  if (result instanceof DecodeProblem) {
    throw new ToolError("V4004", `cannot decode \`${path}\`: ${result.reason}`, { file: path, notes: result.notes });
  }
  return result;
}

function refuseIfTooLarge(path: string, width: number, height: number): void {
  // Pillow counts a zero side as one pixel; the decoders refuse zero sides themselves.
  const pixels = Math.max(1, width) * Math.max(1, height);
  if (pixels <= maxImagePixels) return;
  throw new ToolError("V4004", `\`${path}\` is ${width}x${height} pixels (${(pixels / 1e6).toFixed(1)} megapixels), more than the ${(maxImagePixels / 1e6).toFixed(1)} megapixels vitc decodes`, {
    file: path,
    notes: [`the limit is Pillow's \`Image.MAX_IMAGE_PIXELS\`, ${groupDigits(maxImagePixels)} pixels, above which PIL warns of a possible decompression bomb`],
    help: ["shrink the picture first: the model sees it resized to its input size anyway"],
  });
}
