import { describe, expect, it } from "vitest";
import { HubConnectionState, type HubConnection } from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";
import { deferred, idle, TRANSPORTS, useConnections, withTimeout } from "../support/functional.js";

// Ping messages ([6], bytes 02 91 06) in MessagePack, both ways. /keepalivehub pings every second
// and drops a client it has heard nothing from for 2 s (enforced once the client has pinged, on
// the server's 1 s heartbeat, so within about 3 s). Only WebSockets here: Long Polling counts as
// kept alive by its polls and sends no pings, and Server-Sent Events cannot carry MessagePack.
const IDLE_WINDOW_MS = 3_500;

describe.each(TRANSPORTS.filter(([name]) => name === "WebSockets"))("MessagePack keep-alive over %s", (transportName, transport) => {
  const hub = useConnections();

  function start(keepAliveMs: number, serverTimeoutMs?: number): Promise<HubConnection> {
    return hub.start("/keepalivehub", {
      options: transport,
      configure: (builder) => {
        const configured = builder.withHubProtocol(new MessagePackHubProtocol()).withKeepAliveInterval(keepAliveMs);
        return serverTimeoutMs === undefined ? configured : configured.withServerTimeout(serverTimeoutMs);
      },
    });
  }

  it("keeps an idle connection open with MessagePack pings both ways, while a client that stops pinging is dropped", async () => {
    // Client pings every 300 ms must reach the server as pings, and the server's pings must count
    // as traffic for the 2.5 s server timeout: a codec fault either way would end the connection.
    const pinging = await start(300, 2_500);
    const closes: (Error | undefined)[] = [];
    pinging.onclose((error) => closes.push(error));
    let reconnects = 0;
    pinging.onreconnecting(() => reconnects++);
    // The control: pings at first (the server enforces its timeout only after a first ping), then stops.
    const stopsPinging = await start(300);
    const controlClosed = deferred<void>();
    stopsPinging.onclose(() => controlClosed.resolve());
    expect(await pinging.invoke("GetTransport")).toBe(transportName);
    expect(await stopsPinging.invoke("GetTransport")).toBe(transportName);
    const id = pinging.connectionId;

    await idle(1_000);
    expect(stopsPinging.state).toBe(HubConnectionState.Connected);
    stopsPinging.keepAliveIntervalInMilliseconds = 60_000;

    await idle(IDLE_WINDOW_MS);

    expect(pinging.state).toBe(HubConnectionState.Connected);
    expect(closes).toEqual([]);
    expect(reconnects).toBe(0);
    expect(await pinging.invoke("GetConnectionId")).toBe(id);
    // Without pings the same server dropped the other client, so the window was long enough.
    await withTimeout(controlClosed.promise, 10_000, "the server to drop the client that stopped pinging");
    expect(stopsPinging.state).toBe(HubConnectionState.Disconnected);
  });
});
