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
  /**
   * Characters of a weight path (timm's longest state_dict key has about 60): keys are looked
   * up in Maps, and V8 hashes strings past 16 383 characters by their length alone, so many
   * long keys of one length made the shape checker take 41 s for 1 600 layers.
   */
  maxPathLength: 1_000,
  /** Lists inside lists inside lists …: what reads a value recurses this deep. */
  maxListDepth: 64,
  /** Characters of one string value. */
  maxStringLength: 100_000,
  /**
   * Work units one compilation may spend evaluating, over all its models. A unit is about the
   * cost of making one list item (~80 ns here): an expression evaluated, a statement run, a
   * loop iteration, a block call, a list item made or compared; characters made or compared
   * count `charsPerUnit` to a unit. Measured on the 2-core development machine: the standard
   * specs take at most 7 800 units (vit_base_r50_s16_224), the largest test case 1 400 000
   * (V2012-too-many-layers.vit, 200 000 layers); hostile specs stop in 0.1–1 s.
   */
  maxWork: 10_000_000,
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
