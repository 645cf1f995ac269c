// The parser as parseSource runs it: once syntax errors are found on more than a given number of
// lines, the rest of the input reads as the end of the file. Chevrotain's recovery walks the
// grammar for follow sets at every error (0.1–0.3 ms each, measured on Node 20), so a file of
// 16,000 broken lines took 1–5 s to parse; past the limit nothing more would be shown anyway
// (parse.ts shows the first 100).
// Only Chevrotain's public hooks are used: its error message provider (called once per error)
// and the token look-ahead `LA`/`LA_FAST`, which it documents as overridable.

import { createTokenInstance, defaultParserErrorProvider, EOF, type CstNode, type IRecognitionException, type IToken, type ITokenGrammarPath, type TokenType } from "./chevrotain";
import { VitParser } from "./parser";

/** When to stop: at the first error on a line after `lines` lines with errors. */
export interface ErrorLimit {
  readonly lines: number;
  lineOf(offset: number): number;
}

export class BoundedParser extends VitParser {
  private limit: ErrorLimit | undefined;
  private readonly errorLines = new Set<number>();
  /** The first token not parsed because the limit was reached, if it was. */
  private stop: IToken | undefined;
  private readonly end = createTokenInstance(EOF, "", NaN, NaN, NaN, NaN, NaN, NaN);
  private readonly follows = new Map<string, TokenType[]>();

  constructor() {
    let self: BoundedParser | undefined;
    const d = defaultParserErrorProvider;
    super({
      errorMessageProvider: {
        buildMismatchTokenMessage: (o) => { self?.counted(o.actual); return d.buildMismatchTokenMessage(o); },
        buildNotAllInputParsedMessage: (o) => { self?.counted(o.firstRedundant); return d.buildNotAllInputParsedMessage(o); },
        buildNoViableAltMessage: (o) => { self?.counted(o.actual[0]); return d.buildNoViableAltMessage(o); },
        buildEarlyExitMessage: (o) => { self?.counted(o.actual[0]); return d.buildEarlyExitMessage(o); },
      },
    });
    self = this;
  }

  /**
   * Parses a whole file. Past the limit the rest reads as the end of the file: `stoppedAt` is
   * then the first token not parsed, and the errors that reaching that early end raised are not
   * among `errors`.
   */
  parseFile(tokens: IToken[], limit: ErrorLimit): { cst: CstNode; errors: IRecognitionException[]; stoppedAt?: IToken } {
    this.input = tokens;
    this.limit = limit;
    try {
      const cst = this.file();
      const stoppedAt = this.stop;
      const errors = stoppedAt ? this.errors.filter((e) => !Number.isNaN(e.token.startOffset)) : this.errors;
      return { cst, errors, stoppedAt };
    } finally {
      this.limit = undefined;
    }
  }

  override reset(): void {
    super.reset();
    this.errorLines?.clear();
    this.stop = undefined;
  }

  protected override LA(howMuch: number): IToken {
    const token = super.LA(howMuch);
    return this.stop && token.startOffset >= this.stop.startOffset ? this.end : token;
  }

  protected override LA_FAST(howMuch: number): IToken {
    const token = super.LA_FAST(howMuch);
    return this.stop && token.startOffset >= this.stop.startOffset ? this.end : token;
  }

  /**
   * The tokens that may follow a point of the grammar, which Chevrotain's recovery computes at
   * every error by walking the grammar from the top rule. The grammar does not change, so each
   * answer is kept: a file that repeats one mistake (a missing comma on each line) paid the walk
   * every time, ~40% of the parse of 100 such lines (measured with --cpu-prof).
   */
  protected override getNextPossibleTokenTypes(path: ITokenGrammarPath): TokenType[] {
    const key = `${path.ruleStack.join(",")}/${path.occurrenceStack.join(",")}/${path.lastTok.name}/${path.lastTokOccurrence}`;
    let follows = this.follows.get(key);
    if (!follows) this.follows.set(key, (follows = super.getNextPossibleTokenTypes(path)));
    return follows;
  }

  /** Called as each error is raised, with the token it is about. */
  private counted(token: IToken | undefined): void {
    if (!this.limit || this.stop || !token || Number.isNaN(token.startOffset)) return;
    this.errorLines.add(this.limit.lineOf(token.startOffset));
    if (this.errorLines.size > this.limit.lines) this.stop = token;
  }
}

/** One parser instance is reused: Chevrotain's self-analysis is the costly part. */
export const vitParser = new BoundedParser();
