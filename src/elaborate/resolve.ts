// Name resolution: what every name written in a file refers to, as data. For each file of a
// program it lists the occurrences of names (block and family calls, keyword arguments, `let`
// names, parameters, repeat indices, labels, `use` targets, built-in calls) with the symbol each
// resolves to, or `unresolved`. Elaboration evaluates; this stage only reads the ASTs, so it also
// covers code no model expands (a block not used yet, the branch of an `if` not taken).
// Scope rule (as the expander's): a block's `let` names and repeat indices are one scope shared by
// its `if` and `repeat` bodies; a name refers to the last `let` of it above, else to a parameter.
// It reports the names of layers that resolve to nothing in the user's files (V2002), once per
// call, whether or not a model expands it; elaboration reports what only expansion can find.
// Invariants: occurrences are in source order per file; never throws on a recovered AST.

import { makeDiagnostic, type Diagnostic, type Staged } from "../diagnostics/diagnostic";
import { findClosestName } from "../diagnostics/similar";
import type { Span } from "../source/span";
import type * as A from "../syntax/ast";
import { isOpKind, opKinds, type OpKind } from "../ops/kinds";
import { builtins } from "./builtins";
import { isUserFile, type Program, type VisibleBlock } from "./program";

export type NameSymbol =
  | { readonly kind: "block"; readonly block: VisibleBlock }
  | { readonly kind: "param"; readonly owner: VisibleBlock; readonly param: A.ParamDecl }
  | { readonly kind: "op"; readonly op: OpKind }
  | { readonly kind: "attr"; readonly op: OpKind; readonly name: string }
  | { readonly kind: "builtin"; readonly name: string }
  /** A `let` name or repeat index of a block: every definition of that name in it is one symbol. */
  | { readonly kind: "local"; readonly owner: VisibleBlock; readonly name: string }
  /** A label of a step; the same label text in one block (both branches of an `if`) is one symbol. */
  | { readonly kind: "label"; readonly owner: VisibleBlock; readonly name: string }
  | { readonly kind: "model"; readonly model: A.ModelDecl; readonly file: number }
  /** The module a `use` brings in; `file` is undefined when it could not be loaded. */
  | { readonly kind: "module"; readonly use: A.UseDecl; readonly file?: number }
  /** `x` (the current tensor) and `B` (the batch). */
  | { readonly kind: "implicit"; readonly name: "x" | "B" }
  | { readonly kind: "unresolved"; readonly name: string; readonly role: "layer" | "family" | "value" | "function" | "argument" };

export interface Occurrence {
  /** The span of the name itself. */
  readonly span: Span;
  readonly symbol: NameSymbol;
  /** A definition (a block's name, a parameter, a `let`, a label) rather than a use. */
  readonly definition: boolean;
  /** For a keyword argument or a callee: the call it belongs to. */
  readonly call?: A.CallExpr;
  /** For a label or a step's callee: the span of the step's action (its call, `repeat` or `residual`). */
  readonly step?: Span;
}

export interface NameIndex {
  /** Per file id (user files and standard-library files alike), its occurrences in source order. */
  readonly occurrences: ReadonlyMap<number, readonly Occurrence[]>;
}

/** A stable key per symbol: two occurrences refer to the same thing when their keys are equal. */
export function symbolKey(symbol: NameSymbol): string {
  switch (symbol.kind) {
    case "block": return `block:${symbol.block.file}:${symbol.block.decl.name.span.start}`;
    case "param": return `param:${symbol.owner.file}:${symbol.param.name.span.start}`;
    case "op": return `op:${symbol.op}`;
    case "attr": return `attr:${symbol.op}:${symbol.name}`;
    case "builtin": return `builtin:${symbol.name}`;
    case "local": return `local:${symbol.owner.file}:${symbol.owner.decl.span.start}:${symbol.name}`;
    case "label": return `label:${symbol.owner.file}:${symbol.owner.decl.span.start}:${symbol.name}`;
    case "model": return `model:${symbol.file}:${symbol.model.name.span.start}`;
    case "module": return `module:${symbol.file ?? symbol.use.span.start}`;
    case "implicit": return `implicit:${symbol.name}`;
    case "unresolved": return `unresolved:${symbol.role}:${symbol.name}`;
  }
}

const stdOccurrences = new WeakMap<A.SourceAst, readonly Occurrence[]>();

/**
 * Resolves every name of every file of the program, and reports each layer call in a user file
 * to a name that is no block, op or function in scope (cause `unknown-name`: after a failed
 * `use` the follow-on policy drops them, as the name may be in the module meant).
 */
