// Decoding limits, encoder options compared with the official package, extension codecs, bigints,
// and the errors of malformed input: framing, MessagePack and hub message layout.
import { MessagePackHubProtocol as OfficialProtocol } from "@microsoft/signalr-protocol-msgpack";
import { ExtensionCodec } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/errors.js";
import { MessagePackHubProtocol, type MessagePackOptions } from "../../../src/msgpack/index.js";
import { MessageType, type HubMessage } from "../../../src/protocol/messages.js";
import { argumentsOf, buffer, byteDifference, concat, frame, fromHex, hex, parsedByHubwire, quiet } from "./helpers.js";

const { Invocation, Completion, Ping } = MessageType;
const call = (...args: unknown[]): HubMessage => ({ type: Invocation, target: "t", arguments: args });

/** The bytes of a call of "t" whose argument list is `argsHex`: [1, {}, nil, "t", <argsHex>]. */
const callWith = (argsHex: string) => frame(fromHex("95 01 80 c0 a1 74" + argsHex));

/** The ProtocolError that parsing `input` raises (failing the test when none, or another error, is raised). */
function protocolErrorOf(protocol: MessagePackHubProtocol, input: ArrayBuffer | string): ProtocolError {
  try {
    protocol.parseMessages(input as ArrayBuffer);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe("protocol_error");
    return error as ProtocolError;
  }
  return expect.fail("parseMessages did not throw");
}

/** Nested one-element arrays: `levels` arrays around the number 1. */
const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

/** Whether `write` succeeds or throws. */
const outcome = (write: () => unknown): "written" | "refused" => {
  try {
    write();
    return "written";
  } catch {
    return "refused";
  }
};

describe("MessagePack decoding limits", () => {
  const limits: [keyof MessagePackOptions, string, number, string, string][] = [
    // option, what the error names, limit, arguments at the limit, arguments over it
    ["maxStrLength", "string length", 4, "91 a4 61626364", "91 a5 6162636465"],
    ["maxBinLength", "binary length", 4, "91 c4 04 01020304", "91 c4 05 0102030405"],
    ["maxArrayLength", "array length", 5, "95 01 02 03 04 05", "96 01 02 03 04 05 06"],
    ["maxMapLength", "map size", 2, "91 82 a1 61 01 a1 62 02", "91 83 a1 61 01 a1 62 02 a1 63 03"],
    ["maxExtLength", "extension length", 4, "91 d6 05 01020304", "91 c7 05 05 0102030405"],
  ];

  it.each(limits)("accepts data at %s and refuses data over it with a ProtocolError naming the %s and the limit", (option, what, limit, atLimit, overLimit) => {
    const protocol = new MessagePackHubProtocol({ [option]: limit });
    expect(protocol.parseMessages(callWith(atLimit))).toHaveLength(1);
    const error = protocolErrorOf(protocol, callWith(overLimit));
    expect(error.message).toContain(what);
    expect(error.message).toMatch(new RegExp(`\\b${limit + 1}\\b.*limit ${limit}`));
  });

  it("applies maxStrLength to map keys and to the target too", () => {
    const protocol = new MessagePackHubProtocol({ maxStrLength: 4 });
    expect(protocolErrorOf(protocol, callWith("91 81 a5 6162636465 01")).message).toContain("string length 5");
    expect(protocolErrorOf(protocol, protocol.writeMessage({ type: Invocation, target: "Longer", arguments: [] })).message).toContain("string length 6");
  });

  it("applies maxBinLength, maxArrayLength and maxMapLength at every size of header (8, 16 and 32 bits)", () => {
    const protocol = new MessagePackHubProtocol({ maxBinLength: 2, maxArrayLength: 5, maxMapLength: 1 });
    for (const over of ["91 c5 0003 010203", "91 c6 00000003 010203", "91 dc 0006 010203040506", "91 dd 00000006 010203040506", "91 de 0002 a161 01 a162 02", "91 df 00000002 a161 01 a162 02"]) {
      expect(protocolErrorOf(protocol, callWith(over)).message).toMatch(/over the limit/);
    }
  });

  it("refuses a timestamp over maxExtLength before reading it as a Date", () => {
    const protocol = new MessagePackHubProtocol({ maxExtLength: 4 });
    // Timestamp 32 (4 bytes) is at the limit; timestamp 64 (8 bytes) is over it.
    expect(argumentsOf(protocol.parseMessages(protocol.writeMessage(call(new Date(1000)))))).toStrictEqual([new Date(1000)]);
    expect(protocolErrorOf(protocol, protocol.writeMessage(call(new Date(1001)))).message).toContain("extension length 8");
  });

  it.each([
    ["maxStrLength", "91 db ffffffff"],
    ["maxBinLength", "91 c6 ffffffff"],
    ["maxArrayLength", "91 dd ffffffff"],
    ["maxMapLength", "91 df ffffffff"],
    ["maxExtLength", "91 c9 ffffffff 05"],
  ])("defaults %s to 4294967295, the official default: only a lower limit refuses the largest 32-bit length", (option, header) => {
    // With the default the length is allowed, and the data is then found missing.
    expect(protocolErrorOf(new MessagePackHubProtocol(), callWith(header)).message).toMatch(/ends early/);
    expect(protocolErrorOf(new MessagePackHubProtocol({ [option]: 4294967294 }), callWith(header)).message).toMatch(/4294967295 over the limit 4294967294/);
  });

  it("refuses a length that cannot fit in the bytes left at once, without allocating for it", () => {
    const protocol = new MessagePackHubProtocol();
    // An array32 that claims 2^32 - 1 elements in a 20-byte payload.
    expect(protocolErrorOf(protocol, callWith("91 dd ffffffff 01 02")).message).toMatch(/array length of 4294967295/);
  });

  it("treats a limit of 0 as no limit (the official decoder would refuse every non-empty string)", () => {
    const protocol = new MessagePackHubProtocol({ maxStrLength: 0 });
    expect(argumentsOf(protocol.parseMessages(protocol.writeMessage(call("text"))))).toEqual(["text"]);
    expect(() => new OfficialProtocol({ maxStrLength: 0 }).parseMessages(protocol.writeMessage(call("text")), quiet)).toThrow(/maxStrLength/);
  });
});

