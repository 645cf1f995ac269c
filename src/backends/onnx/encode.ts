// Encodes an ONNX graph as a ModelProto with onnx-proto (ONNX's own schema compiled by
// protobufjs): IR version 8, opset 17 (and version 1 of ONNX Runtime's `com.microsoft` set when
// the graph uses its fused kernels), the model's metadata. A protobuf message cannot pass 2 GB,
// so past `maxInlineBytes` of initializers the large ones go to an external data file (ONNX's
// external data: location, offset and length per tensor, offsets aligned to 4 KiB so that a
// runtime can map them); the model file then holds only the graph.

import { onnx } from "onnx-proto";
import { ortDomain, type AttrValue, type DeferredValues, type OnnxGraph, type OnnxInitializer, type OnnxValueInfo, type TensorValues } from "./graph-builder";

export const irVersion = 8;
export const opsetVersion = 17;
/** The version of ONNX Runtime's contrib operator set that its fused kernels are registered under. */
export const ortOpsetVersion = 1;
/** protobuf's limit on one message, less room for the graph itself. */
export const defaultMaxInlineBytes = 2 ** 31 - 64 * 2 ** 20;
/** Tensors smaller than this stay in the model file even when the rest goes outside. */
const externalMinBytes = 1024;
const alignment = 4096;

export interface EncodeOptions {
  readonly metadata: Readonly<Record<string, string>>;
  readonly producerVersion: string;
  /** The external data file's name, relative to the model file (used only when needed). */
  readonly externalDataName: string;
  /** Initializer bytes above which tensors go to the external file (default: just under 2 GB). */
  readonly maxInlineBytes?: number;
}

export interface EncodedModel {
  readonly model: Uint8Array;
  /**
   * The external data file's name and its bytes in order, when the weights do not fit inline.
   * Deferred weights are read as the chunks are iterated, once, one tensor at a time.
   */
  readonly external?: { readonly name: string; readonly chunks: Iterable<Uint8Array>; readonly bytes: number };
}

function isDeferred(values: TensorValues | DeferredValues): values is DeferredValues {
  return !(values instanceof Float32Array || values instanceof BigInt64Array);
}

function bytesOf(t: OnnxInitializer): Uint8Array {
  const values = isDeferred(t.values) ? t.values.read() : t.values;
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function dataType(t: OnnxInitializer): onnx.TensorProto.DataType {
  return t.values instanceof BigInt64Array ? onnx.TensorProto.DataType.INT64 : onnx.TensorProto.DataType.FLOAT;
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value as number[] };
  return { name, type: AttributeType.FLOAT, f: (value as { float: number }).float };
}

function valueInfo(v: OnnxValueInfo): onnx.IValueInfoProto {
  const dim = v.dims.map((d) => (typeof d === "number" ? { dimValue: d } : typeof d === "string" ? { dimParam: d } : {}));
  return { name: v.name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

export function encodeModel(graph: OnnxGraph, options: EncodeOptions): EncodedModel {
  const total = graph.initializers.reduce((sum, t) => sum + t.values.byteLength, 0);
  // A deferred tensor is read where it is written: inline here, or as the chunks are iterated.
  const outside = total > (options.maxInlineBytes ?? defaultMaxInlineBytes);
  const parts: Array<OnnxInitializer | number> = []; // a tensor, or zero bytes of padding
  let offset = 0;
  const initializer = graph.initializers.map((t): onnx.ITensorProto => {
    const proto: onnx.ITensorProto = { name: t.name, dims: [...t.dims], dataType: dataType(t) };
    if (!outside || t.values.byteLength < externalMinBytes) return { ...proto, rawData: bytesOf(t) };
    const padding = (alignment - (offset % alignment)) % alignment;
    if (padding > 0) parts.push(padding);
    offset += padding;
    parts.push(t);
    const entry = { ...proto, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [
      { key: "location", value: options.externalDataName },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(t.values.byteLength) },
    ] };
    offset += t.values.byteLength;
    return entry;
  });
  const model: onnx.IModelProto = {
    irVersion,
    opsetImport: [
      { domain: "", version: opsetVersion },
      ...(graph.nodes.some((n) => n.domain === ortDomain) ? [{ domain: ortDomain, version: ortOpsetVersion }] : []),
    ],
    producerName: "vitc",
    producerVersion: options.producerVersion,
    graph: {
      name: graph.name,
      node: graph.nodes.map((n) => ({
        name: n.name, opType: n.opType, domain: n.domain, input: [...n.inputs], output: [...n.outputs],
        attribute: Object.entries(n.attrs).map(([name, value]) => attribute(name, value)),
      })),
      initializer,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
    metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
  };
  const bytes = onnx.ModelProto.encode(model).finish();
  function* chunks(): Iterable<Uint8Array> {
    for (const part of parts) yield typeof part === "number" ? new Uint8Array(part) : bytesOf(part);
  }
  return { model: bytes, ...(outside ? { external: { name: options.externalDataName, chunks: chunks(), bytes: offset } } : {}) };
}
