import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { deferred, rejectionOf, TRANSPORTS, useConnections, waitFor, withTimeout } from "../support/functional.js";

// The JSON suite's server-to-client and client-result tests (handlers.test.ts,
// client-results.test.ts) with hubwire's MessagePack hub protocol. Messages from the server
// arrive in order and handlers run as each one is processed, so once an invoke that made the
// server send something has resolved, the handler has run (or never will).
const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== "ServerSentEvents");

describe.each(BINARY_TRANSPORTS)("MessagePack server-to-client calls over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withHubProtocol(new MessagePackHubProtocol()),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
    return connection;
  }

  it("delivers SendToCaller to the registered handler with its argument, bytes and dates included", async () => {
    const connection = await connect();
    const received = deferred<unknown>();
    connection.on("notify", (arg) => received.resolve(arg));
    const when = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123));

    await connection.send("SendToCaller", "notify", { text: "hi", n: [1, 2], bytes: new Uint8Array([9, 8, 7]), when });
    expect(await withTimeout(received.promise, 10_000, "the notify handler")).toEqual({
      text: "hi",
      n: [1, 2],
      bytes: new Uint8Array([9, 8, 7]),
      when,
    });
  });

  it("matches handler names case-insensitively", async () => {
    const connection = await connect();
    const received: unknown[] = [];
    connection.on("MiXeDCaSe", (arg) => received.push(arg));

    await connection.invoke("SendToCaller", "mixedcase", 1);
    await connection.invoke("SendToCaller", "MIXEDCASE", 2);
    await connection.invoke("SendToCaller", "MiXeDCaSe", 3);
    expect(received).toEqual([1, 2, 3]);
  });

  it("stops delivery after off(name), matched case-insensitively", async () => {
    const connection = await connect();
    const calls: unknown[] = [];
    connection.on("gone", (arg) => calls.push(arg));
    connection.on("gone", (arg) => calls.push(`second ${arg}`));

    await connection.invoke("SendToCaller", "gone", 1);
    expect(calls).toEqual([1, "second 1"]);

    connection.off("GONE");
    await connection.invoke("SendToCaller", "gone", 2);
    expect(calls).toEqual([1, "second 1"]);
  });

  it("stops delivery to one handler only after off(name, handler)", async () => {
    const connection = await connect();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const firstHandler = (arg: unknown) => first.push(arg);
    connection.on("partial", firstHandler);
    connection.on("partial", (arg) => second.push(arg));

    await connection.invoke("SendToCaller", "partial", "before");
    connection.off("partial", firstHandler);
    await connection.invoke("SendToCaller", "partial", "after");

    expect(first).toEqual(["before"]);
    expect(second).toEqual(["before", "after"]);
  });

  it("delivers Broadcast to two connections", async () => {
    const one = await connect();
    const two = await connect();
    const tag = `broadcast-${Math.random()}`;
    const gotOne = deferred<unknown>();
    const gotTwo = deferred<unknown>();
    // Other connections of this run may broadcast too: only our tag counts.
    one.on("broadcasted", (arg: { tag?: unknown }) => arg?.tag === tag && gotOne.resolve(arg));
    two.on("broadcasted", (arg: { tag?: unknown }) => arg?.tag === tag && gotTwo.resolve(arg));

    await one.invoke("Broadcast", "broadcasted", { tag, bytes: new Uint8Array([1, 2, 3]) });
    expect(await withTimeout(gotOne.promise, 10_000, "the broadcast on the sender")).toEqual({ tag, bytes: new Uint8Array([1, 2, 3]) });
    expect(await withTimeout(gotTwo.promise, 10_000, "the broadcast on the other connection")).toEqual({ tag, bytes: new Uint8Array([1, 2, 3]) });
  });

  it("delivers a Broadcast from a JSON connection to a MessagePack connection, and back", async () => {
    const packed = await connect();
    const json = await hub.start("/testhub", { options: transport });
    expect(await json.invoke("GetTransport")).toBe(transportName);
    const tag = `mixed-${Math.random()}`;
    const packedGot = deferred<unknown>();
    const jsonGot = deferred<unknown>();
    packed.on("mixed", (arg: { tag?: unknown }) => arg?.tag === tag && packedGot.resolve(arg));
    json.on("mixed", (arg: { tag?: unknown }) => arg?.tag === tag && jsonGot.resolve(arg));

    await json.invoke("Broadcast", "mixed", { tag, from: "json", n: [1, -2.5, null] });
    expect(await withTimeout(packedGot.promise, 10_000, "the JSON broadcast on the MessagePack connection")).toEqual({
      tag,
      from: "json",
      n: [1, -2.5, null],
    });

    const backAgain = deferred<unknown>();
    json.on("mixedBack", (arg: { tag?: unknown }) => arg?.tag === tag && backAgain.resolve(arg));
    await packed.invoke("Broadcast", "mixedBack", { tag, from: "messagepack", big: 2 ** 40 });
    expect(await withTimeout(backAgain.promise, 10_000, "the MessagePack broadcast on the JSON connection")).toEqual({
      tag,
      from: "messagepack",
      big: 2 ** 40,
    });
  });

  it("delivers SendToCallerMany in the order the server sent it", async () => {
    const connection = await connect();
    const received: number[] = [];
    connection.on("sequence", (n: number) => received.push(n));

    await connection.invoke("SendToCallerMany", "sequence", 200);
    await waitFor(() => received.length >= 200, 10_000, "200 sequence messages");
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("ignores a server call that has no handler and stays connected", async () => {
    const connection = await connect();
    await connection.invoke("SendToCaller", "nobodyListens", 1);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", 5)).toBe(5);
  });
});

