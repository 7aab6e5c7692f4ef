// The codec's fast paths, at their edges, against @microsoft/signalr-protocol-msgpack (used only as an oracle):
// short ASCII strings written and read by loops (with TextEncoder/TextDecoder for anything else), the
// decoder's cache of short strings, integers and floats written and read without a DataView over the
// data, and the length prefix written in room before the payload.
import { MessagePackHubProtocol as OfficialProtocol } from "@microsoft/signalr-protocol-msgpack";
import { describe, expect, it } from "vitest";
import { createDecoder } from "../../../src/msgpack/decoder.js";
import { createEncoder } from "../../../src/msgpack/encoder.js";
import { MessagePackHubProtocol } from "../../../src/msgpack/index.js";
import { MessageType, type HubMessage } from "../../../src/protocol/messages.js";
import { byteDifference, frame, fromHex, hex, quiet } from "./helpers.js";

const ours = new MessagePackHubProtocol();
const official = new OfficialProtocol();
const item = (value: unknown): HubMessage => ({ type: MessageType.StreamItem, invocationId: "1", item: value });
const officialBytes = (message: HubMessage) => official.writeMessage(message as never) as ArrayBuffer;
/** The item of the one StreamItem a parser reads from `bytes`. */
const itemOf = (messages: readonly unknown[]) => {
  expect(messages).toHaveLength(1);
  return (messages[0] as { item: unknown }).item;
};

/**
 * The string as UTF-8 can carry it: each lone surrogate as U+FFFD, which is what hubwire writes (TextEncoder's
 * rule, the same before and after the fast paths; officialCorpus.test.ts documents that the official encoder
 * writes a 3-byte CESU form instead). Identical for well-formed strings.
 */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

const ascii = (n: number, from = 0x20) => Array.from({ length: n }, (_, i) => String.fromCharCode(from + (i % 0x5f))).join("");

const strings: [string, string][] = [
  ["the empty string", ""],
  ["one ASCII character", "a"],
  ["U+007F, the last ASCII character", "\u007f"],
  ["U+0080, the first non-ASCII character", "\u0080"],
  ["ASCII then U+0080", "abc\u0080"],
  ["U+0080 then ASCII", "\u0080abc"],
  ["thirty-one U+007F", "\u007f".repeat(31)],
  ["U+00FF", "\u00ff"],
  ["NUL characters", "a\u0000b\u0000"],
  ["a BOM at the start (kept)", "\ufeffabc"],
  ["a lone high surrogate", "\ud800"],
  ["a lone low surrogate between ASCII", "a\udc00b"],
  ["a reversed surrogate pair", "\udc00\ud800"],
  ["a high surrogate at the end of 31 characters", "x".repeat(30) + "\ud83d"],
  ["a surrogate pair (emoji)", "😀"],
  ["ASCII and emoji", "ok 😀 ok"],
  ...[15, 16, 17, 30, 31, 32, 33, 255, 256, 65535, 65536].map((n): [string, string] => [`${n} ASCII characters`, ascii(n)]),
  ["31 characters, the last non-ASCII (32 bytes: str8)", "x".repeat(30) + "\u0080"],
  ["31 characters, the first non-ASCII", "\u0080" + "x".repeat(30)],
  ["15 two-byte characters (30 bytes: fixstr)", "é".repeat(15)],
  ["16 two-byte characters (32 bytes: str8)", "é".repeat(16)],
  ["10 three-byte characters (30 bytes: fixstr)", "中".repeat(10)],
  ["11 three-byte characters (33 bytes: str8)", "中".repeat(11)],
  ["85 three-byte characters (255 bytes: str8)", "中".repeat(85)],
  ["86 three-byte characters (258 bytes: str16)", "中".repeat(86)],
  ["21845 three-byte characters (65535 bytes: str16)", "中".repeat(21845)],
  ["21846 three-byte characters (65538 bytes: str32)", "中".repeat(21846)],
];

