// Property-based tests of the MessagePack hub protocol (fast-check): round trips of random valid
// messages, random and mutated bytes that may only raise ProtocolError, no prototype pollution,
// and payloads split at every offset that reassemble through completeLength.
import { MessagePackHubProtocol as OfficialProtocol } from "@microsoft/signalr-protocol-msgpack";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ProtocolError } from "../../../src/errors.js";
import { MessagePackHubProtocol } from "../../../src/msgpack/index.js";
import { MessageType, type HubMessage } from "../../../src/protocol/messages.js";
import { argumentsOf, buffer, byteDifference, concat, frame, parsedByHubwire } from "./helpers.js";

const { Invocation, StreamInvocation, StreamItem, Completion, CancelInvocation, Ping, Close, Ack, Sequence } = MessageType;

// ── Arbitraries ──────────────────────────────────────────────────────────────

/**
 * Map keys: any unicode text, plus names that matter to prototypes; never `__proto__` (refused by design).
 * Not "constructor" either: toStrictEqual compares `a.constructor === b.constructor`, which two decoded
 * copies of a map holding a "constructor" map fail; a test of its own below covers that key.
 */
const key = fc.oneof(fc.string({ unit: "binary", maxLength: 8 }), fc.constantFrom("prototype", "toString", "hasOwnProperty", "valueOf", "polluted")).filter((k) => k !== "__proto__");

/** Values MessagePack represents exactly: they come back equal (see `wire` for -0 and undefined). */
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.maxSafeInteger(),
  fc.integer({ min: -70000, max: 70000 }),
  fc.constantFrom(0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1),
  fc.double(),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.uint8Array({ maxLength: 40 }),
  fc.date({ noInvalidDate: true }),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5, noNullPrototype: true }),
  ),
}));

const id = fc.string({ maxLength: 8 });
const headers = fc.option(fc.dictionary(key, fc.string({ unit: "binary", maxLength: 8 }), { maxKeys: 3, noNullPrototype: true }), { nil: undefined });
const args = fc.array(value, { maxLength: 4 });
const streamIds = fc.option(fc.array(id, { maxLength: 3 }), { nil: undefined });
const sequenceId = fc.oneof(fc.nat(), fc.maxSafeNat());

/** Drops keys whose value is undefined: an optional field that is absent. */
function compact<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

/** Any valid hub message, of each of the nine types. */
const message: fc.Arbitrary<HubMessage> = fc.oneof(
  fc.record({ headers, invocationId: fc.option(id, { nil: undefined }), target: fc.string(), arguments: args, streamIds }).map((m) => compact({ type: Invocation, ...m }) as HubMessage),
  fc.record({ headers, invocationId: id, target: fc.string(), arguments: args, streamIds }).map((m) => compact({ type: StreamInvocation, ...m }) as HubMessage),
  fc.record({ headers, invocationId: id, item: value }).map((m) => compact({ type: StreamItem, ...m }) as HubMessage),
  fc
    .record({ headers, invocationId: id, outcome: fc.oneof(fc.constant({}), value.map((result) => ({ result })), fc.string().map((error) => ({ error }))) })
    .map(({ outcome, ...m }) => compact({ type: Completion, ...m, ...outcome }) as HubMessage),
  fc.record({ headers, invocationId: id }).map((m) => compact({ type: CancelInvocation, ...m }) as HubMessage),
  fc.constant({ type: Ping } as HubMessage),
  fc.record({ error: fc.option(fc.string(), { nil: undefined }), allowReconnect: fc.option(fc.boolean(), { nil: undefined }) }).map((m) => compact({ type: Close, ...m }) as HubMessage),
  sequenceId.map((n) => ({ type: Ack, sequenceId: n }) as HubMessage),
  sequenceId.map((n) => ({ type: Sequence, sequenceId: n }) as HubMessage),
);

const messages = fc.array(message, { minLength: 1, maxLength: 4 });

/** Damage to a valid payload: flip a bit, insert a byte, delete a byte, or truncate. */
type Mutation = { kind: "flip"; at: number; bit: number } | { kind: "insert"; at: number; byte: number } | { kind: "delete"; at: number } | { kind: "truncate"; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): ArrayBuffer {
  let out = Array.from(bytes);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === "flip" && out.length > 0) out[at] = out[at]! ^ (1 << m.bit);
    else if (m.kind === "insert") out.splice(at, 0, m.byte);
    else if (m.kind === "delete") out.splice(at, 1);
    else if (m.kind === "truncate") out = out.slice(0, at);
  }
  return buffer(out);
}

// ── Helpers ──────────────────────────────────────────────────────────────────

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** Nothing was added to Object.prototype or Array.prototype. */
function expectNoPollution(): void {
  expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>)["polluted"]).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
}

/** Parses, and accepts only messages or a ProtocolError: any other error fails the property. */
function parseOrProtocolError(protocol: MessagePackHubProtocol, input: ArrayBuffer): HubMessage[] | ProtocolError {
  try {
    return protocol.parseMessages(input);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    return expect.fail(`parseMessages raised ${String(error)} (not a ProtocolError)\n${(error as Error | undefined)?.stack ?? ""}`);
  }
}

