// The shape checker: gives every IR node its output shape, parameter shapes and MAC count, or a
// diagnostic at the user's span that caused the problem. After an error the node's shape is
// unknown, and nodes that read an unknown shape stay silent: one cause, one diagnostic.

import { makeDiagnostic, type Diagnostic, type Label, type Note } from "../diagnostics/diagnostic";
import { weightKey, type Graph, type Node } from "../ir/graph";
import { elementsPerImage, formatShape, sameShape, shape as makeShape, type Shape } from "../ir/shape";
import { isProblem, type ShapeProblem, type TensorShapes } from "../ops/op-def";
import { ops } from "../ops/registry";
import type { Span } from "../source/span";

export interface CheckedNode {
  readonly node: Node;
  /** undefined when the node could not be given a shape. */
  readonly shape?: Shape;
  readonly params: TensorShapes;
  readonly buffers: TensorShapes;
  /** Exact: a huge model's count passes 2^53. */
  readonly macs: bigint;
}

export interface CheckedGraph {
  readonly graph: Graph;
  readonly nodes: readonly CheckedNode[];
  /** Whether every node has a shape: only then can the model be summarised or run. */
  readonly complete: boolean;
}

/** The dims after the batch of the model's `input` (`[3, 224, 224]`); empty when it has none. */
export function inputDims(graph: CheckedGraph): readonly number[] {
  return graph.nodes.find((n) => n.node.op === "input")?.shape?.dims ?? [];
}

export function checkShapes(graph: Graph, isUserFile: (file: number) => boolean): { value: CheckedGraph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const shapes: Array<Shape | undefined> = [];
  const checked: CheckedNode[] = [];
  const owners = new Map<string, Node>();
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => shapes[i]);
    let out: Shape | undefined;
    let params: TensorShapes = {};
    let buffers: TensorShapes = {};
    let macs = 0n;
    if (inputs.every((s): s is Shape => s !== undefined)) {
      const def = ops[node.op];
      const result = def.shape(inputs, node.attrs);
      if (isProblem(result)) diagnostics.push(toDiagnostic(node, result, inputs, isUserFile));
      else if (!Number.isSafeInteger(elementsPerImage(result))) {
        // Sizes past 2^53 are no longer exact in a double: refuse them rather than print nonsense.
        diagnostics.push(makeDiagnostic("V2012", `the tensor here would be ${formatShape(result)}: too large to count exactly`, node.origin.user, {
          notes: inputs.length ? [receivesNote(node, inputs)] : [],
        }));
      } else {
        out = result;
        params = def.params(inputs, node.attrs, result);
        buffers = def.buffers?.(inputs, node.attrs, result) ?? {};
        macs = def.macs(inputs, node.attrs, result);
        // One diagnostic per clashing layer, naming its first clashing weight.
        let clash = false;
        for (const name of [...Object.keys(params), ...Object.keys(buffers)]) {
          const key = weightKey(node.path, name);
          const first = owners.get(key);
          if (!first) owners.set(key, node);
          else if (!clash) {
            clash = true;
            diagnostics.push(duplicateKey(key, node, first));
          }
        }
      }
    }
    shapes.push(out);
    checked.push({ node, shape: out, params, buffers, macs });
  }
  for (const e of graph.expectations) {
    const actual = shapes[e.tensor];
    if (!actual) continue;
    const expected = makeShape(e.batch, e.dims);
    if (!sameShape(actual, expected)) {
      // On the expected shape itself when the user wrote the `expect`.
      const where = isUserFile(e.span.file) ? e.span : e.origin.user;
      diagnostics.push(makeDiagnostic("V3109", `the tensor here has shape ${formatShape(actual)}, not ${formatShape(expected)}`, where, {
        label: `expected ${formatShape(expected)}`,
        notes: isUserFile(e.span.file) ? [] : [expansionNote(e.origin.via, e.span)],
      }));
    }
  }
  return { value: { graph, nodes: checked, complete: checked.every((n) => n.shape !== undefined) }, diagnostics };
}

/** "`linear` at `blocks.0.mlp.fc1` receives [B, 197, 768]". */
function receivesNote(node: Node, inputs: readonly Shape[]): Note {
  return { text: `\`${node.op}\`${node.path ? ` at \`${node.path}\`` : ""} receives ${inputs.map(formatShape).join(" and ")}` };
}

function expansionNote(via: Node["origin"]["via"], span: Span): Note {
  return { text: `in expansion of ${via.map((f) => `\`${f.block}\``).join(" → ")}`, span };
}

function toDiagnostic(node: Node, p: ShapeProblem, inputs: readonly Shape[], isUserFile: (file: number) => boolean): Diagnostic {
  const userOrigin = (name: string | undefined) => {
    const o = name ? node.attrOrigins[name] : undefined;
    return o && isUserFile(o.span.file) ? o : undefined;
  };
  const primary = userOrigin(p.attr)?.span ?? node.origin.user;
  const labels: Label[] = (p.related ?? []).flatMap((name) => {
    const o = userOrigin(name);
    return o ? [{ span: o.span, text: `\`${o.name ?? name}\` set here` }] : [];
  });
  const notes: Note[] = [
    ...(p.notes ?? []).map((text) => ({ text })),
    ...(inputs.length ? [receivesNote(node, inputs)] : []),
  ];
  if (!isUserFile(node.origin.span.file)) notes.push(expansionNote(node.origin.via, node.origin.span));
  return makeDiagnostic(p.code, p.message, primary, { labels, notes, help: p.help ?? [] });
}

function duplicateKey(key: string, node: Node, first: Node): Diagnostic {
  return makeDiagnostic("V2014", `two layers would both own the weight \`${key}\``, node.origin.user, {
    label: "second layer with this path",
    labels: first.origin.user.file === node.origin.user.file && first.origin.user.start !== node.origin.user.start ? [{ span: first.origin.user, text: "first layer" }] : [],
    help: ["give one of the layers a different label"],
  });
}
