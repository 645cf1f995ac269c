// `vitc run` and `vitc bench` end to end through the CLI: the fixed flags, the output file, and
// one clear error with exit 1 (never a stack trace, never a half-written file) for each kind
// of bad input: corrupt or mismatched weights, wrong input shapes, unknown or unavailable
// backends, unreadable images, a missing output directory.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { openSafetensors, writeSafetensors } from "../../src/weights/safetensors";
import { fixturesDir } from "../helpers/compile";

async function vitc(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, color: false });
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-run-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fixture = (name: string, file: string) => path.join(fixturesDir, name, file);
const vitTinySpec = path.join(__dirname, "..", "parity", "vit_tiny.vit");

/** A small 1000-class ViT, so that runs print ImageNet classes without a 224 image. */
const small = path.join(tmp, "small.vit");
fs.writeFileSync(small, "use std.vit\nmodel small = vit(img_size: 32, patch_size: 8, embed_dim: 32, depth: 1, num_heads: 2)\n");

function expectOneError(result: { code: number; out: string; err: string }, code: string, text: string) {
  expect(result.code).toBe(1);
  expect(result.err).toContain(`error[${code}]`);
  expect(result.err).toContain(text);
  expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
}

describe("vitc run", () => {
  it("reproduces timm's logits and features for the vit_tiny fixture and writes them as safetensors", async () => {
    const output = path.join(tmp, "out.safetensors");
    const r = await vitc(["run", vitTinySpec, "--weights", fixture("vit_tiny", "weights.safetensors"), "--input", fixture("vit_tiny", "input.safetensors"), "--output", output, "--backend", "wasm"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/backend\s+wasm/);
    expect(r.out).toContain("logits [2, 10]");
    expect(r.out).toMatch(/time\s+[\d.]+ ms/);
    expect(r.out).toContain("top-5 classes, image 1:");
    const written = openSafetensors(output);
    const expected = openSafetensors(fixture("vit_tiny", "output.safetensors"));
    expect([...written.tensors.keys()]).toEqual(["logits", "features"]);
    for (const name of ["logits", "features"]) {
      expect(written.tensors.get(name)!.shape).toEqual(expected.tensors.get(name)!.shape);
      const a = written.read(name);
      const b = expected.read(name);
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(2e-4);
    }
    written.close();
    expected.close();
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("prints the top-5 ImageNet classes with names for a 1000-class model, and is deterministic per seed", async () => {
    const first = await vitc(["run", small, "--backend", "cpu", "--seed", "3"]);
    expect(first.code).toBe(0);
    expect(first.out).toContain("top-5 ImageNet classes:");
    const lines = first.out.split("\n").filter((l) => /^\s+[\d.]+%\s+\d+\s+\S/.test(l));
    expect(lines).toHaveLength(5);
    const again = await vitc(["run", small, "--backend", "cpu", "--seed", "3"]);
    expect(again.out.split("\n").filter((l) => /%/.test(l))).toEqual(first.out.split("\n").filter((l) => /%/.test(l)));
  });

  it("runs a PNG picture through the family's preprocessing", async () => {
    const png = new PNG({ width: 40, height: 30 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 7) % 256;
    const file = path.join(tmp, "picture.png");
    fs.writeFileSync(file, PNG.sync.write(png));
    const r = await vitc(["run", small, "--image", file, "--backend", "cpu"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("picture.png");
    expect(r.out).toContain("top-5 ImageNet classes:");
  });

  it("a missing weight file", async () => {
    expectOneError(await vitc(["run", small, "--weights", path.join(tmp, "nope.safetensors"), "--backend", "cpu"]), "V4001", "no such file");
  });

  it("a truncated weight file", async () => {
    const cut = path.join(tmp, "cut.safetensors");
    fs.writeFileSync(cut, fs.readFileSync(fixture("vit_tiny", "weights.safetensors")).subarray(0, 5000));
    expectOneError(await vitc(["run", vitTinySpec, "--weights", cut, "--backend", "cpu"]), "V4001", "cut.safetensors");
  });

  it("weights of another model: every mismatch by name, with both shapes", async () => {
    const r = await vitc(["run", vitTinySpec, "--weights", fixture("swin_tiny", "weights.safetensors"), "--backend", "cpu"]);
    expectOneError(r, "V4002", "does not fit model `vit_tiny`");
    expect(r.err).toContain("missing `cls_token`: the model needs [1, 1, 64]");
    expect(r.err).toMatch(/unexpected `layers\.0\.blocks\.0\.attn\.relative_position_bias_table` \[49, 2\]/);
  });

  it("mis-shaped weights name both shapes", async () => {
    const file = path.join(tmp, "head.safetensors");
    const weights = openSafetensors(fixture("vit_tiny", "weights.safetensors"));
    const tensors = [...weights.tensors.values()].map((t) => ({ name: t.name, shape: t.shape, data: weights.read(t.name) }));
    weights.close();
    const head = tensors.find((t) => t.name === "head.weight")!;
    Object.assign(head, { shape: [5, 128], data: head.data.subarray(0, 640) });
    writeSafetensors(file, tensors);
    const r = await vitc(["run", vitTinySpec, "--weights", file, "--backend", "cpu"]);
    expectOneError(r, "V4002", "`head.weight` is [5, 128] in the file, the model needs [10, 64]");
  });

  it("an input of the wrong shape names both shapes", async () => {
    const r = await vitc(["run", vitTinySpec, "--input", fixture("mobilevit_tiny", "input.safetensors"), "--backend", "cpu"]);
    expectOneError(r, "V4003", "the input is [2, 3, 64, 64], but model `vit_tiny` takes [B, 3, 32, 32]");
  });

  it("an input file without a tensor named `input`", async () => {
    const r = await vitc(["run", vitTinySpec, "--input", fixture("vit_tiny", "output.safetensors"), "--backend", "cpu"]);
    expectOneError(r, "V4003", "has no tensor named `input`");
  });

  it("an unknown backend", async () => {
    expectOneError(await vitc(["run", small, "--backend", "gpu"]), "V5001", "unknown backend `gpu`");
  });

  it("a backend that is not installed is an error, not a silent fallback", async () => {
    expectOneError(await vitc(["run", small, "--backend", "tensorflow"]), "V5001", "tensorflow");
  });

  it("an image that is not a picture", async () => {
    const file = path.join(tmp, "not-an-image.png");
    fs.writeFileSync(file, "hello");
    expectOneError(await vitc(["run", small, "--image", file, "--backend", "cpu"]), "V4004", "not-an-image.png");
  });

  it("an output in a missing directory leaves no file behind", async () => {
    const output = path.join(tmp, "missing-dir", "out.safetensors");
    expectOneError(await vitc(["run", small, "--output", output, "--backend", "cpu"]), "V4005", "missing-dir");
    expect(fs.existsSync(path.dirname(output))).toBe(false);
  });

  it("a spec with errors reports them and runs nothing", async () => {
    const bad = path.join(tmp, "bad.vit");
    fs.writeFileSync(bad, "use std.vit\nmodel bad = vit(img_size: 30, patch_size: 8)\n");
    const r = await vitc(["run", bad, "--backend", "cpu"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[V3101]");
    expect(r.out).toBe("");
  });

  it.each([["-1"], ["1.5"], ["abc"], ["1e3"], [""]])("a bad --seed value is a usage error: %j", async (value) => {
    const r = await vitc(["run", small, "--seed", value, "--backend", "cpu"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`vitc: option \`--seed\` needs an integer of at least 0, got \`${value}\``);
  });
});

describe("vitc bench", () => {
  it("--json has the fixed fields", async () => {
    const r = await vitc(["bench", small, "--backend", "cpu", "--batch", "2", "--runs", "3", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["model", "backend", "batch", "runs_ms", "median_ms"]);
    expect(json).toMatchObject({ model: "small", backend: "cpu", batch: 2 });
    expect(json.runs_ms).toHaveLength(3);
    expect(typeof json.median_ms).toBe("number");
  });

  it("a batch of 0 or a run count of 0 is a usage error", async () => {
    for (const [flag, min] of [["--batch", 1], ["--runs", 1]] as const) {
      const r = await vitc(["bench", small, flag, "0", "--backend", "cpu"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`vitc: option \`${flag}\` needs an integer of at least ${min}, got \`0\``);
    }
  });
});
