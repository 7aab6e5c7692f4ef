import { afterEach, describe, expect, it, vi } from "vitest";
import { InvalidArgumentError, InvalidStateError, NoTransportError } from "../../src/errors.js";
import { HubConnection } from "../../src/hub/hubConnection.js";
import { HubConnectionBuilder } from "../../src/hub/hubConnectionBuilder.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { LogLevel, type ILogger } from "../../src/logging.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { HANDSHAKE_OK, HANDSHAKE_REQUEST } from "./support/fakeConnection.js";
import { createFakeWebSocketClass, type FakeWebSocketClass } from "./support/fakeWebSocket.js";
import { CapturingLogger } from "./support/logger.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Options that connect straight to a fake WebSocket, no HTTP involved. */
function direct(WebSocket: FakeWebSocketClass) {
  return { skipNegotiation: true, transport: HttpTransportType.WebSockets, WebSocket } as const;
}

/** Starts a hub whose transport is a fake WebSocket, playing the server's handshake. */
async function startOverFakeSocket(hub: HubConnection, WebSocket: FakeWebSocketClass, index = 0) {
  const started = hub.start();
  const socket = await WebSocket.created.next();
  expect(WebSocket.created.all.indexOf(socket)).toBe(index);
  await socket.sent.next();
  socket.receive(HANDSHAKE_OK);
  await started;
  return socket;
}

describe("HubConnectionBuilder.build", () => {
  it("throws InvalidStateError without withUrl", () => {
    expect(() => new HubConnectionBuilder().build()).toThrow(InvalidStateError);
    expect(() => new HubConnectionBuilder().build()).toThrow(/withUrl/);
  });

  it("builds a Disconnected HubConnection for the URL", () => {
    const hub = new HubConnectionBuilder().withUrl(HUB).configureLogging(LogLevel.None).build();
    expect(hub).toBeInstanceOf(HubConnection);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(hub.baseUrl).toBe(HUB);
    expect(hub.connectionId).toBeNull();
  });

  it("uses the official defaults for the server timeout and keep-alive interval", () => {
    const hub = new HubConnectionBuilder().withUrl(HUB).configureLogging(LogLevel.None).build();
    expect(hub.serverTimeoutInMilliseconds).toBe(30_000);
    expect(hub.keepAliveIntervalInMilliseconds).toBe(15_000);
  });
});

describe("HubConnectionBuilder.withUrl", () => {
  it("rejects an empty URL with InvalidArgumentError", () => {
    expect(() => new HubConnectionBuilder().withUrl("")).toThrow(InvalidArgumentError);
    expect(() => new HubConnectionBuilder().withUrl("")).toThrow("The 'url' argument is required.");
  });

  it("merges the options of several calls, and a later transport type replaces an earlier one", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id", ["WebSockets"]));
    server.use(negotiate.handler);
    const hub = new HubConnectionBuilder()
      .withUrl(HUB, { headers: { "X-First": "1" }, transport: HttpTransportType.WebSockets })
      .withUrl(HUB, HttpTransportType.LongPolling)
      .configureLogging(LogLevel.None)
      .build();
    const error = await hub.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    expect((await negotiate.requests.next()).headers.get("X-First")).toBe("1");
  });

  it("does not change the options object it was given", () => {
    const options = { headers: { a: "b" } };
    new HubConnectionBuilder().withUrl(HUB, options).withUrl(HUB, HttpTransportType.LongPolling).configureLogging(LogLevel.None).build();
    expect(options).toEqual({ headers: { a: "b" } });
  });

  it("rejects a URL that is not http(s) or ws(s) when building", () => {
    expect(() => new HubConnectionBuilder().withUrl("ftp://hub.test/chat").configureLogging(LogLevel.None).build()).toThrow(InvalidArgumentError);
  });

  it("limits the transports to the HttpTransportType given as second argument", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id", ["WebSockets"]));
    server.use(negotiate.handler);
    const hub = new HubConnectionBuilder().withUrl(HUB, HttpTransportType.LongPolling).configureLogging(LogLevel.None).build();
    const error = await hub.start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as Error).message).toMatch(/WebSockets.*disabled/);
    expect(negotiate.requests.all).toHaveLength(1);
  });

  it("passes the options object given as second argument to the connection", async () => {
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder()
      .withUrl(HUB, { ...direct(WebSocket), headers: { "X-From-Options": "yes" }, accessTokenFactory: () => "opt-token" })
      .configureLogging(LogLevel.None)
      .build();
    const socket = await startOverFakeSocket(hub, WebSocket);
    expect(socket.url).toBe("ws://hub.test/chat");
    expect(socket.headers["X-From-Options"]).toBe("yes");
    expect(socket.headers["Authorization"]).toBe("Bearer opt-token");
    await hub.stop();
  });
});

