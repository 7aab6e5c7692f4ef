/** Raw extension data: an application type (-128…127) and its bytes. */
export interface ExtData {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Custom extension types, in the shape of @msgpack/msgpack's `ExtensionCodec`
 * (so an instance of that class can be passed as is).
 * (The timestamp extension, type -1, is written and read in encoder.ts and decoder.ts.)
 */
export interface ExtensionCodecLike {
  /** Returns the extension for a value, or null to encode it normally. */
  tryToEncode(value: unknown, context: unknown): ExtData | null;
  /** Turns an extension back into a value. */
  decode(data: Uint8Array, type: number, context: unknown): unknown;
}
