import { appendQuery } from "../connection/url.js";
import { AbortError, TransportError, type TransportName } from "../errors.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import type { EventSourceLike, WebSocketLike } from "../platform/platform.js";
import type { TransportOptions } from "./transport.js";

/** A WebSocket or an EventSource: what the streaming transports open and close. */
type Source = WebSocketLike | EventSourceLike;

/**
 * Where and how to open a WebSocket or EventSource. Where the runtime lets them
 * carry headers (Node), the token, cookies and user headers travel as headers;
 * browsers cannot set headers there, so the token goes in `access_token`.
 */
export async function streamRequest(url: string, o: TransportOptions): Promise<{ url: string; headers: Record<string, string> }> {
  const token = await o.accessToken();
  const headers: Record<string, string> = {};
  if (o.platform.socketsTakeHeaders) {
    Object.assign(headers, o.headers);
    const cookie = o.httpClient.getCookieString(url);
    if (token) headers["Authorization"] = `Bearer ${token}`;
    if (cookie) headers["Cookie"] = cookie;
  } else if (token) {
    url = appendQuery(url, "access_token", token);
  }
  return { url, headers };
}

/**
 * What the three built-in transports share: the callbacks, the payload trace,
 * sending by POST (Server-Sent Events and Long Polling), opening a WebSocket or
 * EventSource that stop() can abandon, and a close that `onclose` hears once.
 */
export abstract class TransportBase {
  /** The transport's name as the server spells it. */
  abstract readonly name: TransportName;
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  /**
   * The open source (for Long Polling, a stand-in whose close() ends the polls);
   * undefined before it opens and after it closed.
   */
  protected _s: Source | undefined;
  /** The connection URL (`…?id=token`), where POSTs go. */
  protected _url!: string;
  /** Ends a WebSocket or EventSource that is still opening (set only meanwhile). */
  private _abort: (() => void) | undefined;

  constructor(protected readonly _o: TransportOptions) {}

  /** Only Long Polling keeps itself alive: no pings, no server timeout. */
  get inherentKeepAlive(): boolean {
    return this.name === "LongPolling";
  }

  /** Sends one payload as an HTTP POST to the connection URL (WebSockets overrides it). */
  async send(data: string | ArrayBuffer): Promise<void> {
    this._trace("sending", data);
    try {
      await this._o.httpClient.post(this._url, { content: data, timeout: this._o.timeout, withCredentials: this._o.withCredentials });
    } catch (error) {
      throw this._error(`Send failed: ${(error as Error).message}`, error);
    }
  }

  async stop(): Promise<void> {
    if (this._abort) this._abort();
    this._close();
  }

  /** A TransportError of this transport. */
  protected _error(message: string, cause?: unknown): TransportError {
    return new TransportError(this.name, message, cause ? { cause } : undefined);
  }

  /** Logs a payload at Trace: its size, or its content when `logMessageContent` is on. */
  protected _trace(what: string, data: string | ArrayBuffer): void {
    this._o.logger.log(LogLevel.Trace, `(${this.name} transport) ${what} ${describeData(data, this._o.logMessageContent)}.`);
  }

  protected _receive(data: string | ArrayBuffer): void {
    this._trace("received", data);
    if (this.onreceive) this.onreceive(data);
  }

  /**
   * Opens a WebSocket or EventSource (`kind`) with `open` and waits until it is open.
   * `wire` gets the function to call when it fails (an Error) or ends normally
   * (undefined): before the open that rejects the wait, after it that closes the transport.
   */
  protected async _open<S extends Source>(
    kind: "WebSocket" | "EventSource",
    url: string,
    open: (ctor: any, url: string, headers: Record<string, string>) => S,
    wire: (source: S, where: string, fail: (error?: Error) => void) => void,
  ): Promise<void> {
    const ctor = this._o[kind];
    if (!ctor) throw this._error(`No ${kind}: pass the '${kind}' option (in Node, install '${kind === "WebSocket" ? "ws" : "eventsource"}').`);
    const request = await streamRequest(url, this._o);
    const where = redactUrl(request.url);
    const source = open(ctor, request.url, request.headers);
    return new Promise((resolve, reject) => {
      const fail = (error?: Error) => {
        if (this._s === source) return this._close(error);
        this._abort = undefined;
        detach(source);
        source.close();
        reject(error);
      };
      // stop() before the source opens ends the attempt.
      this._abort = () => fail(new AbortError(`Stopped while connecting to ${where}.`));
      source.onopen = () => {
        this._abort = undefined;
        this._s = source;
        this._o.logger.log(LogLevel.Information, `${this.name} connected to ${where}.`);
        resolve();
      };
      source.onmessage = (event: { data: string | ArrayBuffer }) => this._receive(event.data);
      wire(source, where, fail);
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
