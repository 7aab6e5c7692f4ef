// A connection that stays up must not accumulate anything: after a warm-up round of a bit of
// everything, many more rounds leave the same counts of pending calls, client methods, callbacks,
// timers, sockets, listeners, buffered messages and cookies as the warm-up did. Deterministic: no
// timing or heap-size assertions, only counts that a leak makes grow with every round.
import { createHook } from "node:async_hooks";
import { getEventListeners } from "node:events";
import { EventSource } from "eventsource";
import { afterAll, describe, expect, it } from "vitest";
import { HttpTransportType, HubConnectionBuilder, HubError, Subject, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import {
  collect,
  combinations,
  deferred,
  rejectionOf,
  serverUrl,
  useConnections,
  waitFor,
  withTimeout,
  type Combination,
  type ProtocolName,
} from "../support/functional.js";
import { closureOf } from "../support/peek.js";
import { startTcpProxy } from "../support/tcpProxy.js";

/** Rounds after the warm-up (which reconnects too). */
const ROUNDS = 200;
/**
 * One round in RECONNECT_EVERY reconnects (or, stateful, has its socket cut), halfway through
 * each stretch: the last rounds run on one connection, so what a reconnect would reset (a
 * transport's AbortSignal, pending calls, the buffer) must not grow either.
 */
const RECONNECT_EVERY = 20;
const reconnectsIn = (i: number) => i % RECONNECT_EVERY === RECONNECT_EVERY / 2;
const RECONNECTS = Math.floor((ROUNDS + RECONNECT_EVERY / 2) / RECONNECT_EVERY);
const TIMEOUT = 240_000;

type Snapshot = Record<string, number>;

/**
 * The timers alive now, by async id, with where each was set. The test runner sets timers of its
 * own now and then (vitest batches its reports every 100 ms) and so do this file's helpers
 * (waitFor, withTimeout): only the others are counted, by the first caller of setTimeout/setInterval.
 */
const timers = new Map<number, { timer: { hasRef(): boolean }; origin: string }>();
const timerHook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (type !== "Timeout") return;
    // The first frame that is neither this hook nor Node's own timer code.
    const frames = (new Error().stack ?? "").split("\n").slice(2);
    const origin = frames.find((frame) => !/\(node:|^\s*at (setTimeout|setInterval) /.test(frame)) ?? "";
    timers.set(asyncId, { timer: resource as { hasRef(): boolean }, origin });
  },
  destroy: (asyncId) => void timers.delete(asyncId),
}).enable();
afterAll(() => void timerHook.disable());

