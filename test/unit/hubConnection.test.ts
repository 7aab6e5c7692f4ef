import { afterEach, describe, expect, it } from "vitest";
import {
  AbortError,
  ConnectionClosedError,
  HandshakeError,
  HubError,
  InvalidArgumentError,
  InvalidStateError,
  NegotiateError,
  ProtocolError,
} from "../../src/errors.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { Subject } from "../../src/hub/subject.js";
import type { IStreamSubscriber } from "../../src/hub/stream.js";
import { createLogger, LogLevel } from "../../src/logging.js";
import { TransferFormat, type IHubProtocol } from "../../src/protocol/hubProtocol.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";
import {
  createHub as makeHub,
  frame,
  HANDSHAKE_OK,
  HANDSHAKE_REQUEST,
  startHub,
  type HubHarness,
} from "./support/fakeConnection.js";
import { AsyncQueue, deferred, flushMicrotasks, settle } from "./support/queue.js";
import { closureOf } from "../support/peek.js";

// Every hub a test makes is stopped afterwards, so no timer outlives its test.
const made: HubHarness[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((h) => h.hub.stop()));
});
function createHub(options: Parameters<typeof makeHub>[0] = {}): HubHarness {
  const harness = makeHub(options);
  made.push(harness);
  return harness;
}
async function connectedHub(options: Parameters<typeof makeHub>[0] = {}): Promise<HubHarness> {
  const harness = createHub(options);
  await startHub(harness);
  return harness;
}

/** A stream subscriber that queues what it receives. */
function collect<T>() {
  const items = new AsyncQueue<T>();
  const ended = deferred<{ error?: unknown }>();
  const subscriber: IStreamSubscriber<T> = {
    next: (value) => items.push(value),
    error: (error) => ended.resolve({ error }),
    complete: () => ended.resolve({}),
  };
  return { subscriber, items, ended: ended.promise };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("start", () => {
  it("sends the JSON handshake request, waits for the response and ends Connected", async () => {
    const harness = createHub();
    const states: string[] = [];
    harness.hub.onstatechange(({ previous, current }) => states.push(`${previous}->${current}`));
    const started = settle(harness.hub.start());
    expect(await harness.connection.sent.next()).toBe(HANDSHAKE_REQUEST);
    expect(harness.connection.starts.map((s) => s.format)).toEqual([TransferFormat.Text]);
    await flushMicrotasks();
    expect(started.done).toBe(false);
    expect(harness.hub.state).toBe(HubConnectionState.Connecting);
    harness.connection.receive(HANDSHAKE_OK);
    await started.settled;
    expect(started.error).toBeUndefined();
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    expect(harness.hub.connectionId).toBe("conn-1");
    expect(states).toEqual(["Disconnected->Connecting", "Connecting->Connected"]);
  });

  it("asks for version 1 in the handshake even though the JSON protocol is version 2", async () => {
    const harness = createHub();
    void harness.hub.start().catch(() => undefined);
    expect(await harness.connection.sent.next()).toBe(`{"protocol":"json","version":1}\x1e`);
  });

  it("uses the protocol's name and transfer format", async () => {
    const binaryish = {
      name: "custom",
      version: 1,
      transferFormat: TransferFormat.Binary,
      parseMessages: () => [],
      writeMessage: () => new ArrayBuffer(0),
    };
    const harness = createHub({ protocol: binaryish });
    void harness.hub.start().catch(() => undefined);
    expect(await harness.connection.sent.next()).toBe(`{"protocol":"custom","version":1}\x1e`);
    expect(harness.connection.starts[0]!.format).toBe(TransferFormat.Binary);
  });

  it("accepts a handshake response split across frames", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receive("{");
    harness.connection.receive("}");
    await flushMicrotasks();
    expect(harness.hub.state).toBe(HubConnectionState.Connecting);
    harness.connection.receive("\x1e");
    await started;
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
  });

  it("handles hub messages that arrive in the same text frame as the handshake response", async () => {
    const harness = createHub();
    const calls = new AsyncQueue<unknown[]>();
    harness.hub.on("welcome", (...args: unknown[]) => calls.push(args));
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receive(HANDSHAKE_OK + frame({ type: 1, target: "welcome", arguments: ["hi", 1] }));
    await started;
    expect(await calls.next()).toEqual(["hi", 1]);
  });

  it("puts a hub message split across frames back together, at every split point", async () => {
    const harness = await connectedHub();
    const calls = new AsyncQueue<unknown[]>();
    harness.hub.on("split", (...args: unknown[]) => calls.push(args));
    const payload = frame({ type: 1, target: "split", arguments: ["a"] }, { type: 1, target: "split", arguments: ["b"] });
    for (let cut = 1; cut < payload.length; cut++) {
      harness.connection.receive(payload.slice(0, cut));
      harness.connection.receive(payload.slice(cut));
      expect(await calls.next()).toEqual(["a"]);
      expect(await calls.next()).toEqual(["b"]);
    }
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
  });

  it("hands the bytes after the handshake response in a binary frame to the protocol as an ArrayBuffer", async () => {
    const json = new JsonHubProtocol();
    const seen: (string | ArrayBuffer)[] = [];
    // A binary protocol for the test: JSON records carried as UTF-8 bytes.
    const bytesProtocol: IHubProtocol = {
      name: "jsonbytes",
      version: 1,
      transferFormat: TransferFormat.Binary,
      parseMessages: (input) => {
        seen.push(input);
        return json.parseMessages(typeof input === "string" ? input : new TextDecoder().decode(input));
      },
      writeMessage: (message) => new TextEncoder().encode(json.writeMessage(message)).buffer as ArrayBuffer,
    };
    const harness = createHub({ protocol: bytesProtocol });
    const calls = new AsyncQueue<unknown[]>();
    harness.hub.on("welcome", (...args: unknown[]) => calls.push(args));
    const started = harness.hub.start();
    await harness.connection.sent.next();
    const payload = HANDSHAKE_OK + frame({ type: 1, target: "welcome", arguments: ["bytes"] });
    harness.connection.receive(new TextEncoder().encode(payload).buffer as ArrayBuffer);
    await started;
    expect(await calls.next()).toEqual(["bytes"]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ArrayBuffer);
  });

  it("rejects with HandshakeError carrying the server's text when the handshake is refused", async () => {
    const harness = createHub();
    const closed: unknown[] = [];
    harness.hub.onclose((e) => closed.push(e));
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receive(`{"error":"Requested protocol 'json' is not available."}\x1e`);
    const error = await rejection(started);
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as Error).message).toContain("Requested protocol 'json' is not available.");
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.isConnected).toBe(false);
    expect(closed).toEqual([]);
  });

  it("rejects with HandshakeError for a malformed handshake response", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receive("<html>\x1e");
    const error = await rejection(started);
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(ProtocolError);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("rejects with HandshakeError when a hub message comes instead of the handshake response", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receiveMessages({ type: MessageType.Close, error: "too early" });
    expect(await rejection(started)).toBeInstanceOf(HandshakeError);
  });

  it("rejects with the server's error when a Close follows the handshake response (Close during start)", async () => {
    const harness = createHub();
    const closed: unknown[] = [];
    harness.hub.onclose((e) => closed.push(e));
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.receive(HANDSHAKE_OK + frame({ type: MessageType.Close, error: "Hub refused the user" }));
    const error = await rejection(started);
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toContain("Hub refused the user");
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.isConnected).toBe(false);
    expect(closed).toEqual([]);
  });

  it("rejects when the connection closes before the handshake response", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    const lost = new Error("socket closed");
    harness.connection.drop(lost);
    expect(await rejection(started)).toBe(lost);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("rejects with the connection's own error when it cannot start (and stays Disconnected)", async () => {
    const harness = createHub();
    const refused = new NegotiateError("Negotiate failed: 401", "http://fake.test/hub/negotiate", { statusCode: 401 });
    harness.connection.startBehaviour = () => refused;
    expect(await rejection(harness.hub.start())).toBe(refused);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.sent.all).toEqual([]);
  });

  it("rejects with InvalidStateError when not Disconnected", async () => {
    const harness = createHub();
    const first = harness.hub.start();
    await harness.connection.sent.next();
    const whileConnecting = await rejection(harness.hub.start());
    expect(whileConnecting).toBeInstanceOf(InvalidStateError);
    expect((whileConnecting as Error).message).toContain("Connecting");
    harness.connection.receive(HANDSHAKE_OK);
    await first;
    const whileConnected = await rejection(harness.hub.start());
    expect(whileConnected).toBeInstanceOf(InvalidStateError);
    expect((whileConnected as Error).message).toContain("Connected");
    expect(harness.connection.starts).toHaveLength(1);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
  });

  it("rejects with AbortError when stop() is called during the handshake", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    await harness.hub.stop();
    const error = await rejection(started);
    expect(error).toBeInstanceOf(AbortError);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.isConnected).toBe(false);
  });

  it("rejects with AbortError when the connection closes without an error during the handshake, as the official client", async () => {
    const harness = createHub();
    const started = harness.hub.start();
    await harness.connection.sent.next();
    harness.connection.drop();
    const error = await rejection(started);
    expect(error).toBeInstanceOf(AbortError);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("rejects with AbortError, and does not connect, when an onstatechange callback calls stop() at Connecting", async () => {
    const harness = createHub();
    harness.hub.onstatechange(({ current }) => {
      if (current == HubConnectionState.Connecting) void harness.hub.stop();
    });
    const error = await rejection(harness.hub.start());
    expect(error).toBeInstanceOf(AbortError);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.isConnected).toBe(false);
    expect(harness.connection.sent.pending).toBe(0);
  });

  it("can start again after a stop", async () => {
    const harness = await connectedHub();
    await harness.hub.stop();
    harness.connection.sent.drain(); // the Close message
    await startHub(harness);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    expect(harness.hub.connectionId).toBe("conn-2");
  });
});

