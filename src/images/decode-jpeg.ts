// Decodes a JPEG into 8-bit RGB with jpeg-js, after walking its marker segments to check what
// the frame header declares against the data the file holds.
// Invariants: jpeg-js runs only on a file that ends with its end-of-image marker after complete
// segments and scans, has a baseline, extended or progressive Huffman frame with 8-bit samples,
// and holds at least one bit of scan data per 8x8 block per component (below that it cannot be
// a whole JPEG of the declared size, and jpeg-js would decode the missing part as zero bits,
// for seconds and gigabytes on a hostile header); every problem is a `DecodeProblem`.
//
// Where the result differs from PIL's: jpeg-js upsamples subsampled chroma by repeating samples
// and uses its own IDCT, while PIL's libjpeg(-turbo) interpolates chroma ("fancy upsampling"),
// so pixels of a 4:2:0 JPEG can differ by a few levels; grayscale and 4:4:4 by a level or so.
// libjpeg also reads arithmetic-coded JPEGs, which vitc refuses. Neither PIL's `Image.open` nor
// timm applies the EXIF orientation, so vitc ignores it too.

import { decode as decodeJpeg } from "jpeg-js";
import type { RgbImage } from "./rgb-image";
import { groupDigits } from "../diagnostics/visible-text";
import { DecodeProblem } from "./decode-problem";

interface Frame {
  /** The SOFn marker's second byte, 0xc0..0xcf. */
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: ReadonlyArray<{ readonly id: number; readonly h: number; readonly v: number }>;
}

interface Layout {
  readonly frame?: Frame;
  /** Bytes of entropy-coded data over all scans (with byte stuffing and restart markers). */
  readonly scanBytes: number;
  /** Ids of the components that some scan codes the DC coefficients of. */
  readonly dcCoded: ReadonlySet<number>;
  /** Set when the file ends before its end-of-image marker, or a segment is malformed. */
  readonly problem?: DecodeProblem;
}

/** jpeg-js's own memory budget; a JPEG at the pixel limit took 1.7 GB in all (decode.ts). */
const jpegMemoryLimitMb = 3072;

/** Width and height from the frame header, read without decoding; a problem when there is none. */
export function readJpegSize(bytes: Uint8Array): { width: number; height: number } | DecodeProblem {
  const layout = readLayout(bytes);
  if (layout.frame) return { width: layout.frame.width, height: layout.frame.height };
  return layout.problem ?? new DecodeProblem("it has no frame header (SOF marker) before its end-of-image marker");
}

/** Decodes `bytes` (which start with FF D8). The caller checks `readJpegSize` against its pixel limit first. */
export function decodeJpegBytes(bytes: Uint8Array, maxPixels: number): RgbImage | DecodeProblem {
  const layout = readLayout(bytes);
  if (layout.problem) return layout.problem;
  const frame = layout.frame;
  if (!frame) return new DecodeProblem("it has no frame header (SOF marker) before its end-of-image marker");
  const unsupported = unsupportedProcess(frame);
  if (unsupported) return unsupported;
  const shortfall = missingScanData(frame, layout.scanBytes);
  if (shortfall) return shortfall;
  const uncoded = frame.components.findIndex((c) => !layout.dcCoded.has(c.id));
  if (uncoded >= 0) {
    // jpeg-js would leave the component's blocks at zero: a flat grey plane, or no colour.
    return new DecodeProblem(`the compressed image data ends early: no scan codes component ${uncoded + 1} of ${frame.components.length}`);
  }
  try {
    const image = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: jpegMemoryLimitMb });
    return { width: image.width, height: image.height, data: image.data };
  } catch (err) {
    return new DecodeProblem(describeJpegJsError(err));
  }
}

/**
 * Walks the marker segments from SOI to EOI as libjpeg does, skipping stray bytes between
 * segments; the scan data after each SOS runs to the next marker that is neither a stuffed
 * zero nor a restart marker.
 */