export function resolveNames(program: Program): Staged<NameIndex> {
  const occurrences = new Map<number, readonly Occurrence[]>();
  const diagnostics: Diagnostic[] = [];
  for (const [file, ast] of program.asts) {
    // A standard-library file's AST is shared by every compilation of the process (its file id
    // is fixed, and it sees only the standard library), so its names are resolved once.
    const known = isUserFile(program, file) ? undefined : stdOccurrences.get(ast);
    if (known) {
      occurrences.set(file, known);
      continue;
    }
    const resolver = new FileResolver(program, file);
    occurrences.set(file, resolver.run(ast));
    if (isUserFile(program, file)) diagnostics.push(...resolver.unknownLayers());
    else stdOccurrences.set(ast, occurrences.get(file) as Occurrence[]);
  }
  return { value: { occurrences }, diagnostics };
}

/** The occurrence whose span holds `offset` (ends included, so a cursor just after a name counts). */
export function occurrenceAt(index: NameIndex, file: number, offset: number): Occurrence | undefined {
  const list = index.occurrences.get(file) ?? [];
  let found: Occurrence | undefined;
  for (const o of list) {
    if (o.span.start <= offset && offset <= o.span.end && o.span.end > o.span.start) {
      // Prefer the innermost (the latest starting) occurrence.
      if (!found || o.span.start >= found.span.start) found = o;
    }
  }
  return found;
}

class FileResolver {
  private readonly found: Occurrence[] = [];
  private readonly visible: ReadonlyMap<string, VisibleBlock>;

  constructor(private readonly program: Program, private readonly file: number) {
    this.visible = program.visible.get(file) ?? new Map();
  }

  /** A V2002 for each layer call whose name resolves to nothing, in source order. */
  unknownLayers(): Diagnostic[] {
    return this.found.filter((o) => o.symbol.kind === "unresolved" && o.symbol.role === "layer").map((o) => {
      const name = (o.symbol as { name: string }).name;
      const similar = findClosestName(name, [...this.visible.keys(), ...opKinds]).name;
      return makeDiagnostic("V2002", `unknown block or op \`${name}\``, o.span, {
        label: "not defined",
        suggestions: similar ? [{ message: `a block or op with a similar name exists: \`${similar}\``, edits: [{ span: o.span, newText: similar }], applicability: "maybe-incorrect" }] : [],
        cause: "unknown-name",
      });
    });
  }

  run(ast: A.SourceAst): Occurrence[] {
    for (const use of ast.uses) this.use(use);
    for (const block of ast.blocks) this.block(block);
    for (const model of ast.models) {
      if (model.name.text !== "") this.add(model.name.span, { kind: "model", model, file: this.file }, true);
      this.call(model.call, "family", undefined);
    }
    return this.found.sort((a, b) => a.span.start - b.span.start);
  }

  private add(span: Span, symbol: NameSymbol, definition = false, call?: A.CallExpr, step?: Span): void {
    this.found.push({ span, symbol, definition, call, step });
  }

  private use(use: A.UseDecl): void {
    const imported = this.program.imports.get(this.file)?.find((i) => i.use === use)?.module;
    const span = use.file?.span ?? (use.path.length > 0 ? { ...use.path[0].span, end: use.path[use.path.length - 1].span.end } : use.span);
    this.add(span, { kind: "module", use, file: imported });
  }

  private block(decl: A.BlockDecl): void {
    const owner = this.visible.get(decl.name.text)?.decl === decl ? (this.visible.get(decl.name.text) as VisibleBlock) : { decl, file: this.file };
    if (decl.name.text !== "") this.add(decl.name.span, { kind: "block", block: owner }, true);
    const scope = new BlockScope(owner);
    for (const param of decl.params) {
      if (param.name.text === "") continue;
      if (param.default) this.expr(param.default, scope);
      this.add(param.name.span, { kind: "param", owner, param }, true);
      scope.params.set(param.name.text, param);
    }
    this.body(decl.body, scope);
  }

  private body(body: A.Body, scope: BlockScope): void {
    for (const s of body.statements) this.statement(s, scope);
  }

