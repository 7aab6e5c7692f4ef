import { ProtocolError } from "../errors.js";
import { encodeTimestamp } from "./extensions.js";
import type { MessagePackOptions } from "./options.js";

const textEncoder = new TextEncoder();

/**
 * A MessagePack encoder. It chooses the same (smallest) representations as
 * @msgpack/msgpack, so hubwire's bytes equal the official protocol's.
 * Beyond it: `ArrayBuffer` is written as `bin`, and `bigint` as int64/uint64.
 */
export class Encoder {
  private bytes: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly maxDepth: number;
  private readonly initialBufferSize: number;

  constructor(private readonly options: MessagePackOptions = {}) {
    this.maxDepth = options.maxDepth ?? 100;
    this.initialBufferSize = options.initialBufferSize ?? 2048;
    this.bytes = new Uint8Array(this.initialBufferSize);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Encodes one value; the result is a fresh copy. */
  encode(value: unknown): Uint8Array {
    this.pos = 0;
    this.write(value, 0);
    return this.bytes.slice(0, this.pos);
  }

  private write(value: unknown, depth: number): void {
    if (depth > this.maxDepth) {
      throw new ProtocolError(`Too deep to encode: nesting exceeds maxDepth ${this.maxDepth}.`);
    }
    if (value === null || value === undefined) {
      this.u8(0xc0);
    } else if (value === false || value === true) {
      this.u8(value ? 0xc3 : 0xc2);
    } else if (typeof value === "number") {
      this.number(value);
    } else if (typeof value === "string") {
      this.string(value);
    } else if (typeof value === "bigint") {
      this.bigint(value);
    } else {
      this.object(value, depth);
    }
  }

  private number(n: number): void {
    if (!Number.isSafeInteger(n) || this.options.forceIntegerToFloat) {
      if (this.options.forceFloat32) {
        this.u8(0xca);
        this.ensure(4);
        this.view.setFloat32(this.pos, n);
        this.pos += 4;
      } else {
        this.u8(0xcb);
        this.ensure(8);
        this.view.setFloat64(this.pos, n);
        this.pos += 8;
      }
    } else if (n >= 0) {
      if (n < 0x80) this.u8(n);
      else if (n < 0x100) this.head(0xcc, 1, n);
      else if (n < 0x10000) this.head(0xcd, 2, n);
      else if (n < 0x100000000) this.head(0xce, 4, n);
      else this.int64(0xcf, n);
    } else {
      if (n >= -0x20) this.u8(n & 0xff);
      else if (n >= -0x80) this.head(0xd0, 1, n & 0xff);
      else if (n >= -0x8000) this.head(0xd1, 2, n & 0xffff);
      else if (n >= -0x80000000) this.head(0xd2, 4, n >>> 0);
      else this.int64(0xd3, n);
    }
  }

  private bigint(n: bigint): void {
    const negative = n < BigInt(0);
    if (n < -BigInt("9223372036854775808") || n > BigInt("18446744073709551615")) {
      throw new ProtocolError(`Cannot encode the bigint ${n}: MessagePack integers hold at most 64 bits.`);
    }
    // Split into two 32-bit halves (two's complement for negatives).
    const word = BigInt(0x100000000);
    const unsigned = negative ? n + word * word : n;
    this.int64(negative ? 0xd3 : 0xcf, Number(unsigned / word), Number(unsigned % word));
  }

  /** Writes a 64-bit integer: from a safe integer, or from its high and low 32-bit words. */
  private int64(type: number, n: number, low?: number): void {
    this.u8(type);
    this.ensure(8);
    const high = low === undefined ? Math.floor(n / 0x100000000) : n;
    this.view.setUint32(this.pos, high >>> 0);
    this.view.setUint32(this.pos + 4, low === undefined ? n >>> 0 : low);
    this.pos += 8;
  }

  private string(s: string): void {
    // A UTF-8 encoding is at most three bytes per UTF-16 unit.
    this.ensure(5 + s.length * 3);
    const start = this.pos;
    const headSize = s.length * 3 < 32 ? 1 : s.length * 3 < 0x100 ? 2 : s.length * 3 < 0x10000 ? 3 : 5;
    const { written = 0 } = textEncoder.encodeInto(s, this.bytes.subarray(start + headSize));
    const finalHead = written < 32 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
    if (finalHead !== headSize) {
      this.bytes.copyWithin(start + finalHead, start + headSize, start + headSize + written);
    }
    if (written < 32) this.u8(0xa0 | written);
    else if (written < 0x100) this.head(0xd9, 1, written);
    else if (written < 0x10000) this.head(0xda, 2, written);
    else this.head(0xdb, 4, written);
    this.pos = start + finalHead + written;
  }

  private object(value: object, depth: number): void {
    const ext = this.options.extensionCodec?.tryToEncode(value, this.options.context) ?? (value instanceof Date ? encodeTimestamp(value) : null);
    if (ext) {
      this.extension(ext.type, ext.data);
    } else if (Array.isArray(value)) {
      this.size(value.length, 0x90, 0xdc);
      for (const item of value) this.write(item, depth + 1);
    } else if (ArrayBuffer.isView(value)) {
      this.binary(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    } else if (value instanceof ArrayBuffer) {
      this.binary(new Uint8Array(value));
    } else {
      this.map(value as Record<string, unknown>, depth);
    }
  }

  private map(value: Record<string, unknown>, depth: number): void {
    let keys = Object.keys(value);
    if (this.options.sortKeys) keys.sort();
    if (this.options.ignoreUndefined) keys = keys.filter((key) => value[key] !== undefined);
    this.size(keys.length, 0x80, 0xde);
    for (const key of keys) {
      this.string(key);
      this.write(value[key], depth + 1);
    }
  }

  private binary(bytes: Uint8Array): void {
    const n = bytes.byteLength;
    if (n < 0x100) this.head(0xc4, 1, n);
    else if (n < 0x10000) this.head(0xc5, 2, n);
    else this.head(0xc6, 4, n);
    this.raw(bytes);
  }

  private extension(type: number, data: Uint8Array): void {
    const n = data.byteLength;
    const fixed = [1, 2, 4, 8, 16].indexOf(n);
    if (fixed >= 0) this.u8(0xd4 + fixed);
    else if (n < 0x100) this.head(0xc7, 1, n);
    else if (n < 0x10000) this.head(0xc8, 2, n);
    else this.head(0xc9, 4, n);
    this.u8(type & 0xff);
    this.raw(data);
  }

  /** A fixed-size header (fix type | n) for n < 16, else a 16- or 32-bit one. */
  private size(n: number, fixType: number, type16: number): void {
    if (n < 16) this.u8(fixType | n);
    else if (n < 0x10000) this.head(type16, 2, n);
    else this.head(type16 + 1, 4, n);
  }

  /** A type byte followed by an unsigned big-endian integer of `width` bytes. */
  private head(type: number, width: 1 | 2 | 4, n: number): void {
    this.u8(type);
    this.ensure(width);
    if (width === 1) this.view.setUint8(this.pos, n);
    else if (width === 2) this.view.setUint16(this.pos, n);
    else this.view.setUint32(this.pos, n);
    this.pos += width;
  }

  private raw(bytes: Uint8Array): void {
    this.ensure(bytes.byteLength);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  private u8(n: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = n;
  }

  private ensure(extra: number): void {
    const needed = this.pos + extra;
    if (needed > this.bytes.byteLength) {
      const grown = new Uint8Array(Math.max(needed, this.bytes.byteLength * 2));
      grown.set(this.bytes.subarray(0, this.pos));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
  }
}