describe("stop", () => {
  it("sends a Close message, closes the connection and fires onclose once without an error", async () => {
    const harness = await connectedHub();
    const closed: unknown[] = [];
    const states: HubConnectionState[] = [];
    harness.hub.onclose((e) => closed.push(e));
    harness.hub.onstatechange(({ current }) => states.push(current));
    await harness.hub.stop();
    expect(harness.connection.drainMessages()).toEqual([{ type: MessageType.Close }]);
    expect(harness.connection.isConnected).toBe(false);
    expect(closed).toEqual([undefined]);
    expect(states).toEqual([HubConnectionState.Disconnecting, HubConnectionState.Disconnected]);
    expect(harness.hub.connectionId).toBeNull();
    await harness.hub.stop();
    expect(closed).toHaveLength(1);
  });

  it("does nothing when already Disconnected", async () => {
    const harness = createHub();
    await harness.hub.stop();
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.stops).toEqual([]);
  });

  it("lets an onclose callback be removed with the function onclose returned", async () => {
    const harness = await connectedHub();
    const calls: unknown[] = [];
    const remove = harness.hub.onclose(() => calls.push("removed"));
    harness.hub.onclose(() => calls.push("kept"));
    remove();
    await harness.hub.stop();
    expect(calls).toEqual(["kept"]);
  });

  it("keeps going when an onclose callback throws", async () => {
    const harness = await connectedHub();
    const calls: string[] = [];
    harness.hub.onclose(() => {
      throw new Error("callback bug");
    });
    harness.hub.onclose(() => calls.push("second"));
    await harness.hub.stop();
    expect(calls).toEqual(["second"]);
    expect(harness.logger.atLeast(LogLevel.Error).some((m) => m.includes("callback bug"))).toBe(true);
  });
});

