import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import type { IHttpConnectionOptions } from "../../src/connection/options.js";
import { AbortError, HttpError, NegotiateError } from "../../src/errors.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { HubConnectionBuilder } from "../../src/hub/hubConnectionBuilder.js";
import { LogLevel } from "../../src/logging.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { HANDSHAKE_OK, HANDSHAKE_REQUEST } from "./support/fakeConnection.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { CapturingLogger } from "./support/logger.js";
import { eventStreamEndpoint, longPollingEndpoint } from "./support/hubServer.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue, deferred } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

/** An HttpConnection limited to WebSockets, over a fake WebSocket that opens at once. */
function webSocketConnection(options: IHttpConnectionOptions = {}, url = HUB) {
  const WebSocket = createFakeWebSocketClass("open");
  const logger = new CapturingLogger();
  const connection = new HttpConnection(url, { transport: HttpTransportType.WebSockets, WebSocket, logger, ...options });
  return { connection, WebSocket, logger };
}

async function startFails(connection: HttpConnection): Promise<unknown> {
  try {
    await connection.start(TransferFormat.Text);
  } catch (error) {
    return error;
  }
  throw new Error("start() should have failed");
}

describe("negotiate request", () => {
  it("POSTs an empty body to {hub}/negotiate?negotiateVersion=1", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id-1"));
    server.use(negotiate.handler);
    const { connection } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    const request = negotiate.requests.all[0]!;
    expect(request.method).toBe("POST");
    expect(request.url.pathname).toBe("/chat/negotiate");
    expect(request.url.search).toBe("?negotiateVersion=1");
    expect(request.body).toBe("");
    await connection.stop();
  });

  it("keeps the hub URL's own query string and adds negotiateVersion=1", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id-1", ["WebSockets"], "tok"));
    server.use(negotiate.handler);
    const { connection, WebSocket } = webSocketConnection({}, `${HUB}?tenant=acme&x=1`);
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all[0]!.url.search).toBe("?tenant=acme&x=1&negotiateVersion=1");
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?tenant=acme&x=1&id=tok");
    await connection.stop();
  });

  it("sends the user's headers, X-Requested-With and a hubwire User-Agent", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id-1", ["WebSockets"]));
    server.use(negotiate.handler);
    const { connection, WebSocket } = webSocketConnection({ headers: { "X-Custom": "custom value", "X-Other": "2" } });
    await connection.start(TransferFormat.Text);
    const headers = negotiate.requests.all[0]!.headers;
    expect(headers.get("x-custom")).toBe("custom value");
    expect(headers.get("x-other")).toBe("2");
    expect(headers.get("x-requested-with")).toBe("XMLHttpRequest");
    expect(headers.get("user-agent")).toMatch(/^hubwire\/\d+\.\d+\.\d+\S* \(.*; NodeJS; v?\d+\.\d+\.\d+\)$/);
    // In Node the WebSocket request carries the same headers.
    const socketHeaders = WebSocket.created.all[0]!.headers;
    expect(socketHeaders["X-Custom"]).toBe("custom value");
    expect(socketHeaders["User-Agent"]).toBe(headers.get("user-agent"));
    await connection.stop();
  });

  it("sends no Authorization header when there is no accessTokenFactory", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id-1", ["WebSockets"]));
    server.use(negotiate.handler);
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all[0]!.headers.has("authorization")).toBe(false);
    expect(WebSocket.created.all[0]!.headers["Authorization"]).toBeUndefined();
    await connection.stop();
  });
});

