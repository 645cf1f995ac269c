// Swin's window-attention constants, as timm derives them (never saved in a state_dict): the
// relative position index that picks a row of the bias table for each query and key, and the
// shift mask of shifted windows. Shared by every backend, which turns them into its own tensors.

/** Row of the bias table for query (ha, wa) and key (hb, wb) of a wh x ww window, [N*N]. */
export function relativePositionIndex(wh: number, ww: number): Int32Array {
  const n = wh * ww;
  const index = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const dh = Math.floor(a / ww) - Math.floor(b / ww) + wh - 1;
      const dw = (a % ww) - (b % ww) + ww - 1;
      index[a * n + b] = dh * (2 * ww - 1) + dw;
    }
  }
  return index;
}

/**
 * timm's shift mask, [nW, N, N]. It is 0 between tokens of the same region of the rolled map,
 * -100 between tokens of different regions. Along an axis with a shift the regions are the bands
 * [0, n-ws), [n-ws, n-s), [n-s, n); along an axis without one timm's slices cover the whole
 * axis, so it has a single band.
 */
export function shiftMask(grid: [number, number], window: [number, number], shift: [number, number]): Float32Array {
  const band = (i: number, n: number, ws: number, s: number) => (s === 0 ? 0 : i < n - ws ? 0 : i < n - s ? 1 : 2);
  const [gh, gw] = grid;
  const [wh, ww] = window;
  const n = wh * ww;
  const perRow = gw / ww;
  const windows = (gh / wh) * perRow;
  const mask = new Float32Array(windows * n * n);
  const label = (w: number, t: number) => {
    const row = Math.floor(w / perRow) * wh + Math.floor(t / ww);
    const col = (w % perRow) * ww + (t % ww);
    return 3 * band(row, gh, wh, shift[0]) + band(col, gw, ww, shift[1]);
  };
  for (let w = 0; w < windows; w++) {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) mask[(w * n + a) * n + b] = label(w, a) === label(w, b) ? 0 : -100;
    }
  }
  return mask;
}
