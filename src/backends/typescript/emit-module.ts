// Emits a checked model as a standalone TypeScript module on @tensorflow/tfjs-core (the interface
// of DESIGN.md, "Emitted TypeScript"): `spec`, `weightShapes`, `createModel` and `VitModel`.
// The code is built as TypeScript syntax (ts-morph's factory) and printed, never pasted from
// templates: every name or string from the spec reaches it as a string literal or an escaped
// comment. One function per kind of block call (structure.ts), with a loader beside it that
// prepares its weights; the tensor code is the runtime `vitc run` executes (runtime-source.ts).
//
// Longer than 300 lines: the forward functions, the loaders and the module's exports are
// written from one walk of the structure and share its naming.

import type * as Morph from "ts-morph";
import { weightKey } from "../../ir/graph";
import { formatShape } from "../../ir/shape";
import type { CompiledModel } from "../../pipeline";
import { summarize } from "../../reports/summary";
import { inputDims } from "../../shapes/check";
import type { FileTable } from "../../source/file-table";
import type { Span } from "../../source/span";
import type { Arg, Literal } from "./lowerings";
import { readRuntime, runtimeClosure } from "./runtime-source";
import { recoverStructure, type Call, type Item, type Kind, type NodeItem, type SettingPhase, type Structure } from "./structure";

type ts = typeof Morph.ts;
type Expression = Morph.ts.Expression;
type Statement = Morph.ts.Statement;

export interface EmitOptions {
  /** The files of the compilation, for `file:line` in comments. */
  readonly files: FileTable;
  /** The spec as the user named it, for the header. */
  readonly specPath: string;
  readonly version: string;
}

/** Why a model cannot be emitted, for the caller to report. */
export class EmitRefusal extends Error {}

/** Loads ts-morph (only `vitc build --emit ts` needs it). */
function loadMorph(): typeof Morph {
  return require("ts-morph") as typeof Morph;
}

export function emitTypeScript(model: CompiledModel, options: EmitOptions): string {
  const morph = loadMorph();
  const { checked } = model;
  const dims = inputDims(checked);
  if (dims.length !== 3) {
    throw new EmitRefusal(`\`--emit ts\` writes models whose input is an image [B, C, H, W]; the input of \`${model.name}\` is ${formatShape(checked.nodes.find((n) => n.node.op === "input")!.shape!)}`);
  }
  const structure = recoverStructure(checked);
  const writer = new ModuleWriter(morph, model, structure, options);
  return writer.write();
}

/** `*​/` and line breaks in text from a spec cannot end or escape a comment. */
export function commentText(text: string): string {
  return text.replace(/\*\//g, "*\\/").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const reservedWords = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export", "extends",
  "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw",
  "true", "try", "typeof", "var", "void", "while", "with", "as", "implements", "interface", "let", "package", "private", "protected",
  "public", "static", "yield", "any", "boolean", "constructor", "declare", "get", "module", "require", "number", "set", "string",
  "symbol", "type", "from", "of", "undefined", "arguments", "eval", "await", "async", "unknown", "never", "object",
]);

/** Whether `text` can be written as a JavaScript identifier. */
function isIdentifierName(text: string): boolean {
  return /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(text);
}

/** `encoder_block` → `encoderBlock`; anything that is not an identifier character becomes `_`. */
function camel(text: string): string {
  const words = text.split(/[^\p{L}\p{N}$]+/u).filter((w) => w !== "");
  const joined = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
  const name = joined === "" ? "value" : /^\p{N}/u.test(joined) ? `_${joined}` : joined;
  return name;
}

function pascal(text: string): string {
  const c = camel(text);
  return c[0] === "_" ? c : c[0].toUpperCase() + c.slice(1);
}

/** Names of one scope: each one valid, not a keyword, not taken. */
class Names {
  private readonly taken: Set<string>;
  constructor(taken: Iterable<string>) {
    this.taken = new Set(taken);
  }
  /** A name for `wanted`; a value whose name is taken is first `…Out` (`sum`, `sumOut`), a function numbered. */
  claim(wanted: string, options: { numbered?: boolean } = {}): string {
    let base = camel(wanted);
    if (!isIdentifierName(base) || reservedWords.has(base)) base = `${base}_`;
    let name = base;
    if (!options.numbered && this.taken.has(name) && !this.taken.has(`${base}Out`)) name = `${base}Out`;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }
  child(): Names {
    return new Names(this.taken);
  }
}

/** The name a value gets in a function when its step has no label. */
const valueNames: Record<string, string> = {
  add: "sum", average: "mean", concat: "joined", roll: "rolled", window_partition: "windows", window_reverse: "merged",
  patch_merge: "merged", unfold: "patches", fold: "folded", gelu: "activated", silu: "activated", relu: "activated", softmax: "probs",
  reshape: "reshaped", to_nhwc: "nhwc", to_nchw: "nchw", flatten_tokens: "tokens", prepend_token: "withToken", pos_embed: "embedded",
  select_token: "token", mean_tokens: "pooled", global_avg_pool: "pooled", max_pool: "pooled", sdpa: "attended", conv2d: "conv",
  std_conv2d: "conv", linear: "projected", layer_norm: "normed", group_norm: "normed", batch_norm: "normed",
};

