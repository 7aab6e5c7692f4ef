import { expect, it } from "vitest";
import { HubConnectionState, Subject } from "../../src/index.js";
import { collect, deferred, TRANSPORTS, useConnections, waitFor, withTimeout } from "../support/functional.js";

// After stop(), hubwire must leave nothing behind that keeps Node running: no sockets (HTTP
// keep-alive connections included, once their idle timeout passes) and no timers.

const LINGERING = new Set(["TCPSocketWrap", "TCPWrap", "Timeout", "Immediate"]);

function lingering(): string[] {
  return process.getActiveResourcesInfo().filter((name) => LINGERING.has(name)).sort();
}

const hub = useConnections();

it("leaves no sockets or timers behind once every transport's connection has stopped", async () => {
  for (const [transportName, transport] of TRANSPORTS) {
    const connection = await hub.start("/testhub", {
      options: transport,
      configure: (builder) => builder.withAutomaticReconnect([0, 100]).withKeepAliveInterval(200),
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);

    // A bit of everything: a client stream, a server stream, a cancelled stream and a reconnect.
    const upload = new Subject<string>();
    const uploaded = connection.invoke("Upload", upload);
    upload.next("x");
    upload.complete();
    expect(await uploaded).toBe("x");
    expect(await collect(connection.stream("Counter", 3, 0))).toEqual([0, 1, 2]);
    const subscription = connection.stream("Infinite").subscribe({ next: () => {}, error: () => {}, complete: () => {} });
    subscription.dispose();
    const reconnected = deferred<void>();
    connection.onreconnected(() => reconnected.resolve());
    await connection.send("CloseMe", null, true);
    await withTimeout(reconnected.promise, 10_000, `the ${transportName} connection to reconnect`);

    await connection.stop();
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  }

  // HTTP keep-alive sockets close after their idle timeout (a few seconds).
  await waitFor(() => lingering().length === 0, 15_000, "sockets and timers to be released after stop()").catch((error: Error) => {
    throw new Error(`${error.message}; still active: ${lingering().join(", ")}`);
  });
  expect(lingering()).toEqual([]);
});
