import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import { InvalidArgumentError, NoTransportError, TransportError } from "../../src/errors.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType, type ITransport } from "../../src/transports/transport.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { eventStreamEndpoint, longPollingEndpoint } from "./support/hubServer.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

/** A hub endpoint offering `transports` in that order, a fresh token per negotiate. */
function hubEndpoint(transports: string[]) {
  const negotiate = negotiateHandler(HUB, (n) => negotiateV1(`id-${n}`, transports, `token-${n}`));
  const longPolling = longPollingEndpoint(HUB);
  const eventStream = eventStreamEndpoint(HUB);
  server.use(negotiate.handler, ...eventStream.handlers, ...longPolling.handlers);
  return { negotiate, longPolling, eventStream };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

describe("transport fallback", () => {
  it("tries the server's first transport first", async () => {
    const { longPolling } = hubEndpoint(["LongPolling", "WebSockets", "ServerSentEvents"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Text);
    expect(connection.features.inherentKeepAlive).toBe(true);
    expect(WebSocket.created.all).toHaveLength(0);
    expect((await longPolling.polls.next()).request.url.searchParams.get("id")).toBe("token-1");
    await connection.stop();
    expect(longPolling.deletes.all).toHaveLength(1);
  });

  it("uses Server-Sent Events when the server lists it before WebSockets", async () => {
    const { eventStream } = hubEndpoint(["ServerSentEvents", "WebSockets"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Text);
    expect(eventStream.streams.all).toHaveLength(1);
    expect(WebSocket.created.all).toHaveLength(0);
    await connection.stop();
  });

  it("skips transports the client disabled and keeps the server's order for the rest", async () => {
    const { eventStream, negotiate } = hubEndpoint(["ServerSentEvents", "LongPolling", "WebSockets"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket, transport: HttpTransportType.WebSockets | HttpTransportType.LongPolling });
    await connection.start(TransferFormat.Text);
    expect(eventStream.streams.all).toHaveLength(0);
    expect(WebSocket.created.all).toHaveLength(0);
    expect(connection.features.inherentKeepAlive).toBe(true); // Long Polling, listed before WebSockets
    expect(negotiate.requests.all).toHaveLength(1);
    await connection.stop();
  });

  it("negotiates again before each attempt after a failed one, using each new token", async () => {
    const { negotiate, eventStream, longPolling } = hubEndpoint(["WebSockets", "ServerSentEvents", "LongPolling"]);
    eventStream.refuse = () => new HttpResponse(null, { status: 500 });
    const WebSocket = createFakeWebSocketClass({ fail: "refused" });
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all).toHaveLength(3);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?id=token-1");
    const poll = await longPolling.polls.next();
    expect(poll.request.url.searchParams.get("id")).toBe("token-3");
    expect(connection.connectionId).toBe("id-3");
    await connection.stop();
  });

  it("fails with a NoTransportError that lists each transport's failure in order", async () => {
    const { negotiate, eventStream, longPolling } = hubEndpoint(["WebSockets", "ServerSentEvents", "LongPolling"]);
    eventStream.refuse = () => new HttpResponse("sse said no", { status: 503 });
    longPolling.answerFirstPoll = () => new HttpResponse("lp said no", { status: 500 });
    const WebSocket = createFakeWebSocketClass({ fail: "ws said no" });
    const connection = new HttpConnection(HUB, { WebSocket });
    const error = await failure(connection.start(TransferFormat.Text));
    expect(error).toBeInstanceOf(NoTransportError);
    const errors = (error as NoTransportError).errors;
    expect(errors.map((e) => (e as TransportError).transport)).toEqual(["WebSockets", "ServerSentEvents", "LongPolling"]);
    expect(errors.every((e) => e instanceof TransportError)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("ws said no");
    expect(message).toContain("503");
    expect(message).toContain("500");
    expect(message).toContain(HUB);
    expect((error as Error & { cause?: unknown }).cause).toBe(errors[2]);
    expect(negotiate.requests.all).toHaveLength(3);
  });

  it("fails with a NoTransportError when the server offers nothing the client allows, without trying any", async () => {
    const { negotiate, longPolling } = hubEndpoint(["LongPolling"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket, transport: HttpTransportType.WebSockets });
    const error = await failure(connection.start(TransferFormat.Text));
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as NoTransportError).errors).toHaveLength(1);
    expect((error as Error).message).toMatch(/LongPolling.*disabled/);
    expect(negotiate.requests.all).toHaveLength(1);
    expect(longPolling.polls.all).toHaveLength(0);
    expect(WebSocket.created.all).toHaveLength(0);
  });

  it("fails with a NoTransportError when the server offers no transport at all", async () => {
    server.use(negotiateHandler(HUB, () => negotiateV1("id", [])).handler);
    const error = await failure(new HttpConnection(HUB).start(TransferFormat.Text));
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as NoTransportError).errors).toEqual([]);
    expect((error as Error).message).toMatch(/no transport the client allows/);
  });

  it("skips a transport name it does not know", async () => {
    hubEndpoint(["CarrierPigeon", "WebSockets"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all).toHaveLength(1);
    await connection.stop();
  });

  it("skips a transport that lacks the transfer format the protocol needs", async () => {
    server.use(
      negotiateHandler(HUB, () => ({
        negotiateVersion: 1,
        connectionId: "id",
        connectionToken: "tok",
        availableTransports: [
          { transport: "WebSockets", transferFormats: ["Text"] },
          { transport: "LongPolling", transferFormats: ["Text", "Binary"] },
        ],
      })).handler,
      ...longPollingEndpoint(HUB).handlers,
    );
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket });
    await connection.start(TransferFormat.Binary);
    expect(WebSocket.created.all).toHaveLength(0);
    expect(connection.features.inherentKeepAlive).toBe(true);
    await connection.stop();
  });
});

