import type { WebSocketLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { TransportBase } from "./transportBase.js";

/** The WebSockets transport: one socket, text or binary frames. */
export class WebSocketTransport extends TransportBase {
  connect(url: string, transferFormat: TransferFormat): Promise<void> {
    return this._open("WebSocket", url.replace(/^http/i, "ws"), (socket, where, fail) => {
      if (transferFormat === TransferFormat.Binary) socket.binaryType = "arraybuffer";
      // Node's sockets say why they failed in the error event; browsers' say nothing.
      let why: unknown;
      socket.onerror = (event) => (why = (event && (event.error || event.message)) || why);
      socket.onclose = (event) =>
        fail(event.code === 1000 && this._s === socket ? undefined : this._err(`WebSocket ${where} closed: ${event.code} ${event.reason}${why ? ` (${why})` : ""}`, why));
    });
  }

  override async send(data: string | ArrayBuffer): Promise<void> {
    const socket = this._s as WebSocketLike | undefined;
    // Only OPEN: a closing socket would drop the frame silently.
    if (!socket || socket.readyState !== 1) throw this._err("WebSocket not open");
    socket.send(data);
  }
}
