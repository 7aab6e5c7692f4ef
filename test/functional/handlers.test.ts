import { describe, expect, it } from "vitest";
import { HubConnectionState } from "../../src/index.js";
import { combinations, deferred, useConnections, waitFor, withTimeout, type Combination } from "../support/functional.js";

// Messages from the server arrive in order, and hubwire runs handlers synchronously as each
// message is processed. So once an invoke that made the server send something has resolved
// (its Completion came after that message), the handler has run, or never will. Tests that
// check "not delivered" rely on that instead of waiting for a while.

function jsonOverTheSameTransport({ transportName }: Combination): Combination {
  const json = combinations.find((other) => other.protocol === "JSON" && other.transportName === transportName);
  if (!json) throw new Error(`no JSON combination over ${transportName}`);
  return json;
}

describe.each(combinations)("[%s] server-to-client calls", (combination) => {
  const hub = useConnections();
  const connect = () => hub.connect(combination);

  it("delivers SendToCaller to the registered handler with its argument", async () => {
    const connection = await connect();
    const received = deferred<unknown>();
    connection.on("notify", (arg) => received.resolve(arg));

    await connection.send("SendToCaller", "notify", { text: "hi", n: [1, 2] });
    expect(await withTimeout(received.promise, 10_000, "the notify handler")).toEqual({ text: "hi", n: [1, 2] });
  });

  // JSON has no bytes or dates: a Uint8Array would arrive as an object, a Date as a string.
  if (combination.protocol === "MessagePack") {
    it("delivers SendToCaller's bytes and dates to the handler as a Uint8Array and a Date", async () => {
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
  }

  it("matches handler names case-insensitively", async () => {
    const connection = await connect();
    const received: unknown[] = [];
    connection.on("MiXeDCaSe", (arg) => received.push(arg));

    await connection.invoke("SendToCaller", "mixedcase", 1);
    await connection.invoke("SendToCaller", "MIXEDCASE", 2);
    await connection.invoke("SendToCaller", "MiXeDCaSe", 3);
    expect(received).toEqual([1, 2, 3]);
  });

  it("runs every handler registered for a name", async () => {
    const connection = await connect();
    const calls: string[] = [];
    connection.on("multi", (arg) => calls.push(`a:${arg}`));
    connection.on("multi", (arg) => calls.push(`b:${arg}`));

    await connection.invoke("SendToCaller", "multi", "x");
    expect(calls).toEqual(["a:x", "b:x"]);
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
    // Bytes only where the protocol carries them.
    const payload = combination.protocol === "MessagePack" ? { tag, bytes: new Uint8Array([1, 2, 3]) } : { tag, n: [1, 2] };
    const gotOne = deferred<unknown>();
    const gotTwo = deferred<unknown>();
    // Other connections of this run may broadcast too: only our tag counts.
    one.on("broadcasted", (arg: { tag?: unknown }) => arg?.tag === tag && gotOne.resolve(arg));
    two.on("broadcasted", (arg: { tag?: unknown }) => arg?.tag === tag && gotTwo.resolve(arg));

    await one.invoke("Broadcast", "broadcasted", payload);
    expect(await withTimeout(gotOne.promise, 10_000, "the broadcast on the sender")).toEqual(payload);
    expect(await withTimeout(gotTwo.promise, 10_000, "the broadcast on the other connection")).toEqual(payload);
  });

  // Across protocols: the other side of this MessagePack connection speaks JSON.
  if (combination.protocol === "MessagePack") {
    it("delivers a Broadcast from a JSON connection to a MessagePack connection, and back", async () => {
      const packed = await connect();
      const json = await hub.connect(jsonOverTheSameTransport(combination));
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
  }

  it("delivers SendToCallerMany in the order the server sent it", async () => {
    const connection = await connect();
    const received: number[] = [];
    connection.on("sequence", (n: number) => received.push(n));

    await connection.invoke("SendToCallerMany", "sequence", 200);
    await waitFor(() => received.length >= 200, 10_000, "200 sequence messages");
    expect(received).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("keeps running other handlers and the connection when a handler throws", async () => {
    const connection = await connect();
    const calls: unknown[] = [];
    connection.on("fragile", () => {
      throw new Error("handler failure on purpose");
    });
    connection.on("fragile", (arg) => calls.push(arg));
    connection.on("fragile", async () => {
      throw new Error("async handler failure on purpose");
    });

    await connection.invoke("SendToCaller", "fragile", 1);
    await connection.invoke("SendToCaller", "fragile", 2);
    expect(calls).toEqual([1, 2]);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", "still alive")).toBe("still alive");
  });

  it("ignores a server call that has no handler and stays connected", async () => {
    const connection = await connect();
    await connection.invoke("SendToCaller", "nobodyListens", 1);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", 5)).toBe(5);
  });
});
