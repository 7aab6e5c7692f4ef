/** Helpers for payloads, which are text (Text transfer format) or bytes (Binary). */

/** The size of a payload: characters for text, bytes for binary. */
export const payloadLength = (data: string | ArrayBuffer): number => (typeof data == "string" ? data.length : data.byteLength);

const toBytes = (data: string | ArrayBuffer): Uint8Array => (typeof data == "string" ? new TextEncoder().encode(data) : new Uint8Array(data));

/** Joins a new payload onto buffered data; text joined with bytes becomes bytes (UTF-8). */
export const appendPayload = (buffered: string | ArrayBuffer | undefined, data: string | ArrayBuffer): string | ArrayBuffer =>
  !buffered || !payloadLength(buffered)
    ? data
    : typeof buffered == "string" && typeof data == "string"
      ? buffered + data
      : // Only a message split across frames gets here, so copying through an array is cheap enough.
        new Uint8Array([...toBytes(buffered), ...toBytes(data)]).buffer;
