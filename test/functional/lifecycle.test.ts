import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionClosedError,
  HubConnectionState,
  InvalidStateError,
} from "../../src/index.js";
import { combinations, expectCombination, over, rejectionOf, serverUrl, useConnections } from "../support/functional.js";

describe.each(combinations)("[%s] lifecycle", (combination) => {
  const hub = useConnections();

  it("moves Disconnected -> Connecting -> Connected -> Disconnecting -> Disconnected", async () => {
    const connection = hub.build("/testhub", over(combination));
    const changes: string[] = [];
    connection.onstatechange(({ previous, current }) => changes.push(`${previous}->${current}`));
    expect(connection.state).toBe(HubConnectionState.Disconnected);

    const starting = connection.start();
    expect(connection.state).toBe(HubConnectionState.Connecting);
    await starting;
    expect(connection.state).toBe(HubConnectionState.Connected);
    await expectCombination(connection, combination);

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
    const connection = hub.build("/testhub", over(combination));
    expect(connection.connectionId).toBeNull();
    await connection.start();
    await expectCombination(connection, combination);

    const id = connection.connectionId;
    expect(typeof id).toBe("string");
    expect(id).not.toBe("");
    expect(await connection.invoke("GetConnectionId")).toBe(id);

    await connection.stop();
    expect(connection.connectionId).toBeNull();
  });

  it("gets a new connection id when started again after stop, on the same transport and protocol", async () => {
    const connection = await hub.connect(combination);
    const first = connection.connectionId;
    await connection.stop();

    await connection.start();
    await expectCombination(connection, combination);
    expect(connection.connectionId).not.toBe(first);
    expect(await connection.invoke("GetConnectionId")).toBe(connection.connectionId);
  });

  it("reports the hub URL as baseUrl and connects to a baseUrl changed while Disconnected", async () => {
    const first = `${serverUrl()}/testhub?which=first`;
    const connection = hub.build("/testhub?which=first", over(combination));
    expect(connection.baseUrl).toBe(first);

    const second = `${serverUrl()}/testhub?which=second`;
    connection.baseUrl = second;
    expect(connection.baseUrl).toBe(second);
    await connection.start();
    await expectCombination(connection, combination);
    expect(await connection.invoke("GetQueryString", "which")).toBe("second");

    expect(() => {
      connection.baseUrl = first;
    }).toThrow(InvalidStateError);
    expect(connection.baseUrl).toBe(second);
  });

  it("calls onclose without an error when stop() is called", async () => {
    const connection = await hub.connect(combination);
    const closes: (Error | undefined)[] = [];
    connection.onclose((error) => closes.push(error));

    await connection.stop();
    expect(closes).toEqual([undefined]);
  });

  it("rejects start() while already Connected with InvalidStateError and stays connected", async () => {
    const connection = await hub.connect(combination);
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(connection.state).toBe(HubConnectionState.Connected);
    await expectCombination(connection, combination);
  });

  it("rejects invoke and send while Disconnected with InvalidStateError naming the method, and works once started", async () => {
    const connection = hub.build("/testhub", over(combination));
    const invokeError = await rejectionOf(connection.invoke("Echo", 1));
    expect(invokeError).toBeInstanceOf(InvalidStateError);
    expect(invokeError.message).toContain("Echo");
    const sendError = await rejectionOf(connection.send("SendToCaller", "x", 1));
    expect(sendError).toBeInstanceOf(InvalidStateError);
    expect(sendError.message).toContain("SendToCaller");

    await connection.start();
    await expectCombination(connection, combination);
  });

  it("rejects an invoke still pending when stop() is called with ConnectionClosedError naming the method", async () => {
    const connection = await hub.connect(combination);

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
    const connection = hub.build("/testhub", over(combination));
    const starting = rejectionOf(connection.start());
    await connection.stop();
    expect(await starting).toBeInstanceOf(AbortError);
    expect(connection.state).toBe(HubConnectionState.Disconnected);

    // The connection is still usable afterwards.
    await connection.start();
    await expectCombination(connection, combination);
  });
});
