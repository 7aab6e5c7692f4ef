import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import type { IHttpConnectionOptions } from "../../src/connection/options.js";
import { NoTransportError, TransportError } from "../../src/errors.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { createFakeWebSocketClass, type SocketBehaviour } from "./support/fakeWebSocket.js";
import { CapturingLogger } from "./support/logger.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/chat";

async function connectWebSocket(options: IHttpConnectionOptions = {}, { url = HUB, format = TransferFormat.Text, behaviour = "open" as SocketBehaviour } = {}) {
  server.use(negotiateHandler(url.split("?")[0]!, () => negotiateV1("ws-id", ["WebSockets"], "ws-token")).handler);
  const WebSocket = createFakeWebSocketClass(behaviour);
  const connection = new HttpConnection(url, { transport: HttpTransportType.WebSockets, WebSocket, logger: new CapturingLogger(), ...options });
  const received = new AsyncQueue<string | ArrayBuffer>();
  const closed = new AsyncQueue<Error | undefined>();
  connection.onreceive = (data) => received.push(data);
  connection.onclose = (error) => closed.push(error);
  const started = connection.start(format);
  const socket = await WebSocket.created.next();
  return { connection, started, socket, WebSocket, received, closed };
}

describe("WebSockets transport", () => {
  it("turns http into ws and adds ?id={token}", async () => {
    const { connection, started, socket } = await connectWebSocket();
    await started;
    expect(socket.url).toBe("ws://hub.test/chat?id=ws-token");
    expect(connection.features.inherentKeepAlive).toBe(false);
    await connection.stop();
  });

  it("starts and stops with a logger that throws (its errors go nowhere, rather than into the socket's events)", async () => {
    const throwing = {
      log: () => {
        throw new Error("logger bug");
      },
    };
    const { connection, started } = await connectWebSocket({ logger: throwing });
    await started;
    await connection.stop();
    expect(connection.connectionId).toBeUndefined();
  });

  it("turns https into wss", async () => {
    const { connection, started, socket } = await connectWebSocket({}, { url: "https://secure.test/hub" });
    await started;
    expect(socket.url).toBe("wss://secure.test/hub?id=ws-token");
    await connection.stop();
  });

  it("sends the token, the user agent and the user's headers as real headers in Node", async () => {
    const { connection, started, socket } = await connectWebSocket({ accessTokenFactory: () => "jwt", headers: { "X-Tenant": "acme" } });
    await started;
    expect(socket.headers["Authorization"]).toBe("Bearer jwt");
    expect(socket.headers["X-Tenant"]).toBe("acme");
    expect(socket.headers["User-Agent"]).toMatch(/^hubwire\//);
    expect(socket.url).not.toContain("access_token");
    await connection.stop();
  });

  it("sends the cookies negotiate set with the WebSocket request (sticky sessions)", async () => {
    server.use(
      http.post(`${HUB}/negotiate`, () =>
        HttpResponse.json(negotiateV1("ws-id", ["WebSockets"], "ws-token"), { headers: { "Set-Cookie": "ARRAffinity=node-3; Path=/" } }),
      ),
    );
    const WebSocket = createFakeWebSocketClass("open");
    const connection = new HttpConnection(HUB, { transport: HttpTransportType.WebSockets, WebSocket });
    await connection.start(TransferFormat.Text);
    expect(WebSocket.created.all[0]!.headers["Cookie"]).toBe("ARRAffinity=node-3");
    await connection.stop();
  });

  it("asks for ArrayBuffers for the Binary transfer format and leaves Text alone", async () => {
    const binary = await connectWebSocket({}, { format: TransferFormat.Binary });
    await binary.started;
    expect(binary.socket.binaryType).toBe("arraybuffer");
    await binary.connection.stop();
    const text = await connectWebSocket();
    await text.started;
    expect(text.socket.binaryType).toBe("blob");
    await text.connection.stop();
  });

  it("does not finish starting before the socket opens", async () => {
    const { connection, started, socket } = await connectWebSocket({}, { behaviour: "manual" });
    let done = false;
    void started.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    socket.open();
    await started;
    await connection.stop();
  });

  it("ends a start whose socket never opens when stop() is called, closing that socket", async () => {
    const { connection, started, socket } = await connectWebSocket({}, { behaviour: "manual" });
    const outcome = started.then(
      () => "started",
      (error: Error) => error.name,
    );
    await connection.stop();
    expect(await outcome).toBe("AbortError");
    expect(socket.closeCalls.length).toBe(1);
  });

  it("sends payloads as frames and delivers received frames, text and binary", async () => {
    const { connection, started, socket, received } = await connectWebSocket();
    await started;
    await connection.send("hello\x1e");
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    await connection.send(bytes);
    expect(socket.sent.all).toEqual(["hello\x1e", bytes]);
    socket.receive("from server\x1e");
    socket.receive(new Uint8Array([9]).buffer);
    expect(await received.next()).toBe("from server\x1e");
    expect([...new Uint8Array((await received.next()) as ArrayBuffer)]).toEqual([9]);
    await connection.stop();
  });

  it("closes the socket with 1000 when stopped and reports one close without error", async () => {
    const { connection, started, socket, closed } = await connectWebSocket();
    await started;
    await connection.stop();
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: undefined }]);
    expect(await closed.next()).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed.all).toHaveLength(1);
  });

  it("reports the close of stop() after stop() returns, never during the call (as the official client)", async () => {
    const { connection, started, closed } = await connectWebSocket();
    await started;
    const stopping = connection.stop();
    expect(closed.all).toHaveLength(0);
    await stopping;
    expect(closed.all).toEqual([undefined]);
  });

  it("reports a close without error when the server closes normally (1000)", async () => {
    const { started, socket, closed } = await connectWebSocket();
    await started;
    socket.serverClose(1000);
    expect(await closed.next()).toBeUndefined();
  });

  it("reports a TransportError with the code and reason when the socket closes abnormally", async () => {
    const { started, socket, closed } = await connectWebSocket();
    await started;
    socket.serverClose(1011, "Server error");
    const error = await closed.next();
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).transport).toBe("WebSockets");
    expect(error?.message).toContain("1011");
    expect(error?.message).toContain("Server error");
  });

  it("fails to start with the socket's error when it cannot connect", async () => {
    const { connection, started } = await connectWebSocket({}, { behaviour: { fail: "connect ECONNREFUSED 127.0.0.1:5000" } });
    const error = await started.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    const cause = (error as NoTransportError).errors[0];
    expect(cause).toBeInstanceOf(TransportError);
    expect(cause?.message).toContain("ECONNREFUSED");
    expect(cause?.message).toContain("ws://hub.test/chat");
    await expect(connection.send("x")).rejects.toThrow(/Cannot send: not connected/);
  });

  it("fails to start on an error before the socket opens, without waiting for a close (Node 22's WebSocket sends none after a refused upgrade)", async () => {
    const { started, socket } = await connectWebSocket({}, { behaviour: "manual" });
    socket.onerror!({ type: "error", message: "Received network error or non-101 status code." });
    const error = await started.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(NoTransportError);
    expect((error as NoTransportError).errors[0]?.message).toContain("non-101 status code");
    expect(socket.closeCalls).toHaveLength(1);
  });

  it("rejects a send after the socket closed", async () => {
    const { connection, started, socket, closed } = await connectWebSocket();
    await started;
    socket.serverClose(1006);
    await closed.next();
    await expect(connection.send("late")).rejects.toThrow();
    expect(socket.sent.all).toEqual([]);
  });
});