describe("HubConnectionBuilder.configureLogging", () => {
  it("sends the connection's logs to a custom ILogger", async () => {
    const logger = new CapturingLogger();
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(logger).build();
    await startOverFakeSocket(hub, WebSocket);
    await hub.stop();
    expect(logger.messages).toContain("HubConnection connected.");
    expect(logger.entries.some((e) => e.level === LogLevel.Trace)).toBe(true);
  });

  it("with a LogLevel, writes to the console from that level up only", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(LogLevel.Warning).build();
    const socket = await startOverFakeSocket(hub, WebSocket);
    // A call of a client method nobody registered is logged as a Warning.
    socket.receive(`{"type":1,"target":"nobodyListens","arguments":[]}\x1e`);
    await hub.stop();
    expect(info).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(warn.mock.calls.map((c) => String(c[0])).some((line) => /Warning: No client method 'nobodyListens'/.test(line))).toBe(true);
  });

  it.each([
    ["information", true],
    ["Information", true],
    ["info", true],
    ["warn", false],
    ["error", false],
  ])("accepts the level name '%s'", async (name, infoShown) => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(name).build();
    await startOverFakeSocket(hub, WebSocket);
    await hub.stop();
    expect(info.mock.calls.some((c) => String(c[0]).includes("HubConnection connected."))).toBe(infoShown);
  });

  it("throws InvalidArgumentError without a logging argument", () => {
    expect(() => new HubConnectionBuilder().configureLogging(undefined as unknown as LogLevel)).toThrow("The 'logging' argument is required.");
    expect(() => new HubConnectionBuilder().configureLogging(null as unknown as LogLevel)).toThrow(InvalidArgumentError);
  });

  it("accepts LogLevel.Trace, which is 0 (falsy)", () => {
    expect(() => new HubConnectionBuilder().configureLogging(LogLevel.Trace)).not.toThrow();
  });

  it("throws for an unknown level name", () => {
    expect(() => new HubConnectionBuilder().configureLogging("loud")).toThrow(/Unknown log level 'loud'/);
  });

  it("uses the logger given in the withUrl options when configureLogging is not called", async () => {
    const logger = new CapturingLogger();
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, { ...direct(WebSocket), logger }).build();
    await startOverFakeSocket(hub, WebSocket);
    await hub.stop();
    expect(logger.messages).toContain("HubConnection connected.");
  });

  it("prefers configureLogging over the withUrl logger", async () => {
    const fromOptions = new CapturingLogger();
    const configured = new CapturingLogger();
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder()
      .withUrl(HUB, { ...direct(WebSocket), logger: fromOptions })
      .configureLogging(configured as ILogger)
      .build();
    await startOverFakeSocket(hub, WebSocket);
    await hub.stop();
    expect(configured.messages).toContain("HubConnection connected.");
    expect(fromOptions.messages).toEqual([]);
  });
});

