import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectionClosedError, HubConnectionState, type HubConnection } from "../../src/index.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { deferred, rejectionOf, TRANSPORTS, useConnections, withTimeout } from "../support/functional.js";

// These tests crash a server of their own (SIGKILL, so no Close message and no orderly socket
// shutdown from SignalR), start it again on the same port, and watch automatic reconnect.
// The shared server of the other tests is left alone.

let server: TestServer | undefined;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.stop();
});

async function restartServer(): Promise<void> {
  const port = server!.port;
  await server!.stop();
  server = await startTestServer({ port });
}

describe.each(TRANSPORTS)("automatic reconnect after a server crash over %s", (transportName, transport) => {
  const hub = useConnections();

  it("rejects the pending invoke, goes Reconnecting then Connected with a new connection id, and works afterwards", async () => {
    const connection: HubConnection = hub.build("/testhub", {
      baseUrl: server!.url,
      options: transport,
      configure: (builder) =>
        builder
          .withAutomaticReconnect([0, 500, 1000, 1000, 2000, 2000, 5000, 5000])
          .withKeepAliveInterval(1_000)
          .withServerTimeout(5_000),
    });
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    const oldId = connection.connectionId;
    expect(oldId).toBeTruthy();

    const states: HubConnectionState[] = [];
    connection.onstatechange(({ current }) => states.push(current));
    const reconnectingErrors: (Error | undefined)[] = [];
    const reconnectedIds: (string | undefined)[] = [];
    const reconnected = deferred<void>();
    let closes = 0;
    connection.onreconnecting((error) => reconnectingErrors.push(error));
    connection.onreconnected((id) => {
      reconnectedIds.push(id);
      reconnected.resolve();
    });
    connection.onclose(() => closes++);

    // Observe the outcome from the start, so the rejection is never momentarily unhandled.
    const pending = rejectionOf(connection.invoke("Delay", 10_000), 30_000);
    // The invocation has reached the server once a later one has completed.
    expect(await connection.invoke("Echo", "before the crash")).toBe("before the crash");

    await restartServer();

    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.message).toContain("'Delay'");
    expect(error.message).toMatch(/connection closed/i);

    await withTimeout(reconnected.promise, 30_000, "onreconnected after the server came back");
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(reconnectingErrors.length).toBe(1);
    expect(reconnectedIds.length).toBe(1);
    expect(states[0]).toBe(HubConnectionState.Reconnecting);
    expect(states[states.length - 1]).toBe(HubConnectionState.Connected);
    expect(states).not.toContain(HubConnectionState.Disconnected);
    expect(closes).toBe(0);

    const newId = connection.connectionId;
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(oldId);
    expect(reconnectedIds[0]).toBe(newId);
    expect(await connection.invoke("GetConnectionId")).toBe(newId);
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("Add", 40, 2)).toBe(42);
  });

  it("keeps handlers registered across the reconnect", async () => {
    const connection = hub.build("/testhub", {
      baseUrl: server!.url,
      options: transport,
      configure: (builder) => builder.withAutomaticReconnect([0, 500, 1000, 1000, 2000, 2000, 5000, 5000]).withServerTimeout(5_000),
    });
    const received: unknown[] = [];
    connection.on("afterReconnect", (arg) => received.push(arg));
    const reconnected = deferred<void>();
    connection.onreconnected(() => reconnected.resolve());
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    await connection.invoke("SendToCaller", "afterReconnect", "first");
    expect(received).toEqual(["first"]);

    await restartServer();
    await withTimeout(reconnected.promise, 30_000, "onreconnected after the server came back");
    expect(connection.state).toBe(HubConnectionState.Connected);

    await connection.invoke("SendToCaller", "afterReconnect", "second");
    expect(received).toEqual(["first", "second"]);
  });

  it("gives up and closes with an error when the server stays down", async () => {
    const connection = hub.build("/testhub", {
      baseUrl: server!.url,
      options: transport,
      configure: (builder) => builder.withAutomaticReconnect([0, 100, 200]).withServerTimeout(5_000),
    });
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    const closed = deferred<Error | undefined>();
    let reconnecting = 0;
    connection.onreconnecting(() => reconnecting++);
    connection.onclose((error) => closed.resolve(error));

    const port = server!.port;
    await server!.stop();
    try {
      const error = await withTimeout(closed.promise, 20_000, "onclose after the retries ran out");
      expect(error).toBeInstanceOf(Error);
      expect(reconnecting).toBe(1);
      expect(connection.state).toBe(HubConnectionState.Disconnected);
      expect(connection.connectionId).toBeNull();
    } finally {
      server = await startTestServer({ port });
    }
  });
});
