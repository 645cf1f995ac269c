// A checked model running on ONNX Runtime, in an InferenceSession with every graph optimisation and
// one intra-op thread per core, lowered with ONNX Runtime's fused kernels (the `onnxruntime` op set). A small model is lowered and encoded in memory (export-model.ts)
// and loaded from those bytes. A large one would hold its weights three times at once that way
// (the values read, the protobuf bytes, ONNX Runtime's copy: ViT-B/16 peaked at 3.1x its weights),
// and past 2 GB cannot be one protobuf message at all: it is streamed, one tensor at a time, into
// a private temporary folder as a model file with external data, which ONNX Runtime maps and reads,
// and the folder is removed once the session holds the model. Failures inside ONNX Runtime are
// ToolErrors that name the model.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { errorFirstLine, ToolError } from "../../diagnostics/tool-error";
import type { CheckedGraph } from "../../shapes/check";
import { writeAll } from "../../source/write-file";
import { weightBytes, type WeightSource } from "../../weights/bind";
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
  /** Weights past this many bytes are streamed through a temporary folder (default 64 MiB). */
  readonly streamAboveBytes?: number;
  /** Called once every weight has been read, before ONNX Runtime loads them (the finite-values check). */
  readonly afterRead?: () => void;
}

const defaultStreamAboveBytes = 64 * 2 ** 20;

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
    const bytes = weightBytes(checked);
    const sessionOptions = {
      graphOptimizationLevel: "all" as const, intraOpNumThreads: threadCount(), interOpNumThreads: 1, executionProviders: providers,
    };
    const stream = bytes > (options.streamAboveBytes ?? defaultStreamAboveBytes);
    const dir = stream ? fs.mkdtempSync(path.join(os.tmpdir(), "vitc-ort-")) : undefined;
    let session: InferenceSession;
    try {
      const encoded = exportOnnx(checked, source, { version: "in-memory", ops: "onnxruntime", onProgress: options.onProgress, deferReads: stream, ...(stream ? { maxInlineBytes: 0 } : {}) });
      const model = dir === undefined ? encoded.model : writeModelFiles(dir, encoded);
      options.afterRead?.();
      try {
        session = await ort.InferenceSession.create(model as Uint8Array, sessionOptions);
      } catch (err) {
        throw new ToolError("V5001", `backend \`onnxruntime\` could not load \`${checked.graph.name}\`: ${errorFirstLine(err)}`, {
          notes: [`execution providers: ${providers.join(", ")}`],
          help: ["this is a bug in vitc's ONNX export if the CPU provider alone fails; otherwise leave `VITC_ORT_PROVIDERS` unset"],
        });
      }
    } finally {
      if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
    }
    return new OrtModel(ort, session, checked.graph.name, bytes, device, providers[0] !== "cpu");
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
      throw new ToolError("V5002", `backend \`onnxruntime\` failed while running \`${this.name}\`: ${errorFirstLine(err)}`, {
        notes: ["most failures here are memory limits; otherwise it is a bug in vitc"],
        help: ["try a smaller `--batch`, or another `--backend`"],
      });
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Writes the model and its external data (read tensor by tensor) into `dir`; returns the model's path. */
function writeModelFiles(dir: string, encoded: ReturnType<typeof exportOnnx>): string {
  const file = path.join(dir, "model.onnx");
  fs.writeFileSync(file, encoded.model);
  if (encoded.external === undefined) return file;
  const fd = fs.openSync(path.join(dir, encoded.external.name), "w");
  try {
    for (const chunk of encoded.external.chunks) writeAll(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}