describe("MessagePack maxDepth", () => {
  // The hub message itself is two levels: [type, headers, id, target, [args]]; an argument starts at depth 3.
  it.each([undefined, 10, 20])("encodes exactly the nesting the official encoder accepts with maxDepth %s", (maxDepth) => {
    const options = maxDepth === undefined ? {} : { maxDepth };
    const ours = new MessagePackHubProtocol(options);
    const official = new OfficialProtocol(options);
    const limit = maxDepth ?? 100;
    for (let levels = limit - 5; levels <= limit + 2; levels++) {
      const m = call(nested(levels));
      expect(`${levels}: ${outcome(() => ours.writeMessage(m))}`).toBe(`${levels}: ${outcome(() => official.writeMessage(m as never))}`);
    }
  });

  it.each([undefined, 10])("reads everything it writes with maxDepth %s, and refuses one level more with a ProtocolError naming maxDepth", (maxDepth) => {
    const options = maxDepth === undefined ? {} : { maxDepth };
    const protocol = new MessagePackHubProtocol(options);
    const limit = maxDepth ?? 100;
    // The deepest argument that can be written: the array levels plus the leaf, after the message's two levels.
    const deepest = limit - 3;
    const bytes = protocol.writeMessage(call(nested(deepest)));
    expect(argumentsOf(protocol.parseMessages(bytes))).toStrictEqual([nested(deepest)]);
    expect(() => protocol.writeMessage(call(nested(deepest + 1)))).toThrow(ProtocolError);
    expect(() => protocol.writeMessage(call(nested(deepest + 1)))).toThrow(new RegExp(`maxDepth ${limit}`));
    // The same nesting written by a protocol without that limit is refused when read.
    const deeper = new MessagePackHubProtocol({ maxDepth: limit + 10 }).writeMessage(call(nested(deepest + 1)));
    expect(protocolErrorOf(protocol, deeper).message).toContain(`maxDepth ${limit}`);
  });

  it("refuses 10000 nested arrays with a ProtocolError rather than overflowing the stack", () => {
    const protocol = new MessagePackHubProtocol();
    const depth = 10000;
    const payload = new Uint8Array(6 + depth + 1);
    payload.set(fromHex("95 01 80 c0 a1 74"));
    payload.fill(0x91, 6, 6 + depth);
    payload[6 + depth] = 0x01;
    expect(protocolErrorOf(protocol, frame(payload)).message).toContain("maxDepth 100");
  });
});

