import { EventSource as NodeEventSource } from "eventsource";
import NodeWebSocket from "ws";
import { describe, expect, it } from "vitest";
import { HttpTransportType } from "../../src/index.js";
import { platform } from "../../src/platform/node.js";
import { useConnections } from "../support/functional.js";

// The suite runs on Node 20 (no global WebSocket: hubwire uses the `ws` package) and on
// Node 22 and 24 (global WebSocket from undici; scripts/with-node.mjs). These tests say which
// path this run exercises. Set HUBWIRE_EXPECT_NODE_MAJOR (e.g. 24) to make the run fail if it
// is not that version. Server-Sent Events always use the `eventsource` package: Node's own
// EventSource (behind --experimental-eventsource on 22 and 24) cannot send request headers.

const major = Number(process.versions.node.split(".")[0]);
const hasGlobalWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function";
const hasGlobalEventSource = typeof (globalThis as { EventSource?: unknown }).EventSource === "function";

describe(`Node runtime ${process.version}`, () => {
  const hub = useConnections();

  it("runs on the expected Node version", () => {
    console.log(
      `[node-runtime] ${process.version}: WebSocket from ${hasGlobalWebSocket ? "globalThis (undici)" : "the ws package"}; ` +
        `EventSource from the eventsource package (a global one: ${hasGlobalEventSource ? "yes" : "no"})`,
    );
    expect(major).toBeGreaterThanOrEqual(20);
    const expected = process.env.HUBWIRE_EXPECT_NODE_MAJOR;
    if (expected) {
      expect(major).toBe(Number(expected));
    }
  });

  it("uses the global WebSocket on Node 22 and later, and the ws package before", () => {
    if (major >= 22) {
      expect(hasGlobalWebSocket).toBe(true);
      expect(platform.WebSocket).toBe((globalThis as { WebSocket?: unknown }).WebSocket);
    } else {
      expect(hasGlobalWebSocket).toBe(false);
      expect(platform.WebSocket).toBe(NodeWebSocket);
    }
  });

  // request-details.test.ts checks that its requests carry the headers.
  it("uses the eventsource package for Server-Sent Events, whether or not Node has a global EventSource", () => {
    expect(platform.EventSource).toBe(NodeEventSource);
  });

  it("connects over WebSockets with the runtime's default WebSocket, sending headers", async () => {
    const connection = await hub.start("/testhub", {
      options: { transport: HttpTransportType.WebSockets, headers: { "X-Runtime": process.version } },
    });
    expect(await connection.invoke("GetTransport")).toBe("WebSockets");
    expect(await connection.invoke("GetHeader", "X-Runtime")).toBe(process.version);
  });

  it("uses a WebSocket constructor passed as the option, sending headers through it", async () => {
    let constructed = 0;
    class CountingWebSocket extends NodeWebSocket {
      constructor(...args: ConstructorParameters<typeof NodeWebSocket>) {
        super(...args);
        constructed++;
      }
    }
    const connection = await hub.start("/testhub", {
      options: { transport: HttpTransportType.WebSockets, WebSocket: CountingWebSocket, headers: { "X-Custom-Socket": "yes" } },
    });
    expect(constructed).toBe(1);
    expect(await connection.invoke("GetTransport")).toBe("WebSockets");
    expect(await connection.invoke("GetHeader", "X-Custom-Socket")).toBe("yes");
    expect(await connection.invoke("GetCookie", "affinity")).toMatch(/^[0-9a-f]{32}$/);
  });
});