describe("invoke and send", () => {
  it("invoke sends an Invocation with an id and resolves with the Completion's result", async () => {
    const { hub, connection } = await connectedHub();
    const result = hub.invoke("Add", 1, 2);
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Invocation, invocationId: "0", target: "Add", arguments: [1, 2] });
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "0", result: 3 });
    expect(await result).toBe(3);
  });

  it("numbers invocations 0, 1, 2 … and routes each Completion to its own invocation", async () => {
    const { hub, connection } = await connectedHub();
    const a = hub.invoke("A");
    const b = hub.invoke("B");
    const c = hub.invoke("C");
    const ids = [await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage()].map(
      (m) => (m as { invocationId?: string }).invocationId,
    );
    expect(ids).toEqual(["0", "1", "2"]);
    connection.receiveMessages(
      { type: MessageType.Completion, invocationId: "2", result: "c" },
      { type: MessageType.Completion, invocationId: "0", result: "a" },
      { type: MessageType.Completion, invocationId: "1", result: "b" },
    );
    expect(await Promise.all([a, b, c])).toEqual(["a", "b", "c"]);
  });

  it("resolves with undefined for a Completion without result", async () => {
    const { hub, connection } = await connectedHub();
    const result = hub.invoke("Void");
    await connection.nextMessage();
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "0" });
    expect(await result).toBeUndefined();
  });

  it("resolves with the result for a Completion whose error is null, as the official client does", async () => {
    const { hub, connection } = await connectedHub();
    const result = hub.invoke("Add", 2, 3);
    await connection.nextMessage();
    connection.receive(`{"type":3,"invocationId":"0","error":null,"result":5}\x1e`);
    expect(await result).toBe(5);
  });

  it("rejects with a HubError carrying the server's text and the method name for a Completion with error", async () => {
    const { hub, connection } = await connectedHub();
    const result = hub.invoke("Divide", 1, 0);
    await connection.nextMessage();
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "0", error: "An unexpected error occurred invoking 'Divide' on the server." });
    const error = await rejection(result);
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toBe("An unexpected error occurred invoking 'Divide' on the server.");
    expect((error as HubError).methodName).toBe("Divide");
  });

  it("rejects an invoke that receives a StreamItem with a ProtocolError", async () => {
    const { hub, connection } = await connectedHub();
    const result = hub.invoke("NotAStream");
    await connection.nextMessage();
    connection.receiveMessages({ type: MessageType.StreamItem, invocationId: "0", item: 1 });
    expect(await rejection(result)).toBeInstanceOf(ProtocolError);
  });

  it("ignores a Completion for an invocation it does not know", async () => {
    const { hub, connection } = await connectedHub();
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "42", result: 1 });
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("send sends an Invocation without an id and resolves once sent", async () => {
    const { hub, connection } = await connectedHub();
    await hub.send("Broadcast", "hello", { n: 1 });
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Invocation, target: "Broadcast", arguments: ["hello", { n: 1 }] });
  });

  it("rejects send and invoke when the connection fails to send", async () => {
    const { hub, connection } = await connectedHub();
    const failure = new Error("write failed");
    connection.send = () => Promise.reject(failure);
    expect(await rejection(hub.send("X"))).toBe(failure);
    expect(await rejection(hub.invoke("Y"))).toBe(failure);
  });

  it("rejects, rather than throws, when an argument cannot be encoded, and leaves nothing pending", async () => {
    const { hub, connection } = await connectedHub();
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    let invoked: Promise<unknown> | undefined;
    let sent: Promise<unknown> | undefined;
    expect(() => (invoked = hub.invoke("Big", BigInt(10)))).not.toThrow();
    expect(() => (sent = hub.send("Loop", circular))).not.toThrow();
    expect(await rejection(invoked!)).toBeInstanceOf(TypeError);
    expect(await rejection(sent!)).toBeInstanceOf(TypeError);
    const streamed = collect<unknown>();
    expect(() => hub.stream("Big", BigInt(10)).subscribe(streamed.subscriber)).not.toThrow();
    expect((await streamed.ended).error).toBeInstanceOf(TypeError);
    expect(connection.sent.pending).toBe(0);
    // Nothing is left waiting: closing rejects no forgotten invocation (vitest would report it as unhandled).
    await hub.stop();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("rejects invoke, send and stream with InvalidStateError while Disconnected", async () => {
    const { hub, connection } = createHub();
    const invoked = await rejection(hub.invoke("Echo", 1));
    expect(invoked).toBeInstanceOf(InvalidStateError);
    expect((invoked as Error).message).toContain("Echo");
    expect(await rejection(hub.send("Echo", 1))).toBeInstanceOf(InvalidStateError);
    const streamed = collect<unknown>();
    hub.stream("Counter").subscribe(streamed.subscriber);
    expect((await streamed.ended).error).toBeInstanceOf(InvalidStateError);
    expect(connection.sent.all).toEqual([]);
  });

  it("rejects pending invokes with ConnectionClosedError naming the method when the connection closes", async () => {
    const { hub, connection } = await connectedHub();
    const first = hub.invoke("SlowOne");
    const second = hub.invoke("SlowTwo");
    const lost = new Error("transport died");
    connection.drop(lost);
    const [e1, e2] = [await rejection(first), await rejection(second)];
    expect(e1).toBeInstanceOf(ConnectionClosedError);
    expect((e1 as Error).message).toContain("'SlowOne'");
    expect((e1 as Error).message).toContain("transport died");
    expect((e1 as Error & { cause?: unknown }).cause).toBe(lost);
    expect((e2 as Error).message).toContain("'SlowTwo'");
  });

  it("rejects pending invokes with ConnectionClosedError when stop() is called", async () => {
    const { hub } = await connectedHub();
    const pending = hub.invoke("Forever");
    await hub.stop();
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain("'Forever'");
  });
});

