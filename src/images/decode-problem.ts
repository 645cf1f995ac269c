// Why a picture cannot be decoded, as data: the format decoders return one instead of throwing,
// and decode.ts turns it into the V4004 error that names the file.

export class DecodeProblem {
  /** `reason` completes the message "cannot decode `file`: …"; notes hold the facts behind it. */
  constructor(readonly reason: string, readonly notes: readonly string[] = []) {}
}

