/** Helpers for payloads, which are text (Text transfer format) or bytes (Binary). */

/** Whether a payload is text (else it is bytes). */
export const isText = (data: unknown): data is string => typeof data == "string";

/** The size of a payload: characters for text, bytes for binary. */
export const payloadLength = (data: string | ArrayBuffer): number => (isText(data) ? data.length : data.byteLength);

const toBytes = (data: string | ArrayBuffer): Uint8Array => (isText(data) ? new TextEncoder().encode(data) : new Uint8Array(data));

/** Joins a new payload onto buffered data; text joined with bytes becomes bytes (UTF-8). */
export const appendPayload = (buffered: string | ArrayBuffer | undefined, data: string | ArrayBuffer): string | ArrayBuffer =>
  !buffered || !payloadLength(buffered)
    ? data
    : isText(buffered) && isText(data)
      ? buffered + data
      : // Only a message split across frames gets here, so copying through an array is cheap enough.
        new Uint8Array([...toBytes(buffered), ...toBytes(data)]).buffer;