describe("negotiate response", () => {
  it("connects to ?id={connectionToken} for a v1 answer and exposes the public connectionId", async () => {
    server.use(negotiateHandler(HUB, () => negotiateV1("public-id", ["WebSockets"], "secret-token")).handler);
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=secret-token");
    expect(connection.connectionId).toBe("public-id");
    await connection.stop();
  });

  it("uses the connectionId as the token for a v0 answer", async () => {
    server.use(
      negotiateHandler(HUB, () => ({
        connectionId: "v0-connection",
        availableTransports: [{ transport: "WebSockets", transferFormats: ["Text", "Binary"] }],
      })).handler,
    );
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=v0-connection");
    expect(connection.connectionId).toBe("v0-connection");
    await connection.stop();
  });

  it("ignores a connectionToken sent by a v0 server", async () => {
    server.use(
      negotiateHandler(HUB, () => ({
        connectionId: "v0-id",
        connectionToken: "ignored",
        availableTransports: [{ transport: "WebSockets", transferFormats: ["Text"] }],
      })).handler,
    );
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=v0-id");
    await connection.stop();
  });

  it("ignores unknown fields in the answer", async () => {
    server.use(negotiateHandler(HUB, () => ({ ...negotiateV1("id", ["WebSockets"], "tok"), somethingNew: { a: 1 }, useStatefulReconnect: false })).handler);
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=tok");
    await connection.stop();
  });

  it("fails with NegotiateError carrying the server's text for an {error} answer", async () => {
    server.use(negotiateHandler(HUB, () => ({ error: "Hub 'chat' is closed for maintenance." })).handler);
    const { connection, WebSocket } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toContain("Hub 'chat' is closed for maintenance.");
    expect((error as NegotiateError).statusCode).toBeUndefined();
    expect(WebSocket.created.all).toHaveLength(0);
  });

  it("fails with a NegotiateError naming a legacy ASP.NET SignalR server", async () => {
    server.use(negotiateHandler(HUB, () => ({ ProtocolVersion: "1.5", ConnectionId: "x", Url: "/signalr" })).handler);
    const { connection } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toMatch(/legacy ASP\.NET SignalR/);
    expect((error as Error).message).toContain("1.5");
  });

  it.each([401, 404, 500, 503])("fails with a NegotiateError whose statusCode is %i and whose message names the URL", async (status) => {
    server.use(http.post(`${HUB}/negotiate`, () => new HttpResponse("nope", { status })));
    const { connection } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(status);
    expect((error as Error).message).toContain(`${HUB}/negotiate?negotiateVersion=1`);
    expect((error as Error).message).toContain(String(status));
    expect((error as NegotiateError).url).toBe(`${HUB}/negotiate?negotiateVersion=1`);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(HttpError);
  });

  it("fails with a NegotiateError for an answer that is not JSON", async () => {
    server.use(http.post(`${HUB}/negotiate`, () => HttpResponse.text("<html>Not a hub</html>")));
    const { connection } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toMatch(/invalid JSON/);
    expect((error as Error).message).toContain("<html>Not a hub</html>");
  });

  it("fails with a NegotiateError for a JSON answer that is not an object", async () => {
    server.use(http.post(`${HUB}/negotiate`, () => HttpResponse.json([1, 2])));
    const error = await startFails(webSocketConnection().connection);
    expect(error).toBeInstanceOf(NegotiateError);
  });

  it("fails with a NegotiateError for a v1 answer without a connectionToken", async () => {
    server.use(http.post(`${HUB}/negotiate`, () => HttpResponse.json({ negotiateVersion: 1, connectionId: "id", availableTransports: [] })));
    const error = await startFails(webSocketConnection().connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toMatch(/connectionToken/);
  });

  it("fails with a NegotiateError for an answer without a connectionId", async () => {
    server.use(http.post(`${HUB}/negotiate`, () => HttpResponse.json({ negotiateVersion: 1, availableTransports: [] })));
    const error = await startFails(webSocketConnection().connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toMatch(/connectionId/);
  });
});

describe("negotiate redirects", () => {
  it("negotiates again at the redirect URL with its access token as Bearer, then connects there with it", async () => {
    const first = negotiateHandler(HUB, () => ({ url: "http://redirect.test/client/?hub=chat", accessToken: "redirect-token" }));
    const second = negotiateHandler("http://redirect.test/client", () => negotiateV1("asrs-id", ["WebSockets"], "asrs-token"));
    server.use(first.handler, second.handler);
    const { connection, WebSocket } = webSocketConnection({ accessTokenFactory: () => "user-token" });
    await connection.start(TransferFormat.Text);

    expect(first.requests.all[0]!.headers.get("authorization")).toBe("Bearer user-token");
    const redirected = second.requests.all[0]!;
    expect(redirected.url.search).toBe("?hub=chat&negotiateVersion=1");
    expect(redirected.headers.get("authorization")).toBe("Bearer redirect-token");
    const socket = WebSocket.created.all[0]!;
    expect(socket.url).toBe("ws://redirect.test/client/?hub=chat&id=asrs-token");
    expect(socket.headers["Authorization"]).toBe("Bearer redirect-token");
    expect(connection.connectionId).toBe("asrs-id");
    expect(connection.baseUrl).toBe(HUB);
    await connection.stop();
  });

  it("follows a chain of redirects, each hop using the token the previous hop gave", async () => {
    const a = negotiateHandler(HUB, () => ({ url: "http://b.test/hub", accessToken: "token-b" }));
    const b = negotiateHandler("http://b.test/hub", () => ({ url: "http://c.test/hub" }));
    const c = negotiateHandler("http://c.test/hub", () => ({ url: "http://d.test/hub", accessToken: "token-d" }));
    const d = negotiateHandler("http://d.test/hub", () => negotiateV1("final", ["WebSockets"], "final-token"));
    server.use(a.handler, b.handler, c.handler, d.handler);
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(a.requests.all[0]!.headers.has("authorization")).toBe(false);
    expect(b.requests.all[0]!.headers.get("authorization")).toBe("Bearer token-b");
    expect(c.requests.all[0]!.headers.get("authorization")).toBe("Bearer token-b");
    expect(d.requests.all[0]!.headers.get("authorization")).toBe("Bearer token-d");
    expect(WebSocket.created.all[0]!.url).toBe("ws://d.test/hub?id=final-token");
    expect(WebSocket.created.all[0]!.headers["Authorization"]).toBe("Bearer token-d");
    await connection.stop();
  });

  it("keeps using the user's token after a redirect that gives none", async () => {
    const a = negotiateHandler(HUB, () => ({ url: "http://b.test/hub" }));
    const b = negotiateHandler("http://b.test/hub", () => negotiateV1("id", ["WebSockets"]));
    server.use(a.handler, b.handler);
    const { connection, WebSocket } = webSocketConnection({ accessTokenFactory: () => "user-token" });
    await connection.start(TransferFormat.Text);
    expect(b.requests.all[0]!.headers.get("authorization")).toBe("Bearer user-token");
    expect(WebSocket.created.all[0]!.headers["Authorization"]).toBe("Bearer user-token");
    await connection.stop();
  });

  it("gives up with a NegotiateError after 100 redirects", async () => {
    const loop = negotiateHandler(HUB, () => ({ url: HUB }));
    server.use(loop.handler);
    const { connection, WebSocket } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as Error).message).toMatch(/redirect/i);
    expect((error as Error).message).toContain("100");
    expect(loop.requests.all).toHaveLength(100);
    expect(WebSocket.created.all).toHaveLength(0);
  });

  it("connects after 99 redirects", async () => {
    const chain = negotiateHandler(HUB, (n) => (n < 100 ? { url: HUB } : negotiateV1("id", ["WebSockets"], "tok")));
    server.use(chain.handler);
    const { connection, WebSocket } = webSocketConnection();
    await connection.start(TransferFormat.Text);
    expect(chain.requests.all).toHaveLength(100);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=tok");
    await connection.stop();
  });
});