describe("strings: the ASCII loops and the TextEncoder/TextDecoder paths", () => {
  it.each(strings)("writes %s exactly as the official protocol does (lone surrogates: as U+FFFD), as a value and as a map key", (_name, s) => {
    const w = wellFormed(s);
    for (const [message, expected] of [
      [item(s), item(w)],
      [item({ [s]: s }), item({ [w]: w })],
      [item([s, s]), item([w, w])],
    ] as const) {
      expect(byteDifference(ours.writeMessage(message), officialBytes(expected))).toBe("identical");
    }
  });

  it("writes a lone surrogate in a short string as EF BF BD, as TextEncoder does", () => {
    expect(hex(createEncoder()("a\ud800"))).toBe("a461efbfbd");
    expect(hex(createEncoder()("\udc00"))).toBe("a3efbfbd");
  });

  it.each(strings)("reads %s from the official bytes as the official protocol does", (_name, s) => {
    const w = wellFormed(s);
    const bytes = officialBytes(item({ [w]: [w, w] }));
    expect(itemOf(ours.parseMessages(bytes))).toStrictEqual(itemOf(official.parseMessages(bytes, quiet)));
    expect(itemOf(ours.parseMessages(bytes))).toStrictEqual({ [w]: [w, w] });
  });

  it.each([
    ["a lone continuation byte", "a1 80"],
    ["0xFF in a short string", "a3 ff 61 62"],
    ["ASCII then a cut-off two-byte sequence", "a3 61 62 c3"],
    ["a two-byte sequence (é)", "a2 c3 a9"],
    ["an overlong encoding of '/'", "a2 c0 af"],
    ["an encoded surrogate (ED A0 80)", "a3 ed a0 80"],
    ["a BOM then ASCII", "a4 ef bb bf 61"],
    ["0x7F then 0x80", "a2 7f 80"],
    ["invalid UTF-8 in a str8", "d9 02 61 ff"],
  ])("reads %s as TextDecoder does (U+FFFD for what is not UTF-8, a BOM kept)", (_name, value) => {
    // Not compared with the official parser: its own decoder, for short strings, is laxer with bytes that are not UTF-8.
    const bytes = frame(fromHex(`94 02 80 a1 31 ${value}`));
    const expected = new TextDecoder("utf-8", { ignoreBOM: true }).decode(fromHex(value).subarray(value.startsWith("d9") ? 2 : 1));
    expect(itemOf(ours.parseMessages(bytes))).toBe(expected);
    expect(createDecoder()(fromHex(value))).toBe(expected);
  });

  it("reads thousands of distinct short strings correctly, more than any cache holds, twice over", () => {
    const many = Array.from({ length: 5000 }, (_, i) => i.toString(36).padStart(1 + (i % 15), "_"));
    const decode = createDecoder();
    const bytes = createEncoder()([...many, ...many]);
    expect(decode(bytes)).toStrictEqual([...many, ...many]);
    expect(decode(bytes)).toStrictEqual([...many, ...many]);
  });

  it("tells apart short strings that share bytes: prefixes, other lengths, other cases", () => {
    const decode = createDecoder();
    const values = ["ab", "abc", "a", "ab", "", "ba", "AB", "abc", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmno", "a\u0080", "a"];
    for (let round = 0; round < 3; round++) {
      expect(decode(createEncoder()(values))).toStrictEqual(values);
      for (const value of values) expect(decode(createEncoder()({ [value]: value }))).toStrictEqual({ [value]: value });
    }
  });

  it("still refuses the map key '__proto__' (short ASCII) on every read", () => {
    const bytes = frame(fromHex("94 02 80 a1 31 81 a9 5f5f70726f746f5f5f 01"));
    for (let i = 0; i < 3; i++) expect(() => ours.parseMessages(bytes)).toThrow(/__proto__/);
  });

  it("keeps maxStrLength for the short strings the loops read", () => {
    const protocol = new MessagePackHubProtocol({ maxStrLength: 2 });
    expect(itemOf(protocol.parseMessages(ours.writeMessage(item("ab"))))).toBe("ab");
    expect(() => protocol.parseMessages(ours.writeMessage(item("abc")))).toThrow(/string length 3 over the limit 2/);
  });
});

describe("numbers: written and read byte by byte", () => {
  const numbers = [
    0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER,
    -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 32), -(2 ** 40) - 5, Number.MIN_SAFE_INTEGER,
    0.5, -0.5, 9.99, 1e300, -1e-300, Number.MIN_VALUE, Number.MAX_VALUE, Infinity, -Infinity, NaN, 2 ** 53, -(2 ** 53),
  ];

  it.each(numbers)("writes %s exactly as the official protocol does, and reads it back", (n) => {
    expect(byteDifference(ours.writeMessage(item(n)), officialBytes(item(n)))).toBe("identical");
    expect(itemOf(ours.parseMessages(officialBytes(item(n))))).toBe(n);
  });

  it.each([
    [{ forceFloat32: true }, [0.5, 9.99, -1e-3, 3.4e38, 1e39, NaN, Infinity, 2 ** 40 + 0.5]],
    [{ forceIntegerToFloat: true }, [0, 1, -1, 2 ** 40, 9.99]],
    [{ forceFloat32: true, forceIntegerToFloat: true }, [0, 1, -129, 65536, 9.99]],
  ])("writes floats with %o exactly as the official protocol does, and reads them as it does", (options, values) => {
    const bytes = new MessagePackHubProtocol(options).writeMessage(item(values));
    expect(byteDifference(bytes, new OfficialProtocol(options).writeMessage(item(values) as never) as ArrayBuffer)).toBe("identical");
    expect(itemOf(ours.parseMessages(bytes))).toStrictEqual(itemOf(official.parseMessages(bytes, quiet)));
  });

  it.each([
    ["int8 -128", "d0 80", -128],
    ["int8 -1", "d0 ff", -1],
    ["int8 127", "d0 7f", 127],
    ["int16 -32768", "d1 8000", -32768],
    ["int16 -1", "d1 ffff", -1],
    ["int32 -2^31", "d2 80000000", -(2 ** 31)],
    ["int32 2^31 - 1", "d2 7fffffff", 2 ** 31 - 1],
    ["uint32 2^32 - 1", "ce ffffffff", 2 ** 32 - 1],
    ["int64 -1", "d3 ffffffffffffffff", -1],
    ["int64 -2^53 + 1", "d3 ffe0000000000001", Number.MIN_SAFE_INTEGER],
    ["uint64 2^53 - 1", "cf 001fffffffffffff", Number.MAX_SAFE_INTEGER],
    ["float32 1.5", "ca 3fc00000", 1.5],
    ["float64 -0.1", "cb bfb999999999999a", -0.1],
  ])("reads %s (not written so by the encoder) as the official protocol does", (_name, value, expected) => {
    const bytes = frame(fromHex(`94 02 80 a1 31 ${value}`));
    expect(itemOf(ours.parseMessages(bytes))).toBe(expected);
    expect(itemOf(official.parseMessages(bytes, quiet))).toBe(expected);
  });
});

