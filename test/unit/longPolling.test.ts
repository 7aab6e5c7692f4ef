import { HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import { TimeoutError, TransportError } from "../../src/errors.js";
import { FetchHttpClient } from "../../src/http/fetchHttpClient.js";
import { HttpClient, HttpResponse as ClientResponse, type HttpRequest } from "../../src/http/httpClient.js";
import { HubConnectionBuilder } from "../../src/hub/hubConnectionBuilder.js";
import { HubConnectionState } from "../../src/hub/hubConnectionState.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { HANDSHAKE_OK, HANDSHAKE_REQUEST } from "./support/fakeConnection.js";
import { longPollingEndpoint } from "./support/hubServer.js";
import { CapturingLogger } from "./support/logger.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue, deferred, settle } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

/** A connected HttpConnection on Long Polling, with what it received and how it closed. */
async function connectLongPolling() {
  const endpoint = longPollingEndpoint(HUB);
  const negotiate = negotiateHandler(HUB, (n) => negotiateV1(`id-${n}`, ["LongPolling"], `token-${n}`));
  server.use(negotiate.handler, ...endpoint.handlers);
  const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, logger: new CapturingLogger() });
  const received = new AsyncQueue<string | ArrayBuffer>();
  const closed = new AsyncQueue<Error | undefined>();
  connection.onreceive = (data) => received.push(data);
  connection.onclose = (error) => closed.push(error);
  await connection.start(TransferFormat.Text);
  return { connection, endpoint, received, closed, negotiate };
}

