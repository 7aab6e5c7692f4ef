import { platform } from "#platform";
import { appendQuery } from "../connection/url.js";
import { AbortError, TransportError, type TransportName } from "../errors.js";
import { LogLevel, redactUrl } from "../logging.js";
import type { EventSourceLike, Platform, WebSocketLike } from "../platform/platform.js";
import type { TransferFormat } from "../protocol/hubProtocol.js";
import type { ITransport, TransportOptions } from "./transport.js";

/** What the streaming transports open, by the name of the option that gives its constructor. */
interface Sources {
  WebSocket: WebSocketLike;
  EventSource: EventSourceLike;
}
type Source = Sources[keyof Sources];

export const noop = () => {};

/**
 * Where and how to open a WebSocket or EventSource: the URL and the headers. Where
 * the runtime lets them carry headers (Node), the token goes as a header with the
 * cookies and user headers; browsers cannot set headers there (their platform
 * ignores them), so the token goes in `access_token`.
 */
export async function streamRequest(url: string, o: TransportOptions, runtime: Platform = platform): Promise<[url: string, headers: Record<string, string>]> {
  const token = await o._refreshToken();
  const headers: Record<string, string> = Object.assign({}, o._headers);
  const cookie = o._client.getCookieString(url);
  if (cookie) headers["Cookie"] = cookie;
  if (token) {
    if (runtime.socketsTakeHeaders) headers["Authorization"] = `Bearer ${token}`;
    else url = appendQuery(url, "access_token", token);
  }
  return [url, headers];
}

/**
 * What the three built-in transports share: the callbacks, sending by POST (Server-Sent
 * Events and Long Polling), opening a WebSocket or EventSource that stop() can abandon,
 * and a close that `onclose` hears once. The connection logs the payloads.
 */
export abstract class TransportBase implements ITransport {
  // `declare`: no field initialisers in the output; the connection sets both before connect().
  declare onreceive: ((data: string | ArrayBuffer) => void) | null;
  declare onclose: ((error?: Error) => void) | null;
  /**
   * The open source (for Long Polling, a stand-in whose close() ends the polls);
   * undefined before it opens and after it closed.
   */
  declare protected _s: Source | undefined;
  /** The connection URL (`…?id=token`), where POSTs go. */
  declare protected _url: string;
  /** Ends the latest WebSocket or EventSource: see _open. */
  declare private _end: ((error?: Error) => void) | undefined;
  declare protected readonly _o: TransportOptions;
  /** The transport's name as the server spells it. */
  declare readonly name: TransportName;

  constructor(o: TransportOptions, name: TransportName) {
    this._o = o;
    this.name = name;
  }

  abstract connect(url: string, transferFormat: TransferFormat): Promise<void>;

  /** Sends one payload as an HTTP POST to the connection URL (WebSockets overrides it). */
  send(data: string | ArrayBuffer): Promise<void> {
    return this._o._http("POST", this._url, { content: data }).then(noop, (error: Error) => {
      throw this._err(`Send failed: ${error.message}`, error);
    });
  }

  async stop(): Promise<void> {
    if (this._end) this._end();
  }

  /** A TransportError of this transport. */
  protected _err(message: string, cause?: unknown): TransportError {
    return new TransportError(this.name, message, cause ? { cause } : undefined);
  }

  protected _recv(data: string | ArrayBuffer): void {
    if (this.onreceive) this.onreceive(data);
  }

  /**
   * Opens a WebSocket or EventSource (`kind`: the option that gives its constructor, and
   * the platform's `open…` that opens it) and waits until it is open. `wire` gets the
   * function to call when it fails (an Error) or ends normally (undefined): before the
   * open that rejects the wait, after it that closes the transport.
   */
  protected async _open<K extends keyof Sources>(kind: K, url: string, wire: (source: Sources[K], where: string, fail: (error?: Error) => void) => void): Promise<void> {
    const o = this._o;
    const ctor = o._options[kind] || platform[kind];
    // Node always has both (the ws and eventsource packages); some browser-like runtimes lack EventSource.
    if (!ctor) throw this._err(`No ${kind}: pass the '${kind}' option`);
    const [to, headers] = await streamRequest(url, o);
    const where = redactUrl(to);
    const source = (platform[`open${kind}`] as Function)(ctor, to, headers, o._options.withCredentials != false) as Sources[K];
    return new Promise((resolve, reject) => {
      // Once open, closes the transport; before, abandons the attempt (stop() with no error).
      const end = (this._end = (error?: Error) => {
        if (this._s === source) return this._close(error);
        detach(source);
        source.close();
        reject(error || new AbortError(`Stopped connecting to ${where}`));
      });
      source.onopen = () => {
        this._s = source;
        o._logger.log(LogLevel.Information, `${this.name} connected to ${where}`);
        resolve();
      };
      source.onmessage = (event: { data: string | ArrayBuffer }) => this._recv(event.data);
      wire(source, where, end);
    });
  }

  /** Closes the source and raises `onclose`, once. */
  protected _close(error?: Error): void {
    const source = this._s;
    if (!source) return;
    this._s = undefined;
    detach(source);
    // 1000, normal closure, for a WebSocket; EventSource.close() takes no argument.
    (source as WebSocketLike).close(1000);
    if (this.onclose) this.onclose(error);
  }
}

/** Stops listening: a source may fire events after close(), which must not reach us. */
const detach = (source: Source) => {
  source.onopen = source.onmessage = source.onerror = (source as WebSocketLike).onclose = null;
};
