import { fail } from "./fail.js";
import type { MessagePackOptions } from "./options.js";

/**
 * Makes a MessagePack encoder. It chooses the same (smallest) representations
 * as @msgpack/msgpack, so hubwire's bytes equal the official protocol's.
 * Beyond it: `ArrayBuffer` is written as `bin`, and `bigint` as int64/uint64.
 * With `framed`, the bytes start with the hub protocol's VarInt length prefix,
 * written in room left before the value (no second copy).
 * (A closure rather than a class: its local names minify, which keeps the bundle small.)
 */
export function createEncoder(options: MessagePackOptions = {}): (value: unknown, framed?: boolean) => Uint8Array<ArrayBuffer> {
  // `||` rather than `??`: the same here and smaller once down-levelled.
  const maxDepth = options.maxDepth || 100;
  const textEncoder = new TextEncoder();
  // A float is turned into integer words by an 8-byte scratch view; everything is written byte by byte, without a DataView over the output.
  const scratch = new DataView(new ArrayBuffer(8));
  let bytes = new Uint8Array(options.initialBufferSize || 2048);
  // bytes.length, kept in a variable: reading a typed array's length on every write costs more than the write.
  let capacity = bytes.length;
  let pos = 0;

  function ensure(extra: number): void {
    if (pos + extra > capacity) {
      const grown = new Uint8Array((capacity = Math.max(pos + extra, capacity * 2)));
      grown.set(bytes.subarray(0, pos));
      bytes = grown;
    }
  }

  function u8(n: number): void {
    ensure(1);
    bytes[pos++] = n;
  }

  /** `n` as `width` big-endian bytes at `at`: its low 32 bits, fractions dropped (as DataView's setUint32 does). */
  function put(at: number, width: number, n: number): void {
    while (width--) {
      bytes[at + width] = n;
      n >>>= 8;
    }
  }

  /** A type byte followed by an unsigned big-endian integer of `width` bytes. */
  function head(type: number, width: 1 | 2 | 4, n: number): void {
    ensure(5);
    bytes[pos] = type;
    put(pos + 1, width, n);
    pos += width + 1;
  }

  /**
   * The type byte for an 8-, 16- or 32-bit length or integer (`type`, `type + 1` or `type + 2`: the
   * smallest that holds `size`), then `value` in that width.
   */
  function sized(type: number, size: number, value = size): void {
    const variant = size < 0x100 ? 0 : size < 0x10000 ? 1 : 2;
    head(type + variant, (1 << variant) as 1 | 2 | 4, value);
  }

  /** A 32-bit big-endian word. */
  function word(n: number): void {
    ensure(4);
    put(pos, 4, n);
    pos += 4;
  }

  /** A 64-bit integer from its high and low 32-bit words (two's complement for negatives). */
  function int64(type: number, high: number, low: number): void {
    head(type, 4, high);
    word(low);
  }

  /** A Date as the smallest timestamp extension (type -1) that holds it. */
  function timestamp(date: Date): void {
    const ms = date.getTime();
    const sec = Math.floor(ms / 1000);
    const nsec = (ms - sec * 1000) * 1e6;
    // 32 bits of seconds (fixext 4); 30 bits of nanoseconds, then 34 of seconds (fixext 8);
    // else 32 bits of nanoseconds, then 64 signed bits of seconds (ext 8 of 12 bytes).
    const high = Math.floor(sec / 0x100000000);
    const words = sec >= 0 && sec < 0x400000000 ? (nsec === 0 && sec < 0x100000000 ? [sec] : [nsec * 4 + high, sec]) : [nsec, high, sec];
    if (words.length > 2) head(0xc7, 1, 12);
    else u8(0xd5 + words.length);
    u8(0xff);
    words.forEach(word);
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
      if (options.forceFloat32) {
        scratch.setFloat32(0, n);
        head(0xca, 4, scratch.getUint32(0));
      } else {
        scratch.setFloat64(0, n);
        int64(0xcb, scratch.getUint32(0), scratch.getUint32(4));
      }
    } else if (n >= 0) {
      if (n < 0x80) u8(n);
      else if (n < 0x100000000) sized(0xcc, n);
      else int64(0xcf, n / 0x100000000, n);
    } else {
      if (n >= -0x20) u8(n & 0xff);
      // int8/16/32: -0x80 … -0x80000000 have ~n * 2 = 0xfe … 0xfffffffe, sized as the unsigned ones.
      else if (n >= -0x80000000) sized(0xd0, ~n * 2, n);
      else int64(0xd3, Math.floor(n / 0x100000000), n);
    }
  }

  function bigint(n: bigint): void {
    // Its 64-bit two's complement; a value that is neither a signed nor an unsigned 64-bit integer does not fit.
    const bits = BigInt.asUintN(64, n);
    if (bits !== n && BigInt.asIntN(64, n) !== n) {
      fail(`Cannot encode bigint ${n}: over 64 bits.`);
    }
    const word = BigInt(0x100000000);
    int64(n < bits ? 0xd3 : 0xcf, Number(bits / word), Number(bits % word));
  }

  function string(s: string): void {
    const n = s.length;
    ensure(5 + n * 3);
    const start = pos;
    let written = 0;
    // A short ASCII string (the usual key, name or id) is copied by a loop behind a fixstr header:
    // cheaper than a TextEncoder call. Anything else stops the loop and goes to the TextEncoder.
    if (n < 32) {
      for (let c; written < n && (c = s.charCodeAt(written)) < 0x80; written++) bytes[start + 1 + written] = c;
    }
    let header = 1;
    if (written < n) {
      // Reserve the largest header the string could need (UTF-8 is at most 3 bytes per UTF-16 unit),
      // encode in place, then move the bytes back if the real header is smaller.
      const reserved = headerSize(n * 3);
      written = textEncoder.encodeInto(s, bytes.subarray(start + reserved)).written!;
      header = headerSize(written);
      if (header !== reserved) bytes.copyWithin(start + header, start + reserved, start + reserved + written);
    }
    // fixstr, or str8/16/32 with a 1-, 2- or 4-byte length.
    if (header === 1) bytes[start] = 0xa0 | written;
    else sized(0xd9, written);
    pos = start + header + written;
  }

  function binary(data: Uint8Array): void {
    sized(0xc4, data.byteLength);
    raw(data);
  }

  function extension(type: number, data: Uint8Array): void {
    const n = data.byteLength;
    const fixed = [1, 2, 4, 8, 16].indexOf(n);
    if (fixed >= 0) u8(0xd4 + fixed);
    else sized(0xc7, n);
    u8(type & 0xff);
    raw(data);
  }

  function write(value: unknown, depth: number): void {
    if (depth > maxDepth) {
      fail(`Too deep to encode: over maxDepth ${maxDepth}.`);
    }
    if (value === null || value === undefined) u8(0xc0);
    else if (value === false || value === true) u8(value ? 0xc3 : 0xc2);
    else if (typeof value === "number") number(value);
    else if (typeof value === "string") string(value);
    else if (typeof value === "bigint") bigint(value);
    // A function or a symbol has no MessagePack form: refused, as the official encoder does, rather than sent as {}.
    else if (typeof value !== "object") fail(`Cannot encode a ${typeof value}.`);
    else {
      const ext = options.extensionCodec && options.extensionCodec.tryToEncode(value, options.context);
      if (ext) extension(ext.type, ext.data);
      else if (value instanceof Date) timestamp(value);
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

  return (value, framed) => {
    // Framed: 5 bytes of room for the length prefix, the most a VarInt of a 32-bit length takes.
    pos = framed ? 5 : 0;
    // The top level is depth 1, as in @msgpack/msgpack: maxDepth allows the same nesting as the official encoder.
    write(value, 1);
    let start = 0;
    if (framed) {
      // The payload's length as a VarInt (7 bits a byte, low bits first) just before it.
      const length = pos - 5;
      start = 4;
      for (let rest = length; rest > 0x7f; rest >>>= 7) start--;
      for (let at = start, rest = length; at < 5; at++, rest >>>= 7) bytes[at] = (rest & 0x7f) | (at < 4 ? 0x80 : 0);
    }
    return bytes.slice(start, pos);
  };
}

/** The bytes of a string header for `length` bytes of UTF-8: fixstr, str8, str16 or str32. */
function headerSize(length: number): number {
  return length < 32 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}