describe("skipNegotiation", () => {
  it("connects a WebSocket straight to the hub URL without negotiating", async () => {
    const { negotiate } = hubEndpoint(["WebSockets"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(`${HUB}?room=1`, { WebSocket, skipNegotiation: true, transport: HttpTransportType.WebSockets });
    await connection.start(TransferFormat.Text);
    expect(negotiate.requests.all).toHaveLength(0);
    expect(WebSocket.created.all[0]!.url).toBe("ws://hub.test/chat?room=1");
    expect(connection.connectionId).toBeUndefined();
    await connection.stop();
  });

  it.each([
    ["no transport option", undefined],
    ["Long Polling", HttpTransportType.LongPolling],
    ["Server-Sent Events", HttpTransportType.ServerSentEvents],
    ["WebSockets or Long Polling", HttpTransportType.WebSockets | HttpTransportType.LongPolling],
  ])("rejects with InvalidArgumentError with %s", async (_name, transport) => {
    const { negotiate } = hubEndpoint(["WebSockets"]);
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { WebSocket, skipNegotiation: true, ...(transport !== undefined ? { transport } : {}) });
    const error = await failure(connection.start(TransferFormat.Text));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/skipNegotiation.*WebSockets/);
    expect(negotiate.requests.all).toHaveLength(0);
    expect(WebSocket.created.all).toHaveLength(0);
  });
});

describe("custom ITransport", () => {
  class RecordingTransport implements ITransport {
    onreceive: ((data: string | ArrayBuffer) => void) | null = null;
    onclose: ((error?: Error) => void) | null = null;
    readonly connects: { url: string; format: TransferFormat }[] = [];
    readonly sent = new AsyncQueue<unknown>();
    stops = 0;
    async connect(url: string, transferFormat: TransferFormat): Promise<void> {
      this.connects.push({ url, format: transferFormat });
    }
    async send(data: unknown): Promise<void> {
      this.sent.push(data);
    }
    async stop(): Promise<void> {
      this.stops++;
      this.onclose?.();
    }
  }

  it("negotiates, then connects, sends, receives and stops through the given transport", async () => {
    const { negotiate } = hubEndpoint(["WebSockets"]);
    const transport = new RecordingTransport();
    const connection = new HttpConnection(HUB, { transport });
    const received = new AsyncQueue<string | ArrayBuffer>();
    const closed = new AsyncQueue<Error | undefined>();
    connection.onreceive = (data) => received.push(data);
    connection.onclose = (error) => closed.push(error);

    await connection.start(TransferFormat.Binary);
    expect(negotiate.requests.all).toHaveLength(1);
    expect(transport.connects).toEqual([{ url: `${HUB}?id=token-1`, format: TransferFormat.Binary }]);
    expect(connection.connectionId).toBe("id-1");

    await connection.send("out");
    expect(await transport.sent.next()).toBe("out");
    transport.onreceive?.("in");
    expect(await received.next()).toBe("in");

    await connection.stop();
    expect(transport.stops).toBe(1);
    expect(await closed.next()).toBeUndefined();
    expect(closed.all).toHaveLength(1);
  });

  it("reports a close the custom transport raises on its own", async () => {
    hubEndpoint(["WebSockets"]);
    const transport = new RecordingTransport();
    const connection = new HttpConnection(HUB, { transport });
    const closed = new AsyncQueue<Error | undefined>();
    connection.onclose = (error) => closed.push(error);
    await connection.start(TransferFormat.Text);
    const lost = new Error("custom transport lost");
    transport.onclose?.(lost);
    expect(await closed.next()).toBe(lost);
  });

  it("fails start with the custom transport's connect error", async () => {
    hubEndpoint(["WebSockets"]);
    const transport = new RecordingTransport();
    transport.connect = async () => {
      throw new Error("custom connect failed");
    };
    const connection = new HttpConnection(HUB, { transport });
    await expect(connection.start(TransferFormat.Text)).rejects.toThrow("custom connect failed");
  });
});
