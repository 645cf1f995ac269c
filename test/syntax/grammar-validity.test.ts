// The parser skips Chevrotain's grammar validation at start-up for speed; this test runs it.

import { describe, expect, it } from "vitest";
import { VitParser } from "../../src/syntax/parser";
import { Lexer } from "../../src/syntax/chevrotain";
import { allTokens } from "../../src/syntax/tokens";

describe("grammar validity", () => {
  it("the parser passes Chevrotain's validations (no ambiguity, no left recursion)", () => {
    expect(() => new VitParser({ validate: true })).not.toThrow();
  });

  it("the lexer passes Chevrotain's validations", () => {
    const lexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: true });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });
});