describe("access tokens", () => {
  it("asks the accessTokenFactory before each negotiate and each connect", async () => {
    const negotiate = negotiateHandler(HUB, (n) => negotiateV1(`id-${n}`, ["WebSockets"]));
    server.use(negotiate.handler);
    let calls = 0;
    const { connection, WebSocket } = webSocketConnection({ accessTokenFactory: () => `token-${++calls}` });

    await connection.start(TransferFormat.Text);
    expect(calls).toBe(2);
    expect(negotiate.requests.all[0]!.headers.get("authorization")).toBe("Bearer token-1");
    expect(WebSocket.created.all[0]!.headers["Authorization"]).toBe("Bearer token-2");
    await connection.stop();

    await connection.start(TransferFormat.Text);
    expect(calls).toBe(4);
    expect(negotiate.requests.all[1]!.headers.get("authorization")).toBe("Bearer token-3");
    expect(WebSocket.created.all[1]!.headers["Authorization"]).toBe("Bearer token-4");
    await connection.stop();
  });

  it("accepts an async accessTokenFactory", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id", ["WebSockets"]));
    server.use(negotiate.handler);
    const { connection } = webSocketConnection({ accessTokenFactory: async () => "async-token" });
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all[0]!.headers.get("authorization")).toBe("Bearer async-token");
    await connection.stop();
  });

  it("asks the factory again and retries once when negotiate answers 401", async () => {
    const negotiate = negotiateHandler(HUB, (n) => (n === 1 ? new HttpResponse(null, { status: 401 }) : negotiateV1("id", ["WebSockets"])));
    server.use(negotiate.handler);
    let calls = 0;
    const { connection } = webSocketConnection({ accessTokenFactory: () => `token-${++calls}` });
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all.map((r) => r.headers.get("authorization"))).toEqual(["Bearer token-1", "Bearer token-2"]);
    await connection.stop();
  });

  it("never writes an access token into a log line, even at Trace with message content", async () => {
    const USER_TOKEN = "USER-SECRET-7f3a";
    const REDIRECT_TOKEN = "REDIRECT-SECRET-91bc";
    server.use(
      negotiateHandler(HUB, () => ({ url: "http://redirect.test/hub", accessToken: REDIRECT_TOKEN })).handler,
      negotiateHandler("http://redirect.test/hub", () => negotiateV1("id", ["WebSockets"], "conn-token")).handler,
    );
    const WebSocket = createFakeWebSocketClass("open");
    const logger = new CapturingLogger();
    const hub = new HubConnectionBuilder()
      .withUrl(HUB, { WebSocket, accessTokenFactory: () => USER_TOKEN, logMessageContent: true, transport: HttpTransportType.WebSockets })
      .configureLogging(logger)
      .build();
    const started = hub.start();
    const socket = await WebSocket.created.next();
    expect(await socket.sent.next()).toBe(HANDSHAKE_REQUEST);
    socket.receive(HANDSHAKE_OK);
    await started;
    const invoked = hub.invoke("Echo", "hello");
    await socket.sent.next();
    socket.receive(`{"type":3,"invocationId":"0","result":"ok"}\x1e`);
    await invoked;
    await hub.stop();

    // A failed negotiate is logged too.
    server.use(http.post(`${HUB}/negotiate`, () => new HttpResponse("denied", { status: 401 })));
    await expect(hub.start()).rejects.toThrow(NegotiateError);

    expect(logger.entries.some((e) => e.level === LogLevel.Trace)).toBe(true);
    // Message content is logged (so the check below would see tokens if they leaked into it).
    expect(logger.messages.some((m) => m.includes('"hello"'))).toBe(true);
    const linesWithTokens = logger.messages.filter((m) => m.includes(REDIRECT_TOKEN) || m.includes(USER_TOKEN));
    expect(linesWithTokens).toEqual([]);
  });
});