/** The protocol still reads a known payload correctly. */
function expectStillWorks(protocol: MessagePackHubProtocol): void {
  const known: HubMessage = { type: Invocation, invocationId: "1", target: "Echo", arguments: ["still", 1, { works: true }] };
  expect(protocol.parseMessages(protocol.writeMessage(known))).toStrictEqual([parsedByHubwire(known)]);
}

/** An own `__proto__` key (what JSON.parse makes), which an object literal cannot hold. */
function withProtoKey(inner: unknown): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  Object.defineProperty(map, "__proto__", { value: inner, enumerable: true, configurable: true, writable: true });
  return map;
}

/** Puts `inserted` somewhere inside `into`: as it, in an array, or under a map key. */
const placed = (inserted: unknown) =>
  fc.tuple(value, fc.nat({ max: 3 })).map(([into, where]) => {
    if (where === 0) return inserted;
    if (where === 1) return [into, inserted];
    if (where === 2) return { a: into, b: [inserted] };
    return { nested: { deeper: inserted }, other: into };
  });

afterEach(() => {
  expectNoPollution();
});

// ── Properties ───────────────────────────────────────────────────────────────

// Thousands of generated cases each: allow for a machine busy with other suites.
describe("MessagePack hub protocol properties", { timeout: 30_000 }, () => {
  it("reads back every valid message it writes", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(message, (m) => {
        expect(protocol.parseMessages(protocol.writeMessage(m))).toStrictEqual([parsedByHubwire(m)]);
      }),
    );
  });

  it("writes random valid messages with exactly the official bytes", () => {
    const ours = new MessagePackHubProtocol();
    const official = new OfficialProtocol();
    fc.assert(
      fc.property(message, (m) => {
        expect(byteDifference(ours.writeMessage(m), official.writeMessage(m as never))).toBe("identical");
      }),
    );
  });

  it("reads several messages in one payload, in order", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(messages, (ms) => {
        expect(protocol.parseMessages(concat(...ms.map((m) => protocol.writeMessage(m))))).toStrictEqual(ms.map(parsedByHubwire));
      }),
    );
  });

  it("turns random bytes into messages or a ProtocolError, and keeps working afterwards", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseOrProtocolError(protocol, buffer(bytes));
        expectStillWorks(protocol);
      }),
    );
  });

  it("turns a well-framed random MessagePack body into messages or a ProtocolError", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        parseOrProtocolError(protocol, frame(body));
        expectStillWorks(protocol);
      }),
    );
  });

  it("turns arrays shaped like hub messages with random fields into messages or a ProtocolError", () => {
    const protocol = new MessagePackHubProtocol();
    const writer = new MessagePackHubProtocol();
    // An Invocation whose field list is replaced: a type from 0 to 11 followed by random values.
    const nearly = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 11 }), value), fc.array(value, { maxLength: 7 }));
    fc.assert(
      fc.property(nearly, ([type, fields]) => {
        // Written as the arguments of a call, then unwrapped: the bytes of [type, ...fields] behind a valid prefix.
        const wrapped = new Uint8Array(writer.writeMessage({ type: Invocation, target: "", arguments: [type, ...fields] }));
        const body = wrapped.subarray(wrapped.indexOf(0xa0) + 1);
        parseOrProtocolError(protocol, frame(body));
        expectStillWorks(protocol);
      }),
    );
  });

  it("turns mutated valid payloads (bit flips, insertions, deletions, truncations) into messages or a ProtocolError", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(messages, fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms, mutations) => {
        const payload = new Uint8Array(concat(...ms.map((m) => protocol.writeMessage(m))));
        parseOrProtocolError(protocol, mutate(payload, mutations));
        expectStillWorks(protocol);
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a __proto__ map key anywhere in a message with a ProtocolError and pollutes nothing", () => {
    const protocol = new MessagePackHubProtocol();
    const poisoned = placed(withProtoKey({ polluted: "yes" }));
    const carrier = fc.oneof(
      poisoned.map((v): HubMessage => ({ type: Invocation, target: "t", arguments: [v] })),
      poisoned.map((v): HubMessage => ({ type: StreamItem, invocationId: "1", item: v })),
      poisoned.map((v): HubMessage => ({ type: Completion, invocationId: "1", result: v })),
      fc.constant<HubMessage>({ type: Invocation, target: "t", arguments: [], headers: withProtoKey("yes") as Record<string, string> }),
    );
    fc.assert(
      fc.property(carrier, (m) => {
        const bytes = protocol.writeMessage(m);
        expect(() => protocol.parseMessages(bytes)).toThrow(ProtocolError);
        expect(() => protocol.parseMessages(bytes)).toThrow(/__proto__/);
        expectNoPollution();
        expectStillWorks(protocol);
      }),
    );
  });

  it("reads constructor and prototype keys as plain data, without touching any prototype", () => {
    const protocol = new MessagePackHubProtocol();
    const m: HubMessage = { type: Invocation, target: "t", arguments: [{ constructor: { prototype: { polluted: "yes" } }, prototype: { polluted: "yes" }, toString: "x" }] };
    const [arg] = argumentsOf(protocol.parseMessages(protocol.writeMessage(m))) as [Record<string, unknown>];
    expect(Object.getPrototypeOf(arg)).toBe(Object.prototype);
    expect(Object.keys(arg)).toEqual(["constructor", "prototype", "toString"]);
    // toEqual: toStrictEqual would compare the two different "constructor" maps as classes.
    expect(arg).toEqual({ constructor: { prototype: { polluted: "yes" } }, prototype: { polluted: "yes" }, toString: "x" });
    expectNoPollution();
  });

  it("reassembles a payload split at every offset: completeLength's whole messages, then the rest with what follows", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(messages, (ms) => {
        const frames = ms.map((m) => protocol.writeMessage(m));
        const whole = new Uint8Array(concat(...frames));
        const expected = protocol.parseMessages(whole.slice().buffer);
        expect(expected).toStrictEqual(ms.map(parsedByHubwire));
        // Where each message ends.
        const boundaries = [0];
        for (const f of frames) boundaries.push(boundaries[boundaries.length - 1]! + f.byteLength);
        for (let cut = 0; cut <= whole.byteLength; cut++) {
          const partA = whole.slice(0, cut).buffer;
          const complete = protocol.completeLength(partA);
          // The whole messages of part A: the last message boundary at or before the cut.
          expect(complete).toBe(Math.max(...boundaries.filter((b) => b <= cut)));
          const first = protocol.parseMessages(partA.slice(0, complete));
          const rest = whole.slice(complete).buffer;
          expect(protocol.completeLength(rest)).toBe(rest.byteLength);
          expect([...first, ...protocol.parseMessages(rest)]).toStrictEqual(expected);
        }
      }),
      // Each run parses its payload once per offset: fewer runs, and room for slow machines.
      { numRuns: 40 },
    );
  }, 30_000);

  it("reassembles a payload fed in random chunks, keeping the incomplete rest each time", () => {
    const protocol = new MessagePackHubProtocol();
    fc.assert(
      fc.property(messages, fc.array(fc.nat(), { maxLength: 6 }), (ms, cuts) => {
        const whole = new Uint8Array(concat(...ms.map((m) => protocol.writeMessage(m))));
        const points = [...new Set(cuts.map((c) => c % (whole.byteLength + 1)))].sort((a, b) => a - b);
        const chunks = [...points, whole.byteLength].map((end, i) => whole.slice(i === 0 ? 0 : points[i - 1], end));
        const received: HubMessage[] = [];
        let kept: Uint8Array = new Uint8Array(0);
        for (const chunk of chunks) {
          const data = new Uint8Array(concat(kept.slice().buffer, chunk.slice().buffer));
          const complete = protocol.completeLength(data.slice().buffer);
          received.push(...protocol.parseMessages(data.slice(0, complete).buffer));
          kept = data.slice(complete);
        }
        expect(kept.byteLength).toBe(0);
        expect(received).toStrictEqual(ms.map(parsedByHubwire));
      }),
    );
  });
});

