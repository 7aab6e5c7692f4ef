// Byte-for-byte corpus against @microsoft/signalr-protocol-msgpack (devDependency, used only as an oracle).
// Every message must be written as exactly the official bytes, and each side must read the other's bytes
// back to the same values. Deliberate differences are documented at the end.
import { MessagePackHubProtocol as OfficialProtocol } from "@microsoft/signalr-protocol-msgpack";
import { encode as officialEncode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/errors.js";
import { MessagePackHubProtocol } from "../../../src/msgpack/index.js";
import { MessageType, type HubMessage } from "../../../src/protocol/messages.js";
import { argumentsOf, byteDifference, frame, fromHex, hex, parsedByHubwire, parsedByOfficial, quiet, wire } from "./helpers.js";

const { Invocation, StreamInvocation, StreamItem, Completion, CancelInvocation, Ping, Close, Ack, Sequence } = MessageType;

const call = (target: string, ...args: unknown[]): HubMessage => ({ type: Invocation, target, arguments: args });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const mapOf = (n: number) => Object.fromEntries(range(n).map((i) => ["k" + i, i]));
/** Distinct byte values, so a shifted or reordered copy would not match. */
const pattern = (n: number) => Uint8Array.from(range(n), (i) => (i * 7 + 3) & 0xff);

// ── Message types ────────────────────────────────────────────────────────────
const messageTypes: [string, HubMessage][] = [
  ["Ping", { type: Ping }],
  ["non-blocking Invocation (no invocationId)", call("method", 42)],
  ["Invocation with an invocationId", { type: Invocation, invocationId: "123", target: "Send", arguments: ["hi"] }],
  ["Invocation with headers", { type: Invocation, invocationId: "1", target: "Send", arguments: [], headers: { "x-trace": "abc", lang: "fr-CA" } }],
  ["Invocation with streamIds", { type: Invocation, invocationId: "2", target: "Upload", arguments: [1], streamIds: ["10", "11"] }],
  ["Invocation with an empty streamIds list", { type: Invocation, target: "Upload", arguments: [], streamIds: [] }],
  ["Invocation with an empty invocationId (written as nil)", { type: Invocation, invocationId: "", target: "t", arguments: [] }],
  ["Invocation with sixteen headers (map16)", { type: Invocation, target: "t", arguments: [], headers: Object.fromEntries(range(16).map((i) => ["h" + i, "v" + i])) }],
  ["StreamInvocation", { type: StreamInvocation, invocationId: "3", target: "Counter", arguments: [10, 500] }],
  ["StreamInvocation with an empty invocationId (written as is)", { type: StreamInvocation, invocationId: "", target: "Counter", arguments: [] }],
  ["Completion with an empty invocationId", { type: Completion, invocationId: "", result: 1 }],
  ["CancelInvocation with an empty invocationId", { type: CancelInvocation, invocationId: "" }],
  ["StreamInvocation with headers and streamIds", { type: StreamInvocation, invocationId: "4", target: "Both", arguments: [], streamIds: ["5"], headers: { a: "b" } }],
  ["StreamItem with a string", { type: StreamItem, invocationId: "5", item: "chunk" }],
  ["StreamItem with headers and a map item", { type: StreamItem, invocationId: "6", item: { n: 1, s: "x" }, headers: { h: "v" } }],
  ["StreamItem with an undefined item (written as nil)", { type: StreamItem, invocationId: "7", item: undefined }],
  ["StreamItem with a null item", { type: StreamItem, invocationId: "7", item: null }],
  ["Completion with an error", { type: Completion, invocationId: "8", error: "Something failed" }],
  ["void Completion", { type: Completion, invocationId: "9" }],
  ["Completion with a result", { type: Completion, invocationId: "10", result: { total: 3, items: ["a", "b", "c"] } }],
  ["Completion with the result 0", { type: Completion, invocationId: "11", result: 0 }],
  ["Completion with the result false", { type: Completion, invocationId: "12", result: false }],
  ["Completion with the result \"\"", { type: Completion, invocationId: "13", result: "" }],
  ["Completion with the result null", { type: Completion, invocationId: "14", result: null }],
  ["Completion with an empty error string (written as void)", { type: Completion, invocationId: "15", error: "" }],
  ["Completion with an empty error and a result (written as the result)", { type: Completion, invocationId: "16", error: "", result: 5 }],
  ["Completion with headers", { type: Completion, invocationId: "17", result: 1, headers: { k: "v" } }],
  ["CancelInvocation", { type: CancelInvocation, invocationId: "18" }],
  ["CancelInvocation with headers", { type: CancelInvocation, invocationId: "19", headers: { why: "user" } }],
  ["Close", { type: Close }],
  ["Close with an error and allowReconnect (a client writes neither)", { type: Close, error: "bye", allowReconnect: true }],
  ["Ack 0", { type: Ack, sequenceId: 0 }],
  ["Ack 2^32", { type: Ack, sequenceId: 2 ** 32 }],
  ["Sequence 1", { type: Sequence, sequenceId: 1 }],
  ["Sequence 65536", { type: Sequence, sequenceId: 65536 }],
];

// ── Containers at every size boundary ────────────────────────────────────────
const containers: [string, HubMessage][] = [
  ["an empty array and an empty map", call("c", [], {})],
  ["arrays of 15 (fixarray) and 16 (array16) elements", call("c", range(15), range(16))],
  ["maps of 15 (fixmap) and 16 (map16) entries", call("c", mapOf(15), mapOf(16))],
  ["an argument list of 16 (array16)", call("c", ...range(16))],
  ["an array of 65535 elements (largest array16)", call("c", range(65535))],
  ["an array of 65536 elements (array32)", call("c", range(65536))],
  ["a map of 65535 entries (largest map16)", call("c", mapOf(65535))],
  ["a map of 65536 entries (map32)", call("c", mapOf(65536))],
  ["arrays of maps of arrays", call("c", [{ a: [1, [2, { b: [3, { c: [] }] }]] }, [[[[[]]]]]])],
  ["a Completion result of 16 nested maps", { type: Completion, invocationId: "1", result: range(16).reduce<unknown>((inner, i) => ({ ["l" + i]: inner }), "leaf") }],
];

// ── Unicode ──────────────────────────────────────────────────────────────────
const unicode: [string, HubMessage][] = [
  ["BMP text (Cyrillic, CJK, Arabic)", call("u", "Привет, мир", "中文字符", "مرحبا")],
  ["astral characters (emoji, musical symbol)", call("u", "😀", "𝄞 clef", "👍🏽")],
  ["combining marks and ZWJ sequences", call("u", "e\u0301", "a\u0308\u0323", "👨‍👩‍👧‍👦")],
  ["NUL, BOM and U+FFFF", call("u", "\u0000", "\uFEFF", "\uFFFF")],
  ["unicode map keys and header values", { type: Invocation, target: "u", arguments: [{ ключ: 1, "😀": 2, "e\u0301": 3 }], headers: { "ключ": "значение" } }],
  ["a unicode target", call("Méthode✓", 1)],
];

// ── Strings at byte-length boundaries (str8 from 32, str16 from 256, str32 from 65536 bytes) ──
const stringLengths: [string, HubMessage][] = [
  ...[0, 31, 32, 255, 256, 65535, 65536].map((n): [string, HubMessage] => [`an ASCII string of ${n} bytes`, call("s", "x".repeat(n))]),
  ["2-byte characters: 31 bytes (fixstr)", call("s", "é".repeat(15) + "a")],
  ["2-byte characters: 32 bytes (str8)", call("s", "é".repeat(16))],
  ["3-byte characters: 255 bytes (str8)", call("s", "€".repeat(85))],
  ["3-byte characters: 256 bytes (str16)", call("s", "€".repeat(85) + "a")],
  ["4-byte characters: 65535 bytes (str16)", call("s", "😀".repeat(16383) + "abc")],
  ["4-byte characters: 65536 bytes (str32)", call("s", "😀".repeat(16384))],
  ["a 32-byte map key (str8)", call("s", { ["k".repeat(32)]: 1 })],
];

// ── Integers at every boundary ───────────────────────────────────────────────
const integers = [
  0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1,
  -1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 53 - 1),
];
const integerCases = integers.map((n): [string, HubMessage] => [`the integer ${n}`, call("i", n)]);
integerCases.push(["boundary integers as a Completion result", { type: Completion, invocationId: "1", result: integers }]);