  private statement(s: A.Statement, scope: BlockScope): void {
    switch (s.kind) {
      case "let":
        if ("statements" in s.value) this.body(s.value, scope);
        else this.expr(s.value, scope);
        if (s.name.text !== "" && s.name.text !== "x") {
          scope.locals.add(s.name.text);
          this.add(s.name.span, { kind: "local", owner: scope.owner, name: s.name.text }, true);
        }
        return;
      case "if":
        this.expr(s.condition, scope);
        this.body(s.then, scope);
        if (s.otherwise) {
          if ("statements" in s.otherwise) this.body(s.otherwise, scope);
          else this.statement(s.otherwise, scope);
        }
        return;
      case "require":
        this.expr(s.condition, scope);
        for (const e of [...s.help, ...s.notes]) this.expr(e, scope);
        for (const clause of s.suggestions) {
          if (clause.name.text !== "") this.add(clause.name.span, this.lookup(clause.name.text, scope));
          this.expr(clause.value, scope);
        }
        return;
      case "expect":
      case "input":
        this.expr(s.shape, scope);
        return;
      case "output":
        return;
      case "step":
        if (s.label?.kind === "name") this.add(s.label.span, { kind: "label", owner: scope.owner, name: s.label.text }, true, undefined, s.action.span);
        else if (s.label) this.expr(s.label.expr, scope);
        if (s.action.kind === "repeat") {
          this.expr(s.action.count, scope);
          if (s.action.index.text !== "") {
            scope.locals.add(s.action.index.text);
            this.add(s.action.index.span, { kind: "local", owner: scope.owner, name: s.action.index.text }, true);
          }
          this.body(s.action.body, scope);
        } else if (s.action.kind === "residual") this.body(s.action.body, scope);
        else this.call(s.action, "layer", scope);
        return;
    }
  }

  /** A layer or family call: its callee, then its keyword arguments against what it calls. */
  private call(call: A.CallExpr, role: "layer" | "family", scope: BlockScope | undefined): void {
    const name = call.callee.text;
    const block = this.visible.get(name);
    let params: ((arg: string) => NameSymbol | undefined) | undefined;
    if (name === "") {
      // A recovered call without a name: its arguments are still read.
    } else if (block) {
      this.add(call.callee.span, { kind: "block", block }, false, call, call.span);
      params = (arg) => {
        const param = block.decl.params.find((p) => p.name.text === arg);
        return param ? { kind: "param", owner: block, param } : undefined;
      };
    } else if (isOpKind(name) && role === "layer") {
      this.add(call.callee.span, { kind: "op", op: name }, false, call, call.span);
      params = (arg) => ({ kind: "attr", op: name, name: arg });
    } else if (builtins.has(name) && role === "layer") {
      this.add(call.callee.span, { kind: "builtin", name }, false, call);
    } else {
      this.add(call.callee.span, { kind: "unresolved", name, role }, false, call);
    }
    for (const arg of call.args) {
      if (arg.name && arg.name.text !== "") {
        const target = params?.(arg.name.text);
        this.add(arg.name.span, target ?? { kind: "unresolved", name: arg.name.text, role: "argument" }, false, call);
      }
      this.expr(arg.value, scope);
    }
  }

  private expr(e: A.Expr, scope: BlockScope | undefined): void {
    switch (e.kind) {
      case "name":
        this.add(e.span, this.lookup(e.name, scope));
        return;
      case "list":
        for (const item of e.items) this.expr(item, scope);
        return;
      case "index":
        this.expr(e.target, scope);
        this.expr(e.index, scope);
        return;
      case "unary":
        this.expr(e.operand, scope);
        return;
      case "binary":
        this.expr(e.left, scope);
        this.expr(e.right, scope);
        return;
      case "conditional":
        this.expr(e.condition, scope);
        this.expr(e.then, scope);
        this.expr(e.otherwise, scope);
        return;
      case "call": {
        const name = e.callee.text;
        if (name !== "") this.add(e.callee.span, builtins.has(name) ? { kind: "builtin", name } : { kind: "unresolved", name, role: "function" }, false, e);
        for (const arg of e.args) this.expr(arg.value, scope);
        return;
      }
      default:
        return;
    }
  }

  private lookup(name: string, scope: BlockScope | undefined): NameSymbol {
    if (scope?.locals.has(name)) return { kind: "local", owner: scope.owner, name };
    const param = scope?.params.get(name);
    if (param && scope) return { kind: "param", owner: scope.owner, param };
    if (name === "x" || name === "B") return { kind: "implicit", name };
    return { kind: "unresolved", name, role: "value" };
  }
}

class BlockScope {
  readonly params = new Map<string, A.ParamDecl>();
  readonly locals = new Set<string>();
  constructor(readonly owner: VisibleBlock) {}
}
