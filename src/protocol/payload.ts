/** Helpers for payloads, which are text (Text transfer format) or bytes (Binary). */

/** The size of a payload: characters for text, bytes for binary. */
export const payloadLength = (data: string | ArrayBuffer): number => (typeof data == "string" ? data.length : data.byteLength);

/** A part of a payload, of the same kind. */
export const slicePayload = (data: string | ArrayBuffer, start: number, end?: number): string | ArrayBuffer => data.slice(start, end);

const toBytes = (data: string | ArrayBuffer): Uint8Array => (typeof data == "string" ? new TextEncoder().encode(data) : new Uint8Array(data));

/** Joins a new payload onto buffered data; text joined with bytes becomes bytes (UTF-8). */
export function appendPayload(buffered: string | ArrayBuffer | undefined, data: string | ArrayBuffer): string | ArrayBuffer {
  if (!buffered || !payloadLength(buffered)) {
    return data;
  }
  if (typeof buffered == "string" && typeof data == "string") {
    return buffered + data;
  }
  const left = toBytes(buffered);
  const right = toBytes(data);
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left);
  joined.set(right, left.length);
  return joined.buffer;
}