// TestHub.AskClient(method, arg) invokes `method` on the caller, waits for the client's
// result and returns it; a client-side failure comes back as HubException("client error: …").
describe.each(BINARY_TRANSPORTS)("MessagePack client results over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withHubProtocol(new MessagePackHubProtocol()),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    return connection;
  }

  it("answers the server with the handler's return value", async () => {
    const connection = await connect();
    const seen: unknown[] = [];
    connection.on("compute", (arg: { a: number; b: number }) => {
      seen.push(arg);
      return { sum: arg.a + arg.b, label: "computed", bytes: new Uint8Array([4, 2]) };
    });
    const result = await withTimeout(connection.invoke("AskClient", "compute", { a: 20, b: 22 }), 10_000, "AskClient");
    expect(seen).toEqual([{ a: 20, b: 22 }]);
    expect(result).toEqual({ sum: 42, label: "computed", bytes: new Uint8Array([4, 2]) });
  });

  it("answers with the value of the promise the handler returns", async () => {
    const connection = await connect();
    connection.on("slowCompute", async (arg: string) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `${arg.toUpperCase()}!`;
    });
    expect(await withTimeout(connection.invoke("AskClient", "slowCompute", "later"), 10_000, "AskClient")).toBe("LATER!");
  });

  it("answers with null when the handler returns null", async () => {
    const connection = await connect();
    connection.on("nothingToSay", () => null);
    expect(await withTimeout(connection.invoke("AskClient", "nothingToSay", 1), 10_000, "AskClient")).toBeNull();
  });

  it("tells the server the client gave no result when the handler returns undefined, as the official client does", async () => {
    const connection = await connect();
    let called = 0;
    connection.on("fireAndForget", () => {
      called++;
    });
    const error = await rejectionOf(connection.invoke("AskClient", "fireAndForget", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("Client didn't provide a result.");
    expect(called).toBe(1);
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("reports a throwing handler's error text to the server, so the invoke rejects with it", async () => {
    const connection = await connect();
    connection.on("broken", () => {
      throw new Error("the client refuses");
    });
    const error = await rejectionOf(connection.invoke("AskClient", "broken", null));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("client error");
    expect(error.message).toContain("the client refuses");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("reports a rejected promise's error text to the server", async () => {
    const connection = await connect();
    connection.on("brokenAsync", async () => {
      await Promise.resolve();
      throw new Error("async refusal");
    });
    const error = await rejectionOf(connection.invoke("AskClient", "brokenAsync", null));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("async refusal");
  });

  it("answers with an error when no handler is registered, so the invoke rejects", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("AskClient", "nobodyHome", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("client error");
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", "fine")).toBe("fine");
  });
});