describe("Long Polling transport", () => {
  it("connects with a first poll to ?id={token} and reports inherentKeepAlive", async () => {
    const { connection, endpoint } = await connectLongPolling();
    expect(connection.features.inherentKeepAlive).toBe(true);
    const poll = await endpoint.polls.next();
    expect(poll.request.method).toBe("GET");
    expect(poll.request.url.origin + poll.request.url.pathname).toBe(HUB);
    expect(poll.request.url.searchParams.get("id")).toBe("token-1");
    expect(poll.request.url.searchParams.has("_")).toBe(true);
    poll.respond(new HttpResponse(null, { status: 204 }));
  });

  it("delivers the body of a 200 poll, then polls again", async () => {
    const { endpoint, received } = await connectLongPolling();
    (await endpoint.polls.next()).respond(HttpResponse.text('{"type":6}\x1e'));
    expect(await received.next()).toBe('{"type":6}\x1e');
    const next = await endpoint.polls.next();
    expect(next.request.url.searchParams.get("id")).toBe("token-1");
    next.respond(new HttpResponse(null, { status: 204 }));
  });

  it("polls again after an empty 200 without delivering anything", async () => {
    const { endpoint, received, closed } = await connectLongPolling();
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 200 }));
    const second = await endpoint.polls.next();
    expect(received.all).toEqual([]);
    second.respond(HttpResponse.text("data\x1e"));
    expect(await received.next()).toBe("data\x1e");
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
    expect(await closed.next()).toBeUndefined();
  });

  it("asks for bytes with the Binary transfer format and delivers them as an ArrayBuffer", async () => {
    const endpoint = longPollingEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling });
    const received = new AsyncQueue<string | ArrayBuffer>();
    connection.onreceive = (data) => received.push(data);
    await connection.start(TransferFormat.Binary);
    (await endpoint.polls.next()).respond(new HttpResponse(new Uint8Array([0x91, 0x06, 0xff])));
    const data = await received.next();
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([0x91, 0x06, 0xff]);
    // Zero bytes is an empty answer: nothing is delivered, the next poll goes out.
    (await endpoint.polls.next()).respond(new HttpResponse(new Uint8Array(0)));
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.all).toHaveLength(1);
  });

  it("polls again after a poll times out, and gives ordinary requests the connection's timeout, not the poll's", async () => {
    const endpoint = longPollingEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
    // A client that times out the second poll, as a proxy cutting a long poll would.
    const timeouts: { method: string | undefined; timeout: number | undefined }[] = [];
    let gets = 0;
    class TimingOut extends FetchHttpClient {
      override send(request: HttpRequest) {
        timeouts.push({ method: request.method, timeout: request.timeout });
        if (request.method === "GET" && ++gets === 2) return Promise.reject(new TimeoutError("poll timed out"));
        return super.send(request);
      }
    }
    const closed = new AsyncQueue<Error | undefined>();
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, httpClient: new TimingOut((input, init) => fetch(input, init)), timeout: 7000 });
    connection.onclose = (error) => closed.push(error);
    await connection.start(TransferFormat.Text);
    await connection.send("x\x1e");
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
    expect(await closed.next()).toBeUndefined();
    expect(gets).toBe(3);
    expect(timeouts.filter((t) => t.method === "GET").map((t) => t.timeout)).toEqual([120_000, 120_000, 120_000]);
    expect(timeouts.find((t) => t.method === "POST" && t.timeout === 7000)).toBeDefined();
  });

  it("closes without an error when a poll answers 204", async () => {
    const { endpoint, closed } = await connectLongPolling();
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
    expect(await closed.next()).toBeUndefined();
    expect(endpoint.polls.pending).toBe(0);
  });

  it("closes with a TransportError when a poll answers 500", async () => {
    const { endpoint, closed } = await connectLongPolling();
    (await endpoint.polls.next()).respond(new HttpResponse("boom", { status: 500 }));
    const error = await closed.next();
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).transport).toBe("LongPolling");
    expect(error?.message).toContain("500");
  });

  it("fails to start when the first poll does not answer 200", async () => {
    const endpoint = longPollingEndpoint(HUB);
    endpoint.answerFirstPoll = () => new HttpResponse(null, { status: 404 });
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling });
    const error = await connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    expect((error as { errors?: Error[] }).errors?.[0]).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain("404");
  });

  it("carries the bearer token, X-Requested-With and the user agent on polls, POSTs and the DELETE", async () => {
    const endpoint = longPollingEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, accessTokenFactory: () => "lp-token", headers: { "X-App": "1" } });
    await connection.start(TransferFormat.Text);
    const poll = await endpoint.polls.next();
    await connection.send("x\x1e");
    await connection.stop();
    for (const request of [poll.request, await endpoint.posts.next(), await endpoint.deletes.next()]) {
      expect(request.headers.get("authorization")).toBe("Bearer lp-token");
      expect(request.headers.get("x-requested-with")).toBe("XMLHttpRequest");
      expect(request.headers.get("user-agent")).toMatch(/^hubwire\//);
      expect(request.headers.get("x-app")).toBe("1");
    }
  });

  it("sends each payload as a POST to ?id={token}", async () => {
    const { connection, endpoint } = await connectLongPolling();
    await connection.send('{"type":1,"target":"A","arguments":[]}\x1e');
    const post = await endpoint.posts.next();
    expect(post.method).toBe("POST");
    expect(post.url.searchParams.get("id")).toBe("token-1");
    expect(post.body).toBe('{"type":1,"target":"A","arguments":[]}\x1e');
    expect(post.headers.get("content-type")).toMatch(/^text\/plain/);
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
  });

  it("sends what was queued during a POST after that POST, never alongside it", async () => {
    const { connection, endpoint } = await connectLongPolling();
    const firstPostReleased = deferred<Response>();
    let postsAnswered = 0;
    endpoint.answerPost = () => (++postsAnswered === 1 ? firstPostReleased.promise : new HttpResponse(null, { status: 200 }));

    const a = settle(connection.send("A\x1e"));
    expect((await endpoint.posts.next()).body).toBe("A\x1e");
    const b = settle(connection.send("B\x1e"));
    const c = settle(connection.send("C\x1e"));
    // Give a second POST every chance to be sent early.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(endpoint.posts.all).toHaveLength(1);
    expect(a.done).toBe(false);

    firstPostReleased.resolve(new HttpResponse(null, { status: 200 }));
    await a.settled;
    expect((await endpoint.posts.next()).body).toBe("B\x1eC\x1e");
    await Promise.all([b.settled, c.settled]);
    expect([a.error, b.error, c.error]).toEqual([undefined, undefined, undefined]);
    expect(endpoint.posts.all.map((p) => p.body)).toEqual(["A\x1e", "B\x1eC\x1e"]);
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
  });

  it("rejects a send with a TransportError when its POST fails", async () => {
    const { connection, endpoint } = await connectLongPolling();
    endpoint.answerPost = () => new HttpResponse(null, { status: 404 });
    const error = await connection.send("x\x1e").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain("404");
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
  });

  it("aborts the pending poll and sends DELETE to ?id={token} when stopped", async () => {
    const { connection, endpoint, closed } = await connectLongPolling();
    const poll = await endpoint.polls.next();
    await connection.stop();
    await poll.aborted;
    const del = await endpoint.deletes.next();
    expect(del.method).toBe("DELETE");
    expect(del.url.searchParams.get("id")).toBe("token-1");
    expect(await closed.next()).toBeUndefined();
    expect(closed.all).toHaveLength(1);
  });

  it("stops cleanly when the DELETE answers 404", async () => {
    const { connection, endpoint, closed } = await connectLongPolling();
    endpoint.answerDelete = () => new HttpResponse(null, { status: 404 });
    await endpoint.polls.next();
    await connection.stop();
    expect(endpoint.deletes.all).toHaveLength(1);
    expect(await closed.next()).toBeUndefined();
  });

  it("sends no DELETE when the server already ended the connection", async () => {
    const { connection, endpoint, closed } = await connectLongPolling();
    (await endpoint.polls.next()).respond(new HttpResponse(null, { status: 204 }));
    await closed.next();
    await connection.stop();
    expect(endpoint.deletes.all).toHaveLength(0);
  });

  it("sends one DELETE when stop() comes just as the first poll has connected", async () => {
    // stop() lands after the transport has connected but before the connection has moved on,
    // so both stop() and the connection's own "stopped meanwhile" check stop the transport.
    const requests: string[] = [];
    let connection: HttpConnection;
    let polls = 0;
    class PollingClient extends HttpClient {
      send(request: HttpRequest): Promise<ClientResponse> {
        requests.push(request.method!);
        if (request.method === "POST" && request.url!.includes("/negotiate")) {
          return Promise.resolve(new ClientResponse(200, "OK", JSON.stringify(negotiateV1("id", ["LongPolling"]))));
        }
        if (request.method !== "GET") return Promise.resolve(new ClientResponse(202));
        // The first poll answers at once; the second one is the loop's, sent just after connect.
        if (++polls === 2) void connection.stop();
        return new Promise((resolve, reject) => {
          if (polls === 1) resolve(new ClientResponse(200, "OK", ""));
          request.abortSignal!.addEventListener("abort", () => reject(new Error("aborted")));
        });
      }
    }
    connection = new HttpConnection(HUB, { transport: HttpTransportType.LongPolling, httpClient: new PollingClient() });
    await expect(connection.start(TransferFormat.Text)).rejects.toThrow(/Stopped while connecting/);
    await connection.stop();
    expect(requests.filter((method) => method === "DELETE")).toHaveLength(1);
  });

  it("resets inherentKeepAlive when a later start uses another transport", async () => {
    const endpoint = longPollingEndpoint(HUB);
    server.use(
      negotiateHandler(HUB, (n) => negotiateV1(`id-${n}`, n === 1 ? ["LongPolling"] : ["WebSockets"])).handler,
      ...endpoint.handlers,
    );
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Text);
    expect(connection.features.inherentKeepAlive).toBe(true);
    await connection.stop();
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all).toHaveLength(1);
    expect(connection.features.inherentKeepAlive).toBe(false);
    await connection.stop();
  });
});

