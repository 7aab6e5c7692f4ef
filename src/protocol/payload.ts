/** Helpers for payloads, which are text (Text transfer format) or bytes (Binary). */

/** The size of a payload: characters for text, bytes for binary. */
export function payloadLength(data: string | ArrayBuffer): number {
  return typeof data === "string" ? data.length : data.byteLength;
}

/** A part of a payload, of the same kind. */
export function slicePayload(data: string | ArrayBuffer, start: number, end?: number): string | ArrayBuffer {
  return data.slice(start, end);
}

/** Joins a new payload onto buffered data; text joined with bytes becomes bytes (UTF-8). */
export function appendPayload(buffered: string | ArrayBuffer | undefined, data: string | ArrayBuffer): string | ArrayBuffer {
  if (buffered === undefined || payloadLength(buffered) === 0) {
    return data;
  }
  if (typeof buffered === "string" && typeof data === "string") {
    return buffered + data;
  }
  const left = toBytes(buffered);
  const right = toBytes(data);
  const joined = new Uint8Array(left.byteLength + right.byteLength);
  joined.set(left, 0);
  joined.set(right, left.byteLength);
  return joined.buffer;
}

function toBytes(data: string | ArrayBuffer): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
}