describe("MessagePack encoder options, byte for byte with the official package", () => {
  const messages: HubMessage[] = [
    call(0.5, -1.5, 1.1, 1e300, NaN, -Infinity, 3.4028234663852886e38, 1e-46),
    call(0, 1, -1, 127, 128, -33, 65536, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1)),
    call({ b: 1, a: undefined, c: { z: [undefined, 1], y: undefined, x: 2.5 } }, [undefined]),
    { type: Invocation, invocationId: "7", target: "t", arguments: [{ zeta: 1, alpha: 2, Beta: 3, "10": 4, "9": 5, é: 6 }], headers: { z: "1", a: "2" } },
    { type: Completion, invocationId: "1", result: { n: 42, f: 0.25, u: undefined } },
    { type: MessageType.Ack, sequenceId: 3 },
    { type: Ping },
  ];
  const optionSets: MessagePackOptions[] = [
    {},
    { forceFloat32: true },
    { forceIntegerToFloat: true },
    { forceFloat32: true, forceIntegerToFloat: true },
    { ignoreUndefined: true },
    { sortKeys: true },
    { sortKeys: true, ignoreUndefined: true, forceFloat32: true, forceIntegerToFloat: true },
    { initialBufferSize: 1 },
    { initialBufferSize: 16 },
  ];
  const rows = optionSets.flatMap((options) => messages.map((message, i) => ({ options: JSON.stringify(options), settings: options, i, message })));

  it.each(rows)("writes message $i with $options as the official protocol does", ({ settings, message }) => {
    const ours = new MessagePackHubProtocol(settings);
    const official = new OfficialProtocol(settings);
    expect(byteDifference(ours.writeMessage(message), official.writeMessage(message as never))).toBe("identical");
  });

  it("writes non-integers as float32 with forceFloat32, and leaves integers alone", () => {
    const protocol = new MessagePackHubProtocol({ forceFloat32: true });
    expect(hex(protocol.writeMessage(call(0.5, 1)))).toBe(hex(callWith("92 ca3f000000 01")));
    const [half, one, pointOne] = argumentsOf(protocol.parseMessages(protocol.writeMessage(call(0.5, 1, 0.1))));
    expect([half, one, pointOne]).toEqual([0.5, 1, Math.fround(0.1)]);
  });

  it("writes integers as float64 with forceIntegerToFloat (the message type too), and reads those bytes back", () => {
    const protocol = new MessagePackHubProtocol({ forceIntegerToFloat: true });
    const bytes = protocol.writeMessage({ type: Completion, invocationId: "1", result: 5 });
    // [3.0, {}, "1", 3.0, 5.0]
    expect(hex(bytes)).toBe(hex(frame(fromHex("95 cb4008000000000000 80 a131 cb4008000000000000 cb4014000000000000"))));
    expect(protocol.parseMessages(bytes)).toStrictEqual([{ type: Completion, headers: {}, invocationId: "1", result: 5 }]);
    expect(new OfficialProtocol().parseMessages(bytes, quiet)).toEqual([{ type: Completion, headers: {}, invocationId: "1", result: 5 }]);
  });

  it("writes Ping as the fixed bytes 02 91 06 whatever the options, as the official client does", () => {
    for (const options of optionSets) expect(hex(new MessagePackHubProtocol(options).writeMessage({ type: Ping }))).toBe("029106");
  });

  it("leaves out map entries whose value is undefined with ignoreUndefined, but keeps undefined array items as nil", () => {
    const protocol = new MessagePackHubProtocol({ ignoreUndefined: true });
    expect(hex(protocol.writeMessage(call({ a: undefined, b: 1 }, [undefined])))).toBe(hex(callWith("92 81 a162 01 91 c0")));
    expect(hex(new MessagePackHubProtocol().writeMessage(call({ a: undefined, b: 1 })))).toBe(hex(callWith("91 82 a161 c0 a162 01")));
  });

  it("writes map keys in sorted order with sortKeys, headers included", () => {
    const protocol = new MessagePackHubProtocol({ sortKeys: true });
    const bytes = protocol.writeMessage({ type: Invocation, target: "t", arguments: [{ b: 1, a: 2 }], headers: { y: "1", x: "2" } });
    expect(hex(bytes)).toBe(hex(frame(fromHex("95 01 82 a178 a132 a179 a131 c0 a174 91 82 a161 02 a162 01"))));
  });

  it("writes payloads around the initial buffer size (2048) the same whatever initialBufferSize is", () => {
    const official = new OfficialProtocol();
    for (const size of [1, 100, 2048, 4096]) {
      const protocol = new MessagePackHubProtocol({ initialBufferSize: size });
      for (let n = 2030; n <= 2060; n++) {
        const m = call("x".repeat(n));
        expect(byteDifference(protocol.writeMessage(m), official.writeMessage(m as never))).toBe("identical");
      }
    }
  });

  it("keeps writing correctly after a message much larger than the buffer it started with", () => {
    const protocol = new MessagePackHubProtocol({ initialBufferSize: 8 });
    const official = new OfficialProtocol();
    for (const m of [call("y".repeat(100000)), call(1), call({ a: [1, 2, 3] }), call("z".repeat(70000))]) {
      expect(byteDifference(protocol.writeMessage(m), official.writeMessage(m as never))).toBe("identical");
    }
  });
});

