// Stateful reconnect against the real server's /testhub-stateful (AllowStatefulReconnects),
// over WebSockets, with the network dropped by a TCP proxy in between.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpTransportType, HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection, type ILogger } from "../../src/index.js";
import { serverUrl, waitFor, withTimeout } from "../support/functional.js";
import { startTcpProxy, type TcpProxy } from "../support/tcpProxy.js";

// A fresh proxy (a fresh port) for each test: an HTTP keep-alive socket that a cut killed
// must not be reused by the next test's negotiate.
let proxy: TcpProxy;
beforeEach(async () => {
  proxy = await startTcpProxy(Number(new URL(serverUrl()).port));
});

const lines: string[] = [];
const logger: ILogger = { log: (level, message) => lines.push(`${LogLevel[level]}: ${message}`) };
let connection: HubConnection | undefined;
afterEach(async () => {
  await connection?.stop();
  connection = undefined;
  lines.length = 0;
  await proxy.close();
});

function build(path: string, stateful = true): HubConnection {
  const builder = new HubConnectionBuilder().withUrl(`http://127.0.0.1:${proxy.port}${path}`, { transport: HttpTransportType.WebSockets }).configureLogging(logger);
  connection = (stateful ? builder.withStatefulReconnect() : builder).build();
  return connection;
}

describe("stateful reconnect over WebSockets", () => {
  it("resumes the same connection after the socket drops: pending and new invokes complete, nothing reconnects", async () => {
    const hub = build("/testhub-stateful");
    const events: string[] = [];
    hub.onreconnecting(() => events.push("reconnecting"));
    hub.onclose(() => events.push("close"));
    await hub.start();
    const id = hub.connectionId;
    expect(await hub.invoke("Echo", "before")).toBe("before");

    const pending = hub.invoke("Delay", 500);
    proxy.cut();
    const during = hub.invoke("Echo", "during the outage");

    expect(await withTimeout(during, 10_000, "the invoke sent while the socket was down")).toBe("during the outage");
    expect(await withTimeout(pending, 10_000, "the invoke pending when the socket dropped")).toBe(500);
    expect(hub.connectionId).toBe(id);
    expect(hub.state).toBe(HubConnectionState.Connected);
    expect(events).toEqual([]);
    expect(lines.some((line) => /resum/i.test(line))).toBe(true);
  });

  it("delivers server-to-client calls made while the socket was down, each exactly once and in order", async () => {
    const hub = build("/testhub-stateful");
    const received: number[] = [];
    hub.on("tick", (n: number) => received.push(n));
    await hub.start();
    await hub.invoke("SendToCallerMany", "tick", 5);
    await waitFor(() => received.length === 5, 5_000, "the first five ticks");

    proxy.cut();
    await hub.invoke("SendToCallerMany", "tick", 20);
    await waitFor(() => received.length === 25, 10_000, "twenty more ticks");
    expect(received).toEqual([0, 1, 2, 3, 4, ...Array.from({ length: 20 }, (_, i) => i)]);
    expect(hub.state).toBe(HubConnectionState.Connected);
  });

  it("keeps working across several drops", async () => {
    const hub = build("/testhub-stateful");
    await hub.start();
    const id = hub.connectionId;
    for (let round = 0; round < 3; round++) {
      proxy.cut();
      expect(await withTimeout(hub.invoke("Add", round, 1), 10_000, `the invoke after drop ${round + 1}`)).toBe(round + 1);
    }
    expect(hub.connectionId).toBe(id);
  });

  it("stop() during a resume ends in Disconnected, calls onclose once and rejects what is pending", async () => {
    const hub = build("/testhub-stateful");
    let closes = 0;
    hub.onclose(() => closes++);
    await hub.start();
    const pending = hub.invoke("Delay", 5000).then(
      () => "resolved",
      (error: Error) => error.name,
    );
    proxy.cut();
    await hub.stop();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(await withTimeout(pending, 10_000, "the pending invoke")).toBe("ConnectionClosedError");
    expect(closes).toBe(1);
  });

  it("without withStatefulReconnect, a drop closes the connection and rejects the pending invoke", async () => {
    const hub = build("/testhub-stateful", false);
    const closed = new Promise<Error | undefined>((resolve) => hub.onclose(resolve));
    await hub.start();
    const pending = hub.invoke("Delay", 2000).then(
      () => "resolved",
      (error: Error) => error.name,
    );
    proxy.cut();
    expect(await withTimeout(pending, 10_000, "the pending invoke")).toBe("ConnectionClosedError");
    expect(await withTimeout(closed, 10_000, "onclose")).toBeInstanceOf(Error);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });

  it("asks for stateful reconnect only where the server allows it: /testhub connects without it, and a drop closes", async () => {
    const hub = build("/testhub");
    const closed = new Promise<Error | undefined>((resolve) => hub.onclose(resolve));
    await hub.start();
    proxy.cut();
    expect(await withTimeout(closed, 10_000, "onclose")).toBeInstanceOf(Error);
  });
});
