/** Helpers for payloads, which are text (Text transfer format) or bytes (Binary). */

/** Whether a payload is text (else it is bytes). */
export const isText = (data: unknown): data is string => typeof data == "string";

/** The size of a payload: characters for text, bytes for binary. */
export const payloadLength = (data: string | ArrayBuffer): number => (isText(data) ? data.length : data.byteLength);

/** Joins payloads into one: text stays text; any bytes make it all bytes (text as UTF-8). */
export const joinPayloads = (parts: (string | ArrayBuffer)[]): string | ArrayBuffer => {
  if (parts.every(isText)) return parts.join("");
  const chunks = parts.map((part) => (isText(part) ? new TextEncoder().encode(part) : new Uint8Array(part)));
  const joined = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  chunks.reduce((offset, chunk) => (joined.set(chunk, offset), offset + chunk.length), 0);
  return joined.buffer;
};

/** Joins a new payload onto buffered data (a message split across frames). */
export const appendPayload = (buffered: string | ArrayBuffer | undefined, data: string | ArrayBuffer): string | ArrayBuffer =>
  !buffered || !payloadLength(buffered) ? data : joinPayloads([buffered, data]);