describe("MessagePack extension codec", () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const POINT = 7;
  it("encodes a custom type with a real @msgpack/msgpack ExtensionCodec as the official protocol does, and decodes it back", () => {
    const codec = new ExtensionCodec<{ scale: number }>();
    codec.register({
      type: POINT,
      encode: (input, context) => (input instanceof Point ? Uint8Array.of(input.x * context.scale, input.y * context.scale) : null),
      decode: (data, _type, context) => new Point(data[0]! / context.scale, data[1]! / context.scale),
    });
    const options = { extensionCodec: codec, context: { scale: 2 } };
    const ours = new MessagePackHubProtocol(options);
    const official = new OfficialProtocol(options);
    const m = call(new Point(3, 4), [new Point(5, 6)], new Date(1500));
    const bytes = ours.writeMessage(m);
    expect(byteDifference(bytes, official.writeMessage(m as never))).toBe("identical");
    // fixext 2 of type 7 holding the scaled coordinates.
    expect(hex(bytes)).toContain("d5070608");
    const [point, [inner], date] = argumentsOf(ours.parseMessages(bytes)) as [Point, Point[], Date];
    expect(point).toBeInstanceOf(Point);
    expect(point).toEqual(new Point(3, 4));
    expect(inner).toEqual(new Point(5, 6));
    // Dates still travel as timestamps next to a custom codec.
    expect(date).toStrictEqual(new Date(1500));
    expect(argumentsOf(official.parseMessages(bytes, quiet))).toEqual([new Point(3, 4), [new Point(5, 6)], new Date(1500)]);
  });

  it("hands extension types the codec does not know to it, which returns them as ExtData", () => {
    const protocol = new MessagePackHubProtocol({ extensionCodec: new ExtensionCodec() });
    const [ext] = argumentsOf(protocol.parseMessages(callWith("91 d4 05 2a")));
    expect(ext).toEqual({ type: 5, data: Uint8Array.of(0x2a) });
  });

  it("returns an unknown extension as { type, data } without a codec", () => {
    const protocol = new MessagePackHubProtocol();
    expect(argumentsOf(protocol.parseMessages(callWith("92 c7 03 80 010203 d8 7f 00112233445566778899aabbccddeeff")))).toStrictEqual([
      { type: -128, data: fromHex("010203") },
      { type: 127, data: fromHex("00112233445566778899aabbccddeeff") },
    ]);
  });

  it("accepts an object in the shape of ExtensionCodec (tryToEncode and decode) as a codec", () => {
    const seen: unknown[] = [];
    const protocol = new MessagePackHubProtocol({
      context: "ctx",
      extensionCodec: {
        tryToEncode: (value, context) => (value instanceof Set ? (seen.push(context), { type: 1, data: Uint8Array.of(value.size) }) : null),
        decode: (data, type, context) => (seen.push(context), new Set(Array.from({ length: data[0]! }, (_, i) => `${type}:${i}`))),
      },
    });
    const bytes = protocol.writeMessage(call(new Set(["a", "b"])));
    expect(hex(bytes).endsWith("91d40102")).toBe(true);
    expect(argumentsOf(protocol.parseMessages(bytes))).toEqual([new Set(["1:0", "1:1"])]);
    expect(seen).toEqual(["ctx", "ctx"]);
  });
});

