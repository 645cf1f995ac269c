// Tensor shapes with a symbolic batch. Dimension 0 is always the batch: `B` times a factor
// (Swin's windows are `[B*nW, T, C]`, MobileViT's patch sequences `[B*P, N, C]`); every other
// dimension is a known integer.

export interface Shape {
  /** Dimension 0 is `B * batch`. */
  readonly batch: number;
  /** Dimensions 1… */
  readonly dims: readonly number[];
}

export function shape(batch: number, dims: readonly number[]): Shape {
  return { batch, dims };
}

export function rank(s: Shape): number {
  return s.dims.length + 1;
}

export function formatBatch(batch: number): string {
  return batch === 1 ? "B" : `B*${batch}`;
}

export function formatShape(s: Shape): string {
  return `[${[formatBatch(s.batch), ...s.dims].join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.batch === b.batch && a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
}

/** Elements of one image's share of the tensor (batch B = 1). */
export function elementsPerImage(s: Shape): number {
  return s.dims.reduce((a, b) => a * b, s.batch);
}

/** A JSON-friendly shape: `["B", 197, 768]`, or `["B*64", 49, 96]` for a multiple of the batch. */
export function shapeToJson(s: Shape): Array<string | number> {
  return [formatBatch(s.batch), ...s.dims];
}
