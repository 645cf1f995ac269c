// Expands a model declaration into an IR graph: evaluates arguments, runs block bodies, unrolls
// `repeat`, and turns each primitive-op step into a node whose path is its timm weight path.
// Invariant: every node's origin chain starts at the model line in the user's file.
// Never throws on user input: each problem becomes one diagnostic and an `unknown` value.

import { makeDiagnostic, type Diagnostic, type Label, type Note, type Suggestion } from "../diagnostics/diagnostic";
import { findClosestName } from "../diagnostics/similar";
import { isCode } from "../diagnostics/codes";
import { weightKey, type AttrValue, type CallFrame, type Expectation, type Graph, type Node, type Origin, type ValueOrigin } from "../ir/graph";
import { isOpKind, opKinds, type OpKind } from "../ops/kinds";
import type { AttrSpec } from "../ops/op-def";
import { ops } from "../ops/registry";
import type { Span } from "../source/span";
import type * as A from "../syntax/ast";
import { builtins } from "./builtins";
import { evaluate, operandText, referencedOperands, type EvalContext } from "./evaluate";
import { isUserFile, type Program, type VisibleBlock } from "./program";
import { Scope } from "./scope";
import { interpolate } from "./template";
import { charUnits, limits, WorkBudget } from "./limits";
import { describeValue, formatType, formatValue, matchesType, toAttr, typeName, unknown, weightOf, withOrigin, type Value } from "./values";

type Frame = CallFrame;

/** What a block call leaves: its `x` (undefined if never set) and the statement that set it. */
interface BlockResult {
  readonly x: Value | undefined;
  readonly place?: Span;
}

class Abort extends Error {}

/** A failed `require`: the rest of its block is skipped, so one cause gives one diagnostic. */
class RequirementFailed extends Error {}

export class Expander {
  private readonly nodes: Node[] = [];
  private readonly expectations: Expectation[] = [];
  /** Keyed by names the user writes (`output NAME`), so without a prototype: see `nameTable`. */
  private readonly outputs: Record<string, number> = nameTable();
  private readonly stack: Frame[] = [];
  /** `stack` as IR nodes record it: a fresh array only when a block is entered or left. */
  private via: readonly Frame[] = [];
  /** The innermost call of `stack` in a user file, where errors inside blocks land. */
  private userCall: Span | undefined;
  /** Values of `x` already reported as not tensors by `output`: not reported again. */
  private readonly reportedOutputs = new Set<Value>();
  /** Per file id, whether it is the user's (not the standard library's). */
  /**
   * The scope and file that expressions are evaluated in now, read by the one EvalContext.
   * Evaluation never starts another evaluation in another scope, so one context serves all:
   * one per scope (in a WeakMap) made a loop of a million block calls spend 4.5 s collecting.
   */
  private evalScope = new Scope();
  private evalFile = 0;
  private readonly evalContext: EvalContext = {
    lookup: (name) => this.evalScope.get(name),
    names: () => this.evalScope.names(),
    report: (d) => this.report(d),
    isBlock: (name) => this.program.visible.get(this.evalFile)?.has(name) ?? false,
    charge: (units, span) => this.charge(units, span),
    similar: (name, candidates, span) => this.similar(name, candidates, span),
  };
  private steps = 0;
  /** Block calls made so far (CallFrame.call). */
  private calls = 0;
  readonly diagnostics: Diagnostic[] = [];
  /** Calls in user files to layers that resolve to nothing, reached by this expansion. */
  readonly unresolvedLayers: Span[] = [];

  /** `work` is shared by the models of one compilation: the budget is per compilation. */
  constructor(private readonly program: Program, private readonly work: WorkBudget = new WorkBudget()) {}

  expandModel(model: A.ModelDecl): Graph {
    const file = this.program.entry.id;
    const config: Record<string, AttrValue> = nameTable();
    try {
      const block = this.resolveBlock(model.call.callee, file, "family");
      if (block) {
        const { x, place } = this.invokeBlock(block, model.call, new Scope(), file, "", undefined, config);
        if (x?.kind === "tensor") this.outputs.logits = x.node;
        else this.checkModelOutput(model, x, place);
      }
    } catch (err) {
      if (!(err instanceof Abort)) throw err;
    }
    return {
      name: model.name.text,
      nodes: this.nodes,
      outputs: this.outputs,
      expectations: this.expectations,
      span: model.span,
      family: model.call.callee.text,
      config,
    };
  }