describe("MessagePack integers beyond 2^53", () => {
  it.each([
    ["cf 0020000000000000", BigInt(2) ** BigInt(53)],
    ["cf 0020000000000001", BigInt(2) ** BigInt(53) + BigInt(1)],
    ["cf ffffffffffffffff", BigInt("18446744073709551615")],
    ["d3 ffe0000000000000", -(BigInt(2) ** BigInt(53))],
    ["d3 ffdfffffffffffff", -(BigInt(2) ** BigInt(53)) - BigInt(1)],
    ["d3 8000000000000000", BigInt("-9223372036854775808")],
  ])("reads %s as the exact bigint %s, never a rounded number", (bytes, expected) => {
    expect(argumentsOf(new MessagePackHubProtocol().parseMessages(callWith("91" + bytes)))).toStrictEqual([expected]);
  });

  it.each([
    ["cf 001fffffffffffff", 2 ** 53 - 1],
    ["d3 ffe0000000000001", -(2 ** 53 - 1)],
    ["cf 0000000100000000", 2 ** 32],
    ["d3 ffffffffffffffff", -1],
  ])("reads %s, which a number holds exactly, as the number %s", (bytes, expected) => {
    expect(argumentsOf(new MessagePackHubProtocol().parseMessages(callWith("91" + bytes)))).toStrictEqual([expected]);
  });
});