// ── Floats ───────────────────────────────────────────────────────────────────
const floats: [string, HubMessage][] = [
  ...[0.5, -1.5, 0.1, 1e300, -1e300, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)].map(
    (n): [string, HubMessage] => [`the float ${n}`, call("f", n)],
  ),
  ["-0 (a safe integer: written as 0)", call("f", -0)],
];

// ── Dates (timestamp 32 up to 2106, timestamp 64 up to 2514, else timestamp 96) ──
const dates: [string, HubMessage][] = [
  ["the epoch (timestamp 32)", call("d", new Date(0))],
  ["1 ms before the epoch (timestamp 96)", call("d", new Date(-1))],
  ["1900-01-01 (timestamp 96)", call("d", new Date(Date.UTC(1900, 0, 1)))],
  ["a date with milliseconds (timestamp 64)", call("d", new Date(1700000000123))],
  ["the last second of timestamp 32 (2106-02-07)", call("d", new Date((2 ** 32 - 1) * 1000))],
  ["the first second beyond 2106 (timestamp 64)", call("d", new Date(2 ** 32 * 1000))],
  ["the last millisecond of timestamp 64 (2514)", call("d", new Date(2 ** 34 * 1000 - 1))],
  ["the first second beyond 2514 (timestamp 96)", call("d", new Date(2 ** 34 * 1000))],
  ["the largest and smallest Dates", call("d", new Date(8.64e15), new Date(-8.64e15))],
  ["an Invalid Date (timestamp 96 of zeros)", call("d", new Date(NaN))],
];