  /**
   * A model's output is the tensor its block leaves in `x`. Anything else is reported once, at
   * the model line: nothing (`x` never set), or a value that is not a tensor, unless that value
   * was already reported where an `output` statement marked it. An unknown `x` follows an
   * error already reported.
   */
  private checkModelOutput(model: A.ModelDecl, logits: Value | undefined, place: Span | undefined): void {
    const name = model.name.text;
    const block = model.call.callee.text;
    if (logits === undefined) {
      this.report(makeDiagnostic("V2017", `model \`${name}\` has no output: \`${block}\` never sets \`x\``, model.call.span, {
        label: "the model's output is the tensor this block leaves in `x`",
        help: ["a model's block starts with `input [B, channels, height, width]`; each layer after it sets `x`"],
      }));
    } else if (logits.kind !== "unknown" && !this.reportedOutputs.has(logits)) {
      this.report(makeDiagnostic("V2017", `the output of model \`${name}\` is ${describeValue(logits)}, not a tensor`, model.call.span, {
        label: "the model's output is the tensor this block leaves in `x`",
        labels: place ? [{ span: place, text: "`x` last set here" }] : [],
        help: [`\`${block}\` must end with a tensor in \`x\`: the result of its last layer`],
      }));
    }
  }

  /**
   * A layer, `residual`, `input` or `expect` reads the tensor in `x`; when `x` holds another
   * value (`let x = 5`), that is the error, and `x` becomes unknown so nothing after repeats it.
   */
  private needsTensor(what: string, x: Value, span: Span, scope: Scope): void {
    const place = scope.placeOf("x");
    this.report(makeDiagnostic("V2005", `${what} needs a tensor in \`x\`, but \`x\` is ${describeValue(x)}`, span, {
      label: "applies to the tensor in `x`",
      labels: place ? [{ span: place, text: "`x` last set here" }] : [],
    }));
    scope.set("x", unknown);
  }

  // ---- names -------------------------------------------------------------------------------

  private resolveBlock(callee: A.Name, file: number, what: "family" | "layer"): VisibleBlock | undefined {
    const visible = this.program.visible.get(file) ?? new Map<string, VisibleBlock>();
    const block = visible.get(callee.text);
    if (block) return block;
    if (callee.text === "") return undefined;
    if (what === "family" && isOpKind(callee.text)) {
      this.report(makeDiagnostic("V2002", `\`${callee.text}\` is a primitive op, not a model family`, callee.span, {
        label: "a model is built by a block", help: ["`model NAME = vit(...)` with `use std.vit`, or a block of your own"],
      }));
      return undefined;
    }
    const candidates = what === "family" ? [...visible.keys()] : [...visible.keys(), ...opKinds];
    const similar = this.similar(callee.text, candidates, callee.span);
    const module = what === "family" ? familyModules.get(callee.text) : undefined;
    const suggestions: Suggestion[] = [];
    if (module) {
      const at = useInsertionPoint(this.program, file);
      suggestions.push({ message: `add \`use std.${module}\` at the top of the file`, edits: [{ span: { file, start: at, end: at }, newText: `use std.${module}\n` }], applicability: "machine-applicable" });
    }
    if (similar) suggestions.push({ message: `a ${what === "family" ? "block" : "block or op"} with a similar name exists: \`${similar}\``, edits: [{ span: callee.span, newText: similar }], applicability: "maybe-incorrect" });
    this.report(makeDiagnostic(what === "family" ? "V2016" : "V2002", `unknown ${what === "family" ? "model family" : "block or op"} \`${callee.text}\``, callee.span, {
      label: "not defined",
      notes: module ? [{ text: `\`${callee.text}\` is defined in \`std.${module}\`` }] : [],
      suggestions,
      cause: "unknown-name",
    }));
    return undefined;
  }

  // ---- blocks ------------------------------------------------------------------------------

  private invokeBlock(
    block: VisibleBlock, call: A.CallExpr, callerScope: Scope, callerFile: number, path: string, input: Value | undefined,
    configOut?: Record<string, AttrValue>,
  ): BlockResult {
    const name = block.decl.name.text;
    const cycle = this.stack.findIndex((f) => f.block === name);
    if (cycle >= 0) {
      const chain = [...this.stack.slice(cycle).map((f) => f.block), name].map((b) => `\`${b}\``).join(" → ");
      this.report(makeDiagnostic("V2007", `block \`${name}\` calls itself (${chain})`, this.userSpan(call.span), {
        label: "recursive call", notes: [{ text: "blocks expand at compile time, so recursion never ends" }],
        help: ["use `repeat N as i { … }` for a fixed number of layers"],
      }));
      return { x: unknown };
    }
    if (this.stack.length >= limits.maxDepth) {
      this.report(makeDiagnostic("V2012", `blocks nested more than ${limits.maxDepth} calls deep`, this.userSpan(call.span)));
      throw new Abort();
    }
    this.charge(1 + this.stack.length, call.span);
    const reported = this.diagnostics.length;
    const args = this.bindArguments(block.decl, call, callerScope, callerFile);
    // A call with a wrong argument is not expanded: a misspelled `heads: 4` would otherwise
    // also fail with the default `num_heads`, one mistake reported twice.
    if (this.diagnostics.length > reported) return { x: unknown };
    const scope = new Scope();
    if (input !== undefined) scope.set("x", input);
    this.enter({ block: name, span: call.span, call: this.calls++, path, definition: block.decl.name.span, doc: block.decl.doc });
    try {
      for (const param of block.decl.params) {
        let value = args.get(param.name.text);
        if (value === undefined) {
          // A default is evaluated in the block's own scope, so it may use earlier parameters.
          value = param.default ? this.eval(param.default, scope, block.file) : unknown;
          if (param.type) this.chargeTypeCheck(value, param.type, param.span);
          if (param.type && !matchesType(value, param.type) && param.default) {
            this.report(makeDiagnostic("V2005", `default of \`${param.name.text}\` is ${typeName(value)}, declared ${formatType(param.type)}`, param.default.span));
            value = unknown;
          }
        }
        scope.set(param.name.text, value, param.span);
        if (configOut) {
          this.charge(weightOf(value), param.span);
          const attr = toAttr(value);
          if (attr !== undefined) configOut[param.name.text] = attr;
        }
      }
      this.runBody(block.decl.body.statements, scope, block.file, path);
    } catch (err) {
      if (!(err instanceof RequirementFailed)) throw err;
      return { x: unknown };
    } finally {
      this.leave();
    }
    return { x: scope.get("x") ?? (input === undefined ? undefined : unknown), place: scope.placeOf("x") };
  }

