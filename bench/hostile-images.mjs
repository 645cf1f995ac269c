// `npm run bench -- hostile-images`: time and peak memory of `vitc run --image`'s input path
// (decode, then timm's eval transform for vit_base_patch16_224) on pictures made to exhaust it.
// Goal: each is refused or preprocessed in well under a second and a few tens of MB above Node's
// own footprint. Each picture runs in a fresh Node (peak RSS is per process) with a time limit,
// against the compiled code in dist/ (run `npm run build` first).
//   header-only.jpg   23 bytes: a JPEG frame header claiming 9000x9000 and no scan data
//   tiny-huge.png     a PNG header claiming 9000x9000 over a few bytes of compressed data
//   huge.png          a PNG header claiming 10000x10000 (100 MP: the old limit, inclusive)
//   half-rows.png     a 640x480 PNG whose compressed data holds only its first 240 rows
//   cut-scan.jpg      a 2048x2048 JPEG cut in the middle of its scan data, without its end marker
//   tall.png          a valid 1x20000 PNG: the shorter side goes to 248, the longer to 4,960,000
//   photo-like.png    a valid 1024x768 PNG, for scale

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const timeLimitS = Number(process.env.HOSTILE_TIME_LIMIT_S ?? 300);

function pngChunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGB PNG with the given header size whose IDAT is `deflated`. */
function png(width, height, deflated) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header), pngChunk("IDAT", deflated), pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Filtered rows (filter type 0) of a smooth RGB picture, `rows` of `height`. */
function rawRows(width, rows) {
  const raw = Buffer.alloc(rows * (1 + 3 * width));
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < width; x++) raw.set([(x * 7) & 255, (y * 3) & 255, (x + y) & 255], y * (1 + 3 * width) + 1 + 3 * x);
  }
  return raw;
}

function pictures() {
  const { encode } = require("jpeg-js");
  const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 8, 0x23, 0x28, 0x23, 0x28, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9]);
  const side = 2048;
  const rgba = Buffer.alloc(side * side * 4);
  for (let p = 0; p < side * side; p++) rgba.set([(p * 13) & 255, (p >> 11) & 255, (p * 7) & 255, 255], 4 * p);
  const jpeg = encode({ width: side, height: side, data: rgba }, 90).data;
  return {
    "header-only.jpg": sof,
    "tiny-huge.png": png(9000, 9000, zlib.deflateSync(Buffer.alloc(64))),
    "huge.png": png(10000, 10000, zlib.deflateSync(Buffer.alloc(64))),
    "half-rows.png": png(640, 480, zlib.deflateSync(rawRows(640, 240))),
    "cut-scan.jpg": jpeg.subarray(0, Math.floor(jpeg.length / 2)),
    "tall.png": png(1, 20000, zlib.deflateSync(rawRows(1, 20000))),
    "photo-like.png": png(1024, 768, zlib.deflateSync(rawRows(1024, 768))),
  };
}

/** decode + preprocess in a fresh Node: outcome, wall time and peak RSS. */
function measure(file) {
  const code = `
    const { decodeImage } = require(${JSON.stringify(path.join(root, "dist/images/decode.js"))});
    const { dataConfigFor, preprocessImage } = require(${JSON.stringify(path.join(root, "dist/images/preprocess.js"))});
    const rssBefore = process.resourceUsage().maxRSS;
    const start = process.hrtime.bigint();
    let outcome;
    try {
      const image = decodeImage(${JSON.stringify(file)});
      const values = preprocessImage(image, dataConfigFor("vit", "vit_base_patch16_224", [224, 224]));
      outcome = "accepted: " + image.width + "x" + image.height + " → " + values.length + " values";
    } catch (err) {
      outcome = (err.code ? err.code + ": " : "") + err.message;
    }
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(JSON.stringify({ outcome, ms, nodeMb: rssBefore / 1024, peakMb: process.resourceUsage().maxRSS / 1024 }));`;
  const result = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", timeout: timeLimitS * 1000 });
  if (result.error?.code === "ETIMEDOUT" || result.signal === "SIGTERM") return { outcome: `still running after ${timeLimitS} s (killed)`, ms: timeLimitS * 1000 };
  if (result.status !== 0) return { outcome: `the process died (status ${result.status}, signal ${result.signal}): ${result.stderr.trim().split("\n").slice(-3).join(" ")}` };
  return JSON.parse(result.stdout);
}

export function hostileImages() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-hostile-"));
  const rows = [];
  try {
    for (const [name, bytes] of Object.entries(pictures())) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const m = measure(file);
      rows.push({ name, bytes: bytes.length, ...m });
      const time = m.ms === undefined ? "" : `${(m.ms / 1000).toFixed(3)} s`;
      const memory = m.peakMb === undefined ? "" : `peak RSS ${m.peakMb.toFixed(0)} MB (Node alone ${m.nodeMb.toFixed(0)} MB)`;
      console.log(`${name.padEnd(15)} ${String(bytes.length).padStart(9)} B  ${time.padStart(10)}  ${memory.padEnd(36)}  ${m.outcome.replaceAll(dir + path.sep, "")}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { timeLimitS, pictures: rows };
}
