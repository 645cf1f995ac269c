// The limits that keep a hostile spec from hanging vitc or exhausting its memory, in one place
// (with MAX_NESTING in syntax/parse.ts and MAX_SOURCE_BYTES in source/host.ts, which come
// before elaboration; docs/architecture.md lists them all). Each is far above what real specs
// need, and reaching one ends expansion with a diagnostic: V2010, V2011 or V2012.

export const limits = {
  /** `repeat N`: every repetition becomes layers. */
  maxRepeat: 10_000,
  /** IR nodes of one model (ViT-L/16 has about 700). */
  maxNodes: 200_000,
  /** Statements run while expanding one model. */
  maxSteps: 2_000_000,
  /** Block calls inside block calls. */
  maxDepth: 64,
  /** Items of one list value, counted at the top level. */
  maxListItems: 10_000,
  /** Characters of one string value. */
  maxStringLength: 100_000,
  /**
   * Work units one compilation may spend evaluating, over all its models. A unit is about the
   * cost of making one list item (~80 ns here): an expression evaluated, a statement run, a
   * loop iteration, a block call, a list item made or compared; characters made or compared
   * count `charsPerUnit` to a unit. The 26 standard specs take at most ~130 000 units each,
   * the largest test case ~1 100 000 (200 000 layers); a hostile spec stops within about a
   * second (measured in the commit that set it).
   */
  maxWork: 12_000_000,
  charsPerUnit: 16,
} as const;

/** Units spent against `limits.maxWork`, shared by every model of one compilation. */
export class WorkBudget {
  private spentUnits = 0;

  constructor(readonly limit: number = limits.maxWork) {}

  get spent(): number {
    return this.spentUnits;
  }

  get exhausted(): boolean {
    return this.spentUnits > this.limit;
  }

  /** Spends `units`; false once the total passes the limit. */
  spend(units: number): boolean {
    this.spentUnits += units;
    return this.spentUnits <= this.limit;
  }
}

/** Units for making or reading `chars` characters. */
export function charUnits(chars: number): number {
  return Math.ceil(chars / limits.charsPerUnit);
}
