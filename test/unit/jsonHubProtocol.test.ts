import { describe, expect, it } from "vitest";
import { HubwireError, ProtocolError } from "../../src/errors.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";

const RS = "\x1e";
const protocol = new JsonHubProtocol();

/** Messages and their exact bytes on the wire, in both directions. */
const vectors: { name: string; message: HubMessage; wire: string }[] = [
  {
    name: "Invocation without invocationId (send)",
    message: { type: MessageType.Invocation, target: "Send", arguments: [42, "text", { a: [true, null] }] },
    wire: `{"type":1,"target":"Send","arguments":[42,"text",{"a":[true,null]}]}${RS}`,
  },
  {
    name: "Invocation with invocationId (invoke)",
    message: { type: MessageType.Invocation, invocationId: "7", target: "Add", arguments: [1, 2] },
    wire: `{"type":1,"invocationId":"7","target":"Add","arguments":[1,2]}${RS}`,
  },
  {
    name: "Invocation with headers and streamIds",
    message: { type: MessageType.Invocation, headers: { a: "b", "x-trace": "1" }, invocationId: "3", target: "Upload", arguments: ["name"], streamIds: ["1", "2"] },
    wire: `{"type":1,"headers":{"a":"b","x-trace":"1"},"invocationId":"3","target":"Upload","arguments":["name"],"streamIds":["1","2"]}${RS}`,
  },
  {
    name: "Invocation with no arguments",
    message: { type: MessageType.Invocation, target: "Ping", arguments: [] },
    wire: `{"type":1,"target":"Ping","arguments":[]}${RS}`,
  },
  {
    name: "StreamItem",
    message: { type: MessageType.StreamItem, invocationId: "4", item: { value: 1.5 } },
    wire: `{"type":2,"invocationId":"4","item":{"value":1.5}}${RS}`,
  },
  {
    name: "StreamItem with headers and a null item",
    message: { type: MessageType.StreamItem, headers: { k: "v" }, invocationId: "4", item: null },
    wire: `{"type":2,"headers":{"k":"v"},"invocationId":"4","item":null}${RS}`,
  },
  {
    name: "Completion with a result",
    message: { type: MessageType.Completion, invocationId: "1", result: [1, "two"] },
    wire: `{"type":3,"invocationId":"1","result":[1,"two"]}${RS}`,
  },
  {
    name: "Completion with a null result",
    message: { type: MessageType.Completion, invocationId: "1", result: null },
    wire: `{"type":3,"invocationId":"1","result":null}${RS}`,
  },
  {
    name: "Completion with an error",
    message: { type: MessageType.Completion, invocationId: "2", error: "It broke" },
    wire: `{"type":3,"invocationId":"2","error":"It broke"}${RS}`,
  },
  {
    name: "Completion with neither result nor error",
    message: { type: MessageType.Completion, invocationId: "9" },
    wire: `{"type":3,"invocationId":"9"}${RS}`,
  },
  {
    name: "Completion with headers",
    message: { type: MessageType.Completion, headers: { h: "1" }, invocationId: "9", result: 0 },
    wire: `{"type":3,"headers":{"h":"1"},"invocationId":"9","result":0}${RS}`,
  },
  {
    name: "StreamInvocation",
    message: { type: MessageType.StreamInvocation, invocationId: "5", target: "Counter", arguments: [10, 500] },
    wire: `{"type":4,"invocationId":"5","target":"Counter","arguments":[10,500]}${RS}`,
  },
  {
    name: "StreamInvocation with headers and streamIds",
    message: { type: MessageType.StreamInvocation, headers: { a: "1" }, invocationId: "5", target: "Echo", arguments: [], streamIds: ["4"] },
    wire: `{"type":4,"headers":{"a":"1"},"invocationId":"5","target":"Echo","arguments":[],"streamIds":["4"]}${RS}`,
  },
  {
    name: "CancelInvocation",
    message: { type: MessageType.CancelInvocation, invocationId: "5" },
    wire: `{"type":5,"invocationId":"5"}${RS}`,
  },
  {
    name: "CancelInvocation with headers",
    message: { type: MessageType.CancelInvocation, headers: { why: "bored" }, invocationId: "5" },
    wire: `{"type":5,"headers":{"why":"bored"},"invocationId":"5"}${RS}`,
  },
  { name: "Ping", message: { type: MessageType.Ping }, wire: `{"type":6}${RS}` },
  { name: "Close without error", message: { type: MessageType.Close }, wire: `{"type":7}${RS}` },
  {
    name: "Close with error and allowReconnect",
    message: { type: MessageType.Close, error: "Server shutting down", allowReconnect: true },
    wire: `{"type":7,"error":"Server shutting down","allowReconnect":true}${RS}`,
  },
  {
    name: "Close with allowReconnect false",
    message: { type: MessageType.Close, error: "Bye", allowReconnect: false },
    wire: `{"type":7,"error":"Bye","allowReconnect":false}${RS}`,
  },
  { name: "Ack", message: { type: MessageType.Ack, sequenceId: 1394 }, wire: `{"type":8,"sequenceId":1394}${RS}` },
  { name: "Sequence", message: { type: MessageType.Sequence, sequenceId: 1 }, wire: `{"type":9,"sequenceId":1}${RS}` },
];

