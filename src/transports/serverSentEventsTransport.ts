import { TransportBase } from "./transportBase.js";

/**
 * The Server-Sent Events transport: an event stream down, HTTP POSTs up. Text only: the
 * connection never picks it for Binary (the server offers it for Text only).
 */
export class ServerSentEventsTransport extends TransportBase {
  connect(url: string): Promise<void> {
    this._url = url;
    return this._open("EventSource", url, (source, where, fail) => {
      // EventSource would reconnect by itself, but a SignalR connection cannot resume that way: any error ends it.
      source.onerror = (event) => {
        const why = event && (event.message || event.code);
        fail(this._err(`EventSource ${where} failed${why ? `: ${why}` : ""}`));
      };
    });
  }
}
