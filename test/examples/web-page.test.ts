// The emitted module in a real browser: examples/web/ is built for the vit_tiny fixture (its
// build.mjs: `vitc build --emit ts`, then rolldown), served on 127.0.0.1 with timm's weights, and
// opened in headless Chromium (Debian's `chromium`, which .ci/run installs; no browser download).
// On wasm and on WebGPU (Chromium's SwiftShader adapter) the page's logits for the fixture's
// input match timm's, and a picture dropped on the page is preprocessed exactly as `vitc run
// --image` does and classified as `vitc run` classifies it. Where Chromium is not installed the
// tests are skipped with the reason printed.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBackend } from "../../src/backends/tfjs/load-backend";
import { TfjsModel } from "../../src/backends/tfjs/model";
import { readImages } from "../../src/index";
import { fileWeights } from "../../src/weights/bind";
import { openSafetensors } from "../../src/weights/safetensors";
import { compileFile, fixturesDir, repoRoot } from "../helpers/compile";
import { maxAbsDiff } from "../helpers/parity-cases";

type Browser = import("playwright-core").Browser;
type Page = import("playwright-core").Page;

// The page's globals as the callbacks given to page.evaluate see them (these tests are compiled
// without the DOM library); examples/web/main.ts defines `vitcExample`.
declare const window: {
  vitcExample: {
    ready: Promise<string>;
    predictFile(url: string): Promise<{ logits: number[]; shape: number[]; tensorsLeft: number }>;
    last?: { input: number[]; logits: number[] };
  };
};
declare const navigator: { gpu?: { requestAdapter(): Promise<unknown> } };
declare const document: { getElementById(id: string): { dispatchEvent(event: unknown): boolean } | null };
declare class DataTransfer {
  readonly items: { add(file: unknown): void };
}
declare class File {
  constructor(parts: unknown[], name: string, options: { type: string });
}
declare class DragEvent {
  constructor(type: string, init: { dataTransfer: DataTransfer; bubbles: boolean; cancelable: boolean });
}

const chromiumPath = process.env.VITC_CHROMIUM ?? "/usr/bin/chromium";
const fixture = path.join(fixturesDir, "vit_tiny");
const spec = path.join(repoRoot, "test", "parity", "vit_tiny.vit");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-web-"));
const site = path.join(work, "site");
let browser: Browser | undefined;
let server: { url: string; close(): Promise<void> } | undefined;
let unavailable: string | undefined;

