import { MessagePackHubProtocol as OfficialProtocol } from "@microsoft/signalr-protocol-msgpack";
import { describe, expect, it } from "vitest";
import { MessagePackHubProtocol } from "../../../src/msgpack/index.js";
import { MessageType, type HubMessage } from "../../../src/index.js";

const hex = (data: ArrayBuffer) => Buffer.from(new Uint8Array(data)).toString("hex");
const quiet = { log() {} };

// A first corpus; issue 3 grows it past 50 messages.
const corpus: [string, HubMessage][] = [
  ["ping", { type: MessageType.Ping }],
  ["non-blocking invocation", { type: MessageType.Invocation, target: "method", arguments: [42] }],
  ["close", { type: MessageType.Close }],
  [
    "invocation with headers and mixed arguments",
    {
      type: MessageType.Invocation,
      invocationId: "1",
      target: "Echo",
      headers: { k: "v" },
      arguments: ["héllo ✓ 😀", -1, -33, -129, -40000, -3000000000, 255, 65536, 5e9, 1.5, null, true, { a: [1, 2, { b: "x".repeat(40) }] }],
    },
  ],
  ["dates", { type: MessageType.Invocation, target: "d", arguments: [new Date(1700000000123), new Date(0), new Date(-5000), new Date(2 ** 36 * 1000)] }],
  ["binary", { type: MessageType.Invocation, target: "b", arguments: [new Uint8Array([1, 2, 3]), new Uint8Array(300)] }],
  ["stream invocation with stream ids", { type: MessageType.StreamInvocation, invocationId: "2", target: "S", arguments: [], streamIds: ["3", "4"] }],
  ["stream item with a str16", { type: MessageType.StreamItem, invocationId: "3", item: "x".repeat(300) }],
  ["completion with result", { type: MessageType.Completion, invocationId: "4", result: { big: 2 ** 40 } }],
  ["completion with error", { type: MessageType.Completion, invocationId: "5", error: "boom" }],
  ["void completion", { type: MessageType.Completion, invocationId: "6" }],
  ["cancel invocation", { type: MessageType.CancelInvocation, invocationId: "7" }],
  ["ack", { type: MessageType.Ack, sequenceId: 12 }],
  ["sequence", { type: MessageType.Sequence, sequenceId: 99999 }],
  [
    "array16 and map16",
    { type: MessageType.Invocation, target: "m", arguments: [Array.from({ length: 20 }, (_, i) => i), Object.fromEntries(Array.from({ length: 17 }, (_, i) => ["k" + i, i]))] },
  ],
];

describe("MessagePack bytes against @microsoft/signalr-protocol-msgpack", () => {
  const ours = new MessagePackHubProtocol();
  const official = new OfficialProtocol();

  it.each(corpus)("writes %s exactly as the official protocol does", (_name, message) => {
    expect(hex(ours.writeMessage(message))).toBe(hex(official.writeMessage(message as never) as ArrayBuffer));
  });

  it.each(corpus)("reads the official bytes of %s back to the same message", (_name, message) => {
    const [parsed] = ours.parseMessages(official.writeMessage(message as never) as ArrayBuffer, quiet);
    expect(hex(ours.writeMessage(parsed!))).toBe(hex(official.writeMessage(message as never) as ArrayBuffer));
  });

  it("matches the byte examples of PROTOCOL.md", () => {
    expect(hex(ours.writeMessage({ type: MessageType.Ping }))).toBe("029106");
    expect(hex(ours.writeMessage({ type: MessageType.Invocation, target: "method", arguments: [42] }))).toBe("0d950180c0a66d6574686f64912a");
    expect(hex(ours.writeMessage({ type: MessageType.Close }))).toBe("039207c0");
  });
});
