// A decoded picture: what decode.ts makes of a file and what the evaluation transform reads.
// A file of its own so that the transform's imports reach no Node module (a web page bundles it).

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  readonly data: Uint8Array;
}