// ── Binary ───────────────────────────────────────────────────────────────────
const backing = pattern(64);
const binary: [string, HubMessage][] = [
  ...[0, 1, 255, 256, 65535, 65536].map((n): [string, HubMessage] => [`a Uint8Array of ${n} bytes`, call("b", pattern(n))]),
  ["a Uint8Array view with a byteOffset", call("b", backing.subarray(5, 21))],
  ["an Int16Array and a DataView (their bytes)", call("b", new Int16Array([1, -2, 300]), new DataView(backing.buffer, 8, 4))],
  ["binary inside a map and an array", call("b", { data: pattern(3) }, [pattern(2)])],
];

// ── null and undefined ───────────────────────────────────────────────────────
const nils: [string, HubMessage][] = [
  ["null and undefined arguments", call("n", null, undefined)],
  ["null and undefined in a map", call("n", { a: null, b: undefined, c: 1 })],
  ["undefined nested in arrays", call("n", [[undefined, null], [undefined]])],
];

const corpus: [string, HubMessage][] = [...messageTypes, ...containers, ...unicode, ...stringLengths, ...integerCases, ...floats, ...dates, ...binary, ...nils];
const readByOfficial = corpus.filter(([, m]) => m.type !== StreamInvocation && m.type !== CancelInvocation);
const ignoredByOfficial = corpus.filter(([, m]) => m.type === StreamInvocation || m.type === CancelInvocation);

