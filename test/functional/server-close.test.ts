import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError } from "../../src/index.js";
import { combinations, deferred, expectCombination, useConnections, waitFor, withTimeout } from "../support/functional.js";

// TestHub.CloseMe(error, allowReconnect) makes the server send a Close message
// {type: 7, error, allowReconnect} to the caller and then end the connection.

describe.each(combinations)("[%s] server-initiated close", (combination) => {
  const hub = useConnections();

  it("closes for good with a HubError carrying the server's text when allowReconnect is false", async () => {
    const connection = await hub.connect(combination, "/testhub", {
      // Even with automatic reconnect on, a Close without allowReconnect is final.
      configure: (builder) => builder.withAutomaticReconnect([0, 0, 0]),
    });
    const closed = deferred<Error | undefined>();
    connection.onclose((error) => closed.resolve(error));
    let reconnecting = 0;
    connection.onreconnecting(() => reconnecting++);

    await connection.send("CloseMe", "the server is going away", false);
    const error = await withTimeout(closed.promise, 10_000, "onclose");
    expect(error).toBeInstanceOf(HubError);
    expect(error!.message).toContain("the server is going away");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
    expect(reconnecting).toBe(0);
    expect(connection.connectionId).toBeNull();
  });

  it("closes without an error when the server's Close message has none", async () => {
    const connection = await hub.connect(combination);
    const closed = deferred<Error | undefined>();
    connection.onclose((error) => closed.resolve(error));

    await connection.send("CloseMe", null, false);
    expect(await withTimeout(closed.promise, 10_000, "onclose")).toBeUndefined();
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("reconnects with a new connection id, on the same transport and protocol, when the server closes with allowReconnect", async () => {
    const connection = await hub.connect(combination, "/testhub", {
      configure: (builder) => builder.withAutomaticReconnect([0, 200, 500, 1000]),
    });
    const oldId = connection.connectionId;
    const states: HubConnectionState[] = [];
    connection.onstatechange(({ current }) => states.push(current));
    const reconnecting = deferred<Error | undefined>();
    const reconnected = deferred<string | undefined>();
    let closes = 0;
    connection.onreconnecting((error) => reconnecting.resolve(error));
    connection.onreconnected((id) => reconnected.resolve(id));
    connection.onclose(() => closes++);

    await connection.send("CloseMe", null, true);
    expect(await withTimeout(reconnecting.promise, 10_000, "onreconnecting")).toBeUndefined();
    const newId = await withTimeout(reconnected.promise, 15_000, "onreconnected");

    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(states).toEqual([HubConnectionState.Reconnecting, HubConnectionState.Connected]);
    expect(newId).toBeTruthy();
    expect(newId).not.toBe(oldId);
    expect(connection.connectionId).toBe(newId);
    expect(await connection.invoke("GetConnectionId")).toBe(newId);
    await expectCombination(connection, combination);
    expect(await connection.invoke("Add", 20, 22)).toBe(42);
    expect(closes).toBe(0);
  });

  it("passes the server's error text to onreconnecting when closing with an error and allowReconnect", async () => {
    const connection = await hub.connect(combination, "/testhub", {
      configure: (builder) => builder.withAutomaticReconnect([0, 200, 500, 1000]),
    });
    const reconnecting = deferred<Error | undefined>();
    connection.onreconnecting((error) => reconnecting.resolve(error));

    await connection.send("CloseMe", "restarting, come back", true);
    const error = await withTimeout(reconnecting.promise, 10_000, "onreconnecting");
    expect(error).toBeInstanceOf(HubError);
    expect(error!.message).toContain("restarting, come back");
    await waitFor(() => connection.state === HubConnectionState.Connected, 15_000, "the connection to come back");
    await expectCombination(connection, combination);
    expect(await connection.invoke("Echo", "back")).toBe("back");
  });

  it("closes for good when the server closes with allowReconnect but automatic reconnect is off", async () => {
    const connection = await hub.connect(combination);
    const closed = deferred<Error | undefined>();
    connection.onclose((error) => closed.resolve(error));

    await connection.send("CloseMe", "no reconnect configured", true);
    const error = await withTimeout(closed.promise, 10_000, "onclose");
    expect(error).toBeInstanceOf(HubError);
    expect(error!.message).toContain("no reconnect configured");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });
});
