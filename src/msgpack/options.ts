import type { ExtensionCodecLike } from "./extensions.js";

/**
 * Options of the MessagePack hub protocol. Names and defaults follow the
 * official `@microsoft/signalr-protocol-msgpack` package.
 */
export interface MessagePackOptions {
  /** Custom extension types. Dates always use the timestamp extension. */
  extensionCodec?: ExtensionCodecLike;
  /** Passed to the extension codec. */
  context?: unknown;
  /** Deepest nesting accepted when encoding and decoding. Default 100. */
  maxDepth?: number;
  /** Starting size of the encoder's buffer, in bytes. Default 2048. */
  initialBufferSize?: number;
  /** Write map keys in sorted order. Default false. */
  sortKeys?: boolean;
  /** Write non-integer numbers as float32 instead of float64. Default false. */
  forceFloat32?: boolean;
  /** Write integers as floats too. Default false. */
  forceIntegerToFloat?: boolean;
  /** Leave out map entries whose value is undefined (else they are written as nil). Default false. */
  ignoreUndefined?: boolean;
  /** Longest string accepted when decoding, in bytes. Default 4 294 967 295. */
  maxStrLength?: number;
  /** Longest binary accepted when decoding, in bytes. Default 4 294 967 295. */
  maxBinLength?: number;
  /** Longest array accepted when decoding. Default 4 294 967 295. */
  maxArrayLength?: number;
  /** Largest map accepted when decoding. Default 4 294 967 295. */
  maxMapLength?: number;
  /** Longest extension accepted when decoding, in bytes. Default 4 294 967 295. */
  maxExtLength?: number;
}
