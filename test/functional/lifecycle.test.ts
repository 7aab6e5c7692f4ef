import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionClosedError,
  HubConnectionState,
  InvalidStateError,
} from "../../src/index.js";
import { rejectionOf, serverUrl, TRANSPORTS, useConnections } from "../support/functional.js";

describe.each(TRANSPORTS)("lifecycle over %s", (transportName, transport) => {
  const hub = useConnections();

  it("moves Disconnected -> Connecting -> Connected -> Disconnecting -> Disconnected", async () => {
    const connection = hub.build("/testhub", { options: transport });
    const changes: string[] = [];
    connection.onstatechange(({ previous, current }) => changes.push(`${previous}->${current}`));
    expect(connection.state).toBe(HubConnectionState.Disconnected);

    const starting = connection.start();
    expect(connection.state).toBe(HubConnectionState.Connecting);
    await starting;
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("GetTransport")).toBe(transportName);

    const stopping = connection.stop();
    // Disconnecting at once; it may already have ended, depending on how fast the transport closes.
    expect([HubConnectionState.Disconnecting, HubConnectionState.Disconnected]).toContain(connection.state);
    await stopping;
    expect(connection.state).toBe(HubConnectionState.Disconnected);

    expect(changes).toEqual([
      "Disconnected->Connecting",
      "Connecting->Connected",
      "Connected->Disconnecting",
      "Disconnecting->Disconnected",
    ]);
  });

  it("exposes the connection id the hub sees, and none before start or after stop", async () => {
    const connection = hub.build("/testhub", { options: { transport } });
    expect(connection.connectionId).toBeNull();
    await connection.start();

    const id = connection.connectionId;
    expect(typeof id).toBe("string");
    expect(id).not.toBe("");
    expect(await connection.invoke("GetConnectionId")).toBe(id);

    await connection.stop();
    expect(connection.connectionId).toBeNull();
  });

  it("gets a new connection id when started again after stop", async () => {
    const connection = await hub.start("/testhub", { options: transport });
    const first = connection.connectionId;
    await connection.stop();

    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(connection.connectionId).not.toBe(first);
    expect(await connection.invoke("GetConnectionId")).toBe(connection.connectionId);
  });

  it("reports the hub URL as baseUrl and connects to a baseUrl changed while Disconnected", async () => {
    const first = `${serverUrl()}/testhub?which=first`;
    const connection = hub.build("/testhub?which=first", { options: transport });
    expect(connection.baseUrl).toBe(first);

    const second = `${serverUrl()}/testhub?which=second`;
    connection.baseUrl = second;
    expect(connection.baseUrl).toBe(second);
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("GetQueryString", "which")).toBe("second");

    expect(() => {
      connection.baseUrl = first;
    }).toThrow(InvalidStateError);
    expect(connection.baseUrl).toBe(second);
  });

  it("calls onclose without an error when stop() is called", async () => {
    const connection = await hub.start("/testhub", { options: transport });
    const closes: (Error | undefined)[] = [];
    connection.onclose((error) => closes.push(error));

    await connection.stop();
    expect(closes).toEqual([undefined]);
  });

  it("rejects start() while already Connected with InvalidStateError and stays connected", async () => {
    const connection = await hub.start("/testhub", { options: transport });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("GetTransport")).toBe(transportName);
  });

  it("rejects invoke and send while Disconnected with InvalidStateError naming the method", async () => {
    const connection = hub.build("/testhub", { options: transport });
    const invokeError = await rejectionOf(connection.invoke("Echo", 1));
    expect(invokeError).toBeInstanceOf(InvalidStateError);
    expect(invokeError.message).toContain("Echo");
    const sendError = await rejectionOf(connection.send("SendToCaller", "x", 1));
    expect(sendError).toBeInstanceOf(InvalidStateError);
    expect(sendError.message).toContain("SendToCaller");
  });

  it("rejects an invoke still pending when stop() is called with ConnectionClosedError naming the method", async () => {
    const connection = await hub.start("/testhub", { options: transport });
    expect(await connection.invoke("GetTransport")).toBe(transportName);

    // Observe the outcome from the start, so the rejection is never momentarily unhandled.
    const pending = rejectionOf(connection.invoke("Delay", 10_000));
    // Wait until the invocation has certainly reached the server: a later invoke has completed.
    expect(await connection.invoke("Echo", "after")).toBe("after");
    await connection.stop();

    const error = await pending;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.message).toContain("'Delay'");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("can be stopped while start() is still in progress: start rejects and the state ends Disconnected", async () => {
    const connection = hub.build("/testhub", { options: transport });
    const starting = rejectionOf(connection.start());
    await connection.stop();
    expect(await starting).toBeInstanceOf(AbortError);
    expect(connection.state).toBe(HubConnectionState.Disconnected);

    // The connection is still usable afterwards.
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
  });
});
