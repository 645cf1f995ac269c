// Reads only the JSON header of a safetensors file (8-byte little-endian length, then JSON),
// for tests that compare weight names and shapes without loading any data.

import * as fs from "node:fs";

export interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function readSafetensorsHeader(file: string): Record<string, HeaderEntry> {
  const fd = fs.openSync(file, "r");
  try {
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const length = Number(lengthBytes.readBigUInt64LE(0));
    const json = Buffer.alloc(length);
    fs.readSync(fd, json, 0, length, 8);
    const header = JSON.parse(json.toString("utf8")) as Record<string, HeaderEntry>;
    delete header.__metadata__;
    return header;
  } finally {
    fs.closeSync(fd);
  }
}