describe("MessagePack malformed input", () => {
  const protocol = new MessagePackHubProtocol();

  it("refuses a __proto__ map key in an argument or in the headers with a ProtocolError, touching no prototype", () => {
    const protoKey = "a9" + Buffer.from("__proto__").toString("hex");
    expect(protocolErrorOf(protocol, callWith(`91 81 ${protoKey} 81 a8 ${Buffer.from("polluted").toString("hex")} c3`)).message).toContain("'__proto__'");
    expect(protocolErrorOf(protocol, frame(fromHex(`95 01 81 ${protoKey} 81 a1 78 c3 c0 a1 74 90`))).message).toContain("'__proto__'");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it.each([
    ["a string", "\u0002\u0091\u0006"],
    ["null", null],
    ["a number", 42],
    ["a plain object", { byteLength: 3 }],
  ])("refuses %s as input with a ProtocolError saying it expects binary data", (_name, input) => {
    expect(protocolErrorOf(protocol, input as never).message).toMatch(/binary/);
  });

  it("reads a Uint8Array view of a larger buffer (only the view's bytes)", () => {
    const bytes = new Uint8Array(concat(buffer([0xff, 0xff]), protocol.writeMessage({ type: Ping }), buffer([0xff])));
    expect(protocol.parseMessages(bytes.subarray(2, 5) as never)).toStrictEqual([{ type: Ping }]);
  });

  it("reads an empty payload as no messages", () => {
    expect(protocol.parseMessages(new ArrayBuffer(0))).toEqual([]);
    expect(protocol.completeLength(new ArrayBuffer(0))).toBe(0);
  });

  describe("length prefixes", () => {
    it("refuses a cut-off VarInt prefix with a ProtocolError, and completeLength waits for the rest", () => {
      for (const prefix of [[0x80], [0xff, 0xff], [0x80, 0x80, 0x80, 0x80]]) {
        expect(protocolErrorOf(protocol, buffer(prefix)).message).toMatch(/length prefix cut off/);
        expect(protocol.completeLength(buffer(prefix))).toBe(0);
      }
      // After whole messages, the cut-off prefix is what is left for later.
      const ping = protocol.writeMessage({ type: Ping });
      expect(protocol.completeLength(concat(ping, buffer([0x80])))).toBe(ping.byteLength);
    });

    it("refuses a prefix longer than 5 bytes with a ProtocolError, in parseMessages and in completeLength (no waiting for 2 GB)", () => {
      const sixBytes = buffer([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
      expect(protocolErrorOf(protocol, sixBytes).message).toMatch(/length prefix over 5 bytes/);
      expect(() => protocol.completeLength(sixBytes)).toThrow(ProtocolError);
      // A 5-byte prefix whose last byte has the continuation bit.
      expect(() => protocol.completeLength(buffer([0x80, 0x80, 0x80, 0x80, 0x80]))).toThrow(ProtocolError);
    });

    it("refuses a 5-byte prefix over 2 GB (last byte above 7), and accepts 2^31 - 1 as a size to wait for", () => {
      expect(protocolErrorOf(protocol, buffer([0xff, 0xff, 0xff, 0xff, 0x08])).message).toMatch(/2 GB/);
      const largest = buffer([0xff, 0xff, 0xff, 0xff, 0x07]);
      expect(protocol.completeLength(largest)).toBe(0);
      expect(protocolErrorOf(protocol, largest).message).toBe("Incomplete MessagePack message: 2147483647 bytes announced, 0 present.");
    });

    it("refuses a message shorter than its prefix announces with a ProtocolError giving both sizes", () => {
      expect(protocolErrorOf(protocol, buffer([0x05, 0x91, 0x06])).message).toBe("Incomplete MessagePack message: 5 bytes announced, 2 present.");
      // One whole message, then a short one: nothing is returned.
      expect(protocolErrorOf(protocol, concat(protocol.writeMessage({ type: Ping }), buffer([0x03, 0x91]))).message).toMatch(/Incomplete/);
    });

    it("reads a prefix of several bytes (a 200-byte message)", () => {
      const m = call("x".repeat(190));
      const bytes = protocol.writeMessage(m);
      expect(Array.from(new Uint8Array(bytes, 0, 2))).toEqual([0x80 | ((bytes.byteLength - 2) & 0x7f), (bytes.byteLength - 2) >> 7]);
      expect(protocol.parseMessages(bytes)).toStrictEqual([parsedByHubwire(m)]);
    });
  });

  describe("MessagePack values", () => {
    it.each([
      ["an empty message", "", /ends early/],
      ["bytes after the message's value", "91 06 00", /Extra bytes after a MessagePack value: 1 of 3/],
      ["the never-used type byte 0xc1", "c1", /0xc1/],
      ["a string cut short", "95 01 80 c0 a5 7475", /ends early/],
      ["a float64 cut short", "95 01 80 c0 a1 74 91 cb 3ff0", /ends early/],
      ["a nil map key", "95 01 81 c0 c3 c0 a1 74 90", /Map key not a string or number: nil/],
      ["a binary map key", "95 01 81 c4 01 00 c3 c0 a1 74 90", /Map key not a string or number: object/],
      ["a timestamp of 5 bytes", "95 01 80 c0 a1 74 91 c7 05 ff 0000000000", /Timestamp of 5 bytes, not 4, 8 or 12/],
    ])("refuses %s with a ProtocolError", (_name, body, message) => {
      expect(protocolErrorOf(protocol, frame(fromHex(body))).message).toMatch(message);
    });
  });

  describe("hub message layout", () => {
    it.each([
      ["a value that is not an array", "06", /must be an array: \[type, …\]/],
      ["an empty array", "90", /must be an array: \[type, …\]/],
      ["a message type that is a string", "91 a1 31", /must be an array: \[type, …\]/],
      ["an Invocation of four fields", "94 01 80 c0 a1 74", /Invalid Invocation message: expected at least 5 fields, got 4/],
      ["an Invocation whose target is a number", "95 01 80 c0 05 90", /Invalid Invocation message: 'target' must be a string/],
      ["an Invocation whose arguments are a map", "95 01 80 c0 a1 74 80", /Invalid Invocation message: 'arguments' must be an array/],
      ["an Invocation whose headers are an array", "95 01 90 c0 a1 74 90", /Invalid Invocation message: headers must be a map/],
      ["an Invocation whose streamIds are a string", "96 01 80 c0 a1 74 90 a1 31", /'streamIds' must be an array/],
      ["a StreamInvocation without an invocationId", "95 04 80 c0 a1 74 90", /Invalid StreamInvocation message: 'invocationId' must be a string/],
      ["a StreamItem of three fields", "93 02 80 a1 31", /Invalid StreamItem message: expected at least 4 fields, got 3/],
      ["a Completion with an unknown result kind", "95 03 80 a1 31 07 c0", /Invalid Completion message: unknown result kind 7/],
      ["an error Completion without its error", "94 03 80 a1 31 01", /Invalid Completion message: expected at least 5 fields, got 4/],
      ["an error Completion whose error is a number", "95 03 80 a1 31 01 05", /'error' must be a string/],
      ["a CancelInvocation without an invocationId", "92 05 80", /Invalid CancelInvocation message: expected at least 3 fields/],
      ["a Close whose allowReconnect is a string", "93 07 c0 a3 796573", /'allowReconnect' must be a boolean/],
      ["a Close whose error is a number", "92 07 05", /Invalid Close message: 'error' must be a string/],
      ["an Ack without a sequenceId", "91 08", /Invalid Ack message: expected at least 2 fields, got 1/],
      ["a Sequence whose sequenceId is a string", "92 09 a1 31", /Invalid Sequence message: 'sequenceId' must be an integer/],
    ])("refuses %s with a ProtocolError that says what is wrong", (_name, body, message) => {
      expect(protocolErrorOf(protocol, frame(fromHex(body))).message).toMatch(message);
    });

    it("still reads messages after refusing a malformed one", () => {
      protocolErrorOf(protocol, frame(fromHex("95 01 80 c0 05 90")));
      expect(protocol.parseMessages(protocol.writeMessage(call(1)))).toStrictEqual([parsedByHubwire(call(1))]);
    });
  });
});

describe("MessagePack values the encoder cannot write", () => {
  it.each([
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
  ])("refuses %s as an argument with a ProtocolError, as the official encoder refuses it", (_name, value) => {
    expect(() => new MessagePackHubProtocol().writeMessage(call(value))).toThrow(ProtocolError);
    expect(() => new OfficialProtocol().writeMessage(call(value) as never)).toThrow(/Unrecognized object/);
  });

  it("refuses a function nested in a map value with a ProtocolError", () => {
    expect(() => new MessagePackHubProtocol().writeMessage(call({ a: { f: () => 1 } }))).toThrow(ProtocolError);
  });

  it("still writes the next message after refusing one", () => {
    const protocol = new MessagePackHubProtocol();
    expect(() => protocol.writeMessage(call(() => 1))).toThrow(ProtocolError);
    expect(hex(protocol.writeMessage(call(null)))).toBe(hex(callWith("91 c0")));
  });
});
