import { describe, expect, it } from "vitest";
import { HttpConnection } from "../../src/connection/httpConnection.js";
import { TransportError } from "../../src/errors.js";
import { TransferFormat } from "../../src/protocol/hubProtocol.js";
import { HttpTransportType } from "../../src/transports/transport.js";
import { createFakeWebSocketClass } from "./support/fakeWebSocket.js";
import { CapturingLogger } from "./support/logger.js";
import { negotiateHandler, negotiateV1, useMswServer } from "./support/msw.js";
import { AsyncQueue } from "./support/queue.js";

const server = useMswServer();
const HUB = "http://hub.test/stateful";

/** An HttpConnection over a fake WebSocket whose negotiate agreed to stateful reconnect. */
async function statefulConnection(agreed = true) {
  server.use(negotiateHandler(HUB, () => ({ ...negotiateV1("id", ["WebSockets"], "token"), useStatefulReconnect: agreed })).handler);
  const WebSocket = createFakeWebSocketClass("manual");
  const connection = new HttpConnection(HUB, { transport: HttpTransportType.WebSockets, WebSocket, logger: new CapturingLogger(), _useStatefulReconnect: true });
  const events = new AsyncQueue<string>();
  connection.features.disconnected = () => events.push("disconnected");
  connection.features.resend = async () => events.push("resend");
  const closed = new AsyncQueue<Error | undefined>();
  connection.onclose = (error) => closed.push(error);
  const started = connection.start(TransferFormat.Text);
  const first = await WebSocket.created.next();
  first.open();
  await started;
  return { connection, WebSocket, first, events, closed };
}

describe("stateful reconnect in HttpConnection", () => {
  it("reopens a dropped WebSocket to the same connection URL and asks the hub layer to resend", async () => {
    const { connection, WebSocket, first, events } = await statefulConnection();
    expect(connection.features.reconnect).toBe(true);
    first.serverClose(1006);
    expect(await events.next()).toBe("disconnected");
    const second = await WebSocket.created.next();
    expect(second.url).toBe(first.url);
    second.open();
    expect(await events.next()).toBe("resend");
    await connection.send("after the resume");
    expect(await second.sent.next()).toBe("after the resume");
    await connection.stop();
  });

  it("closes with the drop's error when the resume fails", async () => {
    const { WebSocket, first, events, closed } = await statefulConnection();
    first.serverClose(1006);
    expect(await events.next()).toBe("disconnected");
    (await WebSocket.created.next()).fail("refused");
    const error = await closed.next();
    expect(error).toBeInstanceOf(TransportError);
    expect(error?.message).toMatch(/1006/);
  });

  it("does not resume a socket the server closed normally, nor when the server did not agree", async () => {
    const normal = await statefulConnection();
    normal.first.serverClose(1000);
    expect(await normal.closed.next()).toBeUndefined();

    const refused = await statefulConnection(false);
    expect(refused.connection.features.reconnect).toBe(false);
    refused.first.serverClose(1006);
    expect(await refused.closed.next()).toBeInstanceOf(TransportError);
    expect(refused.WebSocket.created.all).toHaveLength(1);
  });
});