/** A HubConnection connected over Long Polling (the handshake played), with its endpoint. */
async function connectedHubOverLongPolling() {
  const endpoint = longPollingEndpoint(HUB);
  server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
  const hub = new HubConnectionBuilder().withUrl(HUB, HttpTransportType.LongPolling).configureLogging(new CapturingLogger()).build();
  const started = hub.start();
  await endpoint.posts.next();
  (await endpoint.polls.next()).respond(HttpResponse.text(HANDSHAKE_OK));
  await started;
  return { hub, endpoint };
}

describe("HubConnection over Long Polling", () => {
  it("stops without waiting for a POST the server is holding", async () => {
    const { hub, endpoint } = await connectedHubOverLongPolling();

    const held = deferred<Response>();
    endpoint.answerPost = () => held.promise;
    const sent = settle(hub.send("Slow"));
    await endpoint.posts.next();
    await hub.stop();
    expect(hub.state).toBe(HubConnectionState.Disconnected);
    expect(endpoint.deletes.all).toHaveLength(1);
    held.resolve(new HttpResponse(null, { status: 200 }));
    await sent.settled;
  });

  it("stop() called while the connection is already closing (its DELETE held) waits until Disconnected", async () => {
    const { hub, endpoint } = await connectedHubOverLongPolling();

    const held = deferred<Response>();
    endpoint.answerDelete = () => held.promise;
    // A malformed message: the hub closes the connection itself, which sends the DELETE.
    (await endpoint.polls.next()).respond(HttpResponse.text("not json\x1e"));
    await endpoint.deletes.next();
    const stopped = settle(hub.stop());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped.done).toBe(false);
    held.resolve(new HttpResponse(null, { status: 202 }));
    await stopped.settled;
    expect(hub.state).toBe(HubConnectionState.Disconnected);
  });


  it("sends no Ping and never times out, however long the server is silent", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    try {
      const endpoint = longPollingEndpoint(HUB);
      server.use(negotiateHandler(HUB, () => negotiateV1("id", ["LongPolling"])).handler, ...endpoint.handlers);
      const hub = new HubConnectionBuilder()
        .withUrl(HUB, HttpTransportType.LongPolling)
        .configureLogging(new CapturingLogger())
        .withServerTimeout(1000)
        .withKeepAliveInterval(500)
        .build();
      const closed = new AsyncQueue<Error | undefined>();
      hub.onclose((error) => closed.push(error));
      const started = hub.start();
      expect((await endpoint.posts.next()).body).toBe(HANDSHAKE_REQUEST);
      (await endpoint.polls.next()).respond(HttpResponse.text(HANDSHAKE_OK));
      await started;

      const poll = await endpoint.polls.next();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(hub.state).toBe(HubConnectionState.Connected);
      expect(endpoint.posts.all.map((p) => p.body)).toEqual([HANDSHAKE_REQUEST]);
      expect(closed.all).toEqual([]);

      poll.respond(new HttpResponse(null, { status: 204 }));
      expect(await closed.next()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
