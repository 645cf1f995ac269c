// A checked model running on ONNX Runtime: lowered and encoded in memory (export-model.ts), then
// loaded into an InferenceSession with every graph optimisation and one intra-op thread per core.
// The encoded bytes are dropped once the session holds the model, so memory at run time is ONNX
// Runtime's own copy of the weights plus its activations. A model past 2 GB of weights cannot be
// one protobuf message: it goes through a temporary folder as a model file and its external
// data, removed once loaded. Failures inside ONNX Runtime are ToolErrors that name the model.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ToolError } from "../../diagnostics/tool-error";
import type { CheckedGraph } from "../../shapes/check";
import type { WeightSource } from "../../weights/bind";
import { exportOnnx } from "./export-model";
import { executionProviders, threadCount, type Ort } from "./load-runtime";

type InferenceSession = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;

export interface HostValues {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

export interface OrtLoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (p: { done: number; total: number }) => void;
}

export class OrtModel {
  private constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    private readonly name: string,
    /** Bytes of float32 weights the session holds. */
    readonly weightBytes: number,
    /** For people: "onnxruntime 1.30.0 (CPU, 2 threads)". */
    readonly device: string,
    readonly gpu: boolean,
  ) {}

  static async load(ort: Ort, checked: CheckedGraph, source: WeightSource, options: OrtLoadOptions = {}): Promise<OrtModel> {
    const { providers, device } = executionProviders(ort, options.env ?? process.env);
    let weightBytes = 0;
    const counting: WeightSource = { description: source.description, read: (t) => {
      const values = source.read(t);
      weightBytes += values.byteLength;
      return values;
    } };
    const sessionOptions = {
      graphOptimizationLevel: "all" as const, intraOpNumThreads: threadCount(), interOpNumThreads: 1, executionProviders: providers,
    };
    let encoded: ReturnType<typeof exportOnnx> | undefined = exportOnnx(checked, counting, { version: "in-memory", onProgress: options.onProgress });
    let session: InferenceSession;
    try {
      if (encoded.external === undefined) session = await ort.InferenceSession.create(encoded.model, sessionOptions);
      else session = await createFromFiles(ort, encoded, sessionOptions);
    } catch (err) {
      throw new ToolError("V5001", `backend \`onnxruntime\` could not load \`${checked.graph.name}\`: ${firstLine(err)}`, {
        notes: [`execution providers: ${providers.join(", ")}`],
        help: ["this is a bug in vitc's ONNX export if the CPU provider alone fails; otherwise leave `VITC_ORT_PROVIDERS` unset"],
      });
    }
    encoded = undefined;
    return new OrtModel(ort, session, checked.graph.name, weightBytes, device, providers[0] !== "cpu");
  }

  /**
   * One forward pass on host values; returns the outputs asked for (default: all) as host values.
   * A failure inside ONNX Runtime is a V5002 naming the model.
   */
  async run(input: HostValues, outputs?: readonly string[]): Promise<Record<string, HostValues>> {
    try {
      const feeds = { input: new this.ort.Tensor("float32", input.values, [...input.shape]) };
      const result = outputs ? await this.session.run(feeds, [...outputs]) : await this.session.run(feeds);
      const host: Record<string, HostValues> = Object.create(null) as Record<string, HostValues>;
      for (const [name, t] of Object.entries(result)) host[name] = { values: t.data as Float32Array, shape: t.dims };
      return host;
    } catch (err) {
      throw new ToolError("V5002", `backend \`onnxruntime\` failed while running \`${this.name}\`: ${firstLine(err)}`, {
        notes: ["most failures here are memory limits; otherwise it is a bug in vitc"],
        help: ["try a smaller `--batch`, or another `--backend`"],
      });
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Writes the model and its external data to a private temporary folder, loads it from there, removes it. */
async function createFromFiles(ort: Ort, encoded: ReturnType<typeof exportOnnx>, options: object): Promise<InferenceSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vitc-ort-"));
  try {
    const file = path.join(dir, "model.onnx");
    fs.writeFileSync(file, encoded.model);
    const fd = fs.openSync(path.join(dir, encoded.external!.name), "w");
    try {
      for (const chunk of encoded.external!.chunks) fs.writeSync(fd, chunk);
    } finally {
      fs.closeSync(fd);
    }
    return await ort.InferenceSession.create(file, options);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0].trim();
}