describe("MessagePack corpus against @microsoft/signalr-protocol-msgpack", () => {
  const ours = new MessagePackHubProtocol();
  const official = new OfficialProtocol();

  it("covers every message type and more than 60 messages", () => {
    expect(new Set(corpus.map(([, m]) => m.type))).toEqual(new Set([Invocation, StreamItem, Completion, StreamInvocation, CancelInvocation, Ping, Close, Ack, Sequence]));
    expect(corpus.length).toBeGreaterThan(60);
  });

  it.each(corpus)("writes %s exactly as the official protocol does", (_name, message) => {
    expect(byteDifference(ours.writeMessage(message), official.writeMessage(message as never))).toBe("identical");
  });

  it.each(corpus)("reads the official bytes of %s back to the same values", (_name, message) => {
    expect(ours.parseMessages(official.writeMessage(message as never), quiet)).toStrictEqual([parsedByHubwire(message)]);
  });

  it.each(readByOfficial)("lets the official parser read hubwire's bytes of %s back to the same values", (_name, message) => {
    expect(official.parseMessages(ours.writeMessage(message), quiet)).toEqual([parsedByOfficial(message)]);
  });

  it.each(ignoredByOfficial)("sees the official parser ignore hubwire's %s (its client never receives that type)", (_name, message) => {
    const logged: string[] = [];
    expect(official.parseMessages(ours.writeMessage(message), { log: (_level: unknown, text: string) => logged.push(text) })).toEqual([]);
    expect(logged).toEqual([`Unknown message type '${message.type}' ignored.`]);
  });

  it("matches the byte examples of PROTOCOL.md", () => {
    expect(hex(ours.writeMessage({ type: Ping }))).toBe("029106");
    expect(hex(ours.writeMessage(call("method", 42)))).toBe("0d950180c0a66d6574686f64912a");
    expect(hex(ours.writeMessage({ type: Close }))).toBe("039207c0");
  });

  it("writes -0 as the positive fixint 0 and reads it back as +0", () => {
    const bytes = ours.writeMessage(call("f", -0));
    expect(hex(bytes).endsWith("9100")).toBe(true);
    expect(Object.is(argumentsOf(ours.parseMessages(bytes))[0], 0)).toBe(true);
  });

  it("reads several official messages from one payload in order", () => {
    const messages = corpus.slice(0, 20).map(([, m]) => m);
    const payload = Buffer.concat(messages.map((m) => new Uint8Array(official.writeMessage(m as never) as ArrayBuffer)));
    const input = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength);
    expect(ours.parseMessages(input)).toStrictEqual(messages.map(parsedByHubwire));
  });
});

// Messages a server sends, which a client's writeMessage cannot produce: written here with the
// oracle's own MessagePack encoder, then read by both parsers.
describe("server-sent MessagePack messages read like the official parser reads them", () => {
  const ours = new MessagePackHubProtocol();
  const official = new OfficialProtocol();
  const serverSent = (...fields: unknown[]) => frame(officialEncode(fields));

  const cases: [string, unknown[], HubMessage, Record<string, unknown>][] = [
    ["a Close with an error and allowReconnect", [7, "Server shutting down", true], { type: Close, error: "Server shutting down", allowReconnect: true }, { type: Close, error: "Server shutting down", allowReconnect: true }],
    ["a Close with allowReconnect false and no error", [7, null, false], { type: Close, allowReconnect: false }, { type: Close, error: null, allowReconnect: false }],
    ["a Close of two fields (no allowReconnect)", [7, "err"], { type: Close, error: "err" }, { type: Close, error: "err" }],
    ["an Invocation with fields added by a future protocol", [1, {}, null, "Notify", ["x"], [], "future", 1], { type: Invocation, headers: {}, target: "Notify", arguments: ["x"], streamIds: [] }, { type: Invocation, headers: {}, target: "Notify", arguments: ["x"], streamIds: [] }],
    ["a Completion with a trailing extra field", [3, {}, "1", 3, 42, "extra"], { type: Completion, headers: {}, invocationId: "1", result: 42 }, { type: Completion, headers: {}, invocationId: "1", result: 42 }],
    ["a Ping with extra fields", [6, "future"], { type: Ping }, { type: Ping }],
    ["an Ack", [8, 1234], { type: Ack, sequenceId: 1234 }, { type: Ack, sequenceId: 1234 }],
    ["a Sequence", [9, 2 ** 40], { type: Sequence, sequenceId: 2 ** 40 }, { type: Sequence, sequenceId: 2 ** 40 }],
    ["a StreamItem holding a Date and binary", [2, { h: "1" }, "7", [new Date(1234), Uint8Array.of(1, 2)]], { type: StreamItem, headers: { h: "1" }, invocationId: "7", item: [new Date(1234), Uint8Array.of(1, 2)] }, { type: StreamItem, headers: { h: "1" }, invocationId: "7", item: [new Date(1234), Uint8Array.of(1, 2)] }],
  ];

  it.each(cases)("reads %s", (_name, fields, expectedOurs, expectedOfficial) => {
    expect(ours.parseMessages(serverSent(...fields))).toStrictEqual([expectedOurs]);
    expect(official.parseMessages(serverSent(...fields), quiet)).toEqual([expectedOfficial]);
  });

  it("skips a message of an unknown type, as the official parser does, and reads the next one", () => {
    const payload = Buffer.concat([new Uint8Array(serverSent(99, {}, "new")), new Uint8Array(serverSent(6))]);
    const input = payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength);
    expect(ours.parseMessages(input)).toStrictEqual([{ type: Ping }]);
    expect(official.parseMessages(input, quiet)).toEqual([{ type: Ping }]);
  });
});

