// Builds an ONNX graph as plain data: nodes in topological order, initializers with their values,
// and unique value names. The lowerings (lowerings/) call it; encode.ts turns the result into
// protobuf bytes with onnx-proto. Invariants: every value name is unique; an initializer's name is
// the timm state_dict key when its values are stored exactly as timm stores them, and a name under
// the node's path with a suffix of its own (`….relative_position_index`) otherwise; constants of
// the same values are made once. `finish` drops the nodes whose outputs nothing reads (a fused
// lowering leaves the nodes it replaced behind) and the initializers no node reads then.

export type AttrValue = number | string | readonly number[] | { readonly float: number };

export interface OnnxNode {
  readonly opType: string;
  /** The operator set: "" for ONNX's own, `com.microsoft` for ONNX Runtime's fused kernels. */
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly name: string;
}

export type TensorValues = Float32Array | BigInt64Array;

/** float32 values read only when encoded, so that a streamed encoding holds one tensor at a time. */
export interface DeferredValues {
  readonly byteLength: number;
  read(): Float32Array;
}

export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: TensorValues | DeferredValues;
}

/** A graph input or output: float32, with `batch` as a symbolic first dimension when `batched`. */
export interface OnnxValueInfo {
  readonly name: string;
  /** Dimensions; a string is a symbolic one (`batch`), undefined an unknown one. */
  readonly dims: ReadonlyArray<number | string | undefined>;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: OnnxInitializer[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  /** The node path that names new values and nodes (`blocks.3.attn`). */
  scope = "";

  /** A value name not used before, made from `hint` under the current scope. */
  fresh(hint: string): string {
    // Every made name holds a "/", which no timm key does: the two never collide.
    const base = `${this.scope}/${hint}`;
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with one output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.opN(opType, inputs, 1, attrs)[0];
  }

  /** Adds a node with `count` outputs; returns their names. */
  opN(opType: string, inputs: readonly string[], count: number, attrs: Readonly<Record<string, AttrValue>> = {}, domain = ""): string[] {
    const outputs = Array.from({ length: count }, () => this.fresh(opType));
    this.nodes.push({ opType, domain, inputs, outputs, attrs, name: this.fresh(`${opType}_node`) });
    return outputs;
  }

  /** Adds a node of ONNX Runtime's own operator set (`com.microsoft`) with one output. */
  ortOp(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.opN(opType, inputs, 1, attrs, ortDomain)[0];
  }

  /** Adds an initializer under exactly `name` (a timm key must stay as it is); returns the name. */
  initializer(name: string, dims: readonly number[], values: TensorValues | DeferredValues): string {
    if (this.used.has(name)) throw new Error(`two ONNX values are named \`${name}\``);
    this.used.add(name);
    this.initializers.push({ name, dims, values });
    return name;
  }

  /** An int64 constant (shapes, axes, indices), shared by every node that needs the same values. */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.shared(`int64:${dims.join("x")}:${values.join(",")}`, "const_i64", dims, BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** A float32 scalar or small constant, shared likewise. */
  floats(values: readonly number[], dims: readonly number[] = []): string {
    const stored = Float32Array.from(values);
    return this.shared(`float:${dims.join("x")}:${Array.from(stored).join(",")}`, "const_f32", dims, stored);
  }

  private shared(key: string, hint: string, dims: readonly number[], values: TensorValues): string {
    const known = this.constants.get(key);
    if (known !== undefined) return known;
    const scope = this.scope;
    this.scope = "";
    const name = this.fresh(hint);
    this.scope = scope;
    this.initializers.push({ name, dims, values });
    this.constants.set(key, name);
    return name;
  }

  /** Marks `name` as taken (a graph input). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`two ONNX values are named \`${name}\``);
    this.used.add(name);
    return name;
  }

  /** Adds an Identity that gives `value` the name `name` (graph outputs have fixed names). */
  rename(value: string, name: string): void {
    this.reserve(name);
    this.nodes.push({ opType: "Identity", domain: "", inputs: [value], outputs: [name], attrs: {}, name: this.fresh("Identity_node") });
  }

  /** The graph: what the outputs depend on, nodes still in topological order. */
  finish(name: string, inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[]): OnnxGraph {
    const read = new Set(outputs.map((o) => o.name));
    const live: OnnxNode[] = [];
    for (const node of [...this.nodes].reverse()) {
      if (!node.outputs.some((o) => read.has(o))) continue;
      live.push(node);
      for (const i of node.inputs) read.add(i);
    }
    return { name, nodes: live.reverse(), initializers: this.initializers.filter((t) => read.has(t.name)), inputs, outputs };
  }
}

/** The operator set of ONNX Runtime's contrib kernels. */
export const ortDomain = "com.microsoft";
