import { redactUrl } from "../logging.js";
import type { WebSocketLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import type { Transport } from "./transport.js";
import { streamRequest, TransportBase } from "./transportBase.js";

/** The WebSockets transport: one socket, text or binary frames. */
export class WebSocketTransport extends TransportBase implements Transport {
  get name(): "WebSockets" {
    return "WebSockets";
  }

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    const o = this._o;
    const WebSocket = o.WebSocket;
    if (!WebSocket) throw this._error("No WebSocket available: pass the 'WebSocket' option (in Node, install 'ws').");
    const request = await streamRequest(url.replace(/^http/i, "ws"), o);
    const where = redactUrl(request.url);
    const socket = o.platform.openWebSocket(WebSocket, request.url, request.headers);
    if (transferFormat === TransferFormat.Binary) socket.binaryType = "arraybuffer";
    // Node's sockets report why they failed in the error event; browsers' say nothing.
    let failure: unknown;
    socket.onerror = (event) => (failure = (event && (event.error || event.message)) || failure);
    return this._open(socket, where, (fail) => {
      socket.onclose = (event) =>
        fail(
          event.code === 1000 && this._s === socket
            ? undefined
            : this._error(`WebSocket ${where} closed: ${event.code} ${event.reason}${failure ? ` (${failure})` : ""}`, failure),
        );
    });
  }

  async send(data: string | ArrayBuffer): Promise<void> {
    const socket = this._s as WebSocketLike | undefined;
    // OPEN: a closing socket would drop the frame silently.
    if (!socket || socket.readyState !== 1) throw this._error("Cannot send: the WebSocket is not open.");
    this._trace("sending", data);
    socket.send(data);
  }
}
