import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../../src/errors.js";
import { parseHandshakeResponse } from "../../src/protocol/handshake.js";
import { appendPayload } from "../../src/protocol/payload.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";

const RS = "\x1e";
const protocol = new JsonHubProtocol();

/** Drops keys whose value is undefined, so generated messages match what JSON keeps. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const id = fc.string({ maxLength: 8 });
const headers = fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), { nil: undefined });
// JSON has no -0: normalise the generated values to what JSON can carry.
const value = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const args = fc.array(value, { maxLength: 4 });
const streamIds = fc.option(fc.array(id, { maxLength: 3 }), { nil: undefined });

/** Any valid hub message, each type 1–9. */
const message: fc.Arbitrary<HubMessage> = fc.oneof(
  fc.record({ headers, invocationId: fc.option(id, { nil: undefined }), target: fc.string(), arguments: args, streamIds }).map(
    (m) => compact({ type: MessageType.Invocation, ...m }) as HubMessage,
  ),
  fc.record({ headers, invocationId: id, item: value }).map((m) => compact({ type: MessageType.StreamItem, ...m }) as HubMessage),
  fc.record({ headers, invocationId: id, outcome: fc.oneof(fc.constant({}), value.map((result) => ({ result })), fc.string().map((error) => ({ error }))) }).map(
    ({ outcome, ...m }) => compact({ type: MessageType.Completion, ...m, ...outcome }) as HubMessage,
  ),
  fc.record({ headers, invocationId: id, target: fc.string(), arguments: args, streamIds }).map(
    (m) => compact({ type: MessageType.StreamInvocation, ...m }) as HubMessage,
  ),
  fc.record({ headers, invocationId: id }).map((m) => compact({ type: MessageType.CancelInvocation, ...m }) as HubMessage),
  fc.constant({ type: MessageType.Ping } as HubMessage),
  fc.record({ error: fc.option(fc.string(), { nil: undefined }), allowReconnect: fc.option(fc.boolean(), { nil: undefined }) }).map(
    (m) => compact({ type: MessageType.Close, ...m }) as HubMessage,
  ),
  fc.nat().map((sequenceId) => ({ type: MessageType.Ack, sequenceId }) as HubMessage),
  fc.nat().map((sequenceId) => ({ type: MessageType.Sequence, sequenceId }) as HubMessage),
);

/** Records that look like hub messages: a type from 0 to 10 and random fields, to reach the validation code. */
const nearlyMessage = fc
  .record({ type: fc.oneof(fc.integer({ min: 0, max: 10 }), value), fields: fc.dictionary(fc.constantFrom("invocationId", "target", "arguments", "item", "result", "error", "streamIds", "headers", "allowReconnect", "sequenceId", "__proto__"), value) })
  .map(({ type, fields }) => JSON.stringify({ ...fields, type }));

/** Payloads: random text, random text with separators, and sequences of near-messages. */
const payload = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.array(fc.oneof(fc.string(), fc.json(), nearlyMessage), { maxLength: 5 }).map((parts) => parts.join(RS)),
  fc.array(fc.oneof(fc.json(), nearlyMessage), { maxLength: 5 }).map((parts) => parts.map((p) => p + RS).join("")),
);

// Thousands of generated cases each: allow for a machine busy with other suites.
describe("JSON hub protocol properties", { timeout: 30_000 }, () => {
  it("turns any string into messages or a ProtocolError, and keeps working afterwards", () => {
    fc.assert(
      fc.property(payload, (input) => {
        try {
          const messages = protocol.parseMessages(input);
          expect(Array.isArray(messages)).toBe(true);
          for (const m of messages) {
            expect(m.type).toBeGreaterThanOrEqual(1);
            expect(m.type).toBeLessThanOrEqual(9);
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) {
            throw new Error(`Something other than ProtocolError escaped for ${JSON.stringify(input)}: ${String(error)}`);
          }
        }
        expect(protocol.parseMessages(`{"type":6}${RS}`)).toEqual([{ type: MessageType.Ping }]);
        expect(({} as Record<string, unknown>)["type"]).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it("round-trips any valid message through write and parse", () => {
    fc.assert(
      fc.property(message, (m) => {
        const wire = protocol.writeMessage(m);
        expect(wire.endsWith(RS)).toBe(true);
        expect(protocol.parseMessages(wire)).toEqual([m]);
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips any sequence of valid messages written into one payload", () => {
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (ms) => {
        const wire = ms.map((m) => protocol.writeMessage(m)).join("");
        expect(protocol.parseMessages(wire)).toEqual(ms);
      }),
      { numRuns: 300 },
    );
  });
});

// Thousands of generated cases each: allow for a machine busy with other suites.
describe("handshake properties", { timeout: 30_000 }, () => {
  it("turns any string into nothing yet, a response, or a ProtocolError", () => {
    fc.assert(
      fc.property(payload, (input) => {
        try {
          const parsed = parseHandshakeResponse(input);
          if (parsed === undefined) {
            expect(input.includes(RS)).toBe(false);
          } else {
            expect(typeof parsed.response).toBe("object");
          }
        } catch (error) {
          if (!(error instanceof ProtocolError)) {
            throw new Error(`Something other than ProtocolError escaped for ${JSON.stringify(input)}: ${String(error)}`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("finds the same response and remainder however the payload is split into frames", () => {
    const response = fc.oneof(fc.constant("{}"), fc.string().map((error) => JSON.stringify({ error })));
    const rest = fc.array(message, { maxLength: 3 }).map((ms) => ms.map((m) => protocol.writeMessage(m)).join(""));
    fc.assert(
      fc.property(response, rest, fc.array(fc.nat(), { maxLength: 4 }), (head, tail, cuts) => {
        const whole = head + RS + tail;
        const expected = parseHandshakeResponse(whole);
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        let buffer: string | ArrayBuffer | undefined;
        let parsed: ReturnType<typeof parseHandshakeResponse>;
        let start = 0;
        for (const end of [...points, whole.length]) {
          buffer = appendPayload(buffer, whole.slice(start, end));
          start = end;
          parsed = parseHandshakeResponse(buffer);
          if (parsed) break;
        }
        // What follows the response: the rest of its own frame, then the frames not yet read.
        expect(parsed?.response).toEqual(expected?.response);
        expect(((parsed?.remaining as string | undefined) ?? "") + whole.slice(start)).toBe((expected?.remaining as string | undefined) ?? "");
      }),
      { numRuns: 300 },
    );
  });
});