function readLayout(bytes: Uint8Array): Layout {
  let frame: Frame | undefined;
  let scanBytes = 0;
  const dcCoded = new Set<number>();
  let offset = 2;
  const stop = (problem: DecodeProblem): Layout => ({ frame, scanBytes, dcCoded, problem });
  const endsEarly = (where: string): Layout => stop(new DecodeProblem(`the file ends early, ${where}`));
  for (;;) {
    offset = bytes.indexOf(0xff, offset);
    while (offset >= 0 && bytes[offset + 1] === 0xff) offset++; // fill bytes before a marker
    if (offset < 0 || offset + 1 >= bytes.length) return endsEarly(frame ? "before its end-of-image marker" : "before its frame header");
    const marker = bytes[offset + 1];
    offset += 2;
    if (marker === 0xd9) return { frame, scanBytes, dcCoded };
    if (marker === 0x00 || marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (offset + 2 > bytes.length) return endsEarly("inside a marker segment");
    const start = offset; // the segment's two length bytes, which its length counts
    const length = (bytes[start] << 8) | bytes[start + 1];
    const end = start + length;
    if (length < 2) return stop(new DecodeProblem(`a marker segment (FF ${hex(marker)}) has length ${length} (the file is corrupt)`));
    if (end > bytes.length) return endsEarly(`inside a marker segment (FF ${hex(marker)})`);
    if (isFrameMarker(marker) && !frame) {
      const parsed = readFrame(bytes, start, length, marker);
      if (parsed instanceof DecodeProblem) return stop(parsed);
      frame = parsed;
    }
    offset = end;
    if (marker === 0xda) {
      // Component count, then (id, tables) per component, then Ss: a scan with Ss = 0 codes DC.
      const count = bytes[start + 2];
      if (length >= 6 + 2 * count && bytes[start + 3 + 2 * count] === 0) {
        for (let i = 0; i < count; i++) dcCoded.add(bytes[start + 3 + 2 * i]);
      }
      const scanEnd = endOfScan(bytes, offset);
      if (scanEnd < 0) return endsEarly("inside the compressed image data");
      scanBytes += scanEnd - offset;
      offset = scanEnd;
    }
  }
}

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readFrame(bytes: Uint8Array, offset: number, length: number, marker: number): Frame | DecodeProblem {
  // Length, precision, height, width, component count, then id, sampling (h << 4 | v), table.
  const count = bytes[offset + 7];
  if (length < 8 || length !== 8 + 3 * count) return new DecodeProblem(`the frame header has length ${length}, which does not fit its ${count} components (the file is corrupt)`);
  const components = Array.from({ length: count }, (_, i) => ({ id: bytes[offset + 8 + 3 * i], h: bytes[offset + 9 + 3 * i] >> 4, v: bytes[offset + 9 + 3 * i] & 15 }));
  if (components.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) return new DecodeProblem("a component's sampling factor is outside 1..4 (the file is corrupt)");
  return {
    marker,
    precision: bytes[offset + 2],
    height: (bytes[offset + 3] << 8) | bytes[offset + 4],
    width: (bytes[offset + 5] << 8) | bytes[offset + 6],
    components,
  };
}

/** The offset of the marker that ends the scan data starting at `offset`; -1 when the file ends first. */
function endOfScan(bytes: Uint8Array, offset: number): number {
  for (let at = bytes.indexOf(0xff, offset); at >= 0; at = bytes.indexOf(0xff, at + 1)) {
    if (at + 1 >= bytes.length) return -1;
    const next = bytes[at + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) { at++; continue; } // stuffed zero, restart marker
    if (next !== 0xff) return at;
  }
  return -1;
}

const processNames: Readonly<Record<number, string>> = {
  0xc3: "a lossless", 0xc5: "a hierarchical", 0xc6: "a hierarchical progressive", 0xc7: "a hierarchical lossless",
  0xc9: "an arithmetic-coded", 0xca: "an arithmetic-coded progressive", 0xcb: "an arithmetic-coded lossless",
  0xcd: "a hierarchical arithmetic-coded", 0xce: "a hierarchical arithmetic-coded progressive", 0xcf: "a hierarchical arithmetic-coded lossless",
};

function unsupportedProcess(frame: Frame): DecodeProblem | undefined {
  if (frame.marker > 0xc2) {
    return new DecodeProblem(
      `it is ${processNames[frame.marker] ?? "a nonstandard"} JPEG (SOF${frame.marker - 0xc0}), which vitc's JPEG decoder does not read`,
      ["vitc reads baseline, extended and progressive JPEGs with Huffman coding, the kinds cameras and the web use"],
    );
  }
  if (frame.precision !== 8) return new DecodeProblem(`it has ${frame.precision}-bit samples; vitc reads 8-bit JPEGs`);
  if (frame.width === 0 || frame.height === 0) return new DecodeProblem(`the JPEG header says the image is ${frame.width}x${frame.height} pixels`);
  return undefined;
}

/**
 * A problem when the scans hold less than one bit per 8x8 block of each component: the least
 * any whole JPEG of this size can have. A baseline scan codes each block's DC difference and an
 * end-of-block, a progressive DC scan each block's DC difference, and no Huffman code is shorter
 * than one bit; only progressive AC scans can cover many blocks with one code (an EOB run).
 * Blocks are counted per component as in a non-interleaved scan, the smaller count.
 */
function missingScanData(frame: Frame, scanBytes: number): DecodeProblem | undefined {
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  const blocks = frame.components.reduce((sum, c) =>
    sum + Math.ceil(Math.ceil((frame.width * c.h) / hMax) / 8) * Math.ceil(Math.ceil((frame.height * c.v) / vMax) / 8), 0);
  const needed = Math.ceil(blocks / 8);
  if (scanBytes >= needed) return undefined;
  return new DecodeProblem(
    `its header says ${frame.width}x${frame.height} pixels, but it holds only ${groupDigits(scanBytes)} bytes of compressed image data, and any whole JPEG of that size needs at least ${groupDigits(needed)}`,
    [`a JPEG codes each 8x8 block of each component with at least one bit: ${groupDigits(blocks)} blocks in ${frame.components.length} component${frame.components.length === 1 ? "" : "s"} here; the file is cut short or its header is damaged`],
  );
}

function describeJpegJsError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/4 components/.test(message)) return "it is a 4-channel (CMYK) JPEG without an Adobe marker, which vitc cannot convert";
  if (/maxMemoryUsageInMB/.test(message)) return `it needs more than ${jpegMemoryLimitMb} MB to decode`;
  if (/unexpected marker|marker was not found/.test(message)) return "the compressed image data ends before all its blocks (the file is corrupt)";
  return `the JPEG data is corrupt (${message})`;
}

function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}
