import { ProtocolError } from "../errors.js";
import { decodeTimestamp, TIMESTAMP_TYPE, type ExtData } from "./extensions.js";
import type { MessagePackOptions } from "./options.js";

const textDecoder = new TextDecoder();
const UINT32_MAX = 0xffffffff;

/**
 * A MessagePack decoder. Every malformed input raises `ProtocolError`.
 * Integers beyond ±2^53 come back as `bigint` rather than losing precision;
 * `bin` comes back as a Uint8Array copy; timestamps as Date; other extensions
 * go to the extension codec, else come back as `{ type, data }`.
 * A `__proto__` map key is refused, so decoding never touches a prototype.
 */
export class Decoder {
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.bytes.buffer);
  private pos = 0;
  private readonly maxDepth: number;

  constructor(private readonly options: MessagePackOptions = {}) {
    this.maxDepth = options.maxDepth ?? 100;
  }

  /**
   * Decodes exactly one value filling `bytes`.
   * @throws ProtocolError when the bytes are truncated, malformed, over a limit, or followed by extra bytes.
   */
  decode(bytes: Uint8Array): unknown {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    const value = this.read(0);
    if (this.pos !== bytes.byteLength) {
      throw new ProtocolError(`Extra bytes after a MessagePack value: ${bytes.byteLength - this.pos} of ${bytes.byteLength} were not used.`);
    }
    return value;
  }

  private read(depth: number): unknown {
    if (depth > this.maxDepth) {
      throw new ProtocolError(`MessagePack value nested deeper than maxDepth ${this.maxDepth}.`);
    }
    const type = this.u8();
    if (type < 0x80) return type;
    if (type < 0x90) return this.map(type & 0x0f, depth);
    if (type < 0xa0) return this.array(type & 0x0f, depth);
    if (type < 0xc0) return this.string(type & 0x1f);
    if (type >= 0xe0) return type - 0x100;
    switch (type) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        return this.binary(this.u8());
      case 0xc5:
        return this.binary(this.u16());
      case 0xc6:
        return this.binary(this.u32());
      case 0xc7:
        return this.extension(this.u8());
      case 0xc8:
        return this.extension(this.u16());
      case 0xc9:
        return this.extension(this.u32());
      case 0xca:
        return this.view.getFloat32(this.advance(4));
      case 0xcb:
        return this.view.getFloat64(this.advance(8));
      case 0xcc:
        return this.u8();
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        return this.int64(false);
      case 0xd0:
        return this.view.getInt8(this.advance(1));
      case 0xd1:
        return this.view.getInt16(this.advance(2));
      case 0xd2:
        return this.view.getInt32(this.advance(4));
      case 0xd3:
        return this.int64(true);
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return this.extension(1 << (type - 0xd4));
      case 0xd9:
        return this.string(this.u8());
      case 0xda:
        return this.string(this.u16());
      case 0xdb:
        return this.string(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        throw new ProtocolError(`Invalid MessagePack type byte 0x${type.toString(16)} at offset ${this.pos - 1}.`);
    }
  }

  private array(length: number, depth: number): unknown[] {
    this.limit(length, this.options.maxArrayLength, "array length");
    // Each element takes at least one byte: a length beyond what is left cannot be honest.
    this.need(length);
    const items = new Array<unknown>(length);
    for (let i = 0; i < length; i++) items[i] = this.read(depth + 1);
    return items;
  }

  private map(size: number, depth: number): Record<string, unknown> {
    this.limit(size, this.options.maxMapLength, "map size");
    this.need(size * 2);
    const result: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const key = this.read(depth + 1);
      if (typeof key !== "string" && typeof key !== "number") {
        throw new ProtocolError(`A MessagePack map key must be a string or a number, not ${key === null ? "nil" : typeof key}.`);
      }
      if (key === "__proto__") {
        throw new ProtocolError("The MessagePack map key '__proto__' is not allowed.");
      }
      result[key] = this.read(depth + 1);
    }
    return result;
  }

  private string(length: number): string {
    this.limit(length, this.options.maxStrLength, "string length");
    const start = this.advance(length);
    return textDecoder.decode(this.bytes.subarray(start, start + length));
  }

  private binary(length: number): Uint8Array {
    this.limit(length, this.options.maxBinLength, "binary length");
    const start = this.advance(length);
    return this.bytes.slice(start, start + length);
  }

  private extension(length: number): unknown {
    this.limit(length, this.options.maxExtLength, "extension length");
    const type = this.view.getInt8(this.advance(1));
    const start = this.advance(length);
    const data = this.bytes.slice(start, start + length);
    if (type === TIMESTAMP_TYPE) {
      const date = decodeTimestamp(data);
      if (!date) throw new ProtocolError(`A MessagePack timestamp must be 4, 8 or 12 bytes long, not ${length}.`);
      return date;
    }
    if (this.options.extensionCodec) {
      return this.options.extensionCodec.decode(data, type, this.options.context);
    }
    const ext: ExtData = { type, data };
    return ext;
  }

  private limit(length: number, max: number | undefined, what: string): void {
    if (length > (max ?? UINT32_MAX)) {
      throw new ProtocolError(`MessagePack ${what} ${length} exceeds the limit ${max}.`);
    }
  }

  /** A 64-bit integer: a number when that is exact, else a bigint (an error where there is no BigInt). */
  private int64(signed: boolean): number | bigint {
    const start = this.advance(8);
    const high = signed ? this.view.getInt32(start) : this.view.getUint32(start);
    const low = this.view.getUint32(start + 4);
    const value = high * 0x100000000 + low;
    if (Number.isSafeInteger(value)) {
      return value;
    }
    if (typeof BigInt !== "function") {
      throw new ProtocolError(`The integer at offset ${start - 1} is beyond ±2^53 and this runtime has no BigInt to hold it exactly.`);
    }
    return BigInt(high) * BigInt(0x100000000) + BigInt(low);
  }

  private u8(): number {
    return this.view.getUint8(this.advance(1));
  }

  private u16(): number {
    return this.view.getUint16(this.advance(2));
  }

  private u32(): number {
    return this.view.getUint32(this.advance(4));
  }

  private need(count: number): void {
    if (this.pos + count > this.bytes.byteLength) {
      throw new ProtocolError(`Truncated MessagePack data: needed ${count} more bytes at offset ${this.pos}, have ${this.bytes.byteLength - this.pos}.`);
    }
  }

  /** Moves past `count` bytes and returns where they start. */
  private advance(count: number): number {
    this.need(count);
    const start = this.pos;
    this.pos += count;
    return start;
  }
}

