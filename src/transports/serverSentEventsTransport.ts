import type { TransportName } from "../errors.js";
import type { ITransport, TransportOptions } from "./transport.js";
import { openSource, transportBase } from "./transportBase.js";

/**
 * The Server-Sent Events transport: an event stream down, HTTP POSTs up. Text only: the
 * connection never picks it for Binary (the server offers it for Text only).
 */
export function serverSentEventsTransport(o: TransportOptions, name: TransportName): ITransport {
  const t = transportBase(o, name);
  t.connect = (url) =>
    openSource(t, o, "EventSource", (t._url = url), (source, where, fail) => {
      // EventSource would reconnect by itself, but a SignalR connection cannot resume that way: any error ends it.
      source.onerror = (event) => {
        const why = event && (event.message || event.code);
        fail(t._err(`EventSource ${where} failed${why ? `: ${why}` : ""}`));
      };
    });
  return t;
}