// Found by the properties above; kept as plain examples.
describe("MessagePack hub protocol regressions found by fast-check", () => {
  it("refuses a Completion whose result kind is a map with a toString key with a ProtocolError, not a TypeError", () => {
    const protocol = new MessagePackHubProtocol();
    // [3, {}, "1", [{ toString: nil }]]: describing that result kind once called String() on it.
    const bytes = frame(Uint8Array.of(0x94, 0x03, 0x80, 0xa1, 0x31, 0x91, 0x81, 0xa8, ...Buffer.from("toString"), 0xc0));
    expect(() => protocol.parseMessages(bytes)).toThrow(ProtocolError);
    expect(() => protocol.parseMessages(bytes)).toThrow(/unknown result kind object/);
  });

  it("writes a StreamInvocation's empty invocationId as \"\" (as the official does) and reads it back", () => {
    const protocol = new MessagePackHubProtocol();
    const m: HubMessage = { type: StreamInvocation, invocationId: "", target: "s", arguments: [] };
    expect(Buffer.from(protocol.writeMessage(m)).toString("hex")).toBe("07950480a0a17390");
    expect(protocol.parseMessages(protocol.writeMessage(m))).toStrictEqual([{ ...m, headers: {} }]);
  });

  it.each([
    ["StreamItem", { type: StreamItem, invocationId: "", item: 1 }],
    ["Completion", { type: Completion, invocationId: "", result: 1 }],
    ["CancelInvocation", { type: CancelInvocation, invocationId: "" }],
  ] as [string, HubMessage][])("keeps the empty invocationId of a %s rather than dropping it", (_name, m) => {
    const protocol = new MessagePackHubProtocol();
    const [parsed] = protocol.parseMessages(protocol.writeMessage(m)) as unknown as [{ invocationId?: string }];
    expect(parsed.invocationId).toBe("");
  });
});
