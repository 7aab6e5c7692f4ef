import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import { AbortError, InvalidArgumentError, NegotiateError, TransportError } from "../../src/errors.js";
import { HttpClient, HttpResponse as ClientResponse, type HttpRequest } from "../../src/http/httpClient.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType, type ITransport } from "../../src/transports/transport.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { longPollingEndpoint } from "./support/hubServer.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { deferred, settle } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A custom transport whose sends the test settles one by one. */
class HeldTransport implements ITransport {
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  readonly sends: { data: string | ArrayBuffer; done: ReturnType<typeof deferred<void>> }[] = [];
  async connect(): Promise<void> {}
  send(data: string | ArrayBuffer): Promise<void> {
    const done = deferred<void>();
    this.sends.push({ data, done });
    return done.promise;
  }
  async stop(): Promise<void> {
    this.onclose?.();
  }
}

async function heldConnection() {
  server.use(negotiateHandler(HUB, (n) => negotiateV1(`id-${n}`, ["WebSockets"])).handler);
  const transport = new HeldTransport();
  const connection = new HttpConnection(HUB, { transport });
  await connection.start(TransferFormat.Binary);
  return { connection, transport };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const bytes = (...values: number[]) => new Uint8Array(values).buffer;

describe("sends over transports other than WebSockets", () => {
  it("hands the first send to the transport at once, so a send just before stop() still goes out", async () => {
    const { connection, transport } = await heldConnection();
    void connection.send("last words");
    const stopped = connection.stop();
    expect(transport.sends.map((s) => s.data)).toEqual(["last words"]);
    await stopped;
  });

  it("does not hold a new transport's sends behind a POST of the previous one", async () => {
    const { connection, transport } = await heldConnection();
    void connection.send("held by the server");
    await connection.stop();
    await connection.start(TransferFormat.Binary);
    void connection.send("after the restart");
    expect(transport.sends.map((s) => s.data)).toEqual(["held by the server", "after the restart"]);
    await connection.stop();
  });

  it("keeps a new transport's sends in order when a batch of the previous one goes out late", async () => {
    const { connection, transport } = await heldConnection();
    void connection.send("a");
    void connection.send("b"); // batched behind "a", which the server holds across the restart
    await connection.stop();
    await connection.start(TransferFormat.Binary);
    void connection.send("c");
    void connection.send("d"); // batched behind "c"
    transport.sends[0]!.done.resolve(); // "a" settles: the old batch "b" goes out
    await tick();
    void connection.send("e"); // must join "d", behind "c"
    await tick();
    transport.sends[2]!.done.resolve(); // "b" settles: nothing may overtake "d"
    await tick();
    expect(transport.sends.map((s) => s.data)).toEqual(["a", "c", "b"]);
    transport.sends[1]!.done.resolve(); // "c" settles
    await tick();
    expect(transport.sends.map((s) => s.data)).toEqual(["a", "c", "b", "de"]);
    await connection.stop();
  });

  it("joins binary payloads queued during a send into one ArrayBuffer, bytes end to end", async () => {
    const { connection, transport } = await heldConnection();
    const first = settle(connection.send(bytes(1, 2)));
    await tick();
    const second = settle(connection.send(bytes(3)));
    const third = settle(connection.send(bytes(4, 5, 6)));
    await tick();
    expect(transport.sends).toHaveLength(1);
    transport.sends[0]!.done.resolve();
    await first.settled;
    await tick();
    expect(transport.sends).toHaveLength(2);
    expect([...new Uint8Array(transport.sends[1]!.data as ArrayBuffer)]).toEqual([3, 4, 5, 6]);
    transport.sends[1]!.done.resolve();
    await Promise.all([second.settled, third.settled]);
    expect([first.error, second.error, third.error]).toEqual([undefined, undefined, undefined]);
  });

  it("encodes text as UTF-8 when it shares a batch with bytes", async () => {
    const { connection, transport } = await heldConnection();
    void connection.send("first");
    await tick();
    void connection.send("é");
    void connection.send(bytes(7));
    transport.sends[0]!.done.resolve();
    await tick();
    expect([...new Uint8Array(transport.sends[1]!.data as ArrayBuffer)]).toEqual([0xc3, 0xa9, 7]);
  });

  it("rejects only the sends of a failed batch and still sends the next one", async () => {
    const { connection, transport } = await heldConnection();
    const a = settle(connection.send("A"));
    await tick();
    const b = settle(connection.send("B"));
    transport.sends[0]!.done.reject(new TransportError("LongPolling", "POST failed"));
    await a.settled;
    await tick();
    expect(transport.sends.map((s) => s.data)).toEqual(["A", "B"]);
    transport.sends[1]!.done.resolve();
    await b.settled;
    expect((a.error as Error).message).toBe("POST failed");
    expect(b.error).toBeUndefined();
  });
});

describe("HTTP requests of a running connection", () => {
  it("asks the factory once more and retries a POST answered 401, with the new token", async () => {
    const endpoint = longPollingEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
    let posts = 0;
    endpoint.answerPost = () => new HttpResponse(null, { status: ++posts === 1 ? 401 : 200 });
    let calls = 0;
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, accessTokenFactory: () => `token-${++calls}` });
    await connection.start(TransferFormat.Text);
    await connection.send("hello");
    const [refused, retried] = endpoint.posts.all;
    expect(refused!.headers.get("authorization")).toBe("Bearer token-2");
    expect(retried!.headers.get("authorization")).toBe("Bearer token-3");
    expect(retried!.body).toBe("hello");
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
  });

  it("does not ask again after a 401 when a redirect gave the token", async () => {
    const redirected = negotiateHandler("http://redirect.test/hub", () => new HttpResponse(null, { status: 401 }));
    server.use(negotiateHandler(HUB, () => ({ url: "http://redirect.test/hub", accessToken: "redirect-token" })).handler, redirected.handler);
    let calls = 0;
    const connection = new HttpConnection(HUB, { WebSocket: createFakeWebSocketClass("open"), accessTokenFactory: () => `token-${++calls}` });
    const error = await connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(401);
    expect(redirected.requests.all).toHaveLength(1);
    expect(calls).toBe(1);
  });
});

