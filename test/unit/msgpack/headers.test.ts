import { describe, expect, it } from "vitest";
import { MessageType, ProtocolError } from "../../../src/index.js";
import { MessagePackHubProtocol } from "../../../src/msgpack/index.js";

describe("MessagePack message headers", () => {
  const protocol = new MessagePackHubProtocol();

  it("reads back headers whose names are Object.prototype members", () => {
    const headers = { constructor: "c", toString: "t", hasOwnProperty: "h" };
    const [message] = protocol.parseMessages(protocol.writeMessage({ type: MessageType.Invocation, target: "m", arguments: [], headers }));
    expect((message as { headers?: unknown }).headers).toEqual(headers);
  });

  it("refuses headers that are not a map", () => {
    // Length 7, then [1, [], nil, "m", []]: headers sent as an array.
    const framed = Uint8Array.of(0x07, 0x95, 0x01, 0x90, 0xc0, 0xa1, 0x6d, 0x90);
    expect(() => protocol.parseMessages(framed.buffer)).toThrow(ProtocolError);
    expect(() => protocol.parseMessages(framed.buffer)).toThrow(/headers must be a map/);
  });
});