describe("server-to-client streams", () => {
  it("sends a StreamInvocation and delivers items, then completes", async () => {
    const { hub, connection } = await connectedHub();
    const stream = hub.stream<number>("Counter", 3, 10);
    const { subscriber, items, ended } = collect<number>();
    stream.subscribe(subscriber);
    expect(await connection.nextMessage()).toEqual({ type: MessageType.StreamInvocation, invocationId: "0", target: "Counter", arguments: [3, 10] });
    connection.receiveMessages({ type: 2, invocationId: "0", item: 0 }, { type: 2, invocationId: "0", item: 1 });
    connection.receiveMessages({ type: 2, invocationId: "0", item: 2 }, { type: 3, invocationId: "0" });
    expect(await ended).toEqual({});
    expect(items.all).toEqual([0, 1, 2]);
    expect(subscriber.closed).toBe(true);
  });

  describe("read with for await", () => {
    it("yields the items, those that came before the loop too, then ends with the stream", async () => {
      const { hub, connection } = await connectedHub();
      const stream = hub.stream<number>("Counter", 3);
      await connection.nextMessage();
      connection.receiveMessages({ type: 2, invocationId: "0", item: 0 });
      const read: number[] = [];
      const loop = (async () => {
        for await (const item of stream) {
          read.push(item);
          // Later items arrive while the loop is waiting for them.
          if (item === 0) connection.receiveMessages({ type: 2, invocationId: "0", item: 1 }, { type: 2, invocationId: "0", item: 2 });
          if (item === 2) connection.receiveMessages({ type: 3, invocationId: "0" });
        }
      })();
      await loop;
      expect(read).toEqual([0, 1, 2]);
    });

    it("throws the server's error from the loop, after the items before it", async () => {
      const { hub, connection } = await connectedHub();
      const stream = hub.stream<number>("Fails");
      await connection.nextMessage();
      const read: number[] = [];
      const loop = settle(
        (async () => {
          for await (const item of stream) read.push(item);
        })(),
      );
      connection.receiveMessages({ type: 2, invocationId: "0", item: 7 }, { type: 3, invocationId: "0", error: "boom" });
      await loop.settled;
      expect(read).toEqual([7]);
      expect(loop.error).toBeInstanceOf(HubError);
      expect((loop.error as Error).message).toContain("boom");
    });

    it("throws ConnectionClosedError from a loop waiting when the connection closes", async () => {
      const { hub, connection } = await connectedHub();
      const iterator = hub.stream<number>("Infinite")[Symbol.asyncIterator]();
      const waiting = iterator.next();
      connection.drop(new Error("lost"));
      await expect(waiting).rejects.toBeInstanceOf(ConnectionClosedError);
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    it("cancels the stream on the server when the loop is left early, and ends any next() still waiting", async () => {
      const { hub, connection } = await connectedHub();
      const stream = hub.stream<number>("Infinite");
      await connection.nextMessage();
      connection.receiveMessages({ type: 2, invocationId: "0", item: 1 }, { type: 2, invocationId: "0", item: 2 });
      for await (const item of stream) {
        expect(item).toBe(1);
        break;
      }
      expect(await connection.nextMessage()).toEqual({ type: MessageType.CancelInvocation, invocationId: "0" });
      // A later item is ignored; a reader asking again is told the stream is over.
      connection.receiveMessages({ type: 2, invocationId: "0", item: 3 });
      const other = hub.stream<number>("Infinite")[Symbol.asyncIterator]();
      const pending = other.next();
      expect(await other.return!()).toEqual({ done: true, value: undefined });
      expect(await pending).toEqual({ done: true, value: undefined });
      expect(await other.next()).toEqual({ done: true, value: undefined });
    });

    it("ends at once, as the stream did, when the loop starts after another subscriber saw the end", async () => {
      const { hub, connection } = await connectedHub();
      const completed = hub.stream<number>("Done");
      const failed = hub.stream<number>("Fails");
      const cancelled = hub.stream<number>("Infinite");
      await connection.nextMessage();
      await connection.nextMessage();
      await connection.nextMessage();
      completed.subscribe(collect<number>().subscriber);
      failed.subscribe(collect<number>().subscriber);
      cancelled.subscribe(collect<number>().subscriber).dispose();
      connection.receiveMessages({ type: 2, invocationId: "0", item: 1 }, { type: 3, invocationId: "0" }, { type: 3, invocationId: "1", error: "boom" });

      expect(await completed[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
      await expect(failed[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(HubError);
      expect(await cancelled[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
      // A late subscriber is told the same, and marked closed.
      const late = collect<number>();
      failed.subscribe(late.subscriber);
      expect(await late.ended).toEqual({ error: expect.any(HubError) });
      expect(late.subscriber.closed).toBe(true);
    });

    it("gives each loop its own reader; the stream is cancelled only when the last one leaves", async () => {
      const { hub, connection } = await connectedHub();
      const stream = hub.stream<string>("Shared");
      await connection.nextMessage();
      const first = stream[Symbol.asyncIterator]();
      const second = stream[Symbol.asyncIterator]();
      connection.receiveMessages({ type: 2, invocationId: "0", item: "x" });
      expect(await first.next()).toEqual({ done: false, value: "x" });
      expect(await second.next()).toEqual({ done: false, value: "x" });
      await first.return!();
      expect(connection.drainMessages()).toEqual([]);
      await second.return!();
      expect(await connection.nextMessage()).toEqual({ type: MessageType.CancelInvocation, invocationId: "0" });
    });
  });

  it("delivers items that arrived before subscribe", async () => {
    const { hub, connection } = await connectedHub();
    const stream = hub.stream<string>("Early");
    await connection.nextMessage();
    connection.receiveMessages({ type: 2, invocationId: "0", item: "a" }, { type: 2, invocationId: "0", item: "b" }, { type: 3, invocationId: "0" });
    const { subscriber, items, ended } = collect<string>();
    stream.subscribe(subscriber);
    expect(await ended).toEqual({});
    expect(items.all).toEqual(["a", "b"]);
  });

  it("ends the stream with a HubError for a Completion with error", async () => {
    const { hub, connection } = await connectedHub();
    const { subscriber, items, ended } = collect<number>();
    hub.stream<number>("Failing").subscribe(subscriber);
    await connection.nextMessage();
    connection.receiveMessages({ type: 2, invocationId: "0", item: 1 }, { type: 3, invocationId: "0", error: "Stream broke" });
    const { error } = await ended;
    expect(error).toBeInstanceOf(HubError);
    expect((error as Error).message).toBe("Stream broke");
    expect(items.all).toEqual([1]);
  });

  it("sends CancelInvocation when the subscription is disposed, and delivers nothing after", async () => {
    const { hub, connection } = await connectedHub();
    const { subscriber, items } = collect<number>();
    const subscription = hub.stream<number>("Endless").subscribe(subscriber);
    await connection.nextMessage();
    connection.receiveMessages({ type: 2, invocationId: "0", item: 1 });
    subscription.dispose();
    expect(await connection.nextMessage()).toEqual({ type: MessageType.CancelInvocation, invocationId: "0" });
    connection.receiveMessages({ type: 2, invocationId: "0", item: 2 }, { type: 3, invocationId: "0" });
    await flushMicrotasks();
    expect(items.all).toEqual([1]);
    subscription.dispose();
    expect(connection.sent.pending).toBe(0);
  });

  it("sends no CancelInvocation when a finished stream's subscription is disposed", async () => {
    const { hub, connection } = await connectedHub();
    const { subscriber, ended } = collect<number>();
    const subscription = hub.stream<number>("Short").subscribe(subscriber);
    await connection.nextMessage();
    connection.receiveMessages({ type: 3, invocationId: "0" });
    await ended;
    subscription.dispose();
    await flushMicrotasks();
    expect(connection.sent.pending).toBe(0);
  });

  it("ends open streams with ConnectionClosedError when the connection closes", async () => {
    const { hub, connection } = await connectedHub();
    const { subscriber, ended } = collect<number>();
    hub.stream<number>("Endless").subscribe(subscriber);
    await connection.nextMessage();
    connection.drop(new Error("gone"));
    const { error } = await ended;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect((error as Error).message).toContain("'Endless'");
  });
  it("keeps handling a payload when a stream subscriber's callback throws (as the official client, which logs it)", async () => {
    const { hub, connection, logger } = await connectedHub();
    hub.stream<number>("Items").subscribe({
      next: () => {
        throw new Error("subscriber broke");
      },
      error: () => undefined,
      complete: () => undefined,
    });
    const result = settle(hub.invoke("Add", 1, 2));
    await connection.nextMessage();
    await connection.nextMessage();
    try {
      connection.receiveMessages({ type: 2, invocationId: "0", item: 1 }, { type: 3, invocationId: "1", result: 3 });
    } catch {
      // Before the fix, the subscriber's error escaped the transport's receive callback.
    }
    await flushMicrotasks();
    expect(result.value).toBe(3);
    expect(logger.atLeast(LogLevel.Error).join()).toContain("subscriber broke");
  });

  it("fails every call and reports the close when a stream subscriber's error callback throws as the connection closes", async () => {
    const { hub, connection } = await connectedHub();
    const closed: (Error | undefined)[] = [];
    hub.onclose((e) => closed.push(e));
    hub.stream<number>("Items").subscribe({
      next: () => undefined,
      error: (error) => {
        throw error;
      },
      complete: () => undefined,
    });
    const result = settle(hub.invoke("Later"));
    await flushMicrotasks();
    try {
      connection.drop(new Error("gone"));
    } catch {
      // Before the fix, the subscriber's error escaped the transport's close callback.
    }
    await flushMicrotasks();
    expect(result.error).toBeInstanceOf(ConnectionClosedError);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(closed).toHaveLength(1);
  });
});

describe("client-to-server streams", () => {
  it("takes an RxJS-style observable (its subscription has unsubscribe, not dispose) that emits and completes as it is subscribed, as the official client does", async () => {
    const { hub, connection } = await connectedHub();
    const observable = {
      subscribe: (observer: IStreamSubscriber<number>) => {
        observer.next(1);
        observer.complete();
        return { unsubscribe: () => undefined };
      },
    };
    const result = settle(hub.invoke("Sum", observable));
    const sent = [await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage()];
    expect(sent).toEqual([
      { type: MessageType.Invocation, invocationId: "1", target: "Sum", arguments: [], streamIds: ["0"] },
      { type: MessageType.StreamItem, invocationId: "0", item: 1 },
      { type: MessageType.Completion, invocationId: "0" },
    ]);
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "1", result: 1 });
    await flushMicrotasks();
    expect(result.value).toBe(1);
  });

  it("rejects send and invoke, rather than throws, when a stream argument's subscribe throws, and leaves nothing running", async () => {
    const { hub, connection } = await connectedHub();
    const broken = new Error("cannot subscribe");
    const source = {
      subscribe: () => {
        throw broken;
      },
    };
    const other = new Subject<number>();
    let sent: Promise<unknown> | undefined;
    let invoked: Promise<unknown> | undefined;
    expect(() => (sent = hub.send("Upload", source))).not.toThrow();
    expect(() => (invoked = hub.invoke("Sum", other, source))).not.toThrow();
    expect(await rejection(sent!)).toBe(broken);
    expect(await rejection(invoked!)).toBe(broken);
    // The other stream argument was let go.
    expect(other.observers).toHaveLength(0);
    other.next(1);
    await flushMicrotasks();
    // Each failed stream is ended on the server with the error; nothing else is sent.
    expect(connection.drainMessages()).toEqual([
      { type: MessageType.Invocation, target: "Upload", arguments: [], streamIds: ["0"] },
      { type: MessageType.Invocation, invocationId: "3", target: "Sum", arguments: [], streamIds: ["1", "2"] },
      { type: MessageType.Completion, invocationId: "0", error: "cannot subscribe" },
      { type: MessageType.Completion, invocationId: "2", error: "cannot subscribe" },
    ]);
    // Nothing is left waiting: the server's late Completion is ignored, closing rejects nothing forgotten.
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "3", result: 1 });
    await hub.stop();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("sends a Subject argument as its own stream: Invocation with streamIds, then StreamItems, then Completion", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<string>();
    await hub.send("Upload", "file.txt", subject);
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Invocation, target: "Upload", arguments: ["file.txt"], streamIds: ["0"] });
    subject.next("a");
    subject.next("b");
    subject.complete();
    expect(await connection.nextMessage()).toEqual({ type: MessageType.StreamItem, invocationId: "0", item: "a" });
    expect(await connection.nextMessage()).toEqual({ type: MessageType.StreamItem, invocationId: "0", item: "b" });
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Completion, invocationId: "0" });
  });

  it("keeps Subject items pushed right after invoke returns, behind the invocation", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    const result = hub.invoke("Sum", subject);
    subject.next(1);
    subject.next(2);
    subject.complete();
    const sent = [await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage()];
    expect(sent).toEqual([
      { type: MessageType.Invocation, invocationId: "1", target: "Sum", arguments: [], streamIds: ["0"] },
      { type: MessageType.StreamItem, invocationId: "0", item: 1 },
      { type: MessageType.StreamItem, invocationId: "0", item: 2 },
      { type: MessageType.Completion, invocationId: "0" },
    ]);
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "1", result: 3 });
    expect(await result).toBe(3);
  });

  it("ends the stream with an error Completion when the Subject errors", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    await hub.send("Upload", subject);
    await connection.nextMessage();
    subject.error(new Error("source failed"));
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Completion, invocationId: "0", error: "source failed" });
  });

  it.each([
    ["a string", "plain reason", "plain reason"],
    ["nothing", undefined, "Unknown error"],
    ["null", null, "Unknown error"],
  ])("ends the stream with the official client's error text when the Subject errors with %s", async (_, reason, text) => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    await hub.send("Upload", subject);
    await connection.nextMessage();
    subject.error(reason);
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Completion, invocationId: "0", error: text });
  });

  it("sends an async generator's items in order, then a Completion", async () => {
    const { hub, connection } = await connectedHub();
    async function* source() {
      yield "x";
      await Promise.resolve();
      yield "y";
      yield "z";
    }
    await hub.send("UploadIterable", source());
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Invocation, target: "UploadIterable", arguments: [], streamIds: ["0"] });
    const rest = [await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage(), await connection.nextMessage()];
    expect(rest).toEqual([
      { type: 2, invocationId: "0", item: "x" },
      { type: 2, invocationId: "0", item: "y" },
      { type: 2, invocationId: "0", item: "z" },
      { type: 3, invocationId: "0" },
    ]);
  });

  it("ends an async generator's stream with an error Completion when it throws", async () => {
    const { hub, connection } = await connectedHub();
    async function* source() {
      yield 1;
      throw new Error("generator broke");
    }
    await hub.send("UploadIterable", source());
    await connection.nextMessage();
    expect(await connection.nextMessage()).toEqual({ type: 2, invocationId: "0", item: 1 });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "0", error: "generator broke" });
  });

  it("handles two stream arguments in one call, each with its own id", async () => {
    const { hub, connection } = await connectedHub();
    const first = new Subject<string>();
    const second = new Subject<string>();
    const result = hub.invoke("Merge", first, 5, second);
    expect(await connection.nextMessage()).toEqual({
      type: MessageType.Invocation,
      invocationId: "2",
      target: "Merge",
      arguments: [5],
      streamIds: ["0", "1"],
    });
    second.next("s1");
    first.next("f1");
    second.complete();
    first.next("f2");
    first.complete();
    const sent: HubMessage[] = [];
    for (let i = 0; i < 5; i++) sent.push(await connection.nextMessage());
    expect(sent).toEqual([
      { type: 2, invocationId: "1", item: "s1" },
      { type: 2, invocationId: "0", item: "f1" },
      { type: 3, invocationId: "1" },
      { type: 2, invocationId: "0", item: "f2" },
      { type: 3, invocationId: "0" },
    ]);
    connection.receiveMessages({ type: 3, invocationId: "2", result: "merged" });
    expect(await result).toBe("merged");
  });

  it("handles two adjacent stream arguments", async () => {
    const { hub, connection } = await connectedHub();
    const a = new Subject<number>();
    const b = new Subject<number>();
    await hub.send("Two", a, b);
    expect(await connection.nextMessage()).toEqual({ type: 1, target: "Two", arguments: [], streamIds: ["0", "1"] });
    a.next(1);
    b.next(2);
    a.complete();
    b.complete();
    const sent: HubMessage[] = [];
    for (let i = 0; i < 4; i++) sent.push(await connection.nextMessage());
    expect(sent).toEqual([
      { type: 2, invocationId: "0", item: 1 },
      { type: 2, invocationId: "1", item: 2 },
      { type: 3, invocationId: "0" },
      { type: 3, invocationId: "1" },
    ]);
  });

  it("passes a stream argument of a streaming call as streamIds on the StreamInvocation", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    hub.stream("Echo", subject).subscribe(collect<number>().subscriber);
    expect(await connection.nextMessage()).toEqual({ type: 4, invocationId: "1", target: "Echo", arguments: [], streamIds: ["0"] });
  });

  it("stops sending a client stream when the connection closes", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    await hub.send("Upload", subject);
    await connection.nextMessage();
    connection.drop(new Error("lost"));
    expect(subject.observers).toHaveLength(0);
    subject.next(1);
    subject.complete();
    await flushMicrotasks();
    expect(connection.sent.pending).toBe(0);
  });

  it("stops a call's client streams once the server has answered the call: the server drops later items", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    const gate = deferred<void>();
    let returned = 0;
    async function* source() {
      try {
        yield 0;
        await gate.promise;
        yield 1;
      } finally {
        returned++;
      }
    }
    const result = settle(hub.invoke("Refused", subject, source()));
    expect(await connection.nextMessage()).toMatchObject({ type: MessageType.Invocation, invocationId: "2", streamIds: ["0", "1"] });
    expect(await connection.nextMessage()).toEqual({ type: MessageType.StreamItem, invocationId: "1", item: 0 });
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "2", error: "Method does not exist." });
    await result.settled;
    expect(subject.observers).toHaveLength(0);
    gate.resolve();
    subject.next(1);
    subject.complete();
    await flushMicrotasks();
    expect(returned).toBe(1);
    // Nothing more goes out for either stream, not even their Completions: the server has forgotten them.
    expect(connection.drainMessages()).toEqual([]);
  });

  it("stops a streaming call's client stream when its subscription is disposed", async () => {
    const { hub, connection } = await connectedHub();
    const subject = new Subject<number>();
    const subscription = hub.stream("Echo", subject).subscribe(collect<number>().subscriber);
    await connection.nextMessage();
    subscription.dispose();
    expect(await connection.nextMessage()).toEqual({ type: MessageType.CancelInvocation, invocationId: "1" });
    expect(subject.observers).toHaveLength(0);
  });

  it("unsubscribes an RxJS-style stream argument (unsubscribe, no dispose) when the connection closes, without logging an error", async () => {
    const { hub, connection, logger } = await connectedHub();
    let unsubscribed = 0;
    const observable = { subscribe: () => ({ unsubscribe: () => void unsubscribed++ }) };
    await hub.send("Upload", observable);
    await connection.nextMessage();
    connection.drop(new Error("lost"));
    await flushMicrotasks();
    expect(unsubscribed).toBe(1);
    expect(logger.atLeast(LogLevel.Error).filter((m) => m.includes("Stream callback"))).toEqual([]);
  });
});

