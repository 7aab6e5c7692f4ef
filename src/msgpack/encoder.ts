import { fail } from "./fail.js";
import { encodeTimestamp } from "./extensions.js";
import type { MessagePackOptions } from "./options.js";

/**
 * Makes a MessagePack encoder. It chooses the same (smallest) representations
 * as @msgpack/msgpack, so hubwire's bytes equal the official protocol's.
 * Beyond it: `ArrayBuffer` is written as `bin`, and `bigint` as int64/uint64.
 * (A closure rather than a class: its local names minify, which keeps the bundle small.)
 */
export function createEncoder(options: MessagePackOptions = {}): (value: unknown) => Uint8Array {
  // `||` rather than `??`: the same here and smaller once down-levelled.
  const maxDepth = options.maxDepth || 100;
  const textEncoder = new TextEncoder();
  let bytes = new Uint8Array(options.initialBufferSize || 2048);
  let view = new DataView(bytes.buffer);
  let pos = 0;

  function ensure(extra: number): void {
    if (pos + extra > bytes.byteLength) {
      const grown = new Uint8Array(Math.max(pos + extra, bytes.byteLength * 2));
      grown.set(bytes.subarray(0, pos));
      bytes = grown;
      view = new DataView(grown.buffer);
    }
  }

  function u8(n: number): void {
    ensure(1);
    bytes[pos++] = n;
  }

  /** A type byte followed by an unsigned big-endian integer of `width` bytes. */
  function head(type: number, width: 1 | 2 | 4, n: number): void {
    u8(type);
    ensure(width);
    if (width === 1) view.setUint8(pos, n);
    else if (width === 2) view.setUint16(pos, n);
    else view.setUint32(pos, n);
    pos += width;
  }

  /** A 64-bit integer from its high and low 32-bit words (two's complement for negatives). */
  function int64(type: number, high: number, low: number): void {
    u8(type);
    ensure(8);
    view.setUint32(pos, high >>> 0);
    view.setUint32(pos + 4, low >>> 0);
    pos += 8;
  }

  function raw(data: Uint8Array): void {
    ensure(data.byteLength);
    bytes.set(data, pos);
    pos += data.byteLength;
  }

  /** A fix header (fixType | n) for n < 16, else a 16- or 32-bit one. */
  function size(n: number, fixType: number, type16: number): void {
    if (n < 16) u8(fixType | n);
    else if (n < 0x10000) head(type16, 2, n);
    else head(type16 + 1, 4, n);
  }

  function number(n: number): void {
    if (!Number.isSafeInteger(n) || options.forceIntegerToFloat) {
      const single = options.forceFloat32;
      u8(single ? 0xca : 0xcb);
      ensure(8);
      if (single) view.setFloat32(pos, n);
      else view.setFloat64(pos, n);
      pos += single ? 4 : 8;
    } else if (n >= 0) {
      if (n < 0x80) u8(n);
      else if (n < 0x100) head(0xcc, 1, n);
      else if (n < 0x10000) head(0xcd, 2, n);
      else if (n < 0x100000000) head(0xce, 4, n);
      else int64(0xcf, n / 0x100000000, n);
    } else {
      if (n >= -0x20) u8(n & 0xff);
      else if (n >= -0x80) head(0xd0, 1, n & 0xff);
      else if (n >= -0x8000) head(0xd1, 2, n & 0xffff);
      else if (n >= -0x80000000) head(0xd2, 4, n >>> 0);
      else int64(0xd3, Math.floor(n / 0x100000000), n);
    }
  }

  function bigint(n: bigint): void {
    // Its 64-bit two's complement; a value that is neither a signed nor an unsigned 64-bit integer does not fit.
    const bits = BigInt.asUintN(64, n);
    if (bits !== n && BigInt.asIntN(64, n) !== n) {
      fail(`Cannot encode the bigint ${n}: MessagePack integers hold at most 64 bits.`);
    }
    const word = BigInt(0x100000000);
    int64(n < bits ? 0xd3 : 0xcf, Number(bits / word), Number(bits % word));
  }

  function string(s: string): void {
    // Reserve the largest header the string could need (UTF-8 is at most 3 bytes per UTF-16 unit),
    // encode in place, then move the bytes back if the real header is smaller.
    const most = s.length * 3;
    ensure(5 + most);
    const start = pos;
    const reserved = most < 32 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
    const written = textEncoder.encodeInto(s, bytes.subarray(start + reserved)).written!;
    const needed = written < 32 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
    if (needed !== reserved) bytes.copyWithin(start + needed, start + reserved, start + reserved + written);
    if (written < 32) u8(0xa0 | written);
    else if (written < 0x100) head(0xd9, 1, written);
    else if (written < 0x10000) head(0xda, 2, written);
    else head(0xdb, 4, written);
    pos = start + needed + written;
  }

  function binary(data: Uint8Array): void {
    const n = data.byteLength;
    if (n < 0x100) head(0xc4, 1, n);
    else if (n < 0x10000) head(0xc5, 2, n);
    else head(0xc6, 4, n);
    raw(data);
  }

  function extension(type: number, data: Uint8Array): void {
    const n = data.byteLength;
    const fixed = [1, 2, 4, 8, 16].indexOf(n);
    if (fixed >= 0) u8(0xd4 + fixed);
    else if (n < 0x100) head(0xc7, 1, n);
    else if (n < 0x10000) head(0xc8, 2, n);
    else head(0xc9, 4, n);
    u8(type & 0xff);
    raw(data);
  }

  function write(value: unknown, depth: number): void {
    if (depth > maxDepth) {
      fail(`Too deep to encode: nesting exceeds maxDepth ${maxDepth}.`);
    }
    if (value === null || value === undefined) u8(0xc0);
    else if (value === false || value === true) u8(value ? 0xc3 : 0xc2);
    else if (typeof value === "number") number(value);
    else if (typeof value === "string") string(value);
    else if (typeof value === "bigint") bigint(value);
    // A function or a symbol has no MessagePack form: refused, as the official encoder does, rather than sent as {}.
    else if (typeof value !== "object") fail(`Cannot encode a ${typeof value} as MessagePack.`);
    else {
      const ext = (options.extensionCodec && options.extensionCodec.tryToEncode(value, options.context)) || (value instanceof Date ? encodeTimestamp(value) : null);
      if (ext) extension(ext.type, ext.data);
      else if (Array.isArray(value)) {
        size(value.length, 0x90, 0xdc);
        for (const item of value) write(item, depth + 1);
      } else if (ArrayBuffer.isView(value)) binary(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      else if (value instanceof ArrayBuffer) binary(new Uint8Array(value));
      else {
        const map = value as Record<string, unknown>;
        let keys = Object.keys(map);
        if (options.sortKeys) keys.sort();
        if (options.ignoreUndefined) keys = keys.filter((key) => map[key] !== undefined);
        size(keys.length, 0x80, 0xde);
        for (const key of keys) {
          string(key);
          write(map[key], depth + 1);
        }
      }
    }
  }

  return (value) => {
    pos = 0;
    // The top level is depth 1, as in @msgpack/msgpack: maxDepth allows the same nesting as the official encoder.
    write(value, 1);
    return bytes.slice(0, pos);
  };
}