  private bindArguments(decl: A.BlockDecl, call: A.CallExpr, scope: Scope, file: number): Map<string, Value> {
    const bound = new Map<string, Value>();
    const params = decl.params.map((p) => p.name.text);
    // A syntax error hid some parameters: arguments that may be theirs are not reported again.
    const paramsLost = params.includes("");
    const fromUser = isUserFile(this.program, file);
    let sawKeyword = false;
    call.args.forEach((arg, position) => {
      let name: string;
      if (arg.name) {
        sawKeyword = true;
        name = arg.name.text;
        if (!params.includes(name)) {
          if (!paramsLost) this.unknownArgument(name, arg.name.span, params.filter((p) => p !== ""), `\`${decl.name.text}\``);
          return;
        }
      } else {
        if (sawKeyword) {
          this.report(makeDiagnostic("V2013", "positional argument after keyword arguments", arg.span, { label: "give this argument a name" }));
          return;
        }
        if (position >= params.length || params[position] === "") {
          if (paramsLost) return;
          this.report(makeDiagnostic("V2003", `\`${decl.name.text}\` takes ${countOf(params.length, "argument")}, got ${call.args.length}`, arg.span, { label: "one too many" }));
          return;
        }
        name = params[position];
      }
      if (bound.has(name)) {
        this.report(makeDiagnostic("V2006", `argument \`${name}\` given twice`, arg.span, { label: "second value" }));
        return;
      }
      let value = this.eval(arg.value, scope, file);
      const param = decl.params.find((p) => p.name.text === name) as A.ParamDecl;
      if (param.type) this.chargeTypeCheck(value, param.type, arg.span);
      if (param.type && !matchesType(value, param.type)) {
        this.report(makeDiagnostic("V2005", `\`${name}\` must be ${formatType(param.type)}, got ${typeName(value)} ${formatValue(value)}`, arg.value.span, {
          label: `expected ${formatType(param.type)}`,
          notes: param.doc ? [{ text: `\`${name}\`: ${param.doc}` }] : [],
        }));
        value = unknown;
      }
      if (fromUser) {
        const keep = value.origin && isUserFile(this.program, value.origin.span.file) ? value.origin.span : arg.value.span;
        value = withOrigin(value, { span: keep, name });
      }
      bound.set(name, value);
    });
    const missing = decl.params.filter((p) => !p.default && !bound.has(p.name.text) && p.name.text !== "");
    if (missing.length > 0) {
      const list = missing.map((p) => `\`${p.name.text}\``).join(", ");
      this.report(makeDiagnostic("V2004", `\`${decl.name.text}\` needs ${missing.length === 1 ? "argument" : "arguments"} ${list}`, call.callee.span, {
        label: `missing ${list}`,
        notes: [{ text: `\`${decl.name.text}\` is defined here`, span: decl.name.span }],
        help: [`add ${missing.map((p) => `\`${p.name.text}: …\``).join(", ")}`],
      }));
      for (const p of missing) bound.set(p.name.text, unknown);
    }
    return bound;
  }

  private unknownArgument(name: string, span: Span, known: readonly string[], owner: string): void {
    const similar = this.similar(name, known, span);
    this.report(makeDiagnostic("V2003", `${owner} has no parameter \`${name}\``, span, {
      label: "unknown argument",
      notes: [{ text: `${owner} takes ${known.map((k) => `\`${k}\``).join(", ") || "no arguments"}` }],
      suggestions: similar ? [{ message: `a parameter with a similar name exists: \`${similar}\``, edits: [{ span, newText: similar }], applicability: "maybe-incorrect" }] : [],
    }));
  }

  // ---- statements --------------------------------------------------------------------------

  private runBody(statements: readonly A.Statement[], scope: Scope, file: number, path: string): void {
    for (const statement of statements) {
      if (++this.steps > limits.maxSteps) {
        this.report(makeDiagnostic("V2012", `the model takes more than ${limits.maxSteps} steps to expand`, this.userSpan(statement.span)));
        throw new Abort();
      }
      this.charge(1, statement.span);
      this.runStatement(statement, scope, file, path);
    }
  }

  private runStatement(s: A.Statement, scope: Scope, file: number, path: string): void {
    switch (s.kind) {
      case "let": {
        const value = "statements" in s.value ? this.runPipeline(s.value, scope, file, path) : this.eval(s.value, scope, file);
        scope.set(s.name.text, value, s.span);
        return;
      }
      case "if": {
        const cond = this.eval(s.condition, scope, file);
        if (cond.kind === "unknown") return;
        if (cond.kind !== "bool") {
          this.report(makeDiagnostic("V2005", `an \`if\` condition must be a bool, got ${typeName(cond)}`, s.condition.span));
          return;
        }
        if (cond.value) this.runBody(s.then.statements, scope, file, path);
        else if (s.otherwise) this.runBody("statements" in s.otherwise ? s.otherwise.statements : [s.otherwise], scope, file, path);
        return;
      }
      case "require":
        return this.runRequire(s, scope, file);
      case "expect":
      case "input":
        return this.runShapeStatement(s, scope, file, path);
      case "output": {
        const x = scope.get("x");
        if (x?.kind === "tensor") this.outputs[s.name.text] = x.node;
        else if (x === undefined) this.noInput(s.span);
        else if (x.kind !== "unknown" && !this.reportedOutputs.has(x)) {
          this.reportedOutputs.add(x);
          const place = scope.placeOf("x");
          this.report(makeDiagnostic("V2017", `\`output ${s.name.text}\` marks \`x\`, which is ${describeValue(x)}, not a tensor`, s.span, {
            label: "a model's outputs are tensors",
            labels: place ? [{ span: place, text: "`x` last set here" }] : [],
          }));
        }
        return;
      }
      case "step":
        return this.runStep(s, scope, file, path);
    }
  }

  private runPipeline(body: A.Body, scope: Scope, file: number, path: string): Value {
    const inner = scope.child();
    this.runBody(body.statements, inner, file, path);
    return inner.get("x") ?? unknown;
  }

  private runStep(s: A.StepStmt, scope: Scope, file: number, path: string): void {
    let inner = path;
    if (s.label) {
      const segment = this.labelText(s.label, scope, file);
      if (segment === undefined) return;
      inner = weightKey(path, segment);
      if (inner.length > limits.maxPathLength) {
        this.report(makeDiagnostic("V2015", `the weight path here would be ${inner.length} characters long; paths hold at most ${limits.maxPathLength}`, this.userSpan(s.label.span), {
          label: "adds a segment to the weight path", help: ["weight paths are timm's state_dict keys, such as `blocks.3.attn.qkv`"],
        }));
        return;
      }
    }
    const action = s.action;
    if (action.kind === "repeat") {
      const count = this.eval(action.count, scope, file);
      if (count.kind === "unknown") return;
      if (count.kind !== "int" || count.value < 0 || count.value > limits.maxRepeat) {
        this.report(makeDiagnostic("V2010", `\`repeat\` needs a count from 0 to ${limits.maxRepeat}, got ${formatValue(count)}`, this.userSpanOf(count, action.count.span), {
          label: "repeat count", notes: [{ text: "every repetition becomes layers of the model" }],
        }));
        return;
      }
      for (let i = 0; i < count.value; i++) {
        this.charge(1, action.span);
        scope.set(action.index.text, { kind: "int", value: i, origin: { span: action.index.span } }, action.index.span);
        this.runBody(action.body.statements, scope, file, s.label ? weightKey(inner, String(i)) : inner);
      }
      return;
    }
    const x = scope.get("x");
    if (action.kind === "residual") {
      if (!x || x.kind !== "tensor") {
        if (!x) this.noInput(action.span);
        else if (x.kind !== "unknown") this.needsTensor("`residual`", x, action.span, scope);
        return;
      }
      this.runBody(action.body.statements, scope, file, inner);
      const out = scope.get("x");
      if (out?.kind !== "tensor") return;
      scope.set("x", this.makeNode("add", [out.node, x.node], { other: "tensor" }, {}, inner, action.span));
      return;
    }
    const block = this.program.visible.get(file)?.get(action.callee.text);
    if (block) {
      if (x && x.kind !== "tensor") {
        // An unknown `x` follows an error that already explains the missing tensor.
        if (x.kind !== "unknown") this.needsTensor(`\`${block.decl.name.text}\``, x, action.span, scope);
        return;
      }
      const out = this.invokeBlock(block, action, scope, file, inner, x);
      // A block called before the input exists (argument checks) leaves `x` undefined.
      if (out.x === undefined || out.x.kind === "tensor" || out.x.kind === "unknown") {
        if (out.x !== undefined) scope.set("x", out.x);
        return;
      }
      this.report(makeDiagnostic("V2005", `\`${block.decl.name.text}\` leaves ${describeValue(out.x)} in \`x\`, not a tensor`, action.span, {
        label: "a layer's result is the tensor its block leaves in `x`",
        labels: out.place ? [{ span: out.place, text: "`x` last set here" }] : [],
      }));
      scope.set("x", unknown);
      return;
    }
    if (isOpKind(action.callee.text)) {
      scope.set("x", this.applyOp(action.callee.text, action, scope, file, inner));
      return;
    }
    if (builtins.has(action.callee.text)) {
      this.report(makeDiagnostic("V2002", `\`${action.callee.text}\` is a function, not a layer`, action.callee.span, {
        label: "computes a value", help: [`use it in an expression: \`let v = ${action.callee.text}(…)\``],
      }));
      return;
    }
    // In the user's files, name resolution (resolve.ts) reported the name: expansion only notes
    // that this model reaches it, for the follow-on policy's "in model" notes.
    if (isUserFile(this.program, file)) this.unresolvedLayers.push(action.callee.span);
    else this.resolveBlock(action.callee, file, "layer");
    scope.set("x", unknown);
  }

  private labelText(label: A.Label, scope: Scope, file: number): string | undefined {
    if (label.kind === "name") return label.text;
    const value = this.eval(label.expr, scope, file);
    // A label is one segment of a state_dict key: `(i)` or `("stem")`, never `-1`, "" or "a.b".
    const text = value.kind === "int" || value.kind === "string" ? String(value.value) : undefined;
    if (text !== undefined) this.charge(charUnits(text.length), label.span);
    if (text !== undefined && /^(?:\d+|[A-Za-z_][A-Za-z0-9_]*)$/.test(text)) return text;
    if (text !== undefined) {
      this.report(makeDiagnostic("V2015", `a label must be a name or a non-negative int, got ${formatValue(value)}`, this.userSpanOf(value, label.span), {
        label: "one segment of a weight path", help: ["labels join with `.` into timm's state_dict keys, so they cannot be empty or hold a `.`"],
      }));
    } else if (value.kind !== "unknown") this.report(makeDiagnostic("V2005", `a label must be an int or a string, got ${typeName(value)}`, label.span));
    return undefined;
  }

  private noInput(span: Span): void {
    this.report(makeDiagnostic("V2001", "there is no input tensor here", this.userSpan(span), {
      label: "nothing to apply this layer to",
      help: ["a model's first statement is `input [B, channels, height, width]`"],
    }));
  }

  // ---- ops ---------------------------------------------------------------------------------

  private applyOp(op: OpKind, call: A.CallExpr, scope: Scope, file: number, path: string): Value {
    const def = ops[op];
    const specs = attrSpecs(op);
    const attrs: Record<string, AttrValue> = {};
    const origins: Record<string, ValueOrigin | undefined> = {};
    const tensors: number[] = [];
    let failed = false;
    let sawKeyword = false;
    const given = new Set<string>();
    call.args.forEach((arg, position) => {
      let name: string;
      if (arg.name) {
        sawKeyword = true;
        name = arg.name.text;
        if (!Object.hasOwn(def.attrs, name)) {
          this.unknownArgument(name, arg.name.span, specs.map(([k]) => k), `op \`${op}\``);
          failed = true;
          return;
        }
      } else if (sawKeyword) {
        this.report(makeDiagnostic("V2013", "positional argument after keyword arguments", arg.span, { label: "give this argument a name" }));
        failed = true;
        return;
      } else if (position < specs.length) name = specs[position][0];
      else {
        this.report(makeDiagnostic("V2003", `op \`${op}\` takes ${countOf(specs.length, "argument")}, got ${call.args.length}`, arg.span));
        failed = true;
        return;
      }
      if (given.has(name)) {
        this.report(makeDiagnostic("V2006", `argument \`${name}\` given twice`, arg.span, { label: "second value" }));
        failed = true;
        return;
      }
      given.add(name);
      const value = this.eval(arg.value, scope, file);
      if (value.kind === "unknown") { failed = true; return; }
      const spec = def.attrs[name];
      this.charge(weightOf(value), arg.span);
      const checked = checkAttr(value, spec);
      if (checked === undefined) {
        this.report(makeDiagnostic("V2005", `\`${name}\` of \`${op}\` must be ${describeAttrType(spec)}, got ${typeName(value)} ${formatValue(value)}`, arg.value.span, {
          label: `expected ${describeAttrType(spec)}`,
        }));
        failed = true;
        return;
      }
      const low = belowMinimum(checked, spec);
      if (low !== undefined) {
        this.report(makeDiagnostic("V2015", `\`${name}\` of \`${op}\` must be at least ${spec.min}, got ${formatValue(value)}`, this.userSpanOf(value, arg.value.span), {
          label: value.origin?.name && value.origin.name !== name ? `\`${value.origin.name}\` is ${formatValue(value)}` : `less than ${spec.min}`,
        }));
        failed = true;
        return;
      }
      if (spec.type === "tensor") tensors.push((value as { node: number }).node);
      else attrs[name] = checked;
      origins[name] = value.origin ?? { span: arg.value.span };
    });
    for (const [name, spec] of specs) {
      if (given.has(name)) continue;
      if (spec.default !== undefined) attrs[name] = spec.default;
      else {
        this.report(makeDiagnostic("V2004", `op \`${op}\` needs argument \`${name}\``, call.callee.span, { label: `missing \`${name}\`: ${spec.doc}` }));
        failed = true;
      }
    }
    const x = scope.get("x");
    if (op === "input") {
      this.report(makeDiagnostic("V2002", "`input` is a statement: `input [B, channels, height, width]`", call.span));
      return unknown;
    }
    if (!x) { this.noInput(call.span); return unknown; }
    if (x.kind !== "tensor" && x.kind !== "unknown" && !failed) this.needsTensor(`\`${op}\``, x, call.span, scope);
    if (failed || x.kind !== "tensor") return unknown;
    return this.makeNode(op, [x.node, ...tensors], attrs, origins, path, call.span);
  }

  private makeNode(op: OpKind, inputs: number[], attrs: Record<string, AttrValue>, attrOrigins: Record<string, ValueOrigin | undefined>, path: string, span: Span): Value {
    if (this.nodes.length >= limits.maxNodes) {
      this.report(makeDiagnostic("V2012", `the model expands to more than ${limits.maxNodes} layers`, this.userSpan(span), {
        help: ["check `repeat` counts and depths"],
      }));
      throw new Abort();
    }
    this.charge(1 + charUnits(path.length), span);
    const node: Node = { id: this.nodes.length, op, inputs, attrs, attrOrigins, path, origin: this.originOf(span) };
    this.nodes.push(node);
    return { kind: "tensor", node: node.id };
  }

  // ---- shape statements and requirements -------------------------------------------------------

  private runShapeStatement(s: Extract<A.Statement, { kind: "expect" | "input" }>, scope: Scope, file: number, path: string): void {
    // After an error the model's input is unknown, not absent: its layers then stay silent.
    const poisonInput = () => {
      if (s.kind === "input" && !scope.get("x")) scope.set("x", unknown);
    };
    const value = this.eval(s.shape, scope, file);
    if (value.kind === "unknown") return poisonInput();
    const items = value.kind === "list" ? value.items : [];
    const [first, ...rest] = items;
    const dims = rest.map((v) => (v.kind === "int" ? v.value : NaN));
    if (value.kind !== "list" || first?.kind !== "batch" || dims.some((d) => Number.isNaN(d))) {
      poisonInput();
      if (items.some((v) => v.kind === "unknown")) return;
      this.report(makeDiagnostic("V2005", `\`${s.kind}\` takes a shape like [B, 197, 768], got ${formatValue(value)}`, s.shape.span, {
        label: "the first dimension is the batch `B`, the others integers",
      }));
      return;
    }
    const bad = rest.find((v) => v.kind === "int" && v.value <= 0);
    if (s.kind === "input" && bad) {
      // Lands on the argument that made the dimension (`in_chans: 0`), not on the model call.
      const where = bad.origin && isUserFile(this.program, bad.origin.span.file) ? bad.origin.span : this.userSpan(s.shape.span);
      this.report(makeDiagnostic("V3112", `input dimensions must be positive integers, got [B, ${dims.join(", ")}]`, where, {
        label: bad.origin?.name ? `\`${bad.origin.name}\` is ${formatValue(bad)}` : undefined,
        notes: isUserFile(this.program, s.shape.span.file) ? [] : [{ text: "the model's `input` statement", span: s.shape.span }],
      }));
      return poisonInput();
    }
    const x = scope.get("x");
    if (s.kind === "input" && !x) {
      scope.set("x", this.makeNode("input", [], { dims }, { dims: { span: s.shape.span } }, path, s.span));
      return;
    }
    if (x === undefined) return this.noInput(s.span);
    if (x.kind !== "tensor") {
      if (x.kind !== "unknown") this.needsTensor(`\`${s.kind}\``, x, s.span, scope);
      return;
    }
    this.expectations.push({ tensor: x.node, batch: first.factor, dims, span: s.shape.span, origin: this.originOf(s.span) });
  }

  private runRequire(s: Extract<A.Statement, { kind: "require" }>, scope: Scope, file: number): void {
    const cond = this.eval(s.condition, scope, file);
    if (cond.kind === "unknown") return;
    if (cond.kind !== "bool") {
      this.report(makeDiagnostic("V2005", `a \`require\` condition must be a bool, got ${typeName(cond)}`, s.condition.span));
      return;
    }
    if (cond.value) return;
    // The operands the condition reads (names and indexed items such as `img_size[0]`), each
    // with the origin of its value, so the error lands on the user's argument.
    const values = referencedOperands(s.condition).flatMap((e) => {
      const v = e.kind === "name" && scope.get(e.name) === undefined ? undefined : this.eval(e, scope, file);
      return v && v.kind !== "unknown" ? [[operandText(e), v] as const] : [];
    });
    const fromUser = values.filter(([, v]) => v.origin && isUserFile(this.program, v.origin.span.file));
    const primary = fromUser[0]?.[1].origin?.span ?? this.userSpan(s.span);
    // Labels name what the user wrote: in the standard library, only values passed under an
    // argument's name (not `img[1]`, a name the user never saw).
    const labels: Label[] = fromUser.slice(1)
      .filter(([, v]) => v.origin?.span.start !== primary.start || v.origin?.span.file !== primary.file)
      .filter(([, v]) => isUserFile(this.program, s.span.file) || v.origin?.name !== undefined)
      .map(([n, v]) => ({ span: (v.origin as ValueOrigin).span, text: `\`${v.origin?.name ?? n}\` is ${formatValue(v)}` }));
    // In the standard library, operands such as a repeat index (`i` = 2) mean nothing to the
    // user; only values passed or defaulted under an argument's name are shown there.
    const others = values.filter(([, v]) => !fromUser.some(([, u]) => u === v))
      .filter(([, v]) => isUserFile(this.program, s.span.file) || v.origin?.name !== undefined);
    const notes: Note[] = [];
    if (others.length > 0) notes.push({ text: others.map(([n, v]) => `\`${n}\` = ${formatValue(v)}`).join(", ") });
    for (const note of s.notes) notes.push({ text: this.text(note, scope, file) });
    notes.push(this.expansionNote(s.span));
    if (s.code && !isCode(s.code.text)) {
      this.report(makeDiagnostic("V2001", `unknown error code \`${s.code.text}\``, s.code.span, {
        label: "not one of vitc's codes", help: ["use a code listed in docs/errors/, or leave it out to report V2015"],
      }));
    }
    const code = s.code && isCode(s.code.text) ? s.code.text : "V2015";
    this.report(makeDiagnostic(code, this.text(s.message, scope, file), primary, {
      labels,
      notes,
      help: s.help.map((h) => this.text(h, scope, file)).filter((h) => h !== ""),
      suggestions: this.requireSuggestions(s, scope, file),
    }));
    throw new RequirementFailed();
  }

  /**
   * The `suggest NAME = value` clauses of a failed `require` as fixes: where the user wrote the
   * value of NAME (its origin, in a user file), the suggested value instead. A clause whose
   * operand the user did not write (a default of the standard library) offers nothing.
   */
  private requireSuggestions(s: A.RequireStmt, scope: Scope, file: number): Suggestion[] {
    const found: Suggestion[] = [];
    for (const clause of s.suggestions) {
      const current = scope.get(clause.name.text);
      const origin = current?.origin;
      if (!current || !origin || !isUserFile(this.program, origin.span.file)) continue;
      const value = this.eval(clause.value, scope, file);
      if (value.kind !== "int" && value.kind !== "float" && value.kind !== "bool" && value.kind !== "string") continue;
      const text = formatValue(value);
      if (found.some((f) => f.edits[0].newText === text)) continue;
      found.push({
        message: `set \`${origin.name ?? clause.name.text}\` to ${text}`,
        edits: [{ span: origin.span, newText: text }],
        applicability: "machine-applicable",
      });
    }
    return found;
  }

  private text(expr: A.Expr, scope: Scope, file: number): string {
    let text: string;
    if (expr.kind === "string") text = interpolate(expr, (e) => this.eval(e, scope, file));
    else {
      const value = this.eval(expr, scope, file);
      text = value.kind === "string" ? value.value : formatValue(value);
    }
    this.charge(charUnits(text.length), expr.span);
    return text;
  }

  // ---- origins -----------------------------------------------------------------------------

  private enter(frame: Frame): void {
    this.stack.push(frame);
    this.callChanged();
  }

  private leave(): void {
    this.stack.pop();
    this.callChanged();
  }

  private callChanged(): void {
    this.via = [...this.stack];
    this.userCall = undefined;
    for (let i = this.stack.length - 1; i >= 0 && !this.userCall; i--) if (isUserFile(this.program, this.stack[i].span.file)) this.userCall = this.stack[i].span;
  }

  private originOf(span: Span): Origin {
    return { span, via: this.via, user: this.userSpan(span) };
  }

  /** The innermost span of the current call chain that lies in a user file. */
  userSpan(span: Span): Span {
    return isUserFile(this.program, span.file) ? span : (this.userCall ?? span);
  }

  private userSpanOf(value: Value, fallback: Span): Span {
    return value.origin && isUserFile(this.program, value.origin.span.file) ? value.origin.span : this.userSpan(fallback);
  }

  expansionNote(span: Span): Note {
    const chain = this.stack.map((f) => `\`${f.block}\``).join(" → ");
    return { text: chain ? `in expansion of ${chain}` : "in this model", span };
  }

  // ---- expressions -------------------------------------------------------------------------

  private eval(expr: A.Expr, scope: Scope, file: number): Value {
    this.evalScope = scope;
    this.evalFile = file;
    return evaluate(expr, this.evalContext);
  }

  // ---- work ----------------------------------------------------------------------------------

  /**
   * Spends work units (limits.ts) for what is done at `span`. Past the budget, reports V2012
   * there and ends the expansion: a hostile spec stops within about a second.
   */
  private charge(units: number, span: Span): void {
    if (this.work.spend(units)) return;
    this.diagnostics.push(makeDiagnostic("V2012", `the spec takes too much work to evaluate: more than ${limits.maxWork} steps`, this.userSpan(span), {
      label: "the budget ran out here",
      notes: [
        { text: "steps count expressions evaluated, statements run, loop iterations and block calls, list items and characters made or compared; a standard model takes under 10000" },
        ...(isUserFile(this.program, span.file) ? [] : [this.expansionNote(span)]),
      ],
      help: ["check `repeat` counts, and lists or strings built in loops"],
    }));
    throw new Abort();
  }

  /** Checking a value against a list type reads all of it; other types look at its kind. */
  private chargeTypeCheck(value: Value, type: A.TypeExpr, span: Span): void {
    if (readsItems(type)) this.charge(weightOf(value), span);
  }

  /** A similar name for a suggestion, its search charged as characters compared. */
  private similar(name: string, candidates: Iterable<string>, span: Span): string | undefined {
    const found = findClosestName(name, candidates);
    this.charge(charUnits(found.work), span);
    return found.name;
  }

  private report(d: Diagnostic): void {
    this.charge(1 + charUnits(d.message.length), d.primary.span);
    // Errors found in the standard library are placed at the user's line that led there.
    if (!isUserFile(this.program, d.primary.span.file) && this.stack.length > 0) {
      const where = this.userSpan(d.primary.span);
      this.diagnostics.push({ ...d, primary: { span: where, text: d.primary.text }, notes: [...d.notes, this.expansionNote(d.primary.span)] });
      return;
    }
    this.diagnostics.push(d);
  }
}

