/** Raw extension data: an application type (-128…127) and its bytes. */
export interface ExtData {
  readonly type: number;
  readonly data: Uint8Array;
}

/**
 * Custom extension types, in the shape of @msgpack/msgpack's `ExtensionCodec`
 * (so an instance of that class can be passed as is).
 */
export interface ExtensionCodecLike {
  /** Returns the extension for a value, or null to encode it normally. */
  tryToEncode(value: unknown, context: unknown): ExtData | null;
  /** Turns an extension back into a value. */
  decode(data: Uint8Array, type: number, context: unknown): unknown;
}

/** The MessagePack timestamp extension type. */
export const TIMESTAMP_TYPE = -1;

/** Encodes a Date as the smallest timestamp that holds it (32, 64 or 96 bits). */
export function encodeTimestamp(date: Date): ExtData {
  const ms = date.getTime();
  const sec = Math.floor(ms / 1000);
  const nsec = (ms - sec * 1000) * 1e6;
  const size = sec >= 0 && sec < 0x400000000 ? (nsec === 0 && sec < 0x100000000 ? 4 : 8) : 12;
  const data = new Uint8Array(size);
  const view = new DataView(data.buffer);
  const high = Math.floor(sec / 0x100000000);
  if (size === 4) {
    view.setUint32(0, sec);
  } else if (size === 8) {
    // 30 bits of nanoseconds, then 34 bits of seconds.
    view.setUint32(0, nsec * 4 + high);
    view.setUint32(4, sec >>> 0);
  } else {
    // 32 bits of nanoseconds, then 64 signed bits of seconds.
    view.setUint32(0, nsec);
    view.setInt32(4, high);
    view.setUint32(8, sec >>> 0);
  }
  return { type: TIMESTAMP_TYPE, data };
}

/**
 * Decodes a timestamp extension to a Date.
 * @returns undefined when the data has none of the three timestamp sizes.
 */
export function decodeTimestamp(data: Uint8Array): Date | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let sec: number;
  let nsec: number;
  if (data.byteLength === 4) {
    sec = view.getUint32(0);
    nsec = 0;
  } else if (data.byteLength === 8) {
    const high = view.getUint32(0);
    sec = (high & 3) * 0x100000000 + view.getUint32(4);
    nsec = high >>> 2;
  } else if (data.byteLength === 12) {
    nsec = view.getUint32(0);
    sec = view.getInt32(4) * 0x100000000 + view.getUint32(8);
  } else {
    return undefined;
  }
  // Whole milliseconds, rounded down: sec * 1000 + nsec / 1e6 would round 999999999 ns up to the next
  // second (floating point), and a Date would truncate a negative time towards zero.
  return new Date(sec * 1000 + Math.floor(nsec / 1e6));
}