/** Timers that keep Node running and are not the test runner's or this test's own. */
const clientTimers = () => [...timers.values()].filter(({ timer, origin }) => timer.hasRef() && !/@vitest|\/test\//.test(origin)).length;

/** Every EventSource this file's connections open (the `EventSource` option): those not closed are counted. */
const eventSources: EventSource[] = [];
class TrackedEventSource extends EventSource {
  constructor(...args: ConstructorParameters<typeof EventSource>) {
    super(...args);
    eventSources.push(this);
  }
}

/** How many listeners an EventEmitter (`ws`) or EventTarget (undici's WebSocket, EventSource, AbortSignal) has. */
function listenerCount(target: any, types: string[]): number {
  if (!target || typeof target.addEventListener != "function" && typeof target.on != "function") return 0;
  if (typeof target.eventNames === "function") return target.eventNames().reduce((sum: number, type: string) => sum + target.listenerCount(type), 0);
  return types.reduce((sum, type) => sum + getEventListeners(target, type).length, 0);
}

/**
 * What a connection holds now, as counts: Node's active resources by kind (timers, sockets, …),
 * and, peeked from hubwire's closures (test/support/peek.ts), the hub's pending calls and streams,
 * client methods and their handlers, lifecycle callbacks and keep-alive timer; the stateful-reconnect
 * buffer's unacknowledged and waiting messages and ack timer; the HTTP connection's send batch and
 * POST in flight; listeners on the transport's socket or event source and on the AbortSignals
 * requests get; the cookies the connection would send.
 */
function snapshot(connection: HubConnection): Snapshot {
  const counts: Snapshot = { "open EventSources": eventSources.filter((source) => source.readyState !== EventSource.CLOSED).length };
  // Timers are counted apart (clientTimers), the rest by kind: sockets, pipes, …
  for (const kind of process.getActiveResourcesInfo()) if (kind !== "Timeout") counts[`resource ${kind}`] = (counts[`resource ${kind}`] ?? 0) + 1;
  counts["timers"] = clientTimers();

  const hub = connection as any;
  const core = closureOf(hub._call);
  counts["hub calls"] = core.calls.size;
  counts["hub client methods"] = core.methods.size;
  counts["hub handlers"] = [...core.methods.values()].reduce((sum: number, list: unknown[]) => sum + list.length, 0);
  counts["hub lifecycle callbacks"] = core.listeners.length;
  counts["hub keep-alive timer"] = core.timer ? 1 : 0;
  counts["hub handshake or partial message"] = (core.handshake ? 1 : 0) + (core.partial ? 1 : 0);
  if (core.buffer) {
    const buffer = closureOf(core.buffer._send);
    counts["buffer unacked"] = buffer.unacked.length;
    counts["buffer unacked bytes"] = buffer.unackedSize;
    counts["buffer waiting sends"] = buffer.waiting.length;
    counts["buffer ack timer"] = buffer.ackTimer ? 1 : 0;
  }

  const http = closureOf(hub._conn.send);
  counts["connection batch"] = http.batch ? http.batch.length : 0;
  counts["connection POST in flight"] = http.posting ? 1 : 0;
  counts["negotiate signal listeners"] = listenerCount(http.abort && http.abort.signal, ["abort"]);
  counts["cookies"] = http.client.getCookieString(serverUrl()).split(";").filter(Boolean).length;
  const transport = http.current;
  if (transport) {
    counts["transport source listeners"] = listenerCount(transport._s, ["open", "message", "error", "close"]);
    const ctl = closureOf(transport.connect).ctl;
    if (ctl) counts["long polling signal listeners"] = listenerCount(ctl.signal, ["abort"]);
  }
  return counts;
}

/**
 * HTTP keep-alive sockets (a POST's, a negotiate's) stay in fetch's pool for some seconds after
 * their request and are reused or closed by undici as it sees fit: how many there are at a given
 * moment is not the client's doing, and may differ by one or two between two quiet moments. So
 * socket counts are compared within SOCKET_SLACK; a client that leaks a socket per reconnect (an
 * event source or WebSocket left open, a poll never aborted) is ten over, one per round 200.
 */
const SOCKET_SLACK = 2;
const SOCKET_KINDS = ["resource TCPSocketWrap", "resource TCPWrap"];

/** `now`, with socket counts within SOCKET_SLACK of `baseline` taken as equal to it. */
function withinSlack(now: Snapshot, baseline: Snapshot): Snapshot {
  const adjusted = { ...now };
  for (const kind of SOCKET_KINDS) {
    if (Math.abs((now[kind] ?? 0) - (baseline[kind] ?? 0)) <= SOCKET_SLACK) {
      if (kind in baseline) adjusted[kind] = baseline[kind]!;
      else delete adjusted[kind];
    }
  }
  return adjusted;
}

const same = (a: Snapshot, b: Snapshot) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * A snapshot taken once things in flight have landed: no POST in flight or batched, nothing
 * unacknowledged, no ack due, and the same counts in two reads in a row (waitFor reads every 10 ms;
 * a poll between its answer and the next request, a server stream's items still arriving after a
 * cancel, a reconnect's negotiate socket going back to the pool).
 */
async function settledSnapshot(connection: HubConnection): Promise<Snapshot> {
  let previous: Snapshot | undefined;
  let current: Snapshot | undefined;
  await waitFor(
    () => {
      previous = current;
      current = snapshot(connection);
      const quiet = !current["connection POST in flight"] && !current["connection batch"] && !current["buffer unacked"] && !current["buffer ack timer"];
      return quiet && !!previous && same(previous, current);
    },
    15_000,
    "a quiet moment",
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last snapshot: ${JSON.stringify(current)}`);
  });
  return current!;
}

/** The connection's counts settle back to `baseline` (a leak never does); fails with the difference. */
async function expectBackTo(connection: HubConnection, baseline: Snapshot): Promise<void> {
  let now = snapshot(connection);
  await waitFor(() => same(withinSlack((now = snapshot(connection)), baseline), baseline), 15_000, "the counts to settle back").catch(() => {});
  expect(withinSlack(now, baseline), "what the connection holds after the rounds vs. after the warm-up").toEqual(baseline);
}

async function* letters(count: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) yield String.fromCharCode(97 + (i % 26));
}

/**
 * One round of a bit of everything on a Connected connection: invoke, send, a server-to-client
 * call, on/off of a client method of its own name, server streams completed, failed and disposed
 * early, client streams (Subject and async iterable), a client result, a failing invoke, lifecycle
 * callbacks added and removed; unless `stateful`, a client stream for a call the server refuses;
 * with `reconnect`, the server closes the connection and automatic reconnect brings it back.
 */
async function round(connection: HubConnection, i: number, reconnect: boolean, stateful = false): Promise<void> {
  const label = `round ${i}`;
  expect(await connection.invoke("Echo", i), label).toBe(i);

  // A server-to-client call to a method registered for this round only, then removed.
  const called = deferred<number>();
  const handler = (n: number) => called.resolve(n);
  connection.on(`once${i}`, handler);
  await connection.send("SendToCaller", `once${i}`, i);
  expect(await withTimeout(called.promise, 10_000, `${label}: the server's call`)).toBe(i);
  connection.off(`once${i}`, handler);
  // And one on a long-lived method, added and removed each round.
  const ticked = deferred<number>();
  const tick = (n: number) => ticked.resolve(n);
  connection.on("tick", tick);
  await connection.invoke("SendToCaller", "tick", i);
  expect(await withTimeout(ticked.promise, 10_000, `${label}: tick`)).toBe(i);
  connection.off("tick", tick);

  // Server streams: completed, failed, and disposed after the first item.
  expect(await collect(connection.stream("Counter", 3, 0)), label).toEqual([0, 1, 2]);
  expect(await rejectionOf(collect(connection.stream("CounterThenThrow", 2)))).toBeInstanceOf(HubError);
  const first = deferred<void>();
  const infinite = connection.stream("Infinite").subscribe({ next: () => first.resolve(), error: (error) => first.reject(error), complete: () => {} });
  await withTimeout(first.promise, 10_000, `${label}: the first item of Infinite`);
  infinite.dispose();

  // Client streams: a Subject and an async iterable.
  const subject = new Subject<string>();
  const uploaded = connection.invoke("Upload", subject);
  subject.next("x");
  subject.next("y");
  subject.complete();
  expect(await uploaded, label).toBe("xy");
  expect(await connection.invoke("Upload", letters(3)), label).toBe("abc");

  // A client result, and a failing invoke.
  expect(await connection.invoke("AskClient", "double", i), label).toBe(2 * i);
  expect(await rejectionOf(connection.invoke("Throw", `boom ${i}`))).toBeInstanceOf(HubError);
  if (!stateful) {
    // The call fails at once; its stream argument is still running until its source ends. (Not with
    // stateful reconnect: the ASP.NET Core server does not count stream items for a stream it does
    // not know in its acks, so the client would keep them unacknowledged for good. The server's.)
    const refused = new Subject<string>();
    expect(await rejectionOf(connection.invoke("NoSuchMethod", refused))).toBeInstanceOf(HubError);
    refused.next("ignored");
    refused.complete();
  }

  // Lifecycle callbacks, removed again.
  const removers = [connection.onclose(() => {}), connection.onreconnecting(() => {}), connection.onstatechange(() => {})];
  removers.forEach((remove) => remove());

  if (reconnect) {
    const reconnected = deferred<void>();
    const remove = connection.onreconnected(() => reconnected.resolve());
    await connection.send("CloseMe", null, true);
    await withTimeout(reconnected.promise, 15_000, `${label}: the reconnect`);
    remove();
  }
}

/** The warm-up round (with a reconnect) and its snapshot, ROUNDS more rounds, then the same counts. */
async function soak(connection: HubConnection): Promise<void> {
  connection.on("double", (n: number) => 2 * n);
  await round(connection, 0, true);
  const baseline = await settledSnapshot(connection);
  for (let i = 1; i <= ROUNDS; i++) await round(connection, i, reconnectsIn(i));
  await expectBackTo(connection, baseline);
}

describe.each(combinations)("[%s] a long-lived connection", (combination: Combination) => {
  const hub = useConnections();

  it(`holds no more after ${ROUNDS} rounds of everything (and ${RECONNECTS} reconnects) than after one`, { timeout: TIMEOUT }, async () => {
    const connection = await hub.connect(combination, "/testhub", {
      options: { EventSource: TrackedEventSource },
      // Pings go out whenever the client is idle for 200 ms: the keep-alive timer is re-armed all along.
      configure: (builder) => builder.withAutomaticReconnect([0, 100, 500]).withKeepAliveInterval(200),
    });
    await soak(connection);
  });
});

describe.each(["JSON", "MessagePack"] as ProtocolName[])("[%s over WebSockets] a long-lived stateful connection", (protocol) => {
  const hub = useConnections();

  it(`holds no more after ${ROUNDS} rounds of everything (and ${RECONNECTS} socket drops resumed) than after one`, { timeout: TIMEOUT }, async () => {
    const proxy = await startTcpProxy(Number(new URL(serverUrl()).port));
    try {
      let builder = new HubConnectionBuilder()
        .withUrl(`http://127.0.0.1:${proxy.port}/testhub-stateful`, { transport: HttpTransportType.WebSockets })
        .withStatefulReconnect()
        .withAutomaticReconnect([0, 100, 500])
        .withKeepAliveInterval(200)
        .configureLogging(hub.logger(`stateful ${protocol}`));
      if (protocol === "MessagePack") builder = builder.withHubProtocol(new MessagePackHubProtocol());
      const connection = hub.track(builder.build());
      await connection.start();
      const id = connection.connectionId;
      let reconnects = 0;
      connection.onreconnecting(() => reconnects++);
      connection.on("double", (n: number) => 2 * n);

      /**
       * A round, with the network cut (and the socket resumed) just after its first invoke in the
       * warm-up and in one round in RECONNECT_EVERY. The cut waits until the server has acknowledged
       * everything sent before: the ASP.NET Core server does not count a replayed StreamItem of a
       * stream it has already finished (it becomes a binding failure, not an invocation message), so
       * after such a replay it takes as many new messages for duplicates and drops them. That is
       * the server's doing, and not what this test is about.
       */
      const statefulRound = async (i: number) => {
        const cut = !i || reconnectsIn(i);
        if (cut) await waitFor(() => closureOf(closureOf((connection as any)._call).buffer._send).unacked.length === 0, 10_000, "the server's ack");
        const rest = round(connection, i, false, true);
        if (cut) {
          await connection.invoke("Echo", "before the cut");
          proxy.cut();
        }
        await rest;
      };
      await statefulRound(0);
      const baseline = await settledSnapshot(connection);
      for (let i = 1; i <= ROUNDS; i++) await statefulRound(i);
      await expectBackTo(connection, baseline);
      // Every drop was resumed: the same connection throughout, never Reconnecting.
      expect(connection.connectionId).toBe(id);
      expect(reconnects).toBe(0);
      await connection.stop();
    } finally {
      await proxy.close();
    }
  });
});