describe("HubConnectionBuilder.withAutomaticReconnect", () => {
  it("throws InvalidStateError when called twice", () => {
    expect(() => new HubConnectionBuilder().withAutomaticReconnect().withAutomaticReconnect()).toThrow(InvalidStateError);
    expect(() => new HubConnectionBuilder().withAutomaticReconnect([0]).withAutomaticReconnect({ nextRetryDelayInMilliseconds: () => null })).toThrow(
      /already set/,
    );
  });

  it("makes the built connection reconnect after a lost connection", async () => {
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(LogLevel.None).withAutomaticReconnect([0]).build();
    const reconnected = new AsyncQueue<string | undefined>();
    hub.onreconnected((id) => reconnected.push(id));
    const first = await startOverFakeSocket(hub, WebSocket);
    first.serverClose(1006, "gone");
    const second = await WebSocket.created.next();
    expect(await second.sent.next()).toBe(HANDSHAKE_REQUEST);
    second.receive(HANDSHAKE_OK);
    await reconnected.next();
    expect(hub.state).toBe(HubConnectionState.Connected);
    await hub.stop();
  });

  it("uses the given IRetryPolicy", async () => {
    const WebSocket = createFakeWebSocketClass("open");
    const policy = { nextRetryDelayInMilliseconds: vi.fn(() => null) };
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(LogLevel.None).withAutomaticReconnect(policy).build();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((e) => closed.push(e));
    const socket = await startOverFakeSocket(hub, WebSocket);
    socket.serverClose(1011, "crash");
    expect((await closed.next())?.message).toContain("1011");
    expect(policy.nextRetryDelayInMilliseconds).toHaveBeenCalledTimes(1);
  });

  it("is off by default: a lost connection closes", async () => {
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).configureLogging(LogLevel.None).build();
    const closed = new AsyncQueue<Error | undefined>();
    hub.onclose((e) => closed.push(e));
    const socket = await startOverFakeSocket(hub, WebSocket);
    socket.serverClose(1006);
    await closed.next();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(WebSocket.created.all).toHaveLength(1);
  });
});

describe("HubConnectionBuilder.withHubProtocol", () => {
  it("uses the given protocol for the handshake and messages", async () => {
    class NamedJson extends JsonHubProtocol {
      writes = 0;
      override writeMessage(message: Parameters<JsonHubProtocol["writeMessage"]>[0]): string {
        this.writes++;
        return super.writeMessage(message);
      }
    }
    const protocol = new NamedJson();
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, direct(WebSocket)).withHubProtocol(protocol).configureLogging(LogLevel.None).build();
    const socket = await startOverFakeSocket(hub, WebSocket);
    await hub.send("Hello");
    expect(protocol.writes).toBe(1);
    expect(socket.sent.all[1]).toBe('{"type":1,"target":"Hello","arguments":[]}\x1e');
    await hub.stop();
  });

  it("throws InvalidArgumentError without a protocol", () => {
    expect(() => new HubConnectionBuilder().withHubProtocol(undefined as unknown as JsonHubProtocol)).toThrow(InvalidArgumentError);
  });
});

describe("HubConnectionBuilder.withStatefulReconnect", () => {
  /** Starts a hub over LongPolling-less negotiation and returns the negotiate request's URL. */
  async function negotiateUrl(configure: (builder: HubConnectionBuilder) => HubConnectionBuilder): Promise<URL> {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id", ["WebSockets"]));
    server.use(negotiate.handler);
    const hub = configure(new HubConnectionBuilder().withUrl(HUB, HttpTransportType.LongPolling).configureLogging(LogLevel.None)).build();
    await hub.start().catch(() => undefined);
    return (await negotiate.requests.next()).url;
  }

  it("asks the server for stateful reconnect in negotiate", async () => {
    expect((await negotiateUrl((b) => b.withStatefulReconnect())).searchParams.get("useStatefulReconnect")).toBe("true");
    expect((await negotiateUrl((b) => b.withStatefulReconnect({ bufferSize: 10 }))).searchParams.get("useStatefulReconnect")).toBe("true");
  });

  it("is off by default", async () => {
    expect((await negotiateUrl((b) => b)).searchParams.get("useStatefulReconnect")).toBeNull();
  });
});
