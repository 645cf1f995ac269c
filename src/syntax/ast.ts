// The abstract syntax tree. Every node carries its span; pieces that recovery could not find, and
// lists and calls in expressions that it cut short, are explicit `missing` nodes, so later stages
// never see undefined children nor values the user did not write. Never mutated.

import type { Span } from "../source/span";

export interface SourceAst {
  readonly file: number;
  readonly uses: readonly UseDecl[];
  readonly blocks: readonly BlockDecl[];
  readonly models: readonly ModelDecl[];
}

/**
 * `use std.vit`: a standard-library module, by its dotted names in `path`.
 * `use "lib/blocks.vit"`: a module file of the user's, `file` holding the string as written
 * (relative to the directory of the file that holds the `use`, unless absolute); `path` is empty.
 */
export interface UseDecl { readonly kind: "use"; readonly path: readonly Name[]; readonly file?: StringExpr; readonly span: Span }

export interface Name { readonly text: string; readonly span: Span }

export interface ModelDecl {
  readonly kind: "model";
  readonly name: Name;
  readonly call: CallExpr;
  readonly doc: string;
  readonly span: Span;
}

export interface BlockDecl {
  readonly kind: "block";
  readonly name: Name;
  readonly params: readonly ParamDecl[];
  readonly body: Body;
  readonly doc: string;
  readonly span: Span;
}

export interface ParamDecl {
  /** Empty for the parameters a syntax error in the list hid (the last of the list). */
  readonly name: Name;
  readonly type?: TypeExpr;
  readonly default?: Expr;
  readonly doc: string;
  readonly span: Span;
}

export type TypeExpr =
  | { readonly kind: "named"; readonly name: Name; readonly span: Span }
  | { readonly kind: "list"; readonly element: TypeExpr; readonly span: Span }
  | { readonly kind: "union"; readonly options: readonly TypeExpr[]; readonly span: Span };

export interface Body { readonly statements: readonly Statement[]; readonly span: Span }

export type Statement =
  | { readonly kind: "let"; readonly name: Name; readonly value: Expr | Body; readonly span: Span }
  | IfStmt
  | RequireStmt
  | { readonly kind: "expect"; readonly shape: Expr; readonly span: Span }
  | { readonly kind: "input"; readonly shape: Expr; readonly span: Span }
  | { readonly kind: "output"; readonly name: Name; readonly span: Span }
  | StepStmt;

/**
 * `require cond else CODE "message" help … note … suggest NAME = value`: a checked precondition.
 * Each `suggest` names an operand and the value that would satisfy the condition, offered as a
 * fix where the user wrote that operand's value.
 */
export interface RequireStmt {
  readonly kind: "require";
  readonly condition: Expr;
  readonly code?: Name;
  readonly message: StringExpr;
  readonly help: readonly Expr[];
  readonly notes: readonly Expr[];
  readonly suggestions: readonly { readonly name: Name; readonly value: Expr; readonly span: Span }[];
  readonly span: Span;
}

export interface IfStmt {
  readonly kind: "if";
  readonly condition: Expr;
  readonly then: Body;
  readonly otherwise?: Body | IfStmt;
  readonly span: Span;
}

export type Label =
  | { readonly kind: "name"; readonly text: string; readonly span: Span }
  | { readonly kind: "computed"; readonly expr: Expr; readonly span: Span };

/** Applies something to the current tensor `x`. */
export interface StepStmt {
  readonly kind: "step";
  readonly label?: Label;
  readonly action:
    | CallExpr
    | { readonly kind: "repeat"; readonly count: Expr; readonly index: Name; readonly body: Body; readonly span: Span }
    | { readonly kind: "residual"; readonly body: Body; readonly span: Span };
  readonly span: Span;
}

export interface Argument { readonly name?: Name; readonly value: Expr; readonly span: Span }

export interface CallExpr { readonly kind: "call"; readonly callee: Name; readonly args: readonly Argument[]; readonly span: Span }

export interface StringExpr { readonly kind: "string"; readonly value: string; readonly span: Span }

export type BinaryOp = "+" | "-" | "*" | "/" | "//" | "%" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or";

export type Expr =
  /** `digits` keeps the literal as written when it is too large for a double to hold exactly. */
  | { readonly kind: "int"; readonly value: number; readonly digits?: string; readonly span: Span }
  | { readonly kind: "float"; readonly value: number; readonly span: Span }
  | StringExpr
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly Expr[]; readonly span: Span }
  | { readonly kind: "index"; readonly target: Expr; readonly index: Expr; readonly span: Span }
  | { readonly kind: "unary"; readonly op: "-" | "not"; readonly operand: Expr; readonly span: Span }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: "conditional"; readonly condition: Expr; readonly then: Expr; readonly otherwise: Expr; readonly span: Span }
  | CallExpr
  | { readonly kind: "missing"; readonly span: Span };
