// The runtime that emitted modules carry: the declarations of src/backends/tfjs/runtime/ (the
// code `vitc run` executes) and of the shared files it imports (`sharedRuntimeFiles`), read as source and edited for a module that imports tfjs-core as
// `tf`: the leading `tf: Tf` parameter of each function and the `tf` argument of each call go,
// `tfc.Tensor` becomes `tf.Tensor`, and nothing is exported. Only the declarations a module
// uses, and those they use, are copied, in their source order.
// Invariant: every edit is located on the TypeScript syntax tree (a parameter, an argument, an
// identifier, a modifier), never by a text pattern; the text between edits is the source's own,
// so the copy keeps its layout. Doc comments are cut to their first sentence, on one line: the
// module is read for its model, and the reasons behind the runtime are in vitc's source, which
// the module's runtime section names.

import * as fs from "node:fs";
import * as path from "node:path";
import type * as Morph from "ts-morph";

/** The runtime folder: in the repository, or in the installed package (package.json `files`). */
export function runtimeDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "src", "backends", "tfjs", "runtime");
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`vitc's runtime sources (src/backends/tfjs/runtime) are not beside ${__dirname}`);
  }
}

/**
 * Files outside the runtime folder that it imports and modules copy too: plain functions every
 * backend shares (Swin's relative position index and shift mask, which the ONNX backend also
 * writes), free of imports. Shipped in the package beside the runtime (package.json `files`).
 */
export function sharedRuntimeFiles(dir = runtimeDir()): string[] {
  return [path.join(dir, "..", "..", "..", "ops", "window-attention.ts")];
}

export interface RuntimeDeclaration {
  readonly name: string;
  /** Its text as the emitted module holds it, with its leading comments. */
  readonly text: string;
  /** Runtime names it refers to. */
  readonly uses: readonly string[];
}

/** A replacement of the source's [start, end) by `text`. */
interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Every runtime declaration, edited, in source order (file by file, sorted by file name). */
export function readRuntime(morph: typeof Morph, dir = runtimeDir()): RuntimeDeclaration[] {
  const ts = morph.ts;
  const found: Array<{ name: string; text: string; ids: string[] }> = [];
  const files = [...fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort().map((f) => path.join(dir, f)), ...sharedRuntimeFiles(dir)];
  for (const full of files) {
    const file = path.basename(full);
    const text = fs.readFileSync(full, "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const statement of source.statements) {
      // The file's header comment goes with its imports.
      if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) continue;
      const names = declaredNames(ts, statement);
      if (names.length === 0) continue;
      // A file without imports (a shared file) has its header before its first declaration: the
      // comments up to the last blank line are the file's, not the declaration's.
      const before = text.slice(statement.pos, statement.getStart(source));
      const header = statement === source.statements[0] ? statement.pos + before.lastIndexOf("\n\n") : -1;
      const comments = (ts.getLeadingCommentRanges(text, statement.pos) ?? []).filter((c) => c.pos > header);
      const start = comments.length > 0 ? comments[0].pos : statement.getStart(source);
      const shortened = comments.map((c) => ({ start: c.pos, end: c.end, text: shortComment(text.slice(c.pos, c.end)) }));
      const edited = applyEdits(text, start, statement.end, [...shortened, ...editsFor(ts, statement, source)]);
      for (const name of names) found.push({ name, text: edited, ids: identifiersUsed(ts, statement) });
    }
  }
  const names = new Set(found.map((d) => d.name));
  return found.filter((d) => d.name !== "Tf").map((d) => ({ name: d.name, text: d.text, uses: [...new Set(d.ids.filter((n) => n !== d.name && names.has(n)))] }));
}

function declaredNames(ts: typeof Morph.ts, statement: Morph.ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  if ((ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) return [statement.name.text];
  return [];
}

/** Identifiers that may name a declaration: not `softmax` in `tf.softmax` or `{ softmax: … }`. */
function identifiersUsed(ts: typeof Morph.ts, root: Morph.ts.Node): string[] {
  const ids: string[] = [];
  const visit = (node: Morph.ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent as Morph.ts.Node | undefined;
      const member = parent !== undefined && ((ts.isPropertyAccessExpression(parent) && parent.name === node)
        || ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent)) && parent.name === node));
      if (!member) ids.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return ids;
}

/**
 * The edits for a module with `import * as tf from "@tensorflow/tfjs-core"`: no `export`, no
 * leading `tf` parameter or argument, `tfc.X` types as `tf.X`.
 */
function editsFor(ts: typeof Morph.ts, statement: Morph.ts.Statement, source: Morph.ts.SourceFile): Edit[] {
  const edits: Edit[] = [];
  const isTf = (node: Morph.ts.Node | undefined) => node !== undefined && ts.isIdentifier(node) && node.text === "tf";
  // A list's first element goes with the separator after it: `(tf, x)` → `(x)`, `(tf)` → `()`.
  const dropFirst = (list: Morph.ts.NodeArray<Morph.ts.Node>) => {
    const end = list.length > 1 ? list[1].getStart(source) : list[0].end;
    edits.push({ start: list[0].getStart(source), end, text: "" });
  };
  const exported = ts.canHaveModifiers(statement) ? ts.getModifiers(statement)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword) : undefined;
  if (exported) edits.push({ start: exported.getStart(source), end: nextTokenStart(ts, source, exported.end), text: "" });
  const visit = (node: Morph.ts.Node): void => {
    if (ts.isCallExpression(node) && isTf(node.arguments[0])) dropFirst(node.arguments);
    else if ((ts.isFunctionDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && isTf(node.parameters[0]?.name)) dropFirst(node.parameters);
    else if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && node.left.text === "tfc") edits.push({ start: node.left.getStart(source), end: node.left.end, text: "tf" });
    ts.forEachChild(node, visit);
  };
  visit(statement);
  return edits;
}

/** A doc comment's first sentence as a one-line doc comment; other comments as they are. */
export function shortComment(comment: string): string {
  if (!comment.startsWith("/**")) return comment;
  const words = comment.slice(3, -2).split("\n").map((line) => line.replace(/^\s*\*?\s?/, "").trim()).join(" ").trim();
  const sentence = /^.*?\.(?=\s|$)/.exec(words)?.[0] ?? words;
  return `/** ${sentence} */`;
}

/** Where the token after `pos` starts (the scanner skips the whitespace and comments between). */
function nextTokenStart(ts: typeof Morph.ts, source: Morph.ts.SourceFile, pos: number): number {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, source.text);
  scanner.setTextPos(pos);
  scanner.scan();
  return scanner.getTokenStart();
}

/** `text[start, end)` with the edits (all inside it, none overlapping) applied. */
function applyEdits(text: string, start: number, end: number, edits: readonly Edit[]): string {
  let out = "";
  let at = start;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + text.slice(at, end);
}

/** The declarations that `used` names need, with those they need, in source order. */
export function runtimeClosure(runtime: readonly RuntimeDeclaration[], used: Iterable<string>): RuntimeDeclaration[] {
  const byName = new Map(runtime.map((d) => [d.name, d]));
  const wanted = new Set<string>();
  const visit = (name: string) => {
    const d = byName.get(name);
    if (!d || wanted.has(name)) return;
    wanted.add(name);
    d.uses.forEach(visit);
  };
  for (const name of used) visit(name);
  // A variable statement declaring several names appears once.
  const seen = new Set<string>();
  return runtime.filter((d) => wanted.has(d.name) && !seen.has(d.text) && seen.add(d.text));
}
