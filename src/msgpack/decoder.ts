import { fail } from "./fail.js";
import type { MessagePackOptions } from "./options.js";

const UINT32_MAX = 0xffffffff;
/** Strings shorter than this many bytes are decoded by a loop when they are ASCII. */
const SHORT = 16;

/**
 * Makes a MessagePack decoder that reads exactly one value filling the bytes
 * it is given. Every malformed input raises `ProtocolError`. Integers beyond
 * ±2^53 come back as `bigint` rather than losing precision; `bin` as a
 * Uint8Array copy; timestamps as Date; other extensions go to the extension
 * codec, else come back as `{ type, data }`. A `__proto__` map key is refused,
 * so decoding never touches a prototype.
 * (A closure rather than a class: its local names minify, which keeps the bundle small.)
 */
export function createDecoder(options: MessagePackOptions = {}): (bytes: Uint8Array) => unknown {
  // `||` rather than `??`: the same here (0 is no sensible limit) and smaller once down-levelled.
  const maxDepth = options.maxDepth || 100;
  // ignoreBOM: a string that starts with U+FEFF keeps it (by default TextDecoder drops a leading BOM).
  const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
  // Integers are read byte by byte, and a float from integer words through an 8-byte scratch view: no DataView per message.
  const scratch = new DataView(new ArrayBuffer(8));
  let bytes: Uint8Array = new Uint8Array(0);
  let pos = 0;
  // input.byteLength, kept in a variable: reading a typed array's length at every check costs more than the check.
  let size = 0;
  /** Short ASCII strings by a hash of their bytes (see string()). */
  const cache: string[] = [];

  /** Moves past `count` bytes and returns where they start. */
  function advance(count: number): number {
    if (pos + count > size) {
      fail(`MessagePack data ends early at offset ${pos}.`);
    }
    pos += count;
    return pos - count;
  }

  /** The unsigned big-endian integer of `width` (≤ 4) bytes at `at`. */
  function be(at: number, width: number): number {
    let n = 0;
    for (let i = 0; i < width; i++) n = n * 0x100 + bytes[at + i]!;
    return n;
  }

  /** The next unsigned big-endian integer of 1, 2 or 4 bytes. */
  function uint(width: 1 | 2 | 4): number {
    return be(advance(width), width);
  }

  /** The next signed (two's complement) big-endian integer of 1, 2 or 4 bytes. */
  function int(width: 1 | 2 | 4): number {
    const shift = 32 - 8 * width;
    return (uint(width) << shift) >> shift;
  }

  /** The next float32 or float64. */
  function float(width: 4 | 8): number {
    const at = advance(width);
    scratch.setUint32(0, be(at, 4));
    if (width === 4) return scratch.getFloat32(0);
    scratch.setUint32(4, be(at + 4, 4));
    return scratch.getFloat64(0);
  }

  /** Checks a length against its limit and against the bytes left (each item takes at least `minBytes`). */
  function length(n: number, max: number | undefined, what: string, minBytes: number): number {
    if (n > (max || UINT32_MAX)) fail(`MessagePack ${what} ${n} over the limit ${max}.`);
    if (pos + n * minBytes > size) fail(`MessagePack data ends early at offset ${pos}: a ${what} of ${n}.`);
    return n;
  }

  /** A 64-bit integer: a number when that is exact, else a bigint (an error where there is no BigInt). */
  function int64(signed: boolean): number | bigint {
    const at = advance(8);
    // `| 0`: the word as a signed 32-bit integer.
    const high = signed ? be(at, 4) | 0 : be(at, 4);
    const low = be(at + 4, 4);
    const value = high * 0x100000000 + low;
    if (Number.isSafeInteger(value)) return value;
    if (typeof BigInt !== "function") fail("No BigInt for an int64 beyond ±2^53.");
    return BigInt(high) * BigInt(0x100000000) + BigInt(low);
  }

  function string(n: number): string {
    const at = advance(length(n, options.maxStrLength, "string length", 1));
    const end = at + n;
    // A short ASCII string (the usual key, name or id) is hashed by a loop; a byte over 0x7F, or a
    // longer string, stops it and goes to the TextDecoder.
    let i = at;
    let hash = n;
    for (let c; n < SHORT && i < end && (c = bytes[i]!) < 0x80; i++) hash = (hash * 31 + c) & 1023;
    if (i < end) return textDecoder.decode(bytes.subarray(at, end));
    // The string last read with that hash, when it has these bytes: a map key V8 has already interned,
    // cheaper to store a property by than a new string. Else one built by a loop (cheaper than a TextDecoder call).
    let s = cache[hash] || "";
    for (i = 0; i < n && s.charCodeAt(i) === bytes[at + i]; i++);
    if (i < n || s.length !== n) {
      s = "";
      for (i = at; i < end; i++) s += String.fromCharCode(bytes[i]!);
      cache[hash] = s;
    }
    return s;
  }

  function binary(n: number): Uint8Array {
    const at = advance(length(n, options.maxBinLength, "binary length", 1));
    return bytes.slice(at, at + n);
  }

  function extension(n: number): unknown {
    length(n, options.maxExtLength, "extension length", 1);
    const type = int(1);
    const at = advance(n);
    if (type === -1) {
      // A timestamp: 32 bits of seconds; 30 bits of nanoseconds, then 34 of seconds; or 32 bits of
      // nanoseconds, then 64 signed bits of seconds.
      const high = be(at, 4);
      const [sec, nsec] =
        n === 4 ? [high, 0] : n === 8 ? [(high & 3) * 0x100000000 + be(at + 4, 4), high >>> 2] : n === 12 ? [(be(at + 4, 4) | 0) * 0x100000000 + be(at + 8, 4), high] : fail(`Timestamp of ${n} bytes, not 4, 8 or 12.`);
      // Whole milliseconds, rounded down: sec * 1000 + nsec / 1e6 would round 999999999 ns up to the next
      // second (floating point), and a Date would truncate a negative time towards zero.
      return new Date(sec * 1000 + Math.floor(nsec / 1e6));
    }
    const data = bytes.slice(at, at + n);
    return options.extensionCodec ? options.extensionCodec.decode(data, type, options.context) : { type, data };
  }

  function array(n: number, depth: number): unknown[] {
    const items = new Array<unknown>(length(n, options.maxArrayLength, "array length", 1));
    for (let i = 0; i < n; i++) items[i] = read(depth + 1);
    return items;
  }

  function map(n: number, depth: number): Record<string, unknown> {
    length(n, options.maxMapLength, "map size", 2);
    const result: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const key = read(depth + 1);
      if (typeof key !== "string" && typeof key !== "number") {
        fail(`Map key not a string or number: ${key === null ? "nil" : typeof key}.`);
      }
      if (key === "__proto__") fail("Map key '__proto__' refused.");
      result[key] = read(depth + 1);
    }
    return result;
  }

  function read(depth: number): unknown {
    if (depth > maxDepth) fail(`Too deep to decode: over maxDepth ${maxDepth}.`);
    const type = uint(1);
    if (type < 0x80) return type;
    if (type < 0x90) return map(type & 0x0f, depth);
    if (type < 0xa0) return array(type & 0x0f, depth);
    if (type < 0xc0) return string(type & 0x1f);
    if (type >= 0xe0) return type - 0x100;
    switch (type) {
      case 0xc0:
        return null;
      case 0xc2:
      case 0xc3:
        return type === 0xc3;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return binary(uint(widthOf(type - 0xc4)));
      case 0xc7:
      case 0xc8:
      case 0xc9:
        return extension(uint(widthOf(type - 0xc7)));
      case 0xca:
        return float(4);
      case 0xcb:
        return float(8);
      case 0xcc:
      case 0xcd:
      case 0xce:
        return uint(widthOf(type - 0xcc));
      case 0xcf:
        return int64(false);
      case 0xd0:
      case 0xd1:
      case 0xd2:
        return int(widthOf(type - 0xd0));
      case 0xd3:
        return int64(true);
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return extension(1 << (type - 0xd4));
      case 0xd9:
      case 0xda:
      case 0xdb:
        return string(uint(widthOf(type - 0xd9)));
      case 0xdc:
      case 0xdd:
        return array(uint(widthOf(type - 0xdb)), depth);
      case 0xde:
      case 0xdf:
        return map(uint(widthOf(type - 0xdd)), depth);
      default:
        return fail(`Invalid MessagePack type 0x${type.toString(16)} at offset ${pos - 1}.`);
    }
  }

  return (input) => {
    bytes = input;
    size = input.byteLength;
    pos = 0;
    // Depth 1 at the top, as in the encoder: whatever it writes with a maxDepth can be read with the same one.
    const value = read(1);
    if (pos !== input.byteLength) {
      fail(`Extra bytes after a MessagePack value: ${input.byteLength - pos} of ${input.byteLength}.`);
    }
    return value;
  };
}

/** 0, 1, 2 → 1, 2, 4 bytes: the widths of the 8/16/32-bit variants of a type. */
function widthOf(variant: number): 1 | 2 | 4 {
  return (1 << variant) as 1 | 2 | 4;
}
