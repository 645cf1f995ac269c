// Writes PNG files chunk by chunk, for the pictures no encoder writes: headers that claim more
// than the data holds, missing rows or end chunks, palettes, interlacing, tRNS.

import * as zlib from "node:zlib";

export interface Ihdr {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlace?: number;
}

/** Length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Signature, IHDR, the extra chunks, one IDAT holding `idat` as given, and IEND unless `end` is false. */
export function pngBytes(ihdr: Ihdr, idat: Uint8Array, options: { extra?: Array<[string, number[]]>; end?: boolean } = {}): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(ihdr.width, 0);
  header.writeUInt32BE(ihdr.height, 4);
  header[8] = ihdr.bitDepth;
  header[9] = ihdr.colorType;
  header[12] = ihdr.interlace ?? 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    ...(options.extra ?? []).map(([type, data]) => pngChunk(type, Buffer.from(data))),
    pngChunk("IDAT", idat),
    ...(options.end === false ? [] : [pngChunk("IEND", Buffer.alloc(0))]),
  ]);
}