describe("client methods", () => {
  it("calls the handler with the arguments, matching the name case-insensitively", async () => {
    const { hub, connection } = await connectedHub();
    const calls = new AsyncQueue<unknown[]>();
    hub.on("ReceiveMessage", (...args: unknown[]) => calls.push(args));
    connection.receiveMessages({ type: 1, target: "receivemessage", arguments: ["ann", "hi"] });
    connection.receiveMessages({ type: 1, target: "RECEIVEMESSAGE", arguments: ["bob", "yo"] });
    expect(calls.all).toEqual([
      ["ann", "hi"],
      ["bob", "yo"],
    ]);
  });

  it("calls every handler of a method, once each even when registered twice", async () => {
    const { hub, connection } = await connectedHub();
    const calls: string[] = [];
    const first = () => calls.push("first");
    hub.on("tick", first);
    hub.on("tick", first);
    hub.on("TICK", () => calls.push("second"));
    connection.receiveMessages({ type: 1, target: "tick", arguments: [] });
    await flushMicrotasks();
    expect(calls).toEqual(["first", "second"]);
  });

  it("runs the handlers of one call one after another, waiting for each one's promise, as the official client does", async () => {
    const { hub, connection } = await connectedHub();
    const calls: string[] = [];
    const firstDone = deferred<void>();
    hub.on("tick", async () => {
      calls.push("first started");
      await firstDone.promise;
      calls.push("first done");
    });
    hub.on("tick", () => calls.push("second"));
    connection.receiveMessages({ type: 1, target: "tick", arguments: [] });
    await flushMicrotasks();
    expect(calls).toEqual(["first started"]);
    firstDone.resolve();
    await flushMicrotasks();
    expect(calls).toEqual(["first started", "first done", "second"]);
  });

  it("off(name) removes every handler of the method", async () => {
    const { hub, connection } = await connectedHub();
    const calls: string[] = [];
    hub.on("tick", () => calls.push("a"));
    hub.on("tick", () => calls.push("b"));
    hub.off("TICK");
    connection.receiveMessages({ type: 1, target: "tick", arguments: [] });
    expect(calls).toEqual([]);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("off(name, fn) removes only that handler", async () => {
    const { hub, connection } = await connectedHub();
    const calls: string[] = [];
    const a = () => calls.push("a");
    const b = () => calls.push("b");
    hub.on("tick", a);
    hub.on("tick", b);
    hub.off("Tick", a);
    hub.off("tick", () => calls.push("never registered"));
    connection.receiveMessages({ type: 1, target: "tick", arguments: [] });
    expect(calls).toEqual(["b"]);
  });

  it("forgets a client method once its last handler is removed, so on/off with ever new names holds nothing", async () => {
    // Nothing outside can see the table of client methods: peek at it (test/support/peek.ts).
    const { hub, connection } = await connectedHub();
    const methods = closureOf((hub as any)._call).methods as Map<string, unknown[]>;
    const kept = () => hub.on("kept", () => {});
    kept();
    for (let i = 0; i < 100; i++) {
      const handler = () => {};
      hub.on(`item${i}`, handler);
      hub.on(`other${i}`, () => {});
      hub.off(`ITEM${i}`, handler);
      hub.off(`other${i}`);
    }
    hub.off("never registered");
    expect([...methods.keys()]).toEqual(["kept"]);
    // A removed method is unknown again, as before it was registered.
    connection.receiveMessages({ type: 1, target: "item1", arguments: [] });
    await flushMicrotasks();
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("runs the other handlers and later messages when a handler throws, and logs the error", async () => {
    const { hub, connection, logger } = await connectedHub();
    const calls: string[] = [];
    hub.on("tick", () => {
      throw new Error("handler bug");
    });
    hub.on("tick", (n: number) => calls.push(`second ${n}`));
    connection.receiveMessages({ type: 1, target: "tick", arguments: [1] }, { type: 1, target: "tick", arguments: [2] });
    connection.receiveMessages({ type: 1, target: "tick", arguments: [3] });
    expect(calls).toEqual(["second 1", "second 2", "second 3"]);
    expect(logger.atLeast(LogLevel.Error).filter((m) => m.includes("handler bug"))).toHaveLength(3);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("logs a rejected promise from an async handler instead of leaving it unhandled", async () => {
    const { hub, connection, logger } = await connectedHub();
    hub.on("tick", async () => {
      throw new Error("async handler bug");
    });
    connection.receiveMessages({ type: 1, target: "tick", arguments: [] });
    await flushMicrotasks();
    expect(logger.messages.some((m) => m.includes("async handler bug"))).toBe(true);
  });

  it("logs a warning and sends nothing for a method without handler when no result is expected", async () => {
    const { hub, connection, logger } = await connectedHub();
    connection.receiveMessages({ type: 1, target: "unknownMethod", arguments: [] });
    await flushMicrotasks();
    expect(logger.atLeast(LogLevel.Warning).some((m) => m.includes("unknownMethod"))).toBe(true);
    expect(connection.sent.pending).toBe(0);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("treats __proto__ and constructor as ordinary, unregistered method names", async () => {
    const { hub, connection } = await connectedHub();
    connection.receiveMessages({ type: 1, invocationId: "a", target: "constructor", arguments: [] }, { type: 1, invocationId: "b", target: "__proto__", arguments: [] });
    const answers = [await connection.nextMessage(), await connection.nextMessage()];
    expect(answers.map((m) => [(m as { invocationId: string }).invocationId, "error" in m])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    const calls: string[] = [];
    hub.on("__proto__", () => calls.push("proto handler"));
    connection.receiveMessages({ type: 1, target: "__proto__", arguments: [] });
    expect(calls).toEqual(["proto handler"]);
    expect(({} as Record<string, unknown>)["proto handler"]).toBeUndefined();
  });
  it("keeps working with a logger that throws: handlers run and a result-expecting call is still answered", async () => {
    // The builder hands the hub its logger through createLogger, as here.
    const throwing = createLogger({ log: () => { throw new Error("logger bug"); } });
    const { hub, connection } = await connectedHub({ logger: throwing });
    const calls: string[] = [];
    hub.on("tick", () => {
      calls.push("tick");
      throw new Error("handler bug");
    });
    connection.receiveMessages({ type: 1, target: "nobody", arguments: [] }, { type: 1, invocationId: "x", target: "tick", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "x", error: "Error: handler bug" });
    expect(calls).toEqual(["tick"]);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });
});

describe("client results", () => {
  it("answers an invocation with an id with the handler's return value", async () => {
    const { hub, connection } = await connectedHub();
    hub.on("GetMessage", (prompt: string) => `${prompt}: yes`);
    connection.receiveMessages({ type: 1, invocationId: "srv-1", target: "GetMessage", arguments: ["Proceed?"] });
    expect(await connection.nextMessage()).toEqual({ type: MessageType.Completion, invocationId: "srv-1", result: "Proceed?: yes" });
  });

  it("answers with the value a returned promise resolves to", async () => {
    const { hub, connection } = await connectedHub();
    const answer = deferred<number>();
    hub.on("Compute", () => answer.promise);
    connection.receiveMessages({ type: 1, invocationId: "srv-2", target: "Compute", arguments: [] });
    await flushMicrotasks();
    expect(connection.sent.pending).toBe(0);
    answer.resolve(42);
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-2", result: 42 });
  });

  it("answers with an error Completion when the handler throws", async () => {
    const { hub, connection } = await connectedHub();
    hub.on("Compute", () => {
      throw new Error("client cannot compute");
    });
    connection.receiveMessages({ type: 1, invocationId: "srv-3", target: "Compute", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-3", error: "Error: client cannot compute" });
  });

  it("answers with an error Completion when the handler's promise rejects", async () => {
    const { hub, connection } = await connectedHub();
    hub.on("Compute", async () => {
      throw new TypeError("bad input");
    });
    connection.receiveMessages({ type: 1, invocationId: "srv-4", target: "Compute", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-4", error: "TypeError: bad input" });
  });

  it("answers with an error Completion when there is no handler", async () => {
    const { connection } = await connectedHub();
    connection.receiveMessages({ type: 1, invocationId: "srv-5", target: "NobodyHome", arguments: [] });
    const answer = await connection.nextMessage();
    expect(answer).toMatchObject({ type: 3, invocationId: "srv-5" });
    expect((answer as { error?: string }).error).toMatch(/Client didn't provide a result/);
    expect(answer).not.toHaveProperty("result");
  });

  it("answers with an error Completion when the handler returns nothing", async () => {
    const { hub, connection } = await connectedHub();
    hub.on("Compute", () => undefined);
    connection.receiveMessages({ type: 1, invocationId: "srv-6", target: "Compute", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-6", error: "Client didn't provide a result." });
  });

  it("answers with an error Completion when several handlers return results", async () => {
    const { hub, connection } = await connectedHub();
    hub.on("Compute", () => 1);
    hub.on("Compute", () => 2);
    connection.receiveMessages({ type: 1, invocationId: "srv-7", target: "Compute", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-7", error: "Client provided multiple results." });
  });

  // As the official client: every handler runs, and the last one's outcome answers (a value, or a
  // throw); two truthy values are "multiple results".
  it.each([
    ["a throw, then a value: the value", [boom, () => 5], { result: 5 }],
    ["a value, then nothing: no result", [() => 5, () => undefined], { error: "Client didn't provide a result." }],
    ["0, then a value: the value", [() => 0, () => 5], { result: 5 }],
    ["a value, then 0: 0", [() => 5, () => 0], { result: 0 }],
    ["a value, then a throw: the error", [() => 5, boom], { error: "Error: boom" }],
    ["two values, then a throw: multiple results", [() => 1, () => 2, boom], { error: "Client provided multiple results." }],
    ["a thrown string: its text", [throwing("plain")], { error: "plain" }],
    ["a thrown undefined: no result", [throwing(undefined)], { error: "Client didn't provide a result." }],
    ["a value, then a thrown undefined: the value", [() => 5, throwing(undefined)], { result: 5 }],
  ])("answers as the official client with several handlers: %s", async (_, handlers, answer) => {
    const { hub, connection } = await connectedHub();
    for (const handler of handlers) hub.on("Compute", handler);
    connection.receiveMessages({ type: 1, invocationId: "srv-8", target: "Compute", arguments: [] });
    expect(await connection.nextMessage()).toEqual({ type: 3, invocationId: "srv-8", ...answer });
  });
});

function boom(): never {
  throw new Error("boom");
}

function throwing(value: unknown) {
  return () => {
    throw value;
  };
}

describe("server Close and bad input", () => {
  it("closes with a HubError carrying the server's text for Close with an error", async () => {
    const { hub, connection } = await connectedHub();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((e) => closed.push(e));
    connection.receiveMessages({ type: MessageType.Close, error: "Connection closed with an error. InvalidDataException: bad" });
    const error = await closed.next();
    expect(error).toBeInstanceOf(HubError);
    expect(error?.message).toContain("Connection closed with an error. InvalidDataException: bad");
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(connection.isConnected).toBe(false);
    expect(closed.all).toHaveLength(1);
  });

  it("closes without an error for a Close without error", async () => {
    const { hub, connection } = await connectedHub();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((e) => closed.push(e));
    connection.receiveMessages({ type: MessageType.Close });
    expect(await closed.next()).toBeUndefined();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("closes with a ProtocolError when the server sends a malformed message", async () => {
    const { hub, connection } = await connectedHub();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((e) => closed.push(e));
    connection.receive(`{"type":1,"target":"x"}\x1e`);
    const error = await closed.next();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error?.message).toContain("arguments");
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("ignores Ping and unknown message types from the server", async () => {
    const { hub, connection } = await connectedHub();
    const calls: unknown[] = [];
    hub.on("after", () => calls.push("after"));
    connection.receive(`{"type":6}\x1e{"type":42,"x":1}\x1e{"type":1,"target":"after","arguments":[]}\x1e`);
    expect(calls).toEqual(["after"]);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("closes with the transport's error and no reconnect policy when the connection drops", async () => {
    const { hub, connection } = await connectedHub();
    const closed = new AsyncQueue<Error | undefined>();
    const reconnecting: unknown[] = [];
    hub.onclose((e) => closed.push(e));
    hub.onreconnecting((e) => reconnecting.push(e));
    const lost = new Error("gone");
    connection.drop(lost);
    expect(await closed.next()).toBe(lost);
    expect(reconnecting).toEqual([]);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });
});

describe("baseUrl", () => {
  it("can be changed while Disconnected, not while Connected", async () => {
    const harness = createHub();
    harness.hub.baseUrl = "http://elsewhere.test/hub";
    expect(harness.connection.baseUrl).toBe("http://elsewhere.test/hub");
    expect(() => (harness.hub.baseUrl = "")).toThrow(InvalidArgumentError);
    await startHub(harness);
    expect(() => (harness.hub.baseUrl = "http://third.test/hub")).toThrow(InvalidStateError);
    expect(harness.hub.baseUrl).toBe("http://elsewhere.test/hub");
  });
});