describe("access tokens in logs over HTTP transports", () => {
  it.each([
    ["LongPolling", HttpTransportType.LongPolling],
    ["ServerSentEvents", HttpTransportType.ServerSentEvents],
  ] as const)("never logs the token over %s, at Trace with message content", async (name, transport) => {
    const TOKEN = `TOKEN-${name}-5e1f`;
    const longPolling = longPollingEndpoint(HUB);
    const eventStream = eventStreamEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", [name])).handler, ...eventStream.handlers, ...longPolling.handlers);
    const logger = new CapturingLogger();
    const connection = new HttpConnection(HUB, { transport, logger, accessTokenFactory: () => TOKEN, logMessageContent: true });
    const received = new AsyncQueue<string | ArrayBuffer>();
    connection.onreceive = (data) => received.push(data);
    await connection.start(TransferFormat.Text);
    await connection.send("hello\x1e");
    if (name === "LongPolling") {
      (await longPolling.polls.next()).respond(HttpResponse.text("data\x1e"));
    } else {
      (await eventStream.streams.next()).write("data: data\x1e\n\n");
    }
    expect(await received.next()).toBe("data\x1e");
    await connection.stop();
    expect(logger.messages.some((m) => m.includes("'hello\x1e'"))).toBe(true);
    expect(logger.messages.filter((m) => m.includes(TOKEN))).toEqual([]);
  });
});

