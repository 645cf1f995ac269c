// Lowers a checked IR graph and its weights to an ONNX graph: the input `input` [batch, C, H, W]
// with a symbolic batch, one lowering per node in graph order (lowerings.ts), and the outputs
// `logits` and `features` (timm's forward() and forward_features()). Reads only the checked IR
// and the weight source; every weight is read once, in PyTorch layout, under its timm key.

import { weightKey } from "../../ir/graph";
import type { Shape } from "../../ir/shape";
import type { CheckedGraph } from "../../shapes/check";
import { expectedTensors, tensorSize, type ExpectedTensor, type WeightSource } from "../../weights/bind";
import { GraphBuilder, type OnnxGraph, type OnnxValueInfo } from "./graph-builder";
import type { OnnxOpSet, Producer } from "./lowering";
import { lowerings } from "./lowerings";

/** The graph's outputs, besides which a caller may ask for any node's value by name. */
export const modelOutputs = ["logits", "features"] as const;

/** The model outputs this graph has (a model without a head has no separate `features`), in order. */
export function presentOutputs(checked: CheckedGraph): Array<(typeof modelOutputs)[number]> {
  return modelOutputs.filter((name) => Object.hasOwn(checked.graph.outputs, name));
}

export interface LowerOptions {
  /** Extra graph outputs: a node's value under a name of the caller's (parity tests compare layers). */
  readonly capture?: ReadonlyArray<{ readonly name: string; readonly node: number }>;
  /** Called as weights are read: elements done and in all. */
  readonly onProgress?: (p: { done: number; total: number }) => void;
  /** Read each weight only when it is encoded (a streamed encoding then holds one at a time). */
  readonly deferReads?: boolean;
  /** Standard ONNX only (the default), or also ONNX Runtime's fused kernels. */
  readonly ops?: OnnxOpSet;
}

function valueInfo(name: string, shape: Shape): OnnxValueInfo {
  return { name, dims: [shape.batch === 1 ? "batch" : undefined, ...shape.dims] };
}

export function lowerToOnnx(checked: CheckedGraph, source: WeightSource, options: LowerOptions = {}): OnnxGraph {
  if (!checked.complete) throw new Error("a model with shape errors cannot be lowered");
  const expected = new Map<string, ExpectedTensor>(expectedTensors(checked).map((t) => [t.key, t]));
  const total = [...expected.values()].reduce((sum, t) => sum + tensorSize(t.shape), 0);
  let done = 0;
  const g = new GraphBuilder();
  const values: string[] = [];
  const inputs: OnnxValueInfo[] = [];
  const read = new Map<string, string>();
  /** The initializer of a node's parameter, under its timm key, read from the source once. */
  const weightOf = (node: { op: string; path: string }) => (name: string): string => {
    const key = weightKey(node.path, name);
    const known = read.get(key);
    if (known !== undefined) return known;
    const t = expected.get(key);
    if (t === undefined) throw new Error(`\`${node.op}\` at \`${node.path}\` has no parameter \`${name}\``);
    const size = tensorSize(t.shape);
    const readValues = () => {
      const values = source.read(t);
      done += size;
      options.onProgress?.({ done, total });
      return values;
    };
    const initializer = g.initializer(key, t.shape, options.deferReads ? { byteLength: 4 * size, read: readValues } : readValues());
    read.set(key, initializer);
    return initializer;
  };
  for (const { node, shape } of checked.nodes) {
    g.scope = node.path === "" ? node.op : node.path;
    if (node.op === "input") {
      values[node.id] = g.reserve("input");
      inputs.push(valueInfo("input", shape!));
      continue;
    }
    values[node.id] = lowerings[node.op]({
      g,
      inputs: node.inputs.map((i) => values[i]),
      attrs: node.attrs,
      inputShapes: node.inputs.map((i) => checked.nodes[i].shape!),
      out: shape!,
      path: node.path,
      weight: weightOf(node),
      ops: options.ops ?? "standard",
      producer(i): Producer | undefined {
        const made = checked.nodes[node.inputs[i]].node;
        if (made.op === "input") return undefined;
        return { op: made.op, attrs: made.attrs, inputs: made.inputs.map((j) => values[j]), weight: weightOf(made) };
      },
    });
  }
  g.scope = "";
  const outputs: OnnxValueInfo[] = [];
  const named = [
    ...presentOutputs(checked).map((name) => ({ name, node: checked.graph.outputs[name] })),
    ...(options.capture ?? []),
  ];
  for (const { name, node } of named) {
    g.rename(values[node], name);
    outputs.push(valueInfo(name, checked.nodes[node].shape!));
  }
  return g.finish(checked.graph.name, inputs, outputs);
}
