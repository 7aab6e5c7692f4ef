import { afterEach, describe, expect, it, vi } from "vitest";
import { ConnectionClosedError, ProtocolError } from "../../src/errors.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";
import { createHub, HANDSHAKE_OK, type HubHarness } from "./support/fakeConnection.js";
import { AsyncQueue, flushMicrotasks } from "./support/queue.js";

// Stateful reconnect as the hub layer sees it (PROTOCOL.md §7): the connection tells the hub
// that the socket dropped (features.disconnected) and that it is back (features.resend); the
// test plays the server's messages, Ack and Sequence included.

const HOUR = 3_600_000;
const invocation = (n: number): HubMessage => ({ type: MessageType.Invocation, target: "m", arguments: [n] });

const made: HubHarness[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((h) => h.hub.stop()));
  vi.useRealTimers();
});

/** A connected hub with stateful reconnect agreed; pings and the server timeout out of the way unless asked for. */
async function statefulHub(options: { bufferSize?: number; keepAliveIntervalInMilliseconds?: number } = {}): Promise<HubHarness> {
  const harness = createHub({
    statefulReconnectBufferSize: options.bufferSize ?? 100_000,
    keepAliveIntervalInMilliseconds: options.keepAliveIntervalInMilliseconds ?? HOUR,
    serverTimeoutInMilliseconds: HOUR,
  });
  made.push(harness);
  harness.connection.features.reconnect = true;
  const started = harness.hub.start();
  // Stateful reconnect's Ack and Sequence need version 2 of the hub protocol.
  expect(await harness.connection.sent.next()).toBe('{"protocol":"json","version":2}\x1e');
  harness.connection.receive(HANDSHAKE_OK);
  await started;
  return harness;
}

describe("stateful reconnect", () => {
  it("asks for version 1 in the handshake when the connection did not agree to stateful reconnect", async () => {
    const harness = createHub({ statefulReconnectBufferSize: 100_000 });
    made.push(harness);
    void harness.hub.start().catch(() => undefined);
    expect(await harness.connection.sent.next()).toBe('{"protocol":"json","version":1}\x1e');
  });

  it("sends at once while connected, and replays the unacknowledged after a Sequence with the first id", async () => {
    const { hub, connection } = await statefulHub();
    await hub.send("m", 1);
    await hub.send("m", 2);
    await hub.send("m", 3);
    connection.receiveMessages({ type: MessageType.Ack, sequenceId: 1 });
    connection.features.disconnected!();
    await hub.send("m", 4); // held while the socket is down
    expect(connection.drainMessages()).toEqual([invocation(1), invocation(2), invocation(3)]);
    await connection.features.resend!();
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Sequence, sequenceId: 2 }, invocation(2), invocation(3), invocation(4)]);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("does not count or replay pings, and drops them while disconnected", async () => {
    vi.useFakeTimers();
    const { connection } = await statefulHub({ keepAliveIntervalInMilliseconds: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    connection.features.disconnected!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(connection.drainMessages()).toEqual([]);
    await connection.features.resend!();
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Sequence, sequenceId: 1 }]);
  });

  it("makes a send wait while the unacknowledged bytes are over bufferSize, until an Ack frees them", async () => {
    const { hub, connection } = await statefulHub({ bufferSize: 10 });
    await hub.send("m", 1); // already over 10 bytes
    let done = false;
    const second = hub.send("m", 2).then(() => (done = true));
    await flushMicrotasks();
    expect(done).toBe(false);
    expect(connection.drainMessages()).toEqual([invocation(1)]);
    connection.receiveMessages({ type: MessageType.Ack, sequenceId: 1 });
    await second;
    expect(connection.drainMessages()).toEqual([invocation(2)]);
  });

  it("sends when nothing is unacknowledged, even with bufferSize 0; only later sends wait for an Ack", async () => {
    const { hub, connection } = await statefulHub({ bufferSize: 0 });
    await hub.send("m", 1);
    expect(connection.drainMessages()).toEqual([invocation(1)]);
    let done = false;
    const second = hub.send("m", 2).then(() => (done = true));
    await flushMicrotasks();
    expect(done).toBe(false);
    connection.receiveMessages({ type: MessageType.Ack, sequenceId: 1 });
    await second;
    expect(connection.drainMessages()).toEqual([invocation(2)]);
  });

  it("rejects a send waiting for room when the connection closes, rather than leaving it pending", async () => {
    const { hub, connection } = await statefulHub({ bufferSize: 10 });
    await hub.send("m", 1);
    const waiting = hub.send("m", 2);
    connection.drop(new Error("gone"));
    await expect(waiting).rejects.toThrow();
  });

  it("handles each counted message once: after a resume, replayed ones up to the last handled are dropped", async () => {
    const { hub, connection } = await statefulHub();
    const calls: number[] = [];
    hub.on("m", (n: number) => calls.push(n));
    connection.receiveMessages(invocation(1), invocation(2), invocation(3));
    connection.features.disconnected!();
    connection.receiveMessages(invocation(99)); // anything before the server's Sequence is ignored
    // The server resends 2 and 3 (already handled), then 4.
    connection.receiveMessages({ type: MessageType.Sequence, sequenceId: 2 }, invocation(2), invocation(3), invocation(4));
    expect(calls).toEqual([1, 2, 3, 4]);
  });

  it("delivers an invocation's Completion that the server replays after a resume, once", async () => {
    const { hub, connection } = await statefulHub();
    const result = hub.invoke("Add", 1, 2);
    await connection.nextMessage();
    connection.receiveMessages({ type: MessageType.Completion, invocationId: "0", result: 3 });
    connection.features.disconnected!();
    connection.receiveMessages({ type: MessageType.Sequence, sequenceId: 1 }, { type: MessageType.Completion, invocationId: "0", result: 3 });
    expect(await result).toBe(3);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("acknowledges handled messages about once a second, with the last id", async () => {
    vi.useFakeTimers();
    const { connection } = await statefulHub();
    connection.receiveMessages(invocation(1), invocation(2));
    expect(connection.drainMessages()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ack, sequenceId: 2 }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(connection.drainMessages()).toEqual([]);
  });

  it("closes with a ProtocolError for a Sequence beyond what was received", async () => {
    const { hub, connection } = await statefulHub();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((error) => closed.push(error));
    connection.receiveMessages(invocation(1), { type: MessageType.Sequence, sequenceId: 5 });
    expect(await closed.next()).toBeInstanceOf(ProtocolError);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("stops the bookkeeping when the connection closes: pending invokes reject and nothing is held", async () => {
    const { hub, connection } = await statefulHub();
    const pending = hub.invoke("Slow");
    connection.features.disconnected!();
    connection.drop(new Error("resume failed"));
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(connection.features.disconnected).toBeUndefined();
    expect(connection.features.resend).toBeUndefined();
  });
});