describe("stopping during negotiate", () => {
  it("aborts the negotiate request and rejects start() with AbortError", async () => {
    const arrived = deferred();
    const aborted = deferred();
    server.use(
      http.post(`${HUB}/negotiate`, async ({ request }) => {
        request.signal.addEventListener("abort", () => aborted.resolve());
        arrived.resolve();
        await aborted.promise;
        return HttpResponse.json(negotiateV1("late", ["WebSockets"]));
      }),
    );
    const WebSocket = createFakeWebSocketClass("open");
    const hub = new HubConnectionBuilder().withUrl(HUB, { WebSocket }).configureLogging(new CapturingLogger()).build();
    const started = hub.start().then(() => undefined, (e: unknown) => e);
    await arrived.promise;
    await hub.stop();
    await aborted.promise;
    expect(await started).toBeInstanceOf(AbortError);
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(WebSocket.created.all).toHaveLength(0);
  });
});

describe("a later start after a redirect", () => {
  it("negotiates at the hub URL again with the user's token, not the redirect's", async () => {
    const first = negotiateHandler(HUB, () => ({ url: "http://redirect.test/hub", accessToken: "redirect-token" }));
    const second = negotiateHandler("http://redirect.test/hub", () => negotiateV1("id", ["WebSockets"]));
    server.use(first.handler, second.handler);
    const { connection, WebSocket } = webSocketConnection({ accessTokenFactory: () => "user-token" });
    await connection.start(TransferFormat.Text);
    await connection.stop();
    await connection.start(TransferFormat.Text);
    expect(first.requests.all.map((r) => r.headers.get("authorization"))).toEqual(["Bearer user-token", "Bearer user-token"]);
    expect(second.requests.all.map((r) => r.headers.get("authorization"))).toEqual(["Bearer redirect-token", "Bearer redirect-token"]);
    expect(WebSocket.created.all.map((s) => s.headers["Authorization"])).toEqual(["Bearer redirect-token", "Bearer redirect-token"]);
    await connection.stop();
  });
});

describe("negotiate answers with a malformed availableTransports entry", () => {
  it("skips an entry without transferFormats (or not an array) instead of failing with a TypeError", async () => {
    server.use(
      negotiateHandler(HUB, () => ({
        connectionId: "id-1",
        connectionToken: "tok",
        negotiateVersion: 1,
        availableTransports: [{ transport: "ServerSentEvents" }, { transport: "LongPolling", transferFormats: "Text" }, { transport: "WebSockets", transferFormats: ["Text"] }],
      })).handler,
    );
    // Every transport allowed: the malformed entries must be skipped, not refused by the client.
    const { connection, WebSocket } = webSocketConnection({ transport: HttpTransportType.None });
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=tok");
    await connection.stop();
  });

  it("fails with a NoTransportError, not a TypeError, when the only entry lacks transferFormats", async () => {
    server.use(negotiateHandler(HUB, () => ({ connectionId: "id-1", connectionToken: "tok", negotiateVersion: 1, availableTransports: [{ transport: "WebSockets" }] })).handler);
    const { connection } = webSocketConnection();
    const error = await startFails(connection);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).name).toBe("NoTransportError");
  });

  it("skips null entries, and treats availableTransports that is not an array as offering nothing", async () => {
    server.use(
      negotiateHandler(HUB, () => ({
        connectionId: "id-1",
        connectionToken: "tok",
        negotiateVersion: 1,
        availableTransports: [null, { transport: "WebSockets", transferFormats: ["Text"] }],
      })).handler,
    );
    // Every transport allowed: the malformed entries must be skipped, not refused by the client.
    const { connection, WebSocket } = webSocketConnection({ transport: HttpTransportType.None });
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=tok");
    await connection.stop();

    server.use(negotiateHandler(HUB, () => ({ connectionId: "id-2", connectionToken: "tok2", negotiateVersion: 1, availableTransports: { transport: "WebSockets" } })).handler);
    const error = await startFails(webSocketConnection().connection);
    expect((error as Error).name).toBe("NoTransportError");
  });
});
