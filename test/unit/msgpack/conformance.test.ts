// Conformance with the value vectors of the msgpack-test-suite package (kawanet/msgpack-test-suite):
// every listed encoding decodes to the listed value, and encoding the value gives one of the listed encodings.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { createDecoder } from "../../../src/msgpack/decoder.js";
import { createEncoder } from "../../../src/msgpack/encoder.js";
import type { ExtData, ExtensionCodecLike } from "../../../src/msgpack/extensions.js";
import { fromHex, hex } from "./helpers.js";

interface Vector {
  msgpack: string[];
  nil?: null;
  bool?: boolean;
  binary?: string;
  number?: number;
  bignum?: string;
  string?: string;
  array?: unknown[];
  map?: Record<string, unknown>;
  timestamp?: [number, number];
  ext?: [number, string];
}

const suite = createRequire(import.meta.url)("msgpack-test-suite/dist/msgpack-test-suite.json") as Record<string, Vector[]>;
const decode = createDecoder();
const encode = createEncoder();
const groups = Object.keys(suite);

/** The suite's groups, by the kind of value they hold. */
const groupOf = (kind: string) => {
  const names = groups.filter((name) => name.includes(kind));
  expect(names.length).toBeGreaterThan(0);
  return names.flatMap((name) => suite[name]!.map((vector) => ({ group: name, vector })));
};

/** One test row per listed encoding of each vector. */
const encodings = (kind: string) => groupOf(kind).flatMap(({ vector }) => vector.msgpack.map((bytes) => ({ bytes, vector })));

const show = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));

