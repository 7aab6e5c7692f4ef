import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { deferred, TRANSPORTS, useConnections, waitFor, withTimeout, type BuildOptions } from "../support/functional.js";

// The JSON suite's request-details and server-close tests (request-details.test.ts,
// server-close.test.ts) with hubwire's MessagePack hub protocol, over the two transports that
// carry binary. TestHub.CloseMe(error, allowReconnect) makes the server send a Close message
// [7, error, allowReconnect] and end the connection.
const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== "ServerSentEvents");

describe.each(BINARY_TRANSPORTS)("MessagePack connection details and server close over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(path = "/testhub", build: BuildOptions = {}): Promise<HubConnection> {
    const connection = await hub.start(path, {
      options: transport,
      ...build,
      configure: (builder) => (build.configure ? build.configure(builder) : builder).withHubProtocol(new MessagePackHubProtocol()),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
    return connection;
  }

  describe("request details", () => {
    it("sends the `headers` option with the transport's requests", async () => {
      const value = `value for ${transportName}`;
      const connection = await connect("/testhub", { options: { transport, headers: { "X-Hubwire-Test": value, "X-Second": "2" } } });
      expect(await connection.invoke("GetHeader", "X-Hubwire-Test")).toBe(value);
      expect(await connection.invoke("GetHeader", "x-second")).toBe("2");
      expect(await connection.invoke("GetHeader", "X-Not-Sent")).toBeNull();
    });

    it("keeps the hub URL's query string on the transport's requests", async () => {
      const connection = await connect("/testhub?room=blue&greeting=h%C3%A9llo%20w%C3%B6rld&empty=");
      expect(await connection.invoke("GetQueryString", "room")).toBe("blue");
      expect(await connection.invoke("GetQueryString", "greeting")).toBe("héllo wörld");
      expect(await connection.invoke("GetQueryString", "empty")).toBe("");
      expect(await connection.invoke("GetQueryString", "absent")).toBeNull();
    });

    it("sends the affinity cookie set by negotiate with every transport request", async () => {
      const connection = await connect();
      const cookie = await connection.invoke<string | null>("GetCookie", "affinity");
      expect(cookie).toMatch(/^[0-9a-f]{32}$/);
      for (let i = 0; i < 3; i++) expect(await connection.invoke("Echo", i)).toBe(i);
      expect(await connection.invoke("GetNegotiateCookieSeen")).toBe(true);
    });
  });

  describe("server-initiated close", () => {
    it("closes for good with a HubError carrying the server's text when allowReconnect is false", async () => {
      // Even with automatic reconnect on, a Close without allowReconnect is final.
      const connection = await connect("/testhub", { configure: (builder) => builder.withAutomaticReconnect([0, 0, 0]) });
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
      const connection = await connect();
      const closed = deferred<Error | undefined>();
      connection.onclose((error) => closed.resolve(error));

      await connection.send("CloseMe", null, false);
      expect(await withTimeout(closed.promise, 10_000, "onclose")).toBeUndefined();
      expect(connection.state).toBe(HubConnectionState.Disconnected);
    });

    it("reconnects with a new connection id, still speaking MessagePack, when the server closes with allowReconnect", async () => {
      const connection = await connect("/testhub", { configure: (builder) => builder.withAutomaticReconnect([0, 200, 500, 1000]) });
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
      expect(await connection.invoke("GetConnectionId")).toBe(newId);
      expect(await connection.invoke("GetTransport")).toBe(transportName);
      expect(await connection.invoke("DescribeValue", new Uint8Array([2]))).toBe("System.Byte[]:02");
      expect(await connection.invoke("Add", 20, 22)).toBe(42);
      expect(closes).toBe(0);
    });

    it("passes the server's error text to onreconnecting when closing with an error and allowReconnect", async () => {
      const connection = await connect("/testhub", { configure: (builder) => builder.withAutomaticReconnect([0, 200, 500, 1000]) });
      const reconnecting = deferred<Error | undefined>();
      connection.onreconnecting((error) => reconnecting.resolve(error));

      await connection.send("CloseMe", "restarting, come back", true);
      const error = await withTimeout(reconnecting.promise, 10_000, "onreconnecting");
      expect(error).toBeInstanceOf(HubError);
      expect(error!.message).toContain("restarting, come back");
      await waitFor(() => connection.state === HubConnectionState.Connected, 15_000, "the connection to come back");
      expect(await connection.invoke("Echo", new Uint8Array([7, 7]))).toEqual(new Uint8Array([7, 7]));
    });

    it("closes for good when the server closes with allowReconnect but automatic reconnect is off", async () => {
      const connection = await connect();
      const closed = deferred<Error | undefined>();
      connection.onclose((error) => closed.resolve(error));

      await connection.send("CloseMe", "no reconnect configured", true);
      const error = await withTimeout(closed.promise, 10_000, "onclose");
      expect(error).toBeInstanceOf(HubError);
      expect(error!.message).toContain("no reconnect configured");
      expect(connection.state).toBe(HubConnectionState.Disconnected);
    });
  });

  it("starts again after stop() with a new connection id, still speaking MessagePack", async () => {
    const connection = await connect();
    const first = connection.connectionId;
    await connection.stop();
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(connection.connectionId).not.toBe(first);
    expect(await connection.invoke("DescribeValue", new Uint8Array([3]))).toBe("System.Byte[]:03");
  });
});
