import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionClosedError, HandshakeError, HubError } from "../../src/errors.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { DefaultReconnectPolicy, type IRetryPolicy, type RetryContext } from "../../src/hub/retryPolicy.js";
import { MessageType } from "../../src/protocol/messages.js";
import { connectedHub, HANDSHAKE_REQUEST, type HubHarness } from "./support/fakeConnection.js";
import { AsyncQueue, settle } from "./support/queue.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records the hub's lifecycle callbacks. */
function record(harness: HubHarness) {
  const events = {
    reconnecting: new AsyncQueue<Error | undefined>(),
    reconnected: new AsyncQueue<string | undefined>(),
    closed: new AsyncQueue<Error | undefined>(),
    states: [] as HubConnectionState[],
  };
  harness.hub.onreconnecting((error) => events.reconnecting.push(error));
  harness.hub.onreconnected((id) => events.reconnected.push(id));
  harness.hub.onclose((error) => events.closed.push(error));
  harness.hub.onstatechange(({ current }) => events.states.push(current));
  return events;
}

/** A harness whose reconnect attempts fail until `succeedFrom` (attempt numbers count the first start as 1). */
async function reconnectingHub(policy: IRetryPolicy, succeedFrom = Infinity) {
  const harness = await connectedHub({ reconnectPolicy: policy });
  harness.connection.autoHandshake = true;
  harness.connection.startBehaviour = (attempt) => (attempt >= succeedFrom ? undefined : new Error(`start ${attempt} failed`));
  return harness;
}

/** Fake times of reconnect attempts, relative to `since`. */
function attemptTimes(harness: HubHarness, since: number): number[] {
  return harness.connection.starts.slice(1).map((s) => s.at - since);
}

