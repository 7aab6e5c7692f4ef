import { EventSource as NodeEventSource } from "eventsource";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import type { IHttpConnectionOptions } from "../../src/connection/options.js";
import { NoTransportError, TransportError } from "../../src/errors.js";
import { HubConnectionBuilder } from "../../src/hub/hubConnectionBuilder.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { JsonHubProtocol } from "../../src/protocol/jsonHubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { HANDSHAKE_OK, HANDSHAKE_REQUEST } from "./support/fakeConnection.js";
import { eventStreamEndpoint } from "./support/hubServer.js";
import { CapturingLogger } from "./support/logger.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

/** The `eventsource` package's EventSource, recording each instance (passed as the `EventSource` option). */
function recordingEventSource() {
  const instances: NodeEventSource[] = [];
  class Recording extends NodeEventSource {
    constructor(url: string | URL, init?: ConstructorParameters<typeof NodeEventSource>[1]) {
      super(url, init);
      instances.push(this);
    }
  }
  return { EventSource: Recording, instances };
}

async function connectSse(options: IHttpConnectionOptions = {}) {
  const endpoint = eventStreamEndpoint(HUB);
  server.use(negotiateHandler(HUB, () => negotiateV1("id", ["ServerSentEvents"], "sse-token")).handler, ...endpoint.handlers);
  const connection = new HttpConnection(HUB, { transport: HttpTransportType.ServerSentEvents, logger: new CapturingLogger(), ...options });
  const received = new AsyncQueue<string | ArrayBuffer>();
  const closed = new AsyncQueue<Error | undefined>();
  connection.onreceive = (data) => received.push(data);
  connection.onclose = (error) => closed.push(error);
  await connection.start(TransferFormat.Text);
  const stream = await endpoint.streams.next();
  return { connection, endpoint, stream, received, closed };
}