describe("negotiate URL", () => {
  it("adds /negotiate after a trailing slash, keeps a negotiateVersion the user set, and asks for stateful reconnect", async () => {
    const negotiate = negotiateHandler(HUB, () => negotiateV1("id", ["WebSockets"]));
    server.use(negotiate.handler);
    const connection = new HttpConnection(`${HUB}/?negotiateVersion=1&a=b`, {
      WebSocket: createFakeWebSocketClass("open"),
      _useStatefulReconnect: true,
    });
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all[0]!.url.search).toBe("?negotiateVersion=1&a=b&useStatefulReconnect=true");
    await connection.stop();
  });
});

describe("hub URL", () => {
  it("resolves a relative URL against the page's base URI", () => {
    vi.stubGlobal("document", { baseURI: "https://app.test/section/page.html" });
    expect(new HttpConnection("../hub?x=1").baseUrl).toBe("https://app.test/hub?x=1");
  });

  it("resolves a relative URL against location.href where there is no document (workers)", () => {
    vi.stubGlobal("location", { href: "http://worker.test/app/" });
    expect(new HttpConnection("chat").baseUrl).toBe("http://worker.test/app/chat");
  });

  it("keeps an absolute URL exactly as given", () => {
    expect(new HttpConnection("HTTP://Hub.Test/chat?q=a b").baseUrl).toBe("HTTP://Hub.Test/chat?q=a b");
    expect(new HttpConnection("wss://hub.test/chat").baseUrl).toBe("wss://hub.test/chat");
  });

  it.each(["/chat", "ftp://hub.test/chat", "   ", "javascript:alert(1)"])("rejects %j with InvalidArgumentError where there is no page", (url) => {
    expect(() => new HttpConnection(url)).toThrow(InvalidArgumentError);
  });

  it("rejects a relative URL that resolves to something other than http(s)", () => {
    vi.stubGlobal("document", { baseURI: "file:///home/user/index.html" });
    expect(() => new HttpConnection("hub")).toThrow(InvalidArgumentError);
  });
});

describe("access tokens with skipNegotiation", () => {
  it("asks the factory once per connect and sends that token with the WebSocket", async () => {
    const WebSocket = createFakeWebSocketClass("open");
    let calls = 0;
    const connection = new HttpConnection(HUB, { WebSocket, skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => `token-${++calls}` });
    await connection.start(TransferFormat.Text);
    expect(calls).toBe(1);
    expect(WebSocket.created.all[0]!.headers["Authorization"]).toBe("Bearer token-1");
    await connection.stop();
  });
});