// Where hubwire deliberately writes or reads something else than the official package.
describe("documented differences from the official MessagePack protocol", () => {
  const ours = new MessagePackHubProtocol();
  const official = new OfficialProtocol();
  /** The hex of the argument list of a short `call("a", …)`: after its 1-byte length prefix and [1, {}, nil, "a", …. */
  const argumentBytes = (bytes: ArrayBuffer) => {
    const body = hex(bytes).slice(2);
    expect(body.startsWith("950180c0a161")).toBe(true);
    return body.slice("950180c0a161".length);
  };

  it("writes an ArrayBuffer argument as bin, where the official encoder writes an empty map", () => {
    const data = Uint8Array.of(0xde, 0xad, 0xbe, 0xef).buffer;
    // The payload is [1, {}, nil, "a", [<arg>]]; only the argument's bytes differ.
    expect(hex(ours.writeMessage(call("a", data)))).toBe("0d950180c0a161" + "91" + "c404deadbeef");
    expect(hex(official.writeMessage(call("a", data) as never) as ArrayBuffer)).toBe("08950180c0a161" + "91" + "80");
  });

  it("reads an ArrayBuffer argument back as a Uint8Array of the same bytes", () => {
    const data = pattern(300).buffer;
    const args = argumentsOf(ours.parseMessages(ours.writeMessage(call("a", data))));
    expect(args).toStrictEqual([wire(data)]);
    expect(args[0]).toStrictEqual(pattern(300));
  });

  it.each([
    [BigInt(5), "cf0000000000000005"],
    [BigInt(2) ** BigInt(60), "cf1000000000000000"],
    [BigInt(2) ** BigInt(64) - BigInt(1), "cfffffffffffffffff"],
    [BigInt(-1), "d3ffffffffffffffff"],
    [-(BigInt(2) ** BigInt(63)), "d38000000000000000"],
    [BigInt(2) ** BigInt(53) + BigInt(1), "cf0020000000000001"],
  ])("writes the bigint %s as a 64-bit integer (%s), where the official encoder throws", (value, expected) => {
    const bytes = ours.writeMessage(call("a", value));
    expect(hex(bytes).endsWith("91" + expected)).toBe(true);
    expect(argumentsOf(ours.parseMessages(bytes))).toStrictEqual([wire(value)]);
    expect(() => official.writeMessage(call("a", value) as never)).toThrow(/Unrecognized object/);
  });

  it.each([BigInt(2) ** BigInt(64), -(BigInt(2) ** BigInt(63)) - BigInt(1)])("refuses the bigint %s, which needs more than 64 bits, with a ProtocolError", (value) => {
    expect(() => ours.writeMessage(call("a", value))).toThrow(ProtocolError);
    expect(() => ours.writeMessage(call("a", value))).toThrow(/64 bits/);
  });

  it("reads a uint64 beyond 2^53 as an exact bigint, where the official parser rounds it to a number", () => {
    const bytes = frame(fromHex("95 01 80 c0 a1 61 91 cf 00 20 00 00 00 00 00 01"));
    expect(argumentsOf(ours.parseMessages(bytes))).toStrictEqual([BigInt(2) ** BigInt(53) + BigInt(1)]);
    expect(argumentsOf(official.parseMessages(bytes, quiet))).toEqual([2 ** 53]);
  });

  it("writes a lone surrogate as U+FFFD (EF BF BD), where the official encoder writes its 3-byte CESU form for short strings", () => {
    expect(argumentBytes(ours.writeMessage(call("a", "\ud800")))).toBe("91a3efbfbd");
    expect(argumentBytes(official.writeMessage(call("a", "\ud800") as never) as ArrayBuffer)).toBe("91a3eda080");
    // Both send valid UTF-8 text the same way; only unpaired surrogates differ.
    expect(argumentBytes(ours.writeMessage(call("a", "\ud83d\ude00")))).toBe(argumentBytes(official.writeMessage(call("a", "\ud83d\ude00") as never) as ArrayBuffer));
  });

  it.each([
    // 2038-01-19T03:14:07.999999999Z as timestamp 64: the official parser computes sec * 1e3 + nsec / 1e6 and rounds up a second.
    ["timestamp 64 of 2147483647 s + 999999999 ns", "d7ffee6b27fc7fffffff", 2147483647999, 2147483648000],
    // 1969-12-31T23:59:59.999999999Z as timestamp 96: -999.999999 ms, which a Date truncates towards zero.
    ["timestamp 96 of -1 s + 999999999 ns", "c70cff3b9ac9ffffffffffffffffff", -1, 0],
    // 100 ns (one .NET tick) before 1900-01-01, as a .NET server writes a DateTime.
    ["timestamp 96 of -2208988801 s + 999999900 ns", "c70cff3b9ac99cffffffff7c55817f", -2208988800001, -2208988800000],
  ])("reads a %s as the millisecond it falls in (%s), where the official parser gives the next one", (_name, ext, ours_, official_) => {
    const bytes = frame(fromHex("95 01 80 c0 a1 61 91" + ext));
    expect((argumentsOf(ours.parseMessages(bytes))[0] as Date).getTime()).toBe(ours_);
    expect((argumentsOf(official.parseMessages(bytes, quiet))[0] as Date).getTime()).toBe(official_);
  });

  it("writes an extension it read without a codec ({ type, data }) as a map, where the official encoder writes its ExtData back as the extension", () => {
    const bytes = frame(fromHex("95 01 80 c0 a1 61 91 d4 05 2a"));
    const [ext] = argumentsOf(ours.parseMessages(bytes));
    expect(ext).toStrictEqual({ type: 5, data: Uint8Array.of(0x2a) });
    // A plain object cannot be told from application data of the same shape: pass an extensionCodec to write extensions.
    expect(argumentBytes(ours.writeMessage(call("a", ext)))).toBe("9182a474797065" + "05" + "a464617461" + "c4012a");
    const [officialExt] = argumentsOf(official.parseMessages(bytes, quiet));
    expect(argumentBytes(official.writeMessage(call("a", officialExt) as never) as ArrayBuffer)).toBe("91d4052a");
  });

  it("keeps the streamIds of an Invocation it reads, where the official parser always reports []", () => {
    const message: HubMessage = { type: Invocation, invocationId: "1", target: "t", arguments: [], streamIds: ["a", "b"] };
    expect(ours.parseMessages(ours.writeMessage(message))).toStrictEqual([{ ...message, headers: {} }]);
    expect(official.parseMessages(ours.writeMessage(message), quiet)).toEqual([{ ...message, headers: {}, streamIds: [] }]);
  });
});