class ModuleWriter {
  private readonly f: Morph.ts.NodeFactory;
  private readonly ts: ts;
  private readonly runtime: ReturnType<typeof readRuntime>;
  private readonly used = new Set<string>();
  private readonly global: Names;
  private readonly kindNames = new Map<Kind, { forward: string; loader: string; settings: string }>();

  constructor(private readonly morph: typeof Morph, private readonly model: CompiledModel, private readonly structure: Structure, private readonly options: EmitOptions) {
    this.ts = morph.ts;
    this.f = morph.ts.factory;
    this.runtime = readRuntime(morph);
    this.global = new Names(["tf", "spec", "weightShapes", "createModel", "VitModel", ...this.runtime.map((d) => d.name)]);
    for (const kind of structure.kinds) {
      const forward = this.global.claim(kind.block, { numbered: true });
      this.kindNames.set(kind, {
        forward,
        loader: this.global.claim(`load ${pascal(forward)}`),
        settings: this.global.claim(`${forward}Settings`),
      });
    }
  }

  write(): string {
    const parts: string[] = [];
    const sf = this.ts.createSourceFile("model.ts", "", this.ts.ScriptTarget.ES2022, false, this.ts.ScriptKind.TS);
    const printer = this.ts.createPrinter({ newLine: this.ts.NewLineKind.LineFeed });
    const print = (node: Morph.ts.Node) => printer.printNode(this.ts.EmitHint.Unspecified, node, sf);
    const statements = [...this.exports(), ...this.structure.kinds.flatMap((k) => this.kindStatements(k))];
    const { name } = this.model;
    parts.push([
      `// ${commentText(name)}: compiled by vitc ${this.options.version} from ${commentText(this.options.specPath)}.`,
      "// Generated code: change the spec and run `vitc build --emit ts` again rather than editing this file.",
      "// It needs only @tensorflow/tfjs-core; register and select a backend (wasm, webgl, webgpu, cpu) first.",
    ].join("\n"));
    parts.push(print(this.f.createImportDeclaration(undefined, this.f.createImportClause(false, undefined, this.f.createNamespaceImport(this.f.createIdentifier("tf"))), this.f.createStringLiteral("@tensorflow/tfjs-core"))));
    // A kind's function and its loader are one paragraph.
    for (const group of statements) parts.push(Array.isArray(group) ? group.map(print).join("\n") : print(group));
    parts.push([
      "// ---- Runtime ---------------------------------------------------------------------------------",
      "// Copied from vitc's src/backends/tfjs/runtime/, the code that `vitc run` executes, so that this",
      "// module computes what `vitc run` computes.",
    ].join("\n"));
    for (const declaration of runtimeClosure(this.runtime, this.used)) parts.push(declaration.text);
    const project = new this.morph.Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true });
    const file = project.createSourceFile("model.ts", `${parts.join("\n\n")}\n`);
    file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
    return file.getFullText();
  }

  // ---- small syntax helpers ----------------------------------------------------------------

  private singleLine<T extends Morph.ts.Node>(node: T): T {
    return this.ts.setEmitFlags(node, this.ts.EmitFlags.SingleLine);
  }

  private id(name: string): Morph.ts.Identifier {
    return this.f.createIdentifier(name);
  }

  private use(name: string): Morph.ts.Identifier {
    this.used.add(name);
    return this.id(name);
  }

  /** A call of a runtime function or of `tf.<name>`. */
  private callRuntime(fn: string, args: readonly Expression[]): Expression {
    const callee = fn.startsWith("tf.") ? this.f.createPropertyAccessExpression(this.id("tf"), fn.slice(3)) : this.use(fn);
    return this.f.createCallExpression(callee, undefined, [...args]);
  }

  private literal(value: Literal): Expression {
    const f = this.f;
    if (typeof value === "number") {
      // Small constants (norm epsilons) read better as 1e-6 than as 0.000001.
      const magnitude = Math.abs(value);
      const text = f.createNumericLiteral(magnitude !== 0 && magnitude < 1e-3 ? magnitude.toExponential() : String(magnitude));
      return value < 0 || Object.is(value, -0) ? f.createPrefixUnaryExpression(this.ts.SyntaxKind.MinusToken, text) : text;
    }
    if (typeof value === "boolean") return value ? f.createTrue() : f.createFalse();
    if (typeof value === "string") return f.createStringLiteral(value);
    if (Array.isArray(value)) return f.createArrayLiteralExpression((value as readonly Literal[]).map((v) => this.literal(v)));
    const record = value as { readonly [name: string]: Literal };
    return f.createObjectLiteralExpression(Object.entries(record).map(([k, v]) => f.createPropertyAssignment(this.propertyName(k), this.literal(v))), false);
  }

  /** A property name: an identifier where it can be, else a string (computed for `__proto__`). */
  private propertyName(key: string): Morph.ts.PropertyName {
    if (key === "__proto__") return this.f.createComputedPropertyName(this.f.createStringLiteral(key));
    if (isIdentifierName(key) && !reservedWords.has(key)) return this.id(key);
    return this.f.createStringLiteral(key);
  }

  private member(object: Expression, key: string): Expression {
    if (isIdentifierName(key) && !reservedWords.has(key)) return this.f.createPropertyAccessExpression(object, key);
    return this.f.createElementAccessExpression(object, this.f.createStringLiteral(key));
  }

  /** An object literal on one line when it is short, one property a line otherwise. */
  private objectLiteral(props: readonly Morph.ts.ObjectLiteralElementLike[]): Expression {
    const oneLine = this.f.createObjectLiteralExpression(props, false);
    return this.printed(oneLine).length <= 90 ? oneLine : this.f.createObjectLiteralExpression(props, true);
  }

  private printed(node: Morph.ts.Node): string {
    const sf = this.ts.createSourceFile("part.ts", "", this.ts.ScriptTarget.ES2022, false, this.ts.ScriptKind.TS);
    return this.ts.createPrinter({ newLine: this.ts.NewLineKind.LineFeed }).printNode(this.ts.EmitHint.Unspecified, node, sf);
  }

  private constStatement(name: string, init: Expression, type?: Morph.ts.TypeNode): Statement {
    const f = this.f;
    return f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(name, undefined, type, init)], this.ts.NodeFlags.Const));
  }

  private tensorType(): Morph.ts.TypeNode {
    return this.f.createTypeReferenceNode(this.f.createQualifiedName(this.id("tf"), "Tensor"));
  }

  private lineComment<T extends Morph.ts.Node>(node: T, text: string): T {
    return this.ts.addSyntheticTrailingComment(node, this.ts.SyntaxKind.SingleLineCommentTrivia, ` ${commentText(text)}`, false);
  }

  private docComment<T extends Morph.ts.Node>(node: T, lines: readonly string[]): T {
    if (lines.length === 1) return this.ts.addSyntheticLeadingComment(node, this.ts.SyntaxKind.MultiLineCommentTrivia, `* ${commentText(lines[0])} `, true);
    const body = lines.map((l) => (l === "" ? " *" : ` * ${commentText(l)}`)).join("\n");
    return this.ts.addSyntheticLeadingComment(node, this.ts.SyntaxKind.MultiLineCommentTrivia, `*\n${body}\n `, true);
  }

  private location(span: Span): string {
    const file = this.options.files.get(span.file);
    return `${file.path}:${this.options.files.lineIndex(span.file).position(span.start).line + 1}`;
  }

  // ---- the module's exports ----------------------------------------------------------------

  private exports(): Statement[] {
    const f = this.f;
    const { checked } = this.model;
    const summary = summarize(this.model);
    const logits = checked.nodes[this.structure.logits].shape!;
    const exported = [f.createModifier(this.ts.SyntaxKind.ExportKeyword)];
    const readonlyProp = (name: string, type: Morph.ts.TypeNode) => f.createPropertySignature([f.createModifier(this.ts.SyntaxKind.ReadonlyKeyword)], name, undefined, type);
    const num = f.createKeywordTypeNode(this.ts.SyntaxKind.NumberKeyword);
    const numbers = f.createTypeOperatorNode(this.ts.SyntaxKind.ReadonlyKeyword, f.createArrayTypeNode(num));
    const specType = this.singleLine(f.createTypeLiteralNode([
      readonlyProp("name", f.createKeywordTypeNode(this.ts.SyntaxKind.StringKeyword)),
      readonlyProp("input", f.createTypeOperatorNode(this.ts.SyntaxKind.ReadonlyKeyword, this.singleLine(f.createTupleTypeNode([num, num, num])))),
      readonlyProp("output", numbers),
      readonlyProp("params", num),
    ]));
    const spec = f.createVariableStatement(exported, f.createVariableDeclarationList([f.createVariableDeclaration("spec", undefined, specType, f.createObjectLiteralExpression([
      f.createPropertyAssignment("name", f.createStringLiteral(this.model.name)),
      f.createPropertyAssignment("input", this.literal([...inputDims(checked)])),
      f.createPropertyAssignment("output", this.literal([...logits.dims])),
      f.createPropertyAssignment("params", this.literal(Number(summary.params))),
    ], true))], this.ts.NodeFlags.Const));
    this.docComment(spec, ["The model: its name, its input [C, H, W] and output without the batch dimension, and its parameter count."]);

    const shapesType = this.singleLine(f.createTypeLiteralNode([f.createIndexSignature([f.createModifier(this.ts.SyntaxKind.ReadonlyKeyword)], [
      f.createParameterDeclaration(undefined, undefined, "timmKey", undefined, f.createKeywordTypeNode(this.ts.SyntaxKind.StringKeyword)),
    ], numbers)]));
    const shapes = f.createVariableStatement(exported, f.createVariableDeclarationList([
      f.createVariableDeclaration("weightShapes", undefined, shapesType, this.weightShapesLiteral()),
    ], this.ts.NodeFlags.Const));
    this.docComment(shapes, ["The weights `createModel` takes: timm's state_dict keys with their PyTorch shapes."]);

    const tensor4d = f.createTypeReferenceNode(f.createQualifiedName(this.id("tf"), "Tensor4D"));
    const resultType = this.singleLine(f.createTypeLiteralNode([
      f.createPropertySignature(undefined, "logits", undefined, this.tensorType()),
      f.createPropertySignature(undefined, "features", undefined, this.tensorType()),
    ]));
    const predictSig = this.docComment(f.createMethodSignature(undefined, "predict", undefined, undefined, [
      f.createParameterDeclaration(undefined, undefined, "input", undefined, tensor4d),
    ], resultType), [
      "timm's forward() as `logits` and forward_features() as `features`, of NCHW float32 images [B, C, H, W].",
      "Leaves no tensor behind but these two, which the caller disposes.",
    ]);
    const disposeSig = this.docComment(f.createMethodSignature(undefined, "dispose", undefined, undefined, [], f.createKeywordTypeNode(this.ts.SyntaxKind.VoidKeyword)), ["Frees the model's weights."]);
    const vitModel = f.createInterfaceDeclaration(exported, "VitModel", undefined, undefined, [predictSig, disposeSig]);

    const root = this.structure.root.kind!;
    const names = this.kindNames.get(root)!;
    const weightsParam = f.createParameterDeclaration(undefined, undefined, "weights", undefined, f.createTypeReferenceNode("Record", [f.createKeywordTypeNode(this.ts.SyntaxKind.StringKeyword), this.tensorType()]));
    const specMember = (name: string) => f.createPropertyAccessExpression(this.id("spec"), name);
    const pass = f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, "x")], undefined, undefined,
      this.callRuntime("tf.tidy", [f.createArrowFunction(undefined, undefined, [], undefined, undefined, f.createCallExpression(this.id(names.forward), undefined, [this.id("x"), this.id("layers")]))]));
    const predict = f.createMethodDeclaration(undefined, undefined, "predict", undefined, undefined, [
      f.createParameterDeclaration(undefined, undefined, "input", undefined, tensor4d),
    ], resultType, f.createBlock([
      f.createExpressionStatement(this.callRuntime("checkInput", [this.id("input"), specMember("input"), specMember("name")])),
      this.lineComment(f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(
        f.createArrayBindingPattern([f.createBindingElement(undefined, undefined, "logits"), f.createBindingElement(undefined, undefined, "features")]), undefined, undefined,
        this.callRuntime("forwardInSlices", [this.id("input"), this.callRuntime("imagesPerPass", [this.structure.globalAttention ? f.createTrue() : f.createFalse()]), pass]),
      )], this.ts.NodeFlags.Const)), this.structure.globalAttention ? "on wasm, image by image (see imagesPerPass)" : "the whole batch at once"),
      f.createReturnStatement(f.createObjectLiteralExpression([f.createShorthandPropertyAssignment("logits"), f.createShorthandPropertyAssignment("features")])),
    ], true));
    const dispose = f.createMethodDeclaration(undefined, undefined, "dispose", undefined, undefined, [], f.createKeywordTypeNode(this.ts.SyntaxKind.VoidKeyword), f.createBlock([
      f.createExpressionStatement(this.callRuntime("tf.dispose", [this.callRuntime("tensorsIn", [this.id("layers")])])),
    ], true));
    const create = f.createFunctionDeclaration(exported, undefined, "createModel", undefined, [weightsParam], f.createTypeReferenceNode("VitModel"), f.createBlock([
      f.createExpressionStatement(this.callRuntime("checkWeights", [this.id("weights"), this.id("weightShapes"), specMember("name")])),
      this.lineComment(this.constStatement("layers", f.createCallExpression(this.id(names.loader), undefined, [this.callRuntime("layerReader", [this.id("weights")]), f.createStringLiteral("")])),
        "every weight converted to the layout tfjs wants, once"),
      f.createReturnStatement(f.createObjectLiteralExpression([predict, dispose], true)),
    ], true));
    this.docComment(create, [
      "The model with timm's float32 weights, by state_dict key in PyTorch layouts (`weightShapes`).",
      "They are converted here, once; the caller keeps (and disposes) its tensors. Throws an error",
      "naming every missing, unexpected or mis-shaped weight.",
    ]);
    return [spec, shapes, vitModel, create];
  }

  /** timm keys with shapes; a loop whose blocks have alike weights is written once, with `repeatShapes`. */
  private weightShapesLiteral(): Expression {
    const f = this.f;
    const props: Morph.ts.ObjectLiteralElementLike[] = [];
    const keysOf = (call: Call): Array<[string, readonly number[]]> => call.items.flatMap((item) => itemKeys(item));
    const nodeKeys = (item: NodeItem): Array<[string, readonly number[]]> => [item.node, ...(item.projection ? [item.projection] : [])]
      .flatMap((n) => Object.entries({ ...n.params, ...n.buffers }).map(([name, shape]): [string, readonly number[]] => [weightKey(n.node.path, name), shape]));
    const itemKeys = (item: Item): Array<[string, readonly number[]]> => {
      if (item.type === "node") return nodeKeys(item);
      if (item.type === "call") return keysOf(item.call);
      return item.calls.flatMap(keysOf);
    };
    const entry = (key: string, shape: readonly number[]) => props.push(f.createPropertyAssignment(this.propertyName(key), this.literal([...shape])));
    const walk = (call: Call): void => {
      for (const item of call.items) {
        if (item.type === "node") nodeKeys(item).forEach(([k, s]) => entry(k, s));
        else if (item.type === "call") walk(item.call);
        else {
          const relative = item.calls.map((c) => keysOf(c).map(([k, s]): [string, readonly number[]] => [k.slice(c.frame.path.length + (c.frame.path ? 1 : 0)), s]));
          const alike = relative.every((r) => JSON.stringify(r) === JSON.stringify(relative[0]));
          const prefix = item.calls[0].frame.path.replace(/\.?0$/, "");
          if (alike && relative[0].length > 0 && item.calls.every((c, i) => c.frame.path === [prefix, String(i)].filter((s) => s !== "").join("."))) {
            const shapes = f.createObjectLiteralExpression(relative[0].map(([k, s]) => f.createPropertyAssignment(this.propertyName(k), this.literal([...s]))), true);
            props.push(f.createSpreadAssignment(this.callRuntime("repeatShapes", [f.createStringLiteral(prefix), this.literal(item.calls.length), shapes])));
          } else item.calls.forEach(walk);
        }
      }
    };
    walk(this.structure.root);
    return f.createObjectLiteralExpression(props, true);
  }

  // ---- one kind: its forward function, its loader, its settings ------------------------------

  private kindStatements(kind: Kind): Array<Statement | Statement[]> {
    const statements: Array<Statement | Statement[]> = [[this.forwardFunction(kind), this.loaderFunction(kind)]];
    if (kind.settings.length > 0) statements.push(this.settingsTable(kind));
    return statements;
  }

  private settingName(name: string): string {
    return camel(name);
  }

  /** The setting of a kind used at item `item`, phase, argument `arg`, if the value differs between calls. */
  private settingAt(kind: Kind, item: number, phase: SettingPhase, arg: number): string | undefined {
    const s = kind.settings.find((st) => st.uses.some((u) => u.item === item && u.phase === phase && u.arg === arg));
    return s && this.settingName(s.name);
  }

  private settingsTable(kind: Kind): Statement {
    const f = this.f;
    const names = this.kindNames.get(kind)!;
    const props = kind.calls.map((call, i) => f.createPropertyAssignment(this.propertyName(call.frame.path),
      f.createObjectLiteralExpression(kind.settings.map((s) => {
        const value = s.values[i];
        return f.createPropertyAssignment(this.propertyName(this.settingName(s.name)), value === null ? f.createNull() : this.literal(value));
      }), false)));
    // Each setting has the type of the runtime parameter it is passed to (or null where its step
    // is not taken); whether a step is taken is a boolean, a loop's length a number.
    const fields = kind.settings.map((setting) => {
      const use = setting.uses[0];
      let type: Morph.ts.TypeNode = f.createKeywordTypeNode(use.phase === "taken" ? this.ts.SyntaxKind.BooleanKeyword : this.ts.SyntaxKind.NumberKeyword);
      if (use.phase === "prepare" || use.phase === "run") {
        const parameter = use.phase === "prepare" ? use.arg + 1 : use.arg;
        type = f.createIndexedAccessTypeNode(f.createTypeReferenceNode("Parameters", [f.createTypeQueryNode(this.use(this.functionAt(kind, use.item, use.phase)))]), f.createLiteralTypeNode(f.createNumericLiteral(parameter)));
        if (setting.values.includes(null)) type = f.createUnionTypeNode([type, f.createLiteralTypeNode(f.createNull())]);
      }
      return f.createPropertySignature([f.createModifier(this.ts.SyntaxKind.ReadonlyKeyword)], this.propertyName(this.settingName(setting.name)), undefined, type);
    });
    const type = f.createTypeReferenceNode("Readonly", [f.createTypeReferenceNode("Record", [f.createKeywordTypeNode(this.ts.SyntaxKind.StringKeyword), f.createTypeLiteralNode(fields)])]);
    const statement = this.constStatement(names.settings, f.createObjectLiteralExpression(props, true), type);
    return this.docComment(statement, [`What differs between the \`${kind.block}\` calls, by the weight path of each.`]);
  }

  private readonly recordKeys = new Map<Item, string | undefined>();

  /** The record key of a call's settings: `settings`, unless a layer is labelled so. */
  private settingsKey(call: Call): string {
    const taken = new Set(call.items.map((item) => this.recordKey(item)));
    let key = "settings";
    for (let i = 2; taken.has(key); i++) key = `settings${i}`;
    return key;
  }

  /**
   * Where an item's prepared weights sit in its call's record (undefined when it has none): its
   * label, or for an unlabelled block call the block's function name, unique in the record.
   */
  private recordKey(item: Item): string | undefined {
    if (!this.recordKeys.has(item)) this.assignRecordKeys(this.callOf(item));
    return this.recordKeys.get(item);
  }

  private callOf(item: Item): Call {
    for (const kind of this.structure.kinds) for (const call of kind.calls) if (call.items.includes(item)) return call;
    throw new Error("an item outside every call");
  }

  private assignRecordKeys(call: Call): void {
    const taken = new Set<string>();
    for (const item of call.items) {
      let key: string | undefined;
      if (item.type === "node") key = item.prepare ? (item.projection ? relativeKey(item) : item.rel) : undefined;
      else key = item.rel !== "" ? item.rel : this.kindNames.get((item.type === "call" ? item.call : item.calls[0]).kind!)!.forward;
      if (key !== undefined) {
        let unique = key;
        for (let i = 2; taken.has(unique); i++) unique = `${key}${i}`;
        taken.add(unique);
        key = unique;
      }
      this.recordKeys.set(item, key);
    }
  }

  /** The runtime function of a kind's step: the calls' own when they agree, else their general one. */
  private functionAt(kind: Kind, index: number, phase: "prepare" | "run"): string {
    const calls = kind.calls.flatMap((c) => (c.slots![index] ? [(c.slots![index] as NodeItem)[phase]!] : []));
    return calls.every((c) => c.fn === calls[0].fn) ? calls[0].fn : calls[0].general!;
  }

  private argExpression(kind: Kind, index: number, phase: "prepare" | "run", arg: Arg, k: number, inputs: readonly Expression[], weights: Expression, settings: Expression): Expression {
    if (arg.kind === "input") return inputs[arg.index];
    if (arg.kind === "weights") return weights;
    const setting = this.settingAt(kind, index, phase, k);
    if (!setting) return this.literal(arg.value);
    const value = this.member(settings, setting);
    // Null only where the step is not taken, which the condition around the step tests first.
    const nullable = kind.settings.some((s) => this.settingName(s.name) === setting && s.values.includes(null));
    return nullable && setting !== this.condition(kind, index)?.setting ? this.f.createNonNullExpression(value) : value;
  }

  /**
   * For a step some calls of the kind skip: the setting that says whether it runs, either its own
   * boolean or its first argument that differs between the calls (null where it is skipped).
   */
  private condition(kind: Kind, index: number): { setting: string; nullable: boolean } | undefined {
    if (kind.calls.every((c) => c.slots![index] !== undefined)) return undefined;
    const taken = this.settingAt(kind, index, "taken", 0);
    if (taken) return { setting: taken, nullable: false };
    const argument = kind.settings.find((s) => s.uses.some((u) => u.item === index && u.phase === "run") && s.values.includes(null));
    return { setting: this.settingName(argument!.name), nullable: true };
  }

  private forwardFunction(kind: Kind): Statement {
    const f = this.f;
    const call = kind.template;
    const names = this.kindNames.get(kind)!;
    const scope = this.global.child();
    const isRoot = call === this.structure.root;
    const local = new Map<number, string>();
    const params = call.inputs.map((v, i) => {
      const name = scope.claim(i === 0 ? "x" : "other");
      local.set(v, name);
      return f.createParameterDeclaration(undefined, undefined, name, undefined, this.tensorType());
    });
    const w = scope.claim("w");
    // The weights are what the kind's loader makes.
    params.push(f.createParameterDeclaration(undefined, undefined, w, undefined, f.createTypeReferenceNode("ReturnType", [f.createTypeQueryNode(this.id(names.loader))])));
    const body: Statement[] = [];
    const owned = new Set<number>();
    const lastUse = this.lastUses(kind, isRoot);
    const storage = this.structure.storage;
    const read = (v: number, want: string): Expression => {
      const held = storage[v];
      const value = this.id(local.get(v)!);
      if (held === want || this.model.checked.nodes[v].shape!.dims.length !== 3) return value;
      return this.callRuntime(want === "nhwc" ? "toChannelsLast" : "toChannelsFirst", [value]);
    };
    call.items.forEach((item, index) => {
      let expression: Expression;
      let made: number[];
      let comment: string;
      if (item.type === "node") {
        const inputs = item.inputs.map((v, i) => read(v, item.wants[i]));
        const weights = this.member(this.id(w), this.recordKey(item) ?? "");
        const settings = this.member(this.id(w), this.settingsKey(call));
        expression = this.callRuntime(this.functionAt(kind, index, "run"), item.run.args.map((a, k) => this.argExpression(kind, index, "run", a, k, inputs, weights, settings)));
        const condition = this.condition(kind, index);
        if (condition) {
          // A step some calls skip: then its value is its input, held alike (isOptionalStep).
          const test = this.member(settings, condition.setting);
          expression = f.createConditionalExpression(condition.nullable ? f.createBinaryExpression(test, this.ts.SyntaxKind.ExclamationEqualsEqualsToken, f.createNull()) : test,
            undefined, expression, undefined, this.id(local.get(item.inputs[0])!));
        }
        made = [item.value];
        comment = this.valueComment(item.value);
      } else {
        const child = item.type === "call" ? item.call : item.calls[0];
        const childNames = this.kindNames.get(child.kind!)!;
        const inputs = child.inputs.map((v) => read(v, storage[v]));
        const weights = this.member(this.id(w), this.recordKey(item)!);
        if (item.type === "call") {
          expression = f.createCallExpression(this.id(childNames.forward), undefined, [...inputs, weights]);
          made = item.call.outputs;
        } else {
          expression = this.callRuntime("repeatBlock", [inputs[0], weights, this.id(childNames.forward)]);
          made = item.calls[item.calls.length - 1].outputs;
        }
        if (kind.nested) expression = this.callRuntime("tf.tidy", [f.createArrowFunction(undefined, undefined, [], undefined, undefined, expression)]);
        comment = made.length === 1 ? this.valueComment(made[0]) : "";
      }
      const labels = made.map((v) => scope.claim(this.valueName(item, v)));
      made.forEach((v, i) => {
        local.set(v, labels[i]);
        // A skipped step's value is its input: it is this function's to free only if that is.
        if (!(item.type === "node" && this.condition(kind, index) && !owned.has(item.inputs[0]))) owned.add(v);
      });
      const binding = made.length === 1 ? labels[0] : f.createArrayBindingPattern(labels.map((l) => f.createBindingElement(undefined, undefined, l)));
      const statement = f.createVariableStatement(undefined, f.createVariableDeclarationList([f.createVariableDeclaration(binding, undefined, undefined, expression)], this.ts.NodeFlags.Const));
      body.push(comment ? this.lineComment(statement, comment) : statement);
      if (kind.nested) {
        // A value nothing reads (deit's pre_logits when it has a head) is freed at once.
        const dead = [...owned].filter((v) => (lastUse.get(v) === index && !made.includes(v)) || (made.includes(v) && !lastUse.has(v)));
        if (dead.length > 0) body.push(f.createExpressionStatement(this.callRuntime("tf.dispose", [f.createArrayLiteralExpression(dead.map((v) => this.id(local.get(v)!)))])));
        for (const v of dead) owned.delete(v);
      }
    });
    let returned: Expression;
    let returnType: Morph.ts.TypeNode;
    if (isRoot) {
      const { logits, features } = this.structure;
      const out = (v: number) => read(v, "logical");
      const featuresExpr = features === logits ? this.callRuntime("tf.clone", [out(logits)]) : out(features);
      returned = f.createArrayLiteralExpression([out(logits), featuresExpr]);
      returnType = f.createArrayTypeNode(this.tensorType());
    } else if (call.outputs.length === 1) {
      returned = this.id(local.get(call.outputs[0])!);
      returnType = this.tensorType();
    } else {
      returned = f.createArrayLiteralExpression(call.outputs.map((v) => this.id(local.get(v)!)));
      returnType = this.singleLine(f.createTupleTypeNode(call.outputs.map(() => this.tensorType())));
    }
    // The last statement's value is returned directly.
    const last = body[body.length - 1];
    if (!isRoot && last && this.ts.isVariableStatement(last) && call.outputs.length === 1) {
      const declaration = last.declarationList.declarations[0];
      if (this.ts.isIdentifier(declaration.name) && declaration.name.text === local.get(call.outputs[0])) {
        const replaced = f.createReturnStatement(declaration.initializer);
        const comments = this.ts.getSyntheticTrailingComments(last);
        body[body.length - 1] = comments ? this.lineComment(replaced, comments[0].text.trim()) : replaced;
      } else body.push(f.createReturnStatement(returned));
    } else body.push(f.createReturnStatement(returned));
    const fn = f.createFunctionDeclaration(undefined, undefined, names.forward, undefined, params, returnType, f.createBlock(body, true));
    return this.docComment(fn, this.kindDoc(kind));
  }

  /**
   * For each value of a kind's function, the index of the item that reads it last (returned
   * values never die here). The input of a step some calls skip lives as long as the step's
   * value, which is that input when the step is skipped (both are freed together then, and
   * freeing one tensor twice does nothing).
   */
  private lastUses(kind: Kind, isRoot: boolean): Map<number, number> {
    const call = kind.template;
    const last = new Map<number, number>();
    call.items.forEach((item, index) => {
      const reads = item.type === "node" ? item.inputs : item.type === "call" ? item.call.inputs : item.calls[0].inputs;
      for (const v of reads) last.set(v, index);
    });
    const kept = isRoot ? [this.structure.logits, this.structure.features] : call.outputs;
    for (const v of kept) last.set(v, Infinity);
    for (let index = call.items.length - 1; index >= 0; index--) {
      const item = call.items[index];
      if (item.type !== "node" || !this.condition(kind, index)) continue;
      const [input] = item.inputs;
      if (last.has(item.value)) last.set(input, Math.max(last.get(input) ?? index, last.get(item.value)!));
    }
    return last;
  }

  private valueName(item: Item, value: number): string {
    if (value === this.structure.logits) return "logits";
    if (value === this.structure.features && item.type !== "node") return "features";
    const rel = item.rel.split(".").filter((s) => !/^\d+$/.test(s)).at(-1);
    if (rel) return rel;
    if (item.type === "node") return valueNames[item.node.node.op] ?? item.node.node.op;
    return (item.type === "call" ? item.call : item.calls[0]).frame.block;
  }

  private valueComment(value: number): string {
    const storage = this.structure.storage[value];
    const shape = formatShape(this.model.checked.nodes[value].shape!);
    return storage === "nhwc" ? `${shape}, held channels-last` : shape;
  }

  private kindDoc(kind: Kind): string[] {
    const lines = kind.frame.doc === "" ? [] : kind.frame.doc.split(/\r?\n/);
    const paths = kind.calls.map((c) => c.frame.path || "(root)");
    const where = paths.length === 1 ? `\`${paths[0]}\`` : paths.length <= 3 ? paths.map((p) => `\`${p}\``).join(", ") : `\`${paths[0]}\` … \`${paths[paths.length - 1]}\` (${paths.length} calls)`;
    const shapes = kind.calls.length > 1 ? `; shapes as at \`${kind.template.frame.path || "(root)"}\`` : "";
    lines.push(`\`${kind.block}\` (${this.location(kind.frame.definition)}) at ${where}${shapes}.`);
    return lines;
  }

  private loaderFunction(kind: Kind): Statement {
    const f = this.f;
    const call = kind.template;
    const names = this.kindNames.get(kind)!;
    const layer = "layer";
    const p = "p";
    const settings = this.id("s");
    const props: Morph.ts.ObjectLiteralElementLike[] = [];
    const body: Statement[] = [];
    if (kind.settings.length > 0) {
      body.push(this.constStatement("s", f.createElementAccessExpression(this.id(names.settings), this.id(p))));
      props.push(f.createPropertyAssignment(this.settingsKey(call), settings));
    }
    call.items.forEach((item, index) => {
      const key = this.recordKey(item);
      if (key === undefined) return;
      let value: Expression;
      if (item.type === "node") {
        const prepare = item.prepare!;
        const ownWeights = Object.keys(item.node.params).length + Object.keys(item.node.buffers).length > 0;
        const hostArgs = item.projection && ownWeights
          ? f.createObjectLiteralExpression([
            f.createSpreadAssignment(this.readLayer(layer, p, relativeKey(item))),
            f.createSpreadAssignment(this.readLayer(layer, p, item.rel)),
          ])
          : this.readLayer(layer, p, item.projection ? relativeKey(item) : item.rel);
        value = this.callRuntime(this.functionAt(kind, index, "prepare"), [hostArgs, ...prepare.args.map((a, k) => this.argExpression(kind, index, "prepare", a, k, [], this.id("undefined"), settings))]);
      } else {
        const child = item.type === "call" ? item.call : item.calls[0];
        const loader = this.id(this.kindNames.get(child.kind!)!.loader);
        // A block called at its caller's own path (`vit_trunk` in `vit`) reads its weights under `p`.
        const path = item.rel === "" ? this.id(p) : this.callRuntime("weightPath", [this.id(p), f.createStringLiteral(item.rel)]);
        if (item.type === "call") value = f.createCallExpression(loader, undefined, [this.id(layer), path]);
        else {
          const count = this.settingAt(kind, index, "count", 0);
          value = f.createCallExpression(f.createPropertyAccessExpression(this.id("Array"), "from"), undefined, [
            f.createObjectLiteralExpression([f.createPropertyAssignment("length", count ? this.member(settings, count) : this.literal(item.calls.length))]),
            f.createArrowFunction(undefined, undefined, [f.createParameterDeclaration(undefined, undefined, "_"), f.createParameterDeclaration(undefined, undefined, "i")], undefined, undefined,
              f.createCallExpression(loader, undefined, [this.id(layer), this.callRuntime("weightPath", [this.id(p), f.createStringLiteral(item.rel), this.id("i")])])),
          ]);
        }
      }
      props.push(f.createPropertyAssignment(this.propertyName(key), value));
    });
    const record = this.objectLiteral(props);
    // An arrow function: a loader is an expression of its record, after its settings if any.
    const loader = f.createArrowFunction(undefined, undefined, [
      f.createParameterDeclaration(undefined, undefined, layer, undefined, f.createTypeReferenceNode(this.use("LayerReader"))),
      f.createParameterDeclaration(undefined, undefined, p, undefined, f.createKeywordTypeNode(this.ts.SyntaxKind.StringKeyword)),
    ], undefined, undefined, body.length === 0 ? f.createParenthesizedExpression(record) : f.createBlock([...body, f.createReturnStatement(record)], true));
    return this.constStatement(names.loader, loader);
  }

  private readLayer(layer: string, p: string, rel: string): Expression {
    return this.f.createCallExpression(this.id(layer), undefined, [this.id(p), this.f.createStringLiteral(rel)]);
  }
}

/** A fused attention's record key and weights: its projection's path relative to the call. */
function relativeKey(item: NodeItem): string {
  const base = item.node.node.origin.via.at(-1)!.path;
  const path = item.projection!.node.path;
  if (base === "") return path;
  return path === base ? "" : path.slice(base.length + 1);
}