describe("JsonHubProtocol identity", () => {
  it("is named json, version 2 (the official client's; the handshake asks for 1 without stateful reconnect), Text transfer format", () => {
    expect(protocol.name).toBe("json");
    expect(protocol.version).toBe(2);
    expect(protocol.transferFormat).toBe(TransferFormat.Text);
  });
});

describe("JsonHubProtocol vectors", () => {
  it.each(vectors)("writes $name as its exact wire string", ({ message, wire }) => {
    expect(protocol.writeMessage(message)).toBe(wire);
  });

  it.each(vectors)("parses the wire string of $name into the message", ({ message, wire }) => {
    expect(protocol.parseMessages(wire)).toEqual([message]);
  });

  it("covers every message type from 1 to 9", () => {
    const types = new Set(vectors.map((v) => v.message.type));
    expect([...types].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("leaves out an invocationId that is undefined when writing", () => {
    const wire = protocol.writeMessage({ type: MessageType.Invocation, invocationId: undefined, target: "T", arguments: [] } as unknown as HubMessage);
    expect(wire).toBe(`{"type":1,"target":"T","arguments":[]}${RS}`);
  });

  it("parses a Completion whose result is a JSON string containing the record separator escaped", () => {
    const [message] = protocol.parseMessages(`{"type":3,"invocationId":"1","result":"a\\u001eb"}${RS}`);
    expect(message).toEqual({ type: 3, invocationId: "1", result: "a\x1eb" });
  });
});

describe("JsonHubProtocol framing", () => {
  it("parses several messages in one payload, in order", () => {
    const payload = vectors.map((v) => v.wire).join("");
    expect(protocol.parseMessages(payload)).toEqual(vectors.map((v) => v.message));
  });

  it("returns no messages for an empty payload", () => {
    expect(protocol.parseMessages("")).toEqual([]);
  });

  it("ignores messages of unknown types and keeps the ones around them", () => {
    const payload = `{"type":6}${RS}{"type":99,"whatever":[1]}${RS}{"type":0}${RS}{"type":3,"invocationId":"1","result":2}${RS}`;
    expect(protocol.parseMessages(payload)).toEqual([
      { type: MessageType.Ping },
      { type: MessageType.Completion, invocationId: "1", result: 2 },
    ]);
  });

  it("ignores unknown fields", () => {
    const [message] = protocol.parseMessages(`{"type":1,"target":"T","arguments":[],"futureField":{"x":1},"another":3}${RS}`);
    expect(message).toMatchObject({ type: MessageType.Invocation, target: "T", arguments: [] });
    const [ping] = protocol.parseMessages(`{"type":6,"extra":"yes"}${RS}`);
    expect(ping?.type).toBe(MessageType.Ping);
  });

  it("accepts null where a field is optional, as the official client does", () => {
    const payload =
      `{"type":1,"invocationId":null,"target":"T","arguments":[],"streamIds":null,"headers":null}${RS}` +
      `{"type":7,"error":null,"allowReconnect":null}${RS}`;
    expect(protocol.parseMessages(payload).map((m) => m.type)).toEqual([MessageType.Invocation, MessageType.Close]);
  });

  it("passes through fields the client does not read (streamIds, headers, allowReconnect) without checking them", () => {
    const payload =
      `{"type":1,"target":"T","arguments":[],"streamIds":[1],"headers":{"a":1}}${RS}` + `{"type":7,"allowReconnect":"yes"}${RS}`;
    expect(protocol.parseMessages(payload)).toEqual([
      { type: MessageType.Invocation, target: "T", arguments: [], streamIds: [1], headers: { a: 1 } },
      { type: MessageType.Close, allowReconnect: "yes" },
    ]);
  });

  it("reads a null error in a Completion as no error, as the official client does", () => {
    expect(protocol.parseMessages(`{"type":3,"invocationId":"1","error":null,"result":5}${RS}`)).toEqual([
      { type: MessageType.Completion, invocationId: "1", error: null, result: 5 },
    ]);
  });

  it("rejects a Completion whose error is not a string", () => {
    expect(() => protocol.parseMessages(`{"type":3,"invocationId":"1","error":7}${RS}`)).toThrow(/Completion.*'error' must be string, got 7/);
  });

  it("accepts insignificant whitespace, including newlines, inside a message", () => {
    expect(protocol.parseMessages(`{ "type" : 1,\n "target": "T",\r\n "arguments": [ 1 ] }${RS}`)).toEqual([
      { type: MessageType.Invocation, target: "T", arguments: [1] },
    ]);
  });
});

describe("JsonHubProtocol malformed input", () => {
  const cases: { name: string; input: string | ArrayBuffer; mentions: RegExp }[] = [
    { name: "a payload without the trailing 0x1E", input: `{"type":6}`, mentions: /record separator|incomplete/i },
    { name: "a last message without 0x1E after complete ones", input: `{"type":6}${RS}{"type":6}`, mentions: /record separator|incomplete/i },
    { name: "bad JSON", input: `{"type":1,${RS}`, mentions: /not a JSON object/i },
    { name: "an empty record", input: `${RS}`, mentions: /not a JSON object/i },
    { name: "a JSON array", input: `[1,2]${RS}`, mentions: /JSON object/i },
    { name: "a JSON number", input: `42${RS}`, mentions: /JSON object/i },
    { name: "JSON null", input: `null${RS}`, mentions: /JSON object/i },
    { name: "a JSON string", input: `"hello"${RS}`, mentions: /JSON object/i },
    { name: "a message without type", input: `{"target":"T","arguments":[]}${RS}`, mentions: /'type'/ },
    { name: "a non-numeric type", input: `{"type":"1","target":"T","arguments":[]}${RS}`, mentions: /'type'/ },
    { name: "an Invocation without target", input: `{"type":1,"arguments":[]}${RS}`, mentions: /Invocation.*'target'/ },
    { name: "an Invocation with a numeric target", input: `{"type":1,"target":5,"arguments":[]}${RS}`, mentions: /'target'/ },
    { name: "an Invocation without arguments", input: `{"type":1,"target":"T"}${RS}`, mentions: /Invocation.*'arguments'/ },
    { name: "an Invocation whose arguments are an object", input: `{"type":1,"target":"T","arguments":{}}${RS}`, mentions: /'arguments'/ },
    { name: "an Invocation with a numeric invocationId", input: `{"type":1,"invocationId":1,"target":"T","arguments":[]}${RS}`, mentions: /'invocationId'/ },
    { name: "a StreamInvocation without invocationId", input: `{"type":4,"target":"T","arguments":[]}${RS}`, mentions: /StreamInvocation.*'invocationId'/ },
    { name: "a StreamItem without invocationId", input: `{"type":2,"item":1}${RS}`, mentions: /StreamItem.*'invocationId'/ },
    { name: "a Completion without invocationId", input: `{"type":3,"result":1}${RS}`, mentions: /Completion.*'invocationId'/ },
    { name: "a Completion with both result and error", input: `{"type":3,"invocationId":"1","result":1,"error":"e"}${RS}`, mentions: /both 'result' and 'error'/ },
    { name: "a Completion with a non-string error", input: `{"type":3,"invocationId":"1","error":{"m":1}}${RS}`, mentions: /'error'/ },
    { name: "a CancelInvocation without invocationId", input: `{"type":5}${RS}`, mentions: /CancelInvocation.*'invocationId'/ },
    { name: "a Close with a non-string error", input: `{"type":7,"error":42}${RS}`, mentions: /Close.*'error'/ },
    { name: "an Ack without sequenceId", input: `{"type":8}${RS}`, mentions: /Ack.*'sequenceId'/ },
    { name: "a Sequence with a string sequenceId", input: `{"type":9,"sequenceId":"1"}${RS}`, mentions: /Sequence.*'sequenceId'/ },
    { name: "binary input", input: new TextEncoder().encode(`{"type":6}${RS}`).buffer as ArrayBuffer, mentions: /binary/i },
  ];

  it.each(cases)("throws ProtocolError for $name, saying what is wrong", ({ input, mentions }) => {
    let thrown: unknown;
    try {
      protocol.parseMessages(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect(thrown).toBeInstanceOf(HubwireError);
    expect((thrown as ProtocolError).code).toBe("protocol_error");
    expect((thrown as Error).message).toMatch(mentions);
  });

  it("keeps the JSON parser's error as the cause of a bad-JSON ProtocolError", () => {
    try {
      protocol.parseMessages(`{oops}${RS}`);
      expect.unreachable("parseMessages should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(SyntaxError);
    }
  });

  it("quotes the start of the offending record in the message", () => {
    expect(() => protocol.parseMessages(`{type: 1, target: T}${RS}`)).toThrow(/\{type: 1, target: T\}/);
  });

  it("still parses correctly after rejecting malformed input", () => {
    expect(() => protocol.parseMessages(`garbage${RS}`)).toThrow(ProtocolError);
    expect(protocol.parseMessages(`{"type":6}${RS}`)).toEqual([{ type: MessageType.Ping }]);
  });
});

describe("JsonHubProtocol and __proto__", () => {
  it("does not pollute Object.prototype from a __proto__ key in a message", () => {
    const payload =
      `{"type":1,"target":"T","arguments":[{"__proto__":{"pollutedArg":true}}],"__proto__":{"polluted":true}}${RS}` +
      `{"type":3,"invocationId":"1","result":{"__proto__":{"pollutedResult":true}},"__proto__":{"type":6}}${RS}` +
      `{"type":1,"target":"T","arguments":[],"headers":{"__proto__":"x"}}${RS}`;
    const messages = protocol.parseMessages(payload);
    const probe: Record<string, unknown> = {};
    expect(probe["polluted"]).toBeUndefined();
    expect(probe["pollutedArg"]).toBeUndefined();
    expect(probe["pollutedResult"]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(messages.map((m) => m.type)).toEqual([MessageType.Invocation, MessageType.Completion, MessageType.Invocation]);
    for (const message of messages) {
      expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
    }
  });

  it("does not take the type from a __proto__ key", () => {
    expect(() => protocol.parseMessages(`{"__proto__":{"type":6}}${RS}`)).toThrow(ProtocolError);
  });
});
