import { describe, expect, it } from "vitest";
import { HttpTransportType, HubConnectionState, TimeoutError, type HubConnection } from "../../src/index.js";
import { deferred, idle, TRANSPORTS, useConnections, withTimeout } from "../support/functional.js";

// /keepalivehub pings every second and drops a client it has heard nothing from for 2 s
// (checked on the server's 1 s heartbeat, so a silent client is gone within about 3 s; the
// server starts enforcing this only after the client's first ping).
// /testhub keeps the server's defaults: a ping every 15 s, clients dropped after 30 s.
// The idle window below is longer than the time the server needs to drop a silent client.
const IDLE_WINDOW_MS = 3_500;

interface Watched {
  connection: HubConnection;
  closes: (Error | undefined)[];
  reconnects: number;
}

function watch(connection: HubConnection): Watched {
  const watched: Watched = { connection, closes: [], reconnects: 0 };
  connection.onclose((error) => watched.closes.push(error));
  connection.onreconnecting(() => watched.reconnects++);
  return watched;
}

describe.each(TRANSPORTS.filter(([name]) => name !== "LongPolling"))("keep-alive over %s", (transportName, transport) => {
  const hub = useConnections();

  it("keeps an idle connection open with client pings and server pings, while a client that stops pinging is dropped", async () => {
    const pinging = watch(
      await hub.start("/keepalivehub", {
        options: transport,
        configure: (builder) => builder.withKeepAliveInterval(300).withServerTimeout(2_500),
      }),
    );
    // The control. ASP.NET Core enforces its client timeout only once a client has pinged,
    // so this one pings at first, then stops (a keep-alive interval far beyond the timeout).
    const stopsPinging = watch(
      await hub.start("/keepalivehub", { options: transport, configure: (builder) => builder.withKeepAliveInterval(300) }),
    );
    const controlClosed = deferred<void>();
    stopsPinging.connection.onclose(() => controlClosed.resolve());
    expect(await pinging.connection.invoke("GetTransport")).toBe(transportName);
    expect(await stopsPinging.connection.invoke("GetTransport")).toBe(transportName);
    const id = pinging.connection.connectionId;

    await idle(1_000);
    expect(stopsPinging.connection.state).toBe(HubConnectionState.Connected);
    stopsPinging.connection.keepAliveIntervalInMilliseconds = 60_000;

    await idle(IDLE_WINDOW_MS);

    expect(pinging.connection.state).toBe(HubConnectionState.Connected);
    expect(pinging.closes).toEqual([]);
    expect(pinging.reconnects).toBe(0);
    expect(await pinging.connection.invoke("GetConnectionId")).toBe(id);

    // Without pings the same server dropped the other client, so the window was long enough.
    await withTimeout(controlClosed.promise, 10_000, "the server to drop the client that stopped pinging");
    expect(stopsPinging.connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("closes with a TimeoutError when the server stays silent longer than withServerTimeout", async () => {
    // /testhub pings only every 15 s, so a 1.5 s server timeout must fire.
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withKeepAliveInterval(500).withServerTimeout(1_500),
    });
    const closed = deferred<Error | undefined>();
    connection.onclose((error) => closed.resolve(error));
    expect(await connection.invoke("GetTransport")).toBe(transportName);

    const error = await withTimeout(closed.promise, 10_000, "the server timeout to close the connection");
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error!.message).toContain("1500 ms");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });
});

describe("keep-alive over LongPolling", () => {
  const hub = useConnections();

  it("keeps idle long-polling connections open without pings and ignores withServerTimeout (polling keeps itself alive)", async () => {
    // The server does not time out long-polling clients, and the client applies no server timeout to them.
    const noPings = watch(await hub.start("/keepalivehub", { options: { transport: HttpTransportType.LongPolling } }));
    const shortTimeout = watch(
      await hub.start("/testhub", {
        options: { transport: HttpTransportType.LongPolling },
        configure: (builder) => builder.withKeepAliveInterval(300).withServerTimeout(1_000),
      }),
    );
    expect(await noPings.connection.invoke("GetTransport")).toBe("LongPolling");
    expect(await shortTimeout.connection.invoke("GetTransport")).toBe("LongPolling");

    await idle(IDLE_WINDOW_MS);

    for (const watched of [noPings, shortTimeout]) {
      expect(watched.connection.state).toBe(HubConnectionState.Connected);
      expect(watched.closes).toEqual([]);
      expect(await watched.connection.invoke("Echo", "still here")).toBe("still here");
    }
  });
});
