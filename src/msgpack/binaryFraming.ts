import { fail } from "./fail.js";

/**
 * Reads the length-prefixed messages at the start of `input`.
 * `complete` is how many leading bytes they fill; an incomplete last message
 * is left out, or, when `strict`, raises ProtocolError.
 * @throws ProtocolError for a prefix over 5 bytes (messages over 2 GB), always.
 */
export function readFrames(input: Uint8Array, strict: boolean): { frames: Uint8Array[]; complete: number } {
  const frames: Uint8Array[] = [];
  let complete = 0;
  while (complete < input.byteLength) {
    let offset = complete;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28 || (shift === 28 && input[offset]! > 7)) {
        fail("MessagePack length prefix over 5 bytes or 2 GB.");
      }
      if (offset >= input.byteLength) {
        if (strict) fail("MessagePack length prefix cut off.");
        return { frames, complete };
      }
      const byte = input[offset++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if (offset + size > input.byteLength) {
      if (strict) fail(`Incomplete MessagePack message: ${size} bytes announced, ${input.byteLength - offset} present.`);
      return { frames, complete };
    }
    frames.push(input.subarray(offset, offset + size));
    complete = offset + size;
  }
  return { frames, complete };
}
