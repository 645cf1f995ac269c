// The .vit grammar: rules only, no semantics. The AST is built in cst-to-ast.ts.
// Recovery is on, so a half-typed line still yields a tree for the rest of the file.

import { CstParser, type IParserErrorMessageProvider } from "./chevrotain";
import * as T from "./tokens";

export class VitParser extends CstParser {
  /**
   * Grammar validation (ambiguities, left recursion) costs ~20 ms at every start-up, so the CLI
   * skips it; test/syntax/grammar-validity.test.ts builds the parser with `validate: true`.
   * `errorMessageProvider` is Chevrotain's hook called once per syntax error (bounded-parser.ts).
   */
  constructor(options: { validate?: boolean; errorMessageProvider?: IParserErrorMessageProvider } = {}) {
    super(T.allTokens, {
      recoveryEnabled: true, nodeLocationTracking: "onlyOffset", maxLookahead: 3, skipValidations: !options.validate,
      ...(options.errorMessageProvider ? { errorMessageProvider: options.errorMessageProvider } : {}),
    });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => this.OR([
      { ALT: () => this.SUBRULE(this.useDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
    ]));
  });

  /** `use std.vit` names a standard-library module; `use "lib/blocks.vit"` a file of the user's. */
  useDecl = this.RULE("useDecl", () => {
    this.CONSUME(T.Use);
    this.OR([
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => { this.CONSUME(T.Ident); this.MANY(() => { this.CONSUME(T.Dot); this.CONSUME2(T.Ident); }); } },
    ]);
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Ident);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.call);
  });

  blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(T.Block);
    this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.param);
      this.MANY(() => { this.CONSUME(T.Comma); this.OPTION2(() => this.SUBRULE2(this.param)); });
    });
    this.CONSUME(T.RParen);
    this.SUBRULE(this.body);
  });

  param = this.RULE("param", () => {
    this.CONSUME(T.Ident);
    this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE(this.type); });
    this.OPTION2(() => { this.CONSUME(T.Equals); this.SUBRULE(this.expr); });
  });

  type = this.RULE("type", () => {
    this.SUBRULE(this.typeAtom);
    this.MANY(() => { this.CONSUME(T.Pipe); this.SUBRULE2(this.typeAtom); });
  });

  typeAtom = this.RULE("typeAtom", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => { this.CONSUME(T.LBracket); this.SUBRULE(this.type); this.CONSUME(T.RBracket); } },
    ]);
  });

  body = this.RULE("body", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.statement));
    this.CONSUME(T.RBrace);
  });

  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letStmt) },
      { ALT: () => this.SUBRULE(this.ifStmt) },
      { ALT: () => this.SUBRULE(this.requireStmt) },
      { ALT: () => this.SUBRULE(this.expectStmt) },
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.stepStmt) },
    ]);
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Ident);
    this.CONSUME(T.Equals);
    this.OR([
      { ALT: () => this.SUBRULE(this.body) },
      { ALT: () => this.SUBRULE(this.expr) },
    ]);
  });

  ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.body);
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { ALT: () => this.SUBRULE2(this.body) },
      ]);
    });
  });

  requireStmt = this.RULE("requireStmt", () => {
    this.CONSUME(T.Require);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Else);
    this.OPTION(() => this.CONSUME(T.Ident));
    this.CONSUME(T.StringLit);
    this.MANY(() => this.OR([
      { ALT: () => { this.CONSUME(T.Help); this.SUBRULE2(this.expr); } },
      { ALT: () => { this.CONSUME(T.Note); this.SUBRULE3(this.expr); } },
      // `suggest dim = 768`: a value to put where the user wrote `dim`'s (a machine-applicable fix).
      { ALT: () => { this.CONSUME(T.Suggest); this.CONSUME2(T.Ident); this.CONSUME(T.Equals); this.SUBRULE4(this.expr); } },
    ]));
  });

  expectStmt = this.RULE("expectStmt", () => {
    this.CONSUME(T.Expect);
    this.SUBRULE(this.expr);
  });

  inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(T.Input);
    this.SUBRULE(this.expr);
  });

  outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.Ident);
  });

  /** A step applies a block or op to the current tensor `x`; a label adds a weight-path segment. */
  stepStmt = this.RULE("stepStmt", () => {
    this.OPTION(() => { this.SUBRULE(this.label); this.CONSUME(T.Colon); });
    this.OR([
      { ALT: () => this.SUBRULE(this.repeatStmt) },
      { ALT: () => this.SUBRULE(this.residualStmt) },
      { ALT: () => this.SUBRULE(this.call) },
    ]);
  });

  label = this.RULE("label", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.expr); this.CONSUME(T.RParen); } },
    ]);
  });

  repeatStmt = this.RULE("repeatStmt", () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expr);
    this.CONSUME(T.As);
    this.CONSUME(T.Ident);
    this.SUBRULE(this.body);
  });

  residualStmt = this.RULE("residualStmt", () => {
    this.CONSUME(T.Residual);
    this.SUBRULE(this.body);
  });

  call = this.RULE("call", () => {
    this.CONSUME(T.Ident);
    this.CONSUME(T.LParen);
    // A trailing comma is allowed, so multi-line calls diff cleanly.
    this.OPTION(() => {
      this.SUBRULE(this.argument);
      this.MANY(() => { this.CONSUME(T.Comma); this.OPTION2(() => this.SUBRULE2(this.argument)); });
    });
    this.CONSUME(T.RParen);
  });

  argument = this.RULE("argument", () => {
    this.OPTION(() => { this.CONSUME(T.Ident); this.CONSUME(T.Colon); });
    this.SUBRULE(this.expr);
  });

  expr = this.RULE("expr", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.conditional) },
      { ALT: () => this.SUBRULE(this.orExpr) },
    ]);
  });

  conditional = this.RULE("conditional", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr);
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expr);
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expr);
  });

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => { this.CONSUME(T.Or); this.SUBRULE2(this.andExpr); });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => { this.CONSUME(T.And); this.SUBRULE2(this.notExpr); });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Not); this.SUBRULE(this.notExpr); } },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive);
    this.OPTION(() => { this.CONSUME(T.CmpOp); this.SUBRULE2(this.additive); });
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.SlashSlash) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE("unary", () => {
    this.OR([
      { ALT: () => { this.CONSUME(T.Minus); this.SUBRULE(this.unary); } },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => { this.CONSUME(T.LBracket); this.SUBRULE(this.expr); this.CONSUME(T.RBracket); });
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Int) },
      { ALT: () => this.CONSUME(T.Float) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.call) },
      { ALT: () => this.CONSUME(T.Ident) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.expr); this.CONSUME(T.RParen); } },
    ]);
  });

  list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expr);
      this.MANY(() => { this.CONSUME(T.Comma); this.OPTION2(() => this.SUBRULE2(this.expr)); });
    });
    this.CONSUME(T.RBracket);
  });
}