const attrSpecCache = new Map<OpKind, ReadonlyArray<[string, AttrSpec]>>();

/** An op's keyword arguments in positional order (asked for at every op call). */
function attrSpecs(op: OpKind): ReadonlyArray<[string, AttrSpec]> {
  let specs = attrSpecCache.get(op);
  if (!specs) attrSpecCache.set(op, (specs = Object.entries(ops[op].attrs)));
  return specs;
}

/**
 * An object for keys the user writes (parameter and output names): without a prototype, a key
 * such as `__proto__` or `constructor` is an ordinary own property, never Object.prototype's.
 */
function nameTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function readsItems(type: A.TypeExpr): boolean {
  return type.kind === "list" || (type.kind === "union" && type.options.some(readsItems));
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The standard-library module of each one-line family (DESIGN.md), for a missing `use`. */
const familyModules = new Map([["vit", "vit"], ["deit_distilled", "vit"], ["vit_hybrid", "vit"], ["swin", "swin"], ["mobilevit", "mobilevit"]]);

/**
 * Where a `use` line goes in a file: before its first declaration, and before the `##` doc
 * comment above it (which belongs to that declaration), after any other comments at the top.
 */
function useInsertionPoint(program: Program, file: number): number {
  const ast = program.asts.get(file);
  const text = program.files.get(file).text;
  const starts = [...(ast?.uses ?? []), ...(ast?.blocks ?? []), ...(ast?.models ?? [])].map((d) => d.span.start);
  if (starts.length === 0) return 0;
  let at = Math.min(...starts);
  at = text.lastIndexOf("\n", at - 1) + 1;
  while (at > 0) {
    const previous = text.lastIndexOf("\n", at - 2) + 1;
    if (!text.slice(previous, at).trimStart().startsWith("##")) break;
    at = previous;
  }
  return at;
}

function describeAttrType(spec: AttrSpec): string {
  switch (spec.type) {
    case "pair": return "an int or a list of two ints";
    case "ints": return "a list of ints";
    case "padding": return "an int, a list of two ints or \"same\"";
    case "tensor": return "a tensor";
    default: return `${spec.type === "int" ? "an" : "a"} ${spec.type}`;
  }
}

/** The first number of an attribute value below its spec's minimum, if any. */
function belowMinimum(attr: AttrValue, spec: AttrSpec): number | undefined {
  if (spec.min === undefined) return undefined;
  const numbers = (Array.isArray(attr) ? attr : [attr]).filter((v): v is number => typeof v === "number");
  return numbers.find((n) => n < (spec.min as number));
}

/** The attribute value for an op argument, or undefined if the value has the wrong type. */
function checkAttr(value: Value, spec: AttrSpec): AttrValue | undefined {
  const attr = toAttr(value);
  const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && value.kind !== "float";
  const intList = (v: unknown) => Array.isArray(v) && v.every((i) => typeof i === "number" && Number.isInteger(i));
  switch (spec.type) {
    case "tensor": return value.kind === "tensor" ? 0 : undefined;
    case "int": return isInt(attr) ? attr : undefined;
    case "float": return typeof attr === "number" ? attr : undefined;
    case "bool": return typeof attr === "boolean" ? attr : undefined;
    case "string": return typeof attr === "string" ? attr : undefined;
    case "ints": return intList(attr) ? attr : undefined;
    case "pair": return isInt(attr) || (intList(attr) && (attr as number[]).length === 2) ? attr : undefined;
    case "padding": return attr === "same" || isInt(attr) || (intList(attr) && (attr as number[]).length === 2) ? attr : undefined;
  }
}

