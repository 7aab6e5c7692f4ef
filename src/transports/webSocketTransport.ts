import type { TransportName } from "../errors.js";
import type { WebSocketLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import type { ITransport, TransportOptions } from "./transport.js";
import { openSource, transportBase } from "./transportBase.js";

/** The WebSockets transport: one socket, text or binary frames. */
export function webSocketTransport(o: TransportOptions, name: TransportName): ITransport {
  const t = transportBase(o, name);
  t.connect = (url, transferFormat) =>
    openSource(t, o, "WebSocket", url.replace(/^http/i, "ws"), (socket, where, fail) => {
      if (transferFormat === TransferFormat.Binary) socket.binaryType = "arraybuffer";
      // Node's sockets say why they failed in the error event; browsers' say nothing.
      let why: unknown;
      const closed = (socket.onclose = (event) =>
        fail(event.code === 1000 && t._s === socket ? undefined : t._err(`WebSocket ${where} closed: ${event.code} ${event.reason}${why ? ` (${why})` : ""}`, why)));
      // Before it opens, an error fails the attempt at once: Node 22's WebSocket (undici) sends
      // no close after a refused upgrade. Browsers follow with close 1006, hence that code.
      socket.onerror = (event) => {
        why = (event && (event.error || event.message)) || why;
        if (t._s !== socket) closed({ code: 1006, reason: "" });
      };
    });
  t.send = async (data) => {
    const socket = t._s as WebSocketLike | undefined;
    // Only OPEN: a closing socket would drop the frame silently.
    if (!socket || socket.readyState !== 1) throw t._err("WebSocket not open");
    socket.send(data);
  };
  return t;
}
