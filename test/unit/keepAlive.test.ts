import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimeoutError } from "../../src/errors.js";
import { HubConnectionBuilder } from "../../src/hub/hubConnectionBuilder.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { MessageType, type HubMessage } from "../../src/protocol/messages.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { connectedHub, createHub, HANDSHAKE_OK, HANDSHAKE_REQUEST, type HubHarness } from "./support/fakeConnection.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { CapturingLogger } from "./support/logger.js";
import { AsyncQueue, settle } from "./support/queue.js";

const PING = `{"type":6}\x1e`;
/** Long enough that the server timeout stays out of the way of ping tests. */
const NO_TIMEOUT = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function types(messages: HubMessage[]): MessageType[] {
  return messages.map((m) => m.type);
}

function closeEvents(harness: HubHarness): AsyncQueue<Error | undefined> {
  const closed = new AsyncQueue<Error | undefined>();
  harness.hub.onclose((error) => closed.push(error));
  return closed;
}

describe("keep-alive pings", () => {
  it("sends a Ping after keepAliveIntervalInMilliseconds without sending anything (default 15 s)", async () => {
    const { hub, connection } = await connectedHub({ serverTimeoutInMilliseconds: NO_TIMEOUT });
    expect(hub.keepAliveIntervalInMilliseconds).toBe(15_000);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(connection.drainMessages()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await hub.stop();
  });

  it("keeps sending a Ping every interval while idle", async () => {
    const { hub, connection } = await connectedHub({ keepAliveIntervalInMilliseconds: 1000, serverTimeoutInMilliseconds: NO_TIMEOUT });
    await vi.advanceTimersByTimeAsync(3500);
    expect(connection.sent.drain()).toEqual([PING, PING, PING]);
    await hub.stop();
  });

  it("does not send a Ping while the client keeps sending, and sends one an interval after the last send", async () => {
    const { hub, connection } = await connectedHub({ keepAliveIntervalInMilliseconds: 15_000, serverTimeoutInMilliseconds: NO_TIMEOUT });
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      await hub.send("Busy", i);
    }
    // 50 s have passed with a send every 10 s: no Ping yet.
    expect(types(connection.drainMessages())).toEqual([1, 1, 1, 1, 1]);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(connection.drainMessages()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await hub.stop();
  });

  it("still sends Pings while the server is sending (receiving is not sending)", async () => {
    const { hub, connection } = await connectedHub({ keepAliveIntervalInMilliseconds: 1000, serverTimeoutInMilliseconds: NO_TIMEOUT });
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(300);
      connection.receive(PING);
    }
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await hub.stop();
  });

  it("takes a changed keepAliveIntervalInMilliseconds into account", async () => {
    const harness = createHub({ serverTimeoutInMilliseconds: NO_TIMEOUT });
    harness.hub.keepAliveIntervalInMilliseconds = 2000;
    harness.connection.autoHandshake = true;
    await harness.hub.start();
    harness.connection.sent.drain();
    await vi.advanceTimersByTimeAsync(2000);
    expect(harness.connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await harness.hub.stop();
  });

  it("applies a keepAliveIntervalInMilliseconds lowered on a running connection from the next message, as the official client", async () => {
    const { hub, connection } = await connectedHub({ serverTimeoutInMilliseconds: NO_TIMEOUT });
    await vi.advanceTimersByTimeAsync(1_000);
    hub.keepAliveIntervalInMilliseconds = 500;
    await hub.send("Arm", 1);
    connection.drainMessages();
    connection.receive(PING);
    await vi.advanceTimersByTimeAsync(499);
    expect(connection.drainMessages()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await hub.stop();
  });

  it("sends no Ping after stop()", async () => {
    const { hub, connection } = await connectedHub({ keepAliveIntervalInMilliseconds: 1000, serverTimeoutInMilliseconds: NO_TIMEOUT });
    await hub.stop();
    connection.sent.drain();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(connection.sent.all.filter((d) => d === PING)).toEqual([]);
  });

  it("sends no Ping and applies no server timeout when the transport keeps itself alive (Long Polling)", async () => {
    const harness = createHub({ keepAliveIntervalInMilliseconds: 1000, serverTimeoutInMilliseconds: 5000 });
    harness.connection.features.inherentKeepAlive = true;
    const closed = closeEvents(harness);
    harness.connection.autoHandshake = true;
    await harness.hub.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.connection.sent.all).toEqual([HANDSHAKE_REQUEST]);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    expect(closed.all).toEqual([]);
    await harness.hub.stop();
  });

  it("turns pings back on when a later start uses a transport that needs them", async () => {
    const harness = createHub({ keepAliveIntervalInMilliseconds: 1000, serverTimeoutInMilliseconds: NO_TIMEOUT });
    harness.connection.autoHandshake = true;
    harness.connection.features.inherentKeepAlive = true;
    await harness.hub.start();
    await harness.hub.stop();
    harness.connection.features.inherentKeepAlive = false;
    await harness.hub.start();
    harness.connection.sent.drain();
    await vi.advanceTimersByTimeAsync(1000);
    expect(harness.connection.drainMessages()).toEqual([{ type: MessageType.Ping }]);
    await harness.hub.stop();
  });
});

describe("server timeout", () => {
  it("closes with a TimeoutError after serverTimeoutInMilliseconds of silence (default 30 s)", async () => {
    const harness = await connectedHub();
    const closed = closeEvents(harness);
    expect(harness.hub.serverTimeoutInMilliseconds).toBe(30_000);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    await vi.advanceTimersByTimeAsync(1);
    const error = await closed.next();
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error?.message).toMatch(/30000 ms/);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(harness.connection.stops).toEqual([error]);
  });

  it("is re-armed by any message from the server", async () => {
    const harness = await connectedHub({ serverTimeoutInMilliseconds: 30_000, keepAliveIntervalInMilliseconds: NO_TIMEOUT });
    const closed = closeEvents(harness);
    await vi.advanceTimersByTimeAsync(20_000);
    harness.connection.receive(PING);
    await vi.advanceTimersByTimeAsync(20_000);
    harness.connection.receiveMessages({ type: MessageType.Invocation, target: "nobodyListens", arguments: [] });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    expect(closed.all).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
  });

  it("is not re-armed by the client's own sends", async () => {
    const harness = await connectedHub({ serverTimeoutInMilliseconds: 10_000 });
    const closed = closeEvents(harness);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(2_000);
      await harness.hub.send("Chatty");
    }
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
  });

  it("rejects pending invocations when it fires", async () => {
    const harness = await connectedHub({ serverTimeoutInMilliseconds: 5_000 });
    const pending = settle(harness.hub.invoke("Slow"));
    await vi.advanceTimersByTimeAsync(5_000);
    await pending.settled;
    expect((pending.error as Error).message).toMatch(/Slow/);
    expect((pending.error as Error & { cause?: unknown }).cause).toBeInstanceOf(TimeoutError);
  });

  it("also covers the wait for the handshake response", async () => {
    const harness = createHub({ serverTimeoutInMilliseconds: 5_000 });
    const started = settle(harness.hub.start());
    expect(await harness.connection.sent.next()).toBe(HANDSHAKE_REQUEST);
    await vi.advanceTimersByTimeAsync(5_000);
    await started.settled;
    expect(started.error).toBeInstanceOf(TimeoutError);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("takes a changed serverTimeoutInMilliseconds into account", async () => {
    const harness = createHub();
    harness.hub.serverTimeoutInMilliseconds = 2_000;
    const closed = closeEvents(harness);
    harness.connection.autoHandshake = true;
    await harness.hub.start();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
  });

  it("applies a serverTimeoutInMilliseconds lowered on a running connection from the next message, as the official client", async () => {
    const harness = await connectedHub();
    const closed = closeEvents(harness);
    await vi.advanceTimersByTimeAsync(1_000);
    harness.hub.serverTimeoutInMilliseconds = 2_000;
    harness.connection.receive(PING);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    await vi.advanceTimersByTimeAsync(1);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
  });

  it("hands the timeout to automatic reconnect like any lost connection", async () => {
    const harness = await connectedHub({ serverTimeoutInMilliseconds: 5_000, reconnectPolicy: { nextRetryDelayInMilliseconds: () => null } });
    const closed = closeEvents(harness);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
  });
});

describe("keep-alive options through the builder", () => {
  async function builtHub(configure: (builder: HubConnectionBuilder) => HubConnectionBuilder) {
    const WebSocket = createFakeWebSocketClass("open");
    const builder = new HubConnectionBuilder()
      .withUrl("http://hub.test/chat", { skipNegotiation: true, transport: HttpTransportType.WebSockets, WebSocket })
      .configureLogging(new CapturingLogger());
    const hub = configure(builder).build();
    const started = hub.start();
    const socket = await WebSocket.created.next();
    expect(await socket.sent.next()).toBe(HANDSHAKE_REQUEST);
    socket.receive(HANDSHAKE_OK);
    await started;
    return { hub, socket };
  }

  it("withKeepAliveInterval sets the Ping interval", async () => {
    const { hub, socket } = await builtHub((b) => b.withKeepAliveInterval(3000).withServerTimeout(NO_TIMEOUT));
    expect(hub.keepAliveIntervalInMilliseconds).toBe(3000);
    await vi.advanceTimersByTimeAsync(2999);
    expect(socket.sent.drain()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.sent.drain()).toEqual([PING]);
    await hub.stop();
  });

  it("withServerTimeout sets the server timeout", async () => {
    const { hub, socket } = await builtHub((b) => b.withServerTimeout(4000).withKeepAliveInterval(1000));
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((error) => closed.push(error));
    expect(hub.serverTimeoutInMilliseconds).toBe(4000);
    await vi.advanceTimersByTimeAsync(3000);
    socket.receive(PING);
    await vi.advanceTimersByTimeAsync(3999);
    expect(hub.state).toBe(HubConnectionState.Connected);
    await vi.advanceTimersByTimeAsync(1);
    expect(await closed.next()).toBeInstanceOf(TimeoutError);
    expect(socket.closeCalls[0]?.code).toBe(1000);
  });
});