/** A 97x61 opaque PNG of deterministic noise: odd sizes exercise the resize and the crop. */
function writePicture(file: string): void {
  const png = new PNG({ width: 97, height: 61 });
  let state = 12345;
  for (let i = 0; i < png.data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    png.data[i] = i % 4 === 3 ? 255 : state >>> 24;
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

beforeAll(async () => {
  const { buildExample } = (await import(path.join(repoRoot, "examples", "web", "build.mjs"))) as { buildExample(o: { spec: string; outDir: string }): Promise<unknown> };
  const { serveFolder } = (await import(path.join(repoRoot, "examples", "web", "serve.mjs"))) as { serveFolder(dir: string): Promise<{ url: string; close(): Promise<void> }> };
  await buildExample({ spec, outDir: site });
  fs.copyFileSync(path.join(fixture, "weights.safetensors"), path.join(site, "weights.safetensors"));
  fs.copyFileSync(path.join(fixture, "input.safetensors"), path.join(site, "input.safetensors"));
  writePicture(path.join(site, "picture.png"));
  if (!fs.existsSync(chromiumPath)) {
    unavailable = `browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set VITC_CHROMIUM)`;
    console.warn(unavailable);
    return;
  }
  server = await serveFolder(site);
  const { chromium } = await import("playwright-core");
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--enable-unsafe-webgpu"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

async function openPage(backend: string): Promise<Page> {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(`${server!.url}?backend=${backend}`);
  const chosen = await page.evaluate(() => window.vitcExample.ready).catch((err: unknown) => `failed: ${String(err)} ${errors.join("; ")}`);
  expect(chosen).toBe(backend);
  return page;
}

const timmLogits = () => {
  const file = openSafetensors(path.join(fixture, "output.safetensors"));
  const values = file.read("logits");
  file.close();
  const config = JSON.parse(fs.readFileSync(path.join(fixture, "config.json"), "utf8")) as { output: { tensors: { logits: { shape: number[]; suggested_atol: number } } } };
  return { values, ...config.output.tensors.logits };
};

describe("examples/web", () => {
  it("builds (the emitted module bundled with the page by rolldown) and type-checks with the DOM library", () => {
    for (const file of ["index.html", "app.js", "tfjs-backend-wasm-simd.wasm"]) expect(fs.existsSync(path.join(site, file)), file).toBe(true);
    const tsc = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    expect(() => execFileSync(process.execPath, [tsc, "-p", path.join(repoRoot, "examples", "web", "tsconfig.json")], { encoding: "utf8" })).not.toThrow();
  });
});

describe("examples/web in headless Chromium", () => {
  it.for(["wasm", "webgpu"])("on %s, the page's logits for the fixture's input are timm's", async (backend, ctx) => {
    if (unavailable) return ctx.skip(unavailable);
    if (backend === "webgpu") {
      const probe = await browser!.newPage();
      await probe.goto(server!.url + "picture.png");
      const adapter = await probe.evaluate(async () => {
        return navigator.gpu ? (await navigator.gpu.requestAdapter()) !== null : false;
      });
      await probe.close();
      if (!adapter) return ctx.skip("webgpu browser test skipped: Chromium offers no WebGPU adapter here");
    }
    const page = await openPage(backend);
    const result = await page.evaluate(() => window.vitcExample.predictFile("input.safetensors"));
    await page.close();
    const timm = timmLogits();
    expect(result.shape).toEqual(timm.shape);
    expect(result.tensorsLeft, "tensors left by predict besides its two outputs").toBe(0);
    expect(maxAbsDiff(result.logits, timm.values), "logits against timm").toBeLessThanOrEqual(timm.suggested_atol);
  });

  it("classifies a dropped picture as `vitc run --image` does, preprocessing bit for bit", async (ctx) => {
    if (unavailable) return ctx.skip(unavailable);
    const page = await openPage("wasm");
    // A drop as a browser makes it: a DataTransfer holding the file, on the drop zone.
    await page.evaluate(async () => {
      const bytes = await (await fetch("picture.png")).arrayBuffer();
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "picture.png", { type: "image/png" }));
      document.getElementById("drop")!.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector("#classes li");
    const shown = await page.$$eval("#classes li", (items) => items.map((item) => item.textContent ?? ""));
    const last = (await page.evaluate(() => window.vitcExample.last))!;
    await page.close();

    const model = compileFile(spec).models[0];
    const images = readImages(model, [path.join(site, "picture.png")]);
    expect(maxAbsDiff(last.input, images.values), "the page's input against vitc run --image's").toBe(0);
    const { tf } = await loadBackend("wasm");
    const weights = openSafetensors(path.join(fixture, "weights.safetensors"));
    const reference = TfjsModel.load(tf, model.checked, fileWeights(weights));
    const input = tf.tensor4d(images.values, [1, 3, 32, 32]);
    const { logits } = reference.forward(input).outputs;
    const expected = await logits.data();
    tf.dispose([input, logits]);
    reference.dispose();
    weights.close();
    expect(maxAbsDiff(last.logits, expected), "the page's logits against vitc run's").toBeLessThanOrEqual(1e-5);
    const best = Array.from(expected).indexOf(Math.max(...expected));
    expect(shown).toHaveLength(5);
    expect(shown[0]).toMatch(new RegExp(`class ${best} \\(${best}\\)$`));
  });
});