describe("automatic reconnect", () => {
  it("retries after 0, 2, 10 and 30 seconds by default, then closes once with the error", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy());
    const events = record(harness);
    const lost = new Error("network down");
    const lostAt = Date.now();
    harness.connection.drop(lost);

    expect(await events.reconnecting.next()).toBe(lost);
    expect(harness.hub.state).toBe(HubConnectionState.Reconnecting);
    await vi.advanceTimersByTimeAsync(0);
    expect(attemptTimes(harness, lostAt)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(attemptTimes(harness, lostAt)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attemptTimes(harness, lostAt)).toEqual([0, 2_000]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attemptTimes(harness, lostAt)).toEqual([0, 2_000, 12_000]);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(events.closed.all).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(attemptTimes(harness, lostAt)).toEqual([0, 2_000, 12_000, 42_000]);

    expect(await events.closed.next()).toBe(lost);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(harness.connection.starts).toHaveLength(5);
    expect(events.closed.all).toHaveLength(1);
    expect(events.reconnecting.all).toHaveLength(1);
    expect(events.reconnected.all).toEqual([]);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(events.states).toEqual([HubConnectionState.Reconnecting, HubConnectionState.Disconnected]);
  });

  it("reconnects, fires onreconnected with the new connection id, and works again", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 3);
    const events = record(harness);
    expect(harness.hub.connectionId).toBe("conn-1");
    harness.connection.sent.drain();
    harness.connection.drop(new Error("blip"));

    await vi.advanceTimersByTimeAsync(0); // attempt 2 fails
    await vi.advanceTimersByTimeAsync(2_000); // attempt 3 succeeds
    expect(await events.reconnected.next()).toBe("conn-3");
    expect(harness.hub.connectionId).toBe("conn-3");
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    expect(events.states).toEqual([HubConnectionState.Reconnecting, HubConnectionState.Connected]);
    expect(harness.connection.sent.drain()).toEqual([HANDSHAKE_REQUEST]);

    const result = harness.hub.invoke("Add", 1, 2);
    const invocation = await harness.connection.nextMessage();
    expect(invocation).toMatchObject({ type: MessageType.Invocation, target: "Add", arguments: [1, 2] });
    harness.connection.receiveMessages({ type: MessageType.Completion, invocationId: (invocation as { invocationId: string }).invocationId, result: 3 });
    expect(await result).toBe(3);
    expect(events.closed.all).toEqual([]);
    await harness.hub.stop();
  });

  it("counts a refused handshake as a failed attempt and tries again", async () => {
    const harness = await connectedHub({ reconnectPolicy: new DefaultReconnectPolicy([0, 0]) });
    const events = record(harness);
    let handshakes = 0;
    harness.connection.startBehaviour = () => {
      queueMicrotask(async () => {
        await harness.connection.sent.next();
        harness.connection.receive(++handshakes === 1 ? `{"error":"Not now"}\x1e` : "{}\x1e");
      });
      return undefined;
    };
    harness.connection.drop(new Error("lost"));
    // Each attempt waits for the (zero) delay, then for its handshake: let fake time run in small steps.
    for (let i = 0; i < 20 && events.reconnected.all.length === 0; i++) {
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(await events.reconnected.next()).toBe("conn-3");
    expect(handshakes).toBe(2);
    await harness.hub.stop();
  });

  it("calls onreconnecting, onreconnected and onclose with the connection as `this`, as the official client", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy([0]), 2);
    const selves: [string, unknown][] = [];
    harness.hub.onreconnecting(function (this: unknown) {
      selves.push(["reconnecting", this]);
    });
    harness.hub.onreconnected(function (this: unknown) {
      selves.push(["reconnected", this]);
    });
    harness.hub.onclose(function (this: unknown) {
      selves.push(["close", this]);
    });
    harness.connection.drop(new Error("blip"));
    await vi.advanceTimersByTimeAsync(0);
    await harness.hub.stop();
    expect(selves).toEqual([
      ["reconnecting", harness.hub],
      ["reconnected", harness.hub],
      ["close", harness.hub],
    ]);
  });

  it("uses custom delays, then gives up", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy([100, 500]));
    const events = record(harness);
    const lostAt = Date.now();
    harness.connection.drop(new Error("lost"));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attemptTimes(harness, lostAt)).toEqual([100, 600]);
    expect(events.closed.all).toHaveLength(1);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("gives an IRetryPolicy the retry count, the elapsed time and the reason before each attempt", async () => {
    const contexts: RetryContext[] = [];
    const policy: IRetryPolicy = {
      nextRetryDelayInMilliseconds(context) {
        contexts.push(context);
        return context.previousRetryCount < 3 ? 1_000 : null;
      },
    };
    const harness = await reconnectingHub(policy);
    const events = record(harness);
    const lost = new Error("lost it");
    harness.connection.drop(lost);
    await vi.advanceTimersByTimeAsync(10_000);

    expect(contexts.map((c) => c.previousRetryCount)).toEqual([0, 1, 2, 3]);
    expect(contexts.map((c) => c.elapsedMilliseconds)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(contexts[0]!.retryReason).toBe(lost);
    expect(contexts.slice(1).map((c) => c.retryReason.message)).toEqual(["start 2 failed", "start 3 failed", "start 4 failed"]);
    expect(harness.connection.starts).toHaveLength(4);
    expect(await events.closed.next()).toBe(lost);
  });

  it("closes at once, without onreconnecting, when the policy returns null at the start", async () => {
    const harness = await reconnectingHub({ nextRetryDelayInMilliseconds: () => null });
    const events = record(harness);
    const lost = new Error("lost");
    harness.connection.drop(lost);
    expect(await events.closed.next()).toBe(lost);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.reconnecting.all).toEqual([]);
    expect(harness.connection.starts).toHaveLength(1);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("gives up, as for null, when a policy returns undefined", async () => {
    const harness = await reconnectingHub({ nextRetryDelayInMilliseconds: () => undefined as unknown as null });
    const events = record(harness);
    const lost = new Error("lost");
    harness.connection.drop(lost);
    expect(await events.closed.next()).toBe(lost);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.connection.starts).toHaveLength(1);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("stops reconnecting when the policy throws", async () => {
    let calls = 0;
    const harness = await reconnectingHub({
      nextRetryDelayInMilliseconds: () => {
        if (++calls > 1) throw new Error("policy bug");
        return 0;
      },
    });
    const events = record(harness);
    harness.connection.drop(new Error("lost"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events.closed.all).toHaveLength(1);
    expect(harness.connection.starts).toHaveLength(2);
    expect(harness.logger.messages.some((m) => m.includes("policy bug"))).toBe(true);
  });

  it("ends in Disconnected with one onclose when stop() is called during a reconnect delay", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy([5_000]));
    const events = record(harness);
    harness.connection.drop(new Error("lost"));
    await events.reconnecting.next();
    await vi.advanceTimersByTimeAsync(1_000);
    await harness.hub.stop();
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(events.closed.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.connection.starts).toHaveLength(1);
    expect(events.closed.all).toHaveLength(1);
    expect(events.reconnected.all).toEqual([]);
  });

  for (const when of ["during a reconnect delay", "while a reconnect attempt awaits its handshake"]) {
    it(`lets onclose start() again when stop() is called ${when}`, async () => {
      const inFlight = when.startsWith("while");
      const harness = await reconnectingHub(new DefaultReconnectPolicy([inFlight ? 0 : 5_000]));
      const { hub, connection } = harness;
      const events = record(harness);
      connection.autoHandshake = false;
      connection.startBehaviour = () => undefined;
      const restarted: Promise<void>[] = [];
      let stopsAtClose = -1;
      hub.onclose(() => {
        stopsAtClose = connection.stops.length;
        connection.autoHandshake = true;
        restarted.push(hub.start());
      });
      connection.drop(new Error("lost"));
      await events.reconnecting.next();
      await vi.advanceTimersByTimeAsync(0);
      if (inFlight) expect(await connection.sent.next()).toBe(HANDSHAKE_REQUEST);
      expect(connection.starts).toHaveLength(inFlight ? 2 : 1);
      await hub.stop();
      expect(restarted).toHaveLength(1);
      await restarted[0];
      // Whatever was left of the old connection (a delay, an attempt) is over by now; less than the server timeout.
      await vi.advanceTimersByTimeAsync(10_000);
      expect(hub.state).toBe(HubConnectionState.Connected);
      expect(connection.isConnected).toBe(true);
      // The old connection was stopped before onclose, never the new one after it.
      expect(connection.stops).toHaveLength(stopsAtClose);
      expect(events.closed.all).toEqual([undefined]);
      expect(events.reconnected.all).toEqual([]);
      await hub.stop();
    });
  }

  it("makes no attempt when onreconnecting calls stop()", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy());
    const events = record(harness);
    const stopped: Promise<void>[] = [];
    harness.hub.onreconnecting(() => stopped.push(harness.hub.stop()));
    harness.connection.drop(new Error("lost"));
    await Promise.all(stopped);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(harness.connection.starts).toHaveLength(1);
    expect(harness.hub.state).toBe(HubConnectionState.Disconnected);
    expect(events.closed.all).toHaveLength(1);
  });

  it("rejects pending invocations with ConnectionClosedError when the connection is lost, before reconnecting", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 2);
    const pending = settle(harness.hub.invoke("LongRunning"));
    const lost = new Error("lost");
    harness.connection.drop(lost);
    await pending.settled;
    expect(pending.error).toBeInstanceOf(ConnectionClosedError);
    expect((pending.error as Error).message).toContain("LongRunning");
    expect((pending.error as Error & { cause?: unknown }).cause).toBe(lost);
    await vi.advanceTimersByTimeAsync(0);
    expect(harness.hub.state).toBe(HubConnectionState.Connected);
    await harness.hub.stop();
  });

  it("rejects invoke and send with InvalidStateError while reconnecting", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy([1_000]));
    harness.connection.drop(new Error("lost"));
    await expect(harness.hub.invoke("X")).rejects.toThrow(/Cannot send .X. while Reconnecting/);
    await expect(harness.hub.send("X")).rejects.toThrow(/Reconnecting/);
    await harness.hub.stop();
  });

  it("does not reconnect after a stop() the user asked for", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 2);
    const events = record(harness);
    await harness.hub.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.reconnecting.all).toEqual([]);
    expect(harness.connection.starts).toHaveLength(1);
    expect(events.closed.all).toEqual([undefined]);
  });

  it("reconnects when the server sends Close with allowReconnect, reporting the server's error", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 2);
    const events = record(harness);
    harness.connection.receiveMessages({ type: MessageType.Close, error: "Server is restarting", allowReconnect: true });
    const reason = await events.reconnecting.next();
    expect(reason).toBeInstanceOf(HubError);
    expect(reason?.message).toContain("Server is restarting");
    await vi.advanceTimersByTimeAsync(0);
    expect(await events.reconnected.next()).toBe("conn-2");
    expect(events.closed.all).toEqual([]);
    await harness.hub.stop();
  });

  it("does not reconnect when the server sends Close without allowReconnect", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 2);
    const events = record(harness);
    harness.connection.receiveMessages({ type: MessageType.Close, error: "Banned" });
    const error = await events.closed.next();
    expect(error).toBeInstanceOf(HubError);
    expect(error?.message).toContain("Banned");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.reconnecting.all).toEqual([]);
    expect(harness.connection.starts).toHaveLength(1);
  });

  it("keeps handlers registered across a reconnect", async () => {
    const harness = await reconnectingHub(new DefaultReconnectPolicy(), 2);
    const events = record(harness);
    const calls: unknown[] = [];
    harness.hub.on("news", (item: unknown) => calls.push(item));
    harness.connection.drop(new Error("lost"));
    await vi.advanceTimersByTimeAsync(0);
    await events.reconnected.next();
    harness.connection.receiveMessages({ type: MessageType.Invocation, target: "news", arguments: ["after"] });
    expect(calls).toEqual(["after"]);
    await harness.hub.stop();
  });

  it("reports a handshake rejection on reconnect as the retry reason", async () => {
    const contexts: RetryContext[] = [];
    const harness = await connectedHub({
      reconnectPolicy: {
        nextRetryDelayInMilliseconds: (c) => {
          contexts.push(c);
          return c.previousRetryCount === 0 ? 0 : null;
        },
      },
    });
    harness.connection.startBehaviour = () => {
      queueMicrotask(async () => {
        await harness.connection.sent.next();
        harness.connection.receive(`{"error":"Hub is gone"}\x1e`);
      });
      return undefined;
    };
    const events = record(harness);
    harness.connection.drop(new Error("lost"));
    await vi.advanceTimersByTimeAsync(0);
    await events.closed.next();
    expect(contexts[1]!.retryReason).toBeInstanceOf(HandshakeError);
    expect(contexts[1]!.retryReason.message).toContain("Hub is gone");
  });
});
