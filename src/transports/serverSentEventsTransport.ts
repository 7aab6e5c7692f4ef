import { TransferFormat } from "../protocol/hubProtocol.js";
import type { Transport } from "./transport.js";
import { TransportBase } from "./transportBase.js";

/** The Server-Sent Events transport: an event stream down, HTTP POSTs up. Text only. */
export class ServerSentEventsTransport extends TransportBase implements Transport {
  get name(): "ServerSentEvents" {
    return "ServerSentEvents";
  }

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    // The server offers SSE for Text only; this guards against one that claims otherwise.
    if (transferFormat !== TransferFormat.Text) throw this._err("Server-Sent Events carry text only, not MessagePack.");
    this._url = url;
    return this._open(
      "EventSource",
      url,
      (source, where, fail) => {
        // EventSource would reconnect by itself, but a SignalR connection cannot resume that way: any error ends it.
        source.onerror = (event) => {
          const why = event && (event.message || event.code);
          fail(this._err(`EventSource ${where} failed${why ? `: ${why}` : ""}.`));
        };
      },
    );
  }
}
