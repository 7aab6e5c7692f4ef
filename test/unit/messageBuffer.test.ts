import { afterEach, describe, expect, it, vi } from "vitest";
import { ProtocolError } from "../../src/errors.js";
import { MessageBuffer } from "../../src/hub/messageBuffer.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";

const protocol = new JsonHubProtocol();
const invocation = (n: number): HubMessage => ({ type: MessageType.Invocation, target: "m", arguments: [n] });
const decode = (data: string | ArrayBuffer) => protocol.parseMessages(data as string)[0]!;

function setUp(bufferSize = 100_000) {
  const sent: HubMessage[] = [];
  const failures: Error[] = [];
  const buffer = new MessageBuffer(protocol, async (data) => void sent.push(decode(data)), bufferSize, (error) => failures.push(error));
  return { buffer, sent, failures };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("MessageBuffer (stateful reconnect)", () => {
  it("sends at once while connected, and replays the unacknowledged after a Sequence with the first id", async () => {
    const { buffer, sent } = setUp();
    await buffer.send(invocation(1));
    await buffer.send(invocation(2));
    await buffer.send(invocation(3));
    buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
    buffer.disconnected();
    await buffer.send(invocation(4)); // held while the socket is down
    expect(sent.map((m) => m.type)).toEqual([1, 1, 1]);
    await buffer.resend();
    expect(sent.slice(3)).toEqual([{ type: MessageType.Sequence, sequenceId: 2 }, invocation(2), invocation(3), invocation(4)]);
  });

  it("does not count or replay pings, and drops them while disconnected", async () => {
    const { buffer, sent } = setUp();
    await buffer.send({ type: MessageType.Ping });
    buffer.disconnected();
    await buffer.send({ type: MessageType.Ping });
    await buffer.resend();
    expect(sent).toEqual([{ type: MessageType.Ping }, { type: MessageType.Sequence, sequenceId: 1 }]);
  });

  it("makes a send wait while the unacknowledged bytes are over bufferSize, until an Ack frees them", async () => {
    const { buffer, sent } = setUp(10);
    await buffer.send(invocation(1)); // already over 10 bytes
    let done = false;
    const second = buffer.send(invocation(2)).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    buffer.ack({ type: MessageType.Ack, sequenceId: 1 });
    await second;
    expect(sent.map((m) => (m as { arguments: number[] }).arguments[0])).toEqual([1, 2]);
  });

  it("handles each counted message once: after a resume, replayed ones up to the last handled are dropped", () => {
    const { buffer } = setUp();
    const handled = (message: HubMessage) => buffer.shouldHandle(message);
    expect([handled(invocation(1)), handled(invocation(2)), handled(invocation(3))]).toEqual([true, true, true]);
    buffer.disconnected();
    expect(handled(invocation(99)), "anything before the peer's Sequence is ignored").toBe(false);
    const sequence = { type: MessageType.Sequence, sequenceId: 2 } as const;
    expect(handled(sequence)).toBe(true);
    buffer.resetSequence(sequence);
    // The server resends 2 and 3 (already handled), then 4.
    expect([handled(invocation(2)), handled(invocation(3)), handled(invocation(4))]).toEqual([false, false, true]);
  });

  it("acknowledges handled messages about once a second, with the last id", async () => {
    vi.useFakeTimers();
    const { buffer, sent } = setUp();
    buffer.shouldHandle(invocation(1));
    buffer.shouldHandle(invocation(2));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([{ type: MessageType.Ack, sequenceId: 2 }]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(1);
    buffer.dispose();
  });

  it("reports a ProtocolError for a Sequence beyond what was received", () => {
    const { buffer, failures } = setUp();
    buffer.shouldHandle(invocation(1));
    buffer.resetSequence({ type: MessageType.Sequence, sequenceId: 5 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(ProtocolError);
  });
});