describe("Server-Sent Events transport", () => {
  it("opens a GET to ?id={token} asking for text/event-stream, with the connection's headers", async () => {
    const { connection, stream } = await connectSse({ accessTokenFactory: () => "sse-bearer", headers: { "X-Tenant": "acme" } });
    expect(stream.request.method).toBe("GET");
    expect(stream.request.url.searchParams.get("id")).toBe("sse-token");
    expect(stream.request.headers.get("accept")).toBe("text/event-stream");
    expect(stream.request.headers.get("authorization")).toBe("Bearer sse-bearer");
    expect(stream.request.headers.get("x-tenant")).toBe("acme");
    expect(stream.request.headers.get("user-agent")).toMatch(/^hubwire\//);
    expect(connection.features.inherentKeepAlive).toBe(false);
    await connection.stop();
  });

  it("delivers each event as one payload", async () => {
    const { connection, stream, received } = await connectSse();
    stream.write('data: {"type":6}\x1e\n\n');
    stream.write('data: {"type":1,"target":"A","arguments":[]}\x1e\n\ndata: second\n\n');
    expect(await received.next()).toBe('{"type":6}\x1e');
    expect(await received.next()).toBe('{"type":1,"target":"A","arguments":[]}\x1e');
    expect(await received.next()).toBe("second");
    await connection.stop();
  });

  it("joins an event split over several data: lines with \\n", async () => {
    const { connection, stream, received } = await connectSse();
    stream.write("data: first line\ndata: second line\ndata: third\n\n");
    expect(await received.next()).toBe("first line\nsecond line\nthird");
    await connection.stop();
  });

  it("reassembles an event whose bytes arrive in several chunks", async () => {
    const { connection, stream, received } = await connectSse();
    stream.write("da");
    stream.write('ta: {"type":');
    stream.write("6}\x1e\n");
    stream.write("\n");
    expect(await received.next()).toBe('{"type":6}\x1e');
    await connection.stop();
  });

  it("sends each payload as a POST to ?id={token}", async () => {
    const { connection, endpoint } = await connectSse();
    await connection.send('{"type":6}\x1e');
    const post = await endpoint.posts.next();
    expect(post.method).toBe("POST");
    expect(post.url.searchParams.get("id")).toBe("sse-token");
    expect(post.body).toBe('{"type":6}\x1e');
    await connection.stop();
  });

  it("rejects the Binary transfer format with a TransportError that says why", async () => {
    const endpoint = eventStreamEndpoint(HUB);
    // A server that (wrongly) offers Binary over SSE: the client must still refuse.
    server.use(
      negotiateHandler(HUB, () => ({
        negotiateVersion: 1,
        connectionId: "id",
        connectionToken: "tok",
        availableTransports: [{ transport: "ServerSentEvents", transferFormats: ["Text", "Binary"] }],
      })).handler,
      ...endpoint.handlers,
    );
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.ServerSentEvents });
    const error = await connection.start(TransferFormat.Binary).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    const cause = (error as NoTransportError).errors[0];
    expect(cause).toBeInstanceOf(TransportError);
    expect((cause as TransportError).transport).toBe("ServerSentEvents");
    expect(cause?.message).toMatch(/text only/i);
    expect(cause?.message).toMatch(/MessagePack/);
    expect(endpoint.streams.all).toHaveLength(0);
  });

  it("skips SSE for a binary hub protocol when the server offers it for Text only", async () => {
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["ServerSentEvents"])).handler);
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.ServerSentEvents });
    const error = await connection.start(TransferFormat.Binary).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as Error).message).toMatch(/ServerSentEvents.*Binary/);
  });

  it("fails to start with a TransportError when the stream is refused", async () => {
    const endpoint = eventStreamEndpoint(HUB);
    endpoint.refuse = () => new HttpResponse("No Connection with that ID", { status: 404 });
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["ServerSentEvents"])).handler, ...endpoint.handlers);
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.ServerSentEvents });
    const error = await connection.start(TransferFormat.Text).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as NoTransportError).errors[0]).toBeInstanceOf(TransportError);
    expect((error as Error).message).toContain("404");
  });

  it("closes the EventSource and reports a close without error when stopped", async () => {
    const { EventSource, instances } = recordingEventSource();
    const { connection, stream, received, closed } = await connectSse({ EventSource });
    expect(instances).toHaveLength(1);
    await connection.stop();
    expect(instances[0]!.readyState).toBe(NodeEventSource.CLOSED);
    await stream.closed;
    expect(await closed.next()).toBeUndefined();
    stream.write("data: too late\n\n");
    await connection.send("x").catch(() => undefined);
    expect(received.all).toEqual([]);
  });

  it("closes with a TransportError when the server ends the stream", async () => {
    const { EventSource, instances } = recordingEventSource();
    const { stream, closed } = await connectSse({ EventSource });
    stream.end();
    const error = await closed.next();
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).transport).toBe("ServerSentEvents");
    // The EventSource must not reconnect on its own: a SignalR connection cannot resume that way.
    expect(instances[0]!.readyState).toBe(NodeEventSource.CLOSED);
  });
});

describe("HubConnection over Server-Sent Events", () => {
  it("completes the handshake and receives a hub message sent as a multi-line event", async () => {
    const endpoint = eventStreamEndpoint(HUB);
    server.use(negotiateHandler(HUB, () => negotiateV1("id", ["ServerSentEvents"])).handler, ...endpoint.handlers);
    const hub = new HubConnectionBuilder().withUrl(HUB, HttpTransportType.ServerSentEvents).configureLogging(new CapturingLogger()).build();
    const calls = new AsyncQueue<unknown[]>();
    hub.on("notify", (...args: unknown[]) => calls.push(args));
    const started = hub.start();
    const stream = await endpoint.streams.next();
    expect((await endpoint.posts.next()).body).toBe(HANDSHAKE_REQUEST);
    stream.write(`data: ${HANDSHAKE_OK}\n\n`);
    await started;
    // JSON allows a newline between tokens, so a message split over data: lines still parses once joined.
    const message = new JsonHubProtocol().writeMessage({ type: 1, target: "notify", arguments: ["a", 2] });
    const [head, tail] = [message.slice(0, 10), message.slice(10)];
    stream.write(`data: ${head}\ndata: ${tail}\n\n`);
    expect(await calls.next()).toEqual(["a", 2]);
    await hub.stop();
  });
});
