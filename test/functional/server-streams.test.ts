import { describe, expect, it } from "vitest";
import { ConnectionClosedError, HubConnectionState, HubError } from "../../src/index.js";
import { collect, combinations, rejectionOf, useConnections, waitFor, withTimeout } from "../support/functional.js";

describe.each(combinations)("[%s] server-to-client streams", (combination) => {
  const hub = useConnections();
  const connect = () => hub.connect(combination);

  it("delivers Counter's items in order, then completes", async () => {
    const connection = await connect();
    expect(await collect(connection.stream("Counter", 5, 10))).toEqual([0, 1, 2, 3, 4]);
    expect(await collect(connection.stream("Counter", 0, 0))).toEqual([]);
  });

  it("runs several streams at once without mixing their items", async () => {
    const connection = await connect();
    const [a, b, c] = await Promise.all([
      collect(connection.stream("Counter", 300, 0)), // items past 127 and 255: positive fixint, uint8, uint16 in MessagePack
      collect(connection.stream("Counter", 7, 3)),
      collect(connection.stream("Counter", 12, 0)),
    ]);
    expect(a).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(b).toEqual(Array.from({ length: 7 }, (_, i) => i));
    expect(c).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it("keeps the items that arrived before subscribe (the server finished before anyone subscribed)", async () => {
    const connection = await connect();
    const stream = connection.stream("Counter", 5, 0);
    // Counter(5, 0) finishes on the server at once; give the items and the Completion a
    // generous head start before subscribing. (If they were somehow still in flight, the test
    // would merely check the ordinary path: it cannot pass wrongly.)
    expect(await connection.invoke("Delay", 300)).toBe(300);
    expect(await connection.invoke("Echo", "round trip")).toBe("round trip");

    expect(await collect(stream)).toEqual([0, 1, 2, 3, 4]);
  });

  it("ends with a HubError carrying the server's text after CounterThenThrow's items", async () => {
    const connection = await connect();
    const items: number[] = [];
    const failed = new Promise<Error>((resolve, reject) => {
      connection.stream<number>("CounterThenThrow", 3).subscribe({
        next: (item) => items.push(item),
        complete: () => reject(new Error("the stream completed instead of failing")),
        error: (error) => resolve(error),
      });
    });
    const error = await withTimeout(failed, 10_000, "the stream to fail");
    expect(items).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("stream failed after 3");
    expect((error as HubError).methodName).toBe("CounterThenThrow");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("cancels Infinite on the server when the subscription is disposed, and delivers nothing after", async () => {
    const connection = await connect();
    const items: number[] = [];
    let disposed = false;
    let afterDispose = 0;
    let ended = false;
    const subscription = connection.stream<number>("Infinite").subscribe({
      next: (item) => {
        items.push(item);
        if (disposed) afterDispose++;
      },
      complete: () => (ended = true),
      error: () => (ended = true),
    });
    await waitFor(() => items.length >= 3, 10_000, "three items of the Infinite stream");
    expect(items.slice(0, 3)).toEqual([0, 1, 2]);

    subscription.dispose();
    disposed = true;

    expect(await connection.invoke("WasInfiniteCancelled")).toBe(true);
    expect(afterDispose).toBe(0);
    expect(ended).toBe(false);
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("reads Counter with for await, and throws CounterThenThrow's error from the loop after its items", async () => {
    const connection = await connect();
    const counted: number[] = [];
    for await (const item of connection.stream<number>("Counter", 5, 10)) counted.push(item);
    expect(counted).toEqual([0, 1, 2, 3, 4]);

    const items: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const item of connection.stream<number>("CounterThenThrow", 3)) items.push(item);
      })(),
    );
    expect(items).toEqual([0, 1, 2]);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).methodName).toBe("CounterThenThrow");
  });

  it("cancels Infinite on the server when a for await loop is left early", async () => {
    const connection = await connect();
    const items: number[] = [];
    for await (const item of connection.stream<number>("Infinite")) {
      items.push(item);
      if (items.length === 3) break;
    }
    expect(items).toEqual([0, 1, 2]);
    expect(await connection.invoke("WasInfiniteCancelled")).toBe(true);
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("ends a running stream with ConnectionClosedError naming the method when the connection stops", async () => {
    const connection = await connect();
    const items: number[] = [];
    const ended = new Promise<Error>((resolve, reject) => {
      connection.stream<number>("Counter", 1000, 1000).subscribe({
        next: (item) => items.push(item),
        complete: () => reject(new Error("the stream completed instead of failing")),
        error: (error) => resolve(error),
      });
    });
    // The first item comes at once: the stream is certainly running on the server.
    await waitFor(() => items.length >= 1, 10_000, "the first Counter item");
    await connection.stop();

    const error = await withTimeout(ended, 10_000, "the stream to end");
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.message).toContain("'Counter'");
    expect(items).toEqual([0]);
  });

  it("ends streams and invokes whose messages are still being sent with ConnectionClosedError when stop() is called", async () => {
    // Over Long Polling, messages queued behind a POST in flight go in the next POST, which can
    // reach the server after stop()'s DELETE and get 404. stop() promises ConnectionClosedError
    // for every pending call anyway. The race is narrow, so several connections try it.
    for (let round = 0; round < 8; round++) {
      const connection = await connect();
      void connection.send("Echo", "keeps a POST busy").catch(() => undefined);
      const streams = [0, 1, 2].map(() => rejectionOf(collect(connection.stream<number>("Counter", 1000, 1000), 15_000)));
      const invoke = rejectionOf(connection.invoke("Delay", 10_000));
      await connection.stop();
      for (const error of await Promise.all(streams)) {
        expect(error, `round ${round}: ${error.message}`).toBeInstanceOf(ConnectionClosedError);
        expect(error.message).toContain("'Counter'");
      }
      const invokeError = await invoke;
      expect(invokeError, `round ${round}: ${invokeError.message}`).toBeInstanceOf(ConnectionClosedError);
      expect(invokeError.message).toContain("'Delay'");
    }
  });
});
