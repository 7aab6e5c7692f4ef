import { ProtocolError } from "../errors.js";

/** Messages are at most 2 GB: a VarInt prefix has at most five bytes. */
const MAX_SIZE = 0x7fffffff;

/** Prefixes a message with its length as a VarInt (7 bits a byte, low bits first). */
export function writeFrame(payload: Uint8Array): ArrayBuffer {
  const prefix: number[] = [];
  let size = payload.byteLength;
  do {
    let byte = size & 0x7f;
    size = Math.floor(size / 0x80);
    if (size > 0) byte |= 0x80;
    prefix.push(byte);
  } while (size > 0);
  const frame = new Uint8Array(prefix.length + payload.byteLength);
  frame.set(prefix, 0);
  frame.set(payload, prefix.length);
  return frame.buffer;
}

/** How many leading bytes of `input` are whole length-prefixed messages. */
export function completeFramesLength(input: Uint8Array): number {
  let complete = 0;
  for (;;) {
    let offset = complete;
    let size = 0;
    let shift = 0;
    let byte = 0x80;
    while (byte & 0x80) {
      if (offset >= input.byteLength || shift > 28) {
        // Cut off here; an over-long prefix is left for splitFrames to report.
        return shift > 28 ? input.byteLength : complete;
      }
      byte = input[offset++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (offset + size > input.byteLength) return complete;
    complete = offset + size;
    if (complete === input.byteLength) return complete;
  }
}

/**
 * Splits a payload into its length-prefixed messages.
 * @throws ProtocolError for a truncated prefix or message, or a size over 2 GB.
 */
export function splitFrames(input: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset < input.byteLength) {
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      if (shift > 28) {
        throw new ProtocolError("A MessagePack message length prefix is longer than 5 bytes: messages over 2 GB are not supported.");
      }
      if (offset >= input.byteLength) {
        throw new ProtocolError("A MessagePack message length prefix is cut off.");
      }
      byte = input[offset++]!;
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (size > MAX_SIZE) {
      throw new ProtocolError(`A MessagePack message claims ${size} bytes: messages over 2 GB are not supported.`);
    }
    if (offset + size > input.byteLength) {
      throw new ProtocolError(`Incomplete MessagePack message: ${size} bytes announced, ${input.byteLength - offset} present.`);
    }
    messages.push(input.subarray(offset, offset + size));
    offset += size;
  }
  return messages;
}
