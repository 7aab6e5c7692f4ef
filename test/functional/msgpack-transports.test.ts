import { describe, expect, it } from "vitest";
import { HttpTransportType, HubConnectionState, NoTransportError, TransportError } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { rejectionOf, useConnections, type BuildOptions } from "../support/functional.js";

// MessagePack needs the Binary transfer format, which Server-Sent Events cannot carry (the
// server offers SSE with ["Text"] only). /testhub offers WebSockets, ServerSentEvents and
// LongPolling in that order; /testhub-sse-lp offers only ServerSentEvents and LongPolling.

describe("transport choice with MessagePack", () => {
  const hub = useConnections();
  const messagePack: BuildOptions = { configure: (builder) => builder.withHubProtocol(new MessagePackHubProtocol()) };

  it("uses WebSockets, the server's first offer, when no transport is specified", async () => {
    const connection = await hub.start("/testhub", messagePack);
    expect(await connection.invoke("GetTransport")).toBe("WebSockets");
    expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
  });

  it("skips ServerSentEvents and falls back to LongPolling when the server offers no WebSockets", async () => {
    const connection = await hub.start("/testhub-sse-lp", messagePack);
    expect(await connection.invoke("GetTransport")).toBe("LongPolling");
    expect(await connection.invoke("ReverseBytes", new Uint8Array([1, 2]))).toEqual(new Uint8Array([2, 1]));
  });

  it("skips ServerSentEvents when the client allows ServerSentEvents | LongPolling", async () => {
    const connection = await hub.start("/testhub", { ...messagePack, options: { transport: HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling } });
    expect(await connection.invoke("GetTransport")).toBe("LongPolling");
  });

  it("fails start with NoTransportError naming MessagePack and Server-Sent Events when ServerSentEvents is the only transport allowed", async () => {
    const connection = hub.build("/testhub", { ...messagePack, options: { transport: HttpTransportType.ServerSentEvents } });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NoTransportError);
    expect(error.message).toContain("MessagePack");
    expect(error.message).toContain("Server-Sent Events");
    const sse = (error as NoTransportError).errors.find((e) => e instanceof TransportError && e.transport === "ServerSentEvents");
    expect(sse?.message).toContain("Binary");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("fails start with NoTransportError on a hub that offers ServerSentEvents and LongPolling when only ServerSentEvents is allowed", async () => {
    const connection = hub.build("/testhub-sse-lp", { ...messagePack, options: HttpTransportType.ServerSentEvents });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NoTransportError);
    expect(error.message).toContain("MessagePack");
    expect(error.message).toContain("/testhub-sse-lp");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });
});
