import { redactUrl } from "../logging.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import type { Transport } from "./transport.js";
import { streamRequest, TransportBase } from "./transportBase.js";

/** The Server-Sent Events transport: an event stream down, HTTP POSTs up. Text only. */
export class ServerSentEventsTransport extends TransportBase implements Transport {
  private _url = "";

  get name(): "ServerSentEvents" {
    return "ServerSentEvents";
  }

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    const o = this._o;
    const EventSource = o.EventSource;
    if (transferFormat !== TransferFormat.Text) {
      throw this._error("Server-Sent Events carry text only: a binary protocol such as MessagePack needs WebSockets or Long Polling.");
    }
    if (!EventSource) throw this._error("No EventSource available: pass the 'EventSource' option (in Node, install 'eventsource').");
    this._url = url;
    const request = await streamRequest(url, o);
    const where = redactUrl(request.url);
    const source = o.platform.openEventSource(EventSource, request.url, request.headers, o.withCredentials);
    return this._open(source, where, (fail) => {
      // EventSource would reconnect on its own, but a SignalR connection cannot resume that way: any error ends it.
      source.onerror = (event) => {
        const detail = event && (event.message || event.code);
        fail(this._error(`EventSource ${where} failed${detail ? `: ${detail}` : ""}.`));
      };
    });
  }

  send(data: string | ArrayBuffer): Promise<void> {
    return this._post(this._url, data);
  }
}