describe("the length prefix, written before the payload", () => {
  // [2, {}, "1", s]: 5 bytes, then the string's header and bytes.
  it.each([
    [127, 1],
    [128, 2],
    [16383, 2],
    [16384, 3],
    [2097151, 3],
    [2097152, 4],
  ])("writes a %i-byte payload with a %i-byte prefix, as the official protocol does", (payload, prefix) => {
    const header = payload - 5 - 2 < 0x100 ? 2 : payload - 5 - 3 < 0x10000 ? 3 : 5;
    const message = item("x".repeat(payload - 5 - header));
    const bytes = ours.writeMessage(message);
    expect(bytes.byteLength).toBe(payload + prefix);
    expect(hex(bytes.slice(0, prefix + 8))).toBe(hex(officialBytes(message).slice(0, prefix + 8)));
    expect(byteDifference(bytes, officialBytes(message))).toBe("identical");
    expect(itemOf(ours.parseMessages(bytes))).toBe((message as { item: string }).item);
  });

  it("writes each message into its own exact buffer, unchanged by the next write", () => {
    const first = ours.writeMessage(item("first"));
    const copy = hex(first);
    ours.writeMessage(item("second, longer than the first".repeat(200)));
    expect(hex(first)).toBe(copy);
    expect(first.byteLength).toBe(new Uint8Array(first).length);
    expect(itemOf(ours.parseMessages(first))).toBe("first");
  });

  it("writes a message larger than initialBufferSize (the buffer grows) as the official protocol does", () => {
    const protocol = new MessagePackHubProtocol({ initialBufferSize: 8 });
    for (const message of [item("x".repeat(100)), item({ key: "é".repeat(50), n: [1, 2.5, -300] }), item("short")]) {
      expect(byteDifference(protocol.writeMessage(message), officialBytes(message))).toBe("identical");
    }
  });
});