describe("stop() during fallback", () => {
  it("rejects start() with AbortError and tries no further transport when stopped during the re-negotiate", async () => {
    const held = deferred<Response>();
    const arrived = deferred();
    let negotiates = 0;
    server.use(
      http.post(`${HUB}/negotiate`, () => {
        if (++negotiates === 1) return HttpResponse.json(negotiateV1("id", ["WebSockets", "LongPolling"]));
        arrived.resolve();
        return held.promise;
      }),
    );
    const WebSocket = createFakeWebSocketClass({ fail: "refused" });
    const connection = new HttpConnection(HUB, { WebSocket });
    const started = connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    await arrived.promise;
    await connection.stop();
    held.resolve(HttpResponse.json(negotiateV1("id-2", ["LongPolling"])));
    expect(await started).toBeInstanceOf(AbortError);
    expect(negotiates).toBe(2);
  });

  it("opens no transport when stopped during a negotiate whose HTTP client ignores the abort signal", async () => {
    const answer = deferred<ClientResponse>();
    const arrived = deferred();
    class DeafHttpClient extends HttpClient {
      override send(_request: HttpRequest): Promise<ClientResponse> {
        arrived.resolve();
        return answer.promise;
      }
    }
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket, httpClient: new DeafHttpClient() });
    const started = connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    await arrived.promise;
    const stopped = connection.stop();
    answer.resolve(new ClientResponse(200, "OK", JSON.stringify(negotiateV1("id", ["WebSockets"]))));
    await stopped;
    expect(await started).toBeInstanceOf(AbortError);
    expect(WebSocket.created.all).toHaveLength(0);
  });

  it("settles start() and stop() at once, opening no socket, when stopped while the token factory is answering", async () => {
    const token = deferred<string>();
    const WebSocket = createFakeWebSocketClass("manual"); // a server that never answers the upgrade
    const connection = new HttpConnection(HUB, { WebSocket, skipNegotiation: true, transport: HttpTransportType.WebSockets, accessTokenFactory: () => token.promise });
    const started = settle(connection.start(TransferFormat.Text));
    await tick();
    const stopped = settle(connection.stop());
    token.resolve("t");
    await tick();
    expect(stopped.done && started.done).toBe(true);
    expect(started.error).toBeInstanceOf(AbortError);
    expect(WebSocket.created.all).toHaveLength(0);
  });
});

describe("a user HttpClient that resolves with a non-2xx status instead of throwing", () => {
  /** Answers each request with what `answer` returns, resolving even for error statuses. */
  class ResolvingHttpClient extends HttpClient {
    readonly requests: HttpRequest[] = [];
    constructor(private readonly answer: (request: HttpRequest, n: number) => ClientResponse | Promise<ClientResponse>) {
      super();
    }
    override async send(request: HttpRequest): Promise<ClientResponse> {
      this.requests.push(request);
      return this.answer(request, this.requests.length);
    }
  }
  const negotiated = () => new ClientResponse(200, "OK", JSON.stringify(negotiateV1("id", ["LongPolling"])));

  it("fails negotiate with a NegotiateError carrying the status, not 'invalid JSON'", async () => {
    const httpClient = new ResolvingHttpClient(() => new ClientResponse(503, "Service Unavailable", "<html>down</html>"));
    const connection = new HttpConnection(HUB, { WebSocket: createFakeWebSocketClass("open"), httpClient });
    const error = await connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(503);
    expect((error as Error).message).toMatch(/POST http:\/\/hub\.test\/chat\/negotiate.*503/);
  });

  it("closes Long Polling with an error, not delivering the body, when a poll resolves 500; a 204 still closes cleanly", async () => {
    const polls: ReturnType<typeof deferred<ClientResponse>>[] = [];
    let first = true;
    const httpClient = new ResolvingHttpClient((request) => {
      if (request.url!.includes("/negotiate")) return (first = true), negotiated();
      // The first poll of each connect is answered at once.
      if (request.method === "GET" && first) return (first = false), new ClientResponse(200, "OK", "");
      if (request.method === "GET") return (polls[polls.length] = deferred<ClientResponse>()).promise;
      return new ClientResponse(202, "Accepted", "");
    });
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, httpClient });
    const received: unknown[] = [];
    const closed = deferred<Error | undefined>();
    connection.onreceive = (data) => received.push(data);
    connection.onclose = (error) => closed.resolve(error);
    await connection.start(TransferFormat.Text);
    await vi.waitFor(() => expect(polls).toHaveLength(1));
    polls[0]!.resolve(new ClientResponse(500, "Internal Server Error", "boom page"));
    const error = await closed.promise;
    expect(received).toEqual([]);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/500/);

    // 204: the server ended the poll; the close carries no error.
    const again = deferred<Error | undefined>();
    connection.onclose = (e) => again.resolve(e);
    await connection.start(TransferFormat.Text);
    await vi.waitFor(() => expect(polls).toHaveLength(2));
    polls[1]!.resolve(new ClientResponse(204, "No Content"));
    expect(await again.promise).toBeUndefined();
  });

  it("retries a request resolved 401 once with a fresh token", async () => {
    const httpClient = new ResolvingHttpClient((_request, n) =>
      n === 1 ? new ClientResponse(401, "Unauthorized", "") : new ClientResponse(200, "OK", JSON.stringify(negotiateV1("id", ["WebSockets"]))),
    );
    let calls = 0;
    const connection = new HttpConnection(HUB, { WebSocket: createFakeWebSocketClass("open"), httpClient, accessTokenFactory: () => `token-${++calls}` });
    await connection.start(TransferFormat.Text);
    expect(httpClient.requests.map((r) => r.headers!["Authorization"])).toEqual(["Bearer token-1", "Bearer token-2"]);
    expect(httpClient.requests[1]!.url).toMatch(/\/negotiate/);
    await connection.stop();
  });
});
