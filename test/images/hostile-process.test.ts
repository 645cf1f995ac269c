// `vitc run --image` on pictures made to exhaust it, through the real `node bin/vitc.js`: each
// ends at once with one V4004 error naming the file and the problem, exit 1, no stack trace.
// Before the checks, the 23-byte JPEG took 13 s and 2.3 GB and the 1x20000 PNG 81 s and 3.7 GB
// (bench/hostile-images.mjs measures them).

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { pngBytes } from "../helpers/png-bytes";
import { vitc } from "../helpers/vitc-process";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-hostile-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const spec = path.join(tmp, "small.vit");
fs.writeFileSync(spec, "use std.vit\nmodel small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");

/** An 8-bit RGB PNG whose IDAT holds `raw` deflated. */
const png = (width: number, height: number, raw: Uint8Array) => pngBytes({ width, height, bitDepth: 8, colorType: 2 }, zlib.deflateSync(raw));

/** Runs `vitc run` on the small spec with the picture; its exit code and output. */
function runWithImage(image: string) {
  return vitc(["run", spec, "--image", image, "--backend", "cpu"], { timeoutMs: 20_000 });
}

describe("hostile pictures through `node bin/vitc.js run --image`", () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ["header-only.jpg", Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0x23, 0x28, 0x23, 0x28, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 0xff, 0xd9]),
      /header-only\.jpg: error\[V4004\]: cannot decode `.*header-only\.jpg`: its header says 9000x9000 pixels, but it holds only 0 bytes of compressed image data/],
    ["tiny-huge.png", png(9000, 9000, Buffer.alloc(64)), /error\[V4004\]: cannot decode `.*tiny-huge\.png`: its header says 9000x9000 pixels, whose rows need 243,009,000 bytes/],
    ["half-rows.png", png(64, 64, Buffer.alloc(32 * (1 + 3 * 64))), /error\[V4004\]: cannot decode `.*half-rows\.png`: the compressed pixel data ends early: only 32 of 64 rows are present/],
  ];
  it.each(cases)("%s is refused at once", (name, bytes, message) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, bytes);
    const r = runWithImage(file);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a 1x20000 picture runs: only the crop of its 248x4,960,000 resize is computed", () => {
    const rows = Buffer.alloc(20000 * 4);
    for (let y = 0; y < 20000; y++) rows.set([0, y & 255, (y >> 8) & 255, 128], 4 * y);
    const file = path.join(tmp, "tall.png");
    fs.writeFileSync(file, png(1, 20000, rows));
    const r = runWithImage(file);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("tall.png");
  });
});
