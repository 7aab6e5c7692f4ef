import { describe, expect, it } from "vitest";
import { HttpTransportType, HubConnectionState, InvalidArgumentError, NoTransportError, TransportError } from "../../src/index.js";
import { rejectionOf, useConnections } from "../support/functional.js";

// /testhub offers WebSockets, ServerSentEvents and LongPolling (in that order);
// /testhub-sse-lp offers only ServerSentEvents and LongPolling.

describe("transport choice and fallback", () => {
  const hub = useConnections();

  it("uses WebSockets, the server's first offer, when no transport is specified", async () => {
    const connection = await hub.start("/testhub");
    expect(await connection.invoke("GetTransport")).toBe("WebSockets");
  });

  it("falls back to ServerSentEvents when the server does not offer WebSockets", async () => {
    const connection = await hub.start("/testhub-sse-lp");
    expect(await connection.invoke("GetTransport")).toBe("ServerSentEvents");
    expect(await connection.invoke("Echo", "via sse")).toBe("via sse");
  });

  it("uses LongPolling when the client allows WebSockets | LongPolling and the server offers SSE and LongPolling", async () => {
    const connection = await hub.start("/testhub-sse-lp", { options: HttpTransportType.WebSockets | HttpTransportType.LongPolling });
    expect(await connection.invoke("GetTransport")).toBe("LongPolling");
  });

  it("honours ServerSentEvents | LongPolling given as the transport option on a hub that offers all three", async () => {
    const connection = await hub.start("/testhub", { options: { transport: HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling } });
    expect(await connection.invoke("GetTransport")).toBe("ServerSentEvents");
  });

  it("fails start with NoTransportError when the only allowed transport is not offered", async () => {
    const connection = hub.build("/testhub-sse-lp", { options: HttpTransportType.WebSockets });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NoTransportError);
    expect(error.message).toContain("/testhub-sse-lp");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("falls back to the next transport when one fails to start (a WebSocket constructor that always fails)", async () => {
    class FailingWebSocket {
      constructor() {
        throw new Error("this WebSocket always fails");
      }
    }
    const connection = hub.build("/testhub", { options: { WebSocket: FailingWebSocket } });
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe("ServerSentEvents");
  });

  it("reports every failed transport in NoTransportError.errors when none can start", async () => {
    class FailingWebSocket {
      constructor() {
        throw new Error("this WebSocket always fails");
      }
    }
    const connection = hub.build("/testhub", { options: { transport: HttpTransportType.WebSockets, WebSocket: FailingWebSocket } });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NoTransportError);
    const failures = (error as NoTransportError).errors;
    expect(failures.some((e) => e instanceof TransportError && e.transport === "WebSockets" && e.message.includes("this WebSocket always fails"))).toBe(true);
  });

  it("connects straight to the hub over WebSockets with skipNegotiation", async () => {
    const connection = hub.build("/testhub", { options: { transport: HttpTransportType.WebSockets, skipNegotiation: true } });
    await connection.start();
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("GetTransport")).toBe("WebSockets");
    // No negotiate, so the client learns no connection id; the server has one of its own.
    expect(connection.connectionId).toBeNull();
    const serverId = await connection.invoke<string>("GetConnectionId");
    expect(serverId).toMatch(/\S+/);
    expect(await connection.invoke("Echo", [1, "two"])).toEqual([1, "two"]);
  });

  it("rejects skipNegotiation with LongPolling with InvalidArgumentError", async () => {
    const connection = hub.build("/testhub", { options: { transport: HttpTransportType.LongPolling, skipNegotiation: true } });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toContain("skipNegotiation");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("rejects skipNegotiation without an explicit transport with InvalidArgumentError", async () => {
    const connection = hub.build("/testhub", { options: { skipNegotiation: true } });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(InvalidArgumentError);
  });
});
