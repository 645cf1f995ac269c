// A web page that classifies a dropped picture with a model emitted by `vitc build --emit ts`.
// The picture is decoded by the browser and preprocessed by vitc's own evaluation transform
// (src/images/eval-transform.ts, what `vitc run --image` runs) with the model's timm data config
// (build.mjs writes it beside the model), then run on tfjs: WebGPU where the browser has an
// adapter, else wasm (`?backend=wasm|webgpu|cpu` chooses; `?weights=URL` names the weights,
// default `weights.safetensors` beside the page). `window.vitcExample` lets tests drive it.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { createModel, spec, type VitModel } from "vitc-model";
import { dataConfig } from "vitc-model-config";
import type { RgbImage } from "../../src/images/rgb-image";
import { preprocessImage } from "../../src/images/eval-transform";
import { imagenetClassName } from "../../src/images/imagenet-classes";
import { fetchSafetensors } from "./safetensors";

/** What a test reads back: the last preprocessed input and logits. */
export interface ExampleHandle {
  readonly ready: Promise<string>;
  /** Runs the model on an NCHW tensor read from a safetensors file's `input`; resolves to the logits. */
  predictFile(url: string): Promise<{ logits: number[]; shape: number[]; tensorsLeft: number }>;
  last?: { input: number[]; logits: number[]; top: Array<{ index: number; probability: number }> };
}

declare global {
  interface Window {
    vitcExample: ExampleHandle;
  }
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => (element("status").textContent = text);

/** The backend the page asks for, or WebGPU when the browser has an adapter, else wasm. */
async function chooseBackend(): Promise<string> {
  const asked = new URLSearchParams(location.search).get("backend");
  if (asked) return asked;
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return gpu && (await gpu.requestAdapter()) ? "webgpu" : "wasm";
}

async function start(): Promise<{ model: VitModel; backend: string }> {
  setWasmPaths(new URL(".", location.href).href);
  const backend = await chooseBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend does not load in this browser`);
  await tf.ready();
  status(`Loading the weights of ${spec.name} on ${backend}…`);
  const weights = await fetchSafetensors(new URLSearchParams(location.search).get("weights") ?? "weights.safetensors");
  const model = createModel(weights);
  // createModel converted every weight into tensors of its own.
  tf.dispose(Object.values(weights));
  status(`${spec.name} (${spec.params.toLocaleString("en")} parameters) on ${backend}: drop a picture.`);
  return { model, backend };
}

/** The picture's pixels as 8-bit RGB, without colour conversion (PIL's `convert('RGB')` drops alpha). */
async function decode(file: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext("2d")!;
  context.drawImage(bitmap, 0, 0);
  const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const data = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let p = 0; p < bitmap.width * bitmap.height; p++) data.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
  return { width: bitmap.width, height: bitmap.height, data };
}

/** The top `k` classes of one row of logits, by softmax probability. */
function topClasses(logits: Float32Array, k: number): Array<{ index: number; probability: number }> {
  const max = Math.max(...logits);
  const exp = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v, index) => ({ index, probability: v / sum })).sort((a, b) => b.probability - a.probability).slice(0, k);
}

async function classify(model: VitModel, file: File): Promise<void> {
  element<HTMLImageElement>("preview").src = URL.createObjectURL(file);
  const values = preprocessImage(await decode(file), dataConfig);
  const input = tf.tensor4d(values, [1, ...spec.input]);
  const { logits, features } = model.predict(input);
  const row = (await logits.data()) as Float32Array;
  tf.dispose([input, logits, features]);
  const top = topClasses(row, 5);
  const name = (index: number) => (spec.output[0] === 1000 ? imagenetClassName(index) : `class ${index}`);
  element("classes").replaceChildren(...top.map(({ index, probability }) => {
    const item = document.createElement("li");
    item.textContent = `${(100 * probability).toFixed(2)}%  ${name(index)} (${index})`;
    return item;
  }));
  window.vitcExample.last = { input: Array.from(values), logits: Array.from(row), top };
  status(`${file.name}: done.`);
}

const started = start();
window.vitcExample = {
  ready: started.then(({ backend }) => backend),
  async predictFile(url) {
    const { model } = await started;
    const { input } = await fetchSafetensors(url);
    const before = tf.memory().numTensors;
    const { logits, features } = model.predict(input as tf.Tensor4D);
    const result = { logits: Array.from(await logits.data()), shape: logits.shape, tensorsLeft: tf.memory().numTensors - before - 2 };
    tf.dispose([input, logits, features]);
    return result;
  },
};
started.then(({ model }) => {
  const onFile = (file: File | undefined) => file && classify(model, file).catch((err: unknown) => status(String(err)));
  element<HTMLInputElement>("file").addEventListener("change", (event) => onFile((event.target as HTMLInputElement).files?.[0]));
  const drop = element("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    onFile(event.dataTransfer?.files[0]);
  });
}, (err: unknown) => status(`Could not start: ${err instanceof Error ? err.message : String(err)}`));
