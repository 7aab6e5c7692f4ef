import { describe, expect, it } from "vitest";
import { ConnectionClosedError, HubConnectionState, HubError, Subject, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { collect, rejectionOf, TRANSPORTS, useConnections, waitFor, withTimeout } from "../support/functional.js";

// The JSON suite's stream tests (server-streams.test.ts, client-streams.test.ts) with hubwire's
// MessagePack hub protocol, over the two transports that carry binary.
const BINARY_TRANSPORTS = TRANSPORTS.filter(([name]) => name !== "ServerSentEvents");

describe.each(BINARY_TRANSPORTS)("MessagePack streams over %s", (transportName, transport) => {
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

  describe("server to client", () => {
    it("delivers Counter's items in order, then completes", async () => {
      const connection = await connect();
      expect(await collect(connection.stream("Counter", 5, 10))).toEqual([0, 1, 2, 3, 4]);
      expect(await collect(connection.stream("Counter", 0, 0))).toEqual([]);
    });

    it("runs several streams at once without mixing their items", async () => {
      const connection = await connect();
      const [a, b, c] = await Promise.all([
        collect(connection.stream("Counter", 300, 0)), // items past 127 and 255: positive fixint, uint8, uint16
        collect(connection.stream("Counter", 7, 3)),
        collect(connection.stream("Counter", 12, 0)),
      ]);
      expect(a).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(b).toEqual(Array.from({ length: 7 }, (_, i) => i));
      expect(c).toEqual(Array.from({ length: 12 }, (_, i) => i));
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

  describe("client to server", () => {
    it("uploads a Subject's items pushed right after invoke()", async () => {
      const connection = await connect();
      const subject = new Subject<string>();
      const result = connection.invoke("Upload", subject);
      subject.next("alpha-");
      subject.next("beta-");
      subject.next("gamma");
      subject.complete();
      expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("alpha-beta-gamma");
    });

    it("uploads a Subject's items pushed later, asynchronously, interleaved with other calls", async () => {
      const connection = await connect();
      const subject = new Subject<string>();
      const result = connection.invoke("Upload", subject);
      for (const part of ["one", "two", "thrée"]) {
        expect(await connection.invoke("Echo", part)).toBe(part);
        subject.next(`${part};`);
      }
      subject.complete();
      expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("one;two;thrée;");
    });

    it("uploads the items of an async generator", async () => {
      const connection = await connect();
      async function* produce() {
        for (let i = 0; i < 5; i++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield `<${i}>`;
        }
      }
      expect(await withTimeout(connection.invoke("Upload", produce()), 10_000, "Upload to complete")).toBe("<0><1><2><3><4>");
    });

    it("uploads two streams passed as two arguments of one call (UploadTwo)", async () => {
      const connection = await connect();
      const first = new Subject<string>();
      const second = new Subject<string>();
      const result = connection.invoke("UploadTwo", first, second);
      first.next("a1");
      second.next("b1");
      second.next("b2");
      first.next("a2");
      second.complete();
      first.next("a3");
      first.complete();
      expect(await withTimeout(result, 10_000, "UploadTwo to complete")).toBe("a1a2a3|b1b2");
    });

    it("uploads two async generators in one call (UploadTwo)", async () => {
      const connection = await connect();
      async function* letters(prefix: string, count: number) {
        for (let i = 0; i < count; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield `${prefix}${i}`;
        }
      }
      expect(await withTimeout(connection.invoke("UploadTwo", letters("x", 3), letters("y", 4)), 10_000, "UploadTwo to complete")).toBe(
        "x0x1x2|y0y1y2y3",
      );
    });

    it("mixes a plain argument and a stream argument (UploadSum)", async () => {
      const connection = await connect();
      const numbers = new Subject<number>();
      const result = connection.invoke("UploadSum", "total", numbers);
      for (const n of [1, 2, 3, 4, 5, 100, -15, 70_000]) numbers.next(n);
      numbers.complete();
      expect(await withTimeout(result, 10_000, "UploadSum to complete")).toBe("total:70100");
    });

    it("uploads an empty stream", async () => {
      const connection = await connect();
      const subject = new Subject<string>();
      const result = connection.invoke("Upload", subject);
      subject.complete();
      expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("");
    });

    it("tells the server when the Subject errors, so the invoke rejects", async () => {
      const connection = await connect();
      const subject = new Subject<string>();
      const result = connection.invoke("Upload", subject);
      subject.next("partial");
      subject.error(new Error("client-side producer failed"));
      const error = await rejectionOf(result);
      expect(error).toBeInstanceOf(HubError);
      expect((error as HubError).methodName).toBe("Upload");
      expect(connection.state).toBe(HubConnectionState.Connected);
      expect(await connection.invoke("Echo", "after")).toBe("after");
    });

    it("rejects the invoke when a stream item does not fit the stream's type, and stays connected", async () => {
      const connection = await connect();
      const numbers = new Subject<unknown>();
      const result = connection.invoke("UploadSum", "typed", numbers);
      numbers.next(1);
      numbers.next("not a number"); // UploadSum reads a ChannelReader<int>
      numbers.complete();
      const error = await rejectionOf(result);
      expect(error).toBeInstanceOf(HubError);
      expect(connection.state).toBe(HubConnectionState.Connected);
      expect(await connection.invoke("Echo", "after")).toBe("after");
    });
  });
});