describe("msgpack-test-suite vectors", () => {
  it("holds the groups this file checks, and no others", () => {
    const kinds = ["nil", "bool", "binary", "number-positive", "number-negative", "number-float", "number-bignum", "string", "array", "map", "nested", "timestamp", "ext"];
    expect(groups.every((name) => kinds.some((kind) => name.includes(kind)))).toBe(true);
    expect(groups.length).toBe(15);
  });

  describe("nil and bool", () => {
    it.each(encodings("nil"))("decodes $bytes as nil", ({ bytes }) => {
      expect(decode(fromHex(bytes))).toBeNull();
    });
    it.each(encodings("bool"))("decodes $bytes as $vector.bool", ({ bytes, vector }) => {
      expect(decode(fromHex(bytes))).toBe(vector.bool);
    });
    it.each([...groupOf("nil"), ...groupOf("bool")])("encodes $vector.nil$vector.bool as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode("nil" in vector ? null : vector.bool)));
    });
  });

  describe("binary", () => {
    it.each(encodings("binary"))("decodes $bytes as the bytes '$vector.binary'", ({ bytes, vector }) => {
      expect(decode(fromHex(bytes))).toStrictEqual(fromHex(vector.binary!));
    });
    it.each(groupOf("binary"))("encodes the bytes '$vector.binary' as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(fromHex(vector.binary!))));
    });
  });

  describe("numbers", () => {
    const numbers = [...encodings("number-positive"), ...encodings("number-negative"), ...encodings("number-float")];
    it.each(numbers)("decodes $bytes as $vector.number", ({ bytes, vector }) => {
      expect(decode(fromHex(bytes))).toBe(vector.number);
    });
    it.each([...groupOf("number-positive"), ...groupOf("number-negative"), ...groupOf("number-float")])("encodes $vector.number as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(vector.number)));
    });
  });

  describe("bignums", () => {
    // Floats (ca, cb) come back as numbers; integers as numbers when exact, else as bigints.
    const expected = (bytes: string, bignum: string): number | bigint => {
      const big = BigInt(bignum);
      if (bytes.startsWith("ca") || bytes.startsWith("cb")) return Number(big);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    };
    it.each(encodings("bignum"))("decodes $bytes as exactly $vector.bignum", ({ bytes, vector }) => {
      const value = decode(fromHex(bytes));
      expect(value).toBe(expected(bytes, vector.bignum!));
      if (typeof value === "bigint" || Number.isSafeInteger(value)) expect(String(value)).toBe(vector.bignum);
    });
    it("decodes every integer encoding beyond 2^53 to a bigint, never to a rounded number", () => {
      const beyond = encodings("bignum").filter(({ bytes, vector }) => !/^c[ab]/.test(bytes) && !Number.isSafeInteger(Number(vector.bignum)));
      expect(beyond.length).toBeGreaterThanOrEqual(5);
      for (const { bytes, vector } of beyond) expect(decode(fromHex(bytes))).toBe(BigInt(vector.bignum!));
    });
    it.each(groupOf("bignum"))("encodes the bigint $vector.bignum as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(BigInt(vector.bignum!))));
    });
    it.each(groupOf("bignum").filter(({ vector }) => vector.number !== undefined))("encodes the number $vector.number as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(vector.number)));
    });
  });

  describe("strings", () => {
    it.each(encodings("string"))("decodes $bytes as $vector.string", ({ bytes, vector }) => {
      expect(decode(fromHex(bytes))).toBe(vector.string);
    });
    it.each(groupOf("string"))("encodes $vector.string as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(vector.string)));
    });
  });

  describe("arrays, maps and nesting", () => {
    const valueOf = (vector: Vector) => ("array" in vector ? vector.array : vector.map);
    const rows = [...encodings("array"), ...encodings("map"), ...encodings("nested")];
    it.each(rows.map((row) => ({ ...row, shown: show(valueOf(row.vector)) })))("decodes $bytes as $shown", ({ bytes, vector }) => {
      expect(decode(fromHex(bytes))).toStrictEqual(valueOf(vector));
    });
    const values = [...groupOf("array"), ...groupOf("map"), ...groupOf("nested")];
    it.each(values.map((row) => ({ ...row, shown: show(valueOf(row.vector)) })))("encodes $shown as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(valueOf(vector))));
    });
  });

  describe("timestamps", () => {
    // A Date holds milliseconds: the one a timestamp stands for is sec * 1000 + floor(nsec / 1e6).
    const millis = ([sec, nsec]: [number, number]) => sec * 1000 + Math.floor(nsec / 1e6);
    it.each(encodings("timestamp"))("decodes $bytes as the Date of $vector.timestamp", ({ bytes, vector }) => {
      const value = decode(fromHex(bytes));
      expect(value).toBeInstanceOf(Date);
      expect((value as Date).getTime()).toBe(millis(vector.timestamp!));
    });
    // Only timestamps of whole milliseconds can be held by a Date, so only those can be encoded back.
    const whole = groupOf("timestamp").filter(({ vector }) => vector.timestamp![1] % 1e6 === 0);
    it("finds timestamps of whole milliseconds to encode, among them ones of all three sizes", () => {
      expect(new Set(whole.map(({ vector }) => vector.msgpack[0]!.slice(0, 2)))).toEqual(new Set(["d6", "d7", "c7"]));
    });
    it.each(whole)("encodes the Date of $vector.timestamp as one of $vector.msgpack", ({ vector }) => {
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encode(new Date(millis(vector.timestamp!)))));
    });
  });

  describe("extensions", () => {
    it.each(encodings("ext"))("decodes $bytes as { type, data } of $vector.ext without an extension codec", ({ bytes, vector }) => {
      const [type, data] = vector.ext!;
      expect(decode(fromHex(bytes))).toStrictEqual({ type, data: fromHex(data) });
    });
    // Writing raw extension data takes a codec: a plain { type, data } object is otherwise a map.
    const passThrough: ExtensionCodecLike = {
      tryToEncode: (value) => (value !== null && typeof value === "object" && "type" in value && "data" in value ? (value as ExtData) : null),
      decode: (data, type) => ({ type, data }),
    };
    const encodeExt = createEncoder({ extensionCodec: passThrough });
    it.each(groupOf("ext"))("encodes the extension $vector.ext as one of $vector.msgpack", ({ vector }) => {
      const [type, data] = vector.ext!;
      expect(vector.msgpack.map((b) => b.replace(/-/g, ""))).toContain(hex(encodeExt({ type, data: fromHex(data) })));
    });
  });
});
