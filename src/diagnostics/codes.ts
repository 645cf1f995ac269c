// The catalogue of diagnostic codes. Codes are stable: never renumbered, never reused.
// The first digit names the stage: V1 syntax and files, V2 elaboration, V3 shapes,
// V4 weights and inputs, V5 backends, V9 internal. Each code has docs/errors/<CODE>.md and a
// canonical test case (test/diagnostics/catalogue.test.ts checks both exist).

export const codes = {
  V1000: "a source file cannot be read",
  V1001: "syntax error",
  V1002: "unterminated string",
  V1003: "unexpected character",
  V1004: "nesting too deep",
  V1005: "too many syntax errors",
  V2001: "unknown name",
  V2002: "unknown block, op or family",
  V2003: "unknown argument",
  V2004: "missing argument",
  V2005: "argument of the wrong type",
  V2006: "argument given twice",
  V2007: "recursive block",
  V2008: "unknown module",
  V2009: "duplicate definition",
  V2010: "repeat count out of range",
  V2011: "invalid arithmetic",
  V2012: "model too large to expand",
  V2013: "positional argument after keyword arguments",
  V2014: "two layers with the same weight path",
  V2015: "invalid value",
  V2016: "model or family not found",
  V2017: "model output is not a tensor",
  V2018: "import cycle",
  V3101: "patch size does not divide the image",
  V3102: "embedding dim not divisible by the number of heads",
  V3103: "Swin resolution not divisible by the window",
  V3104: "patch merging on an odd resolution",
  V3105: "MobileViT patch does not divide the feature map",
  V3106: "residual shapes differ",
  V3107: "concatenated shapes differ",
  V3108: "per-stage lists of different lengths",
  V3109: "shape differs from `expect`",
  V3110: "tensor of the wrong rank for an op",
  V3111: "reshape changes the number of elements",
  V3112: "spatial size not positive",
  V3113: "token index out of range",
  V3114: "channels not divisible by groups",
  V4001: "weight file unreadable or corrupt",
  V4002: "weights do not fit the model",
  V4003: "input does not fit the model",
  V4004: "image cannot be read",
  V4005: "output cannot be written",
  V4006: "weights or input hold NaN or infinite values",
  V5001: "backend cannot be loaded",
  V5002: "backend failed while running",
  V5003: "the run would need more memory than there is",
  V5004: "the model computed NaN or infinite outputs",
  V9001: "internal compiler error",
} as const;

export type Code = keyof typeof codes;

export function isCode(text: string): text is Code {
  return Object.prototype.hasOwnProperty.call(codes, text);
}
