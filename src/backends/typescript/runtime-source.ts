// The runtime that emitted modules carry: the declarations of src/backends/tfjs/runtime/ (the
// code `vitc run` executes), read as source and rewritten for a module that imports tfjs-core
// as `tf`: the leading `tf: Tf` parameter of each function and the `tf` argument of each call
// go, `tfc.Tensor` becomes `tf.Tensor`, and nothing is exported. Only the declarations a module
// uses, and those they use, are copied, in their source order.
// Invariant: the rewriting works on ts-morph's syntax tree, never on text patterns.

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

export interface RuntimeDeclaration {
  readonly name: string;
  /** Its text as the emitted module holds it, with its comments. */
  readonly text: string;
  /** Runtime names it refers to. */
  readonly uses: readonly string[];
}

/** Every runtime declaration, rewritten, in source order (file by file, sorted by file name). */
export function readRuntime(morph: typeof Morph, dir = runtimeDir()): RuntimeDeclaration[] {
  const ts = morph.ts;
  const printer = ts.createPrinter({ newLine: ts.NewLineKind.LineFeed });
  const found: Array<{ name: string; text: string; ids: string[] }> = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
    const source = ts.createSourceFile(file, fs.readFileSync(path.join(dir, file), "utf8"), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const rewritten = ts.transform(source, [(context) => (root) => ts.visitEachChild(root, rewriter(ts, context), context)]).transformed[0];
    for (const statement of rewritten.statements) {
      // The file's header comment goes with its imports.
      if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) continue;
      const names = declaredNames(ts, statement);
      if (names.length === 0) continue;
      const text = printer.printNode(ts.EmitHint.Unspecified, statement, source);
      for (const name of names) found.push({ name, text, ids: identifiersUsed(ts, statement) });
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
 * The rewriting for a module with `import * as tf from "@tensorflow/tfjs-core"`: no `export`,
 * no leading `tf` parameter or argument, `tfc.X` types as `tf.X`.
 */
function rewriter(ts: typeof Morph.ts, context: Morph.ts.TransformationContext): Morph.ts.Visitor {
  const f = context.factory;
  const isTf = (node: Morph.ts.Node | undefined) => node !== undefined && ts.isIdentifier(node) && node.text === "tf";
  const unexported = (modifiers: Morph.ts.NodeArray<Morph.ts.ModifierLike> | undefined) => modifiers?.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword);
  const visit: Morph.ts.Visitor = (node) => {
    if (ts.isCallExpression(node) && isTf(node.arguments[0])) {
      const args = node.arguments.slice(1).map((a) => ts.visitNode(a, visit) as Morph.ts.Expression);
      return f.updateCallExpression(node, ts.visitNode(node.expression, visit) as Morph.ts.Expression, node.typeArguments, args);
    }
    if (ts.isQualifiedName(node) && ts.isIdentifier(node.left) && node.left.text === "tfc") return f.updateQualifiedName(node, f.createIdentifier("tf"), node.right);
    if (ts.isFunctionDeclaration(node)) {
      const inner = ts.visitEachChild(node, visit, context);
      const params = inner.parameters.filter((p, i) => !(i === 0 && isTf(p.name)));
      return f.updateFunctionDeclaration(inner, unexported(inner.modifiers), inner.asteriskToken, inner.name, inner.typeParameters, params, inner.type, inner.body);
    }
    if (ts.isInterfaceDeclaration(node)) {
      const inner = ts.visitEachChild(node, visit, context);
      return f.updateInterfaceDeclaration(inner, unexported(inner.modifiers), inner.name, inner.typeParameters, inner.heritageClauses, inner.members);
    }
    if (ts.isTypeAliasDeclaration(node)) {
      const inner = ts.visitEachChild(node, visit, context);
      return f.updateTypeAliasDeclaration(inner, unexported(inner.modifiers), inner.name, inner.typeParameters, inner.type);
    }
    if (ts.isVariableStatement(node)) {
      const inner = ts.visitEachChild(node, visit, context);
      return f.updateVariableStatement(inner, unexported(inner.modifiers), inner.declarationList);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return visit;
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
