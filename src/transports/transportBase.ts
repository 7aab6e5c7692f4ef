import { appendQuery } from "../connection/url.js";
import { AbortError, TransportError, type TransportName } from "../errors.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import type { HttpRequest, HttpResponse } from "../http/httpClient.js";
import type { EventSourceLike, WebSocketLike } from "../platform/platform.js";
import type { TransportOptions } from "./transport.js";

/** What the streaming transports open, by the name of the option that gives its constructor. */
interface Sources {
  WebSocket: WebSocketLike;
  EventSource: EventSourceLike;
}
type Source = Sources[keyof Sources];
/** Platform.openWebSocket and Platform.openEventSource (the first ignores `withCredentials`). */
type OpenSource = (ctor: unknown, url: string, headers: Record<string, string>, withCredentials: boolean) => Source;

/**
 * Where and how to open a WebSocket or EventSource: the URL and the headers. Where
 * the runtime lets them carry headers (Node), the token goes as a header with the
 * cookies and user headers; browsers cannot set headers there (their platform
 * ignores them), so the token goes in `access_token`.
 */
export async function streamRequest(url: string, o: TransportOptions): Promise<[url: string, headers: Record<string, string>]> {
  const token = await o.accessToken();
  const headers: Record<string, string> = Object.assign({}, o.headers);
  const cookie = o.httpClient.getCookieString(url);
  if (cookie) headers["Cookie"] = cookie;
  if (token) {
    if (o.platform.socketsTakeHeaders) headers["Authorization"] = `Bearer ${token}`;
    else url = appendQuery(url, "access_token", token);
  }
  return [url, headers];
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
  /** Ends the latest WebSocket or EventSource: see _open. */
  private _end: ((error?: Error) => void) | undefined;

  constructor(protected readonly _o: TransportOptions) {}

  /** Only Long Polling keeps itself alive: no pings, no server timeout. */
  get inherentKeepAlive(): boolean {
    return this.name === "LongPolling";
  }

  /** Sends one payload as an HTTP POST to the connection URL (WebSockets overrides it). */
  async send(data: string | ArrayBuffer): Promise<void> {
    this._log("sending", data);
    try {
      await this._http("post", { content: data });
    } catch (error) {
      throw this._err(`Send failed: ${(error as Error).message}`, error);
    }
  }

  async stop(): Promise<void> {
    if (this._end) this._end();
  }

  /** A request to the connection URL (unless `url` is given), with the connection's timeout and credentials unless `request` sets them. */
  protected _http(method: "get" | "post" | "delete", request?: HttpRequest, url = this._url): Promise<HttpResponse> {
    const o = this._o;
    return o.httpClient[method](url, Object.assign({ timeout: o.timeout, withCredentials: o.withCredentials }, request));
  }

  /** A TransportError of this transport. */
  protected _err(message: string, cause?: unknown): TransportError {
    return new TransportError(this.name, message, cause ? { cause } : undefined);
  }

  /** Logs a payload at Trace: its size, or its content when `logMessageContent` is on. */
  protected _log(what: string, data: string | ArrayBuffer): void {
    const o = this._o;
    o.logger.log(LogLevel.Trace, `${this.name} ${what} ${describeData(data, o.logMessageContent)}`);
  }

  protected _recv(data: string | ArrayBuffer): void {
    this._log("received", data);
    if (this.onreceive) this.onreceive(data);
  }

  /**
   * Opens a WebSocket or EventSource (`kind`: the option that gives its constructor, and
   * the platform's `open…` that opens it) and waits until it is open. `wire` gets the
   * function to call when it fails (an Error) or ends normally (undefined): before the
   * open that rejects the wait, after it that closes the transport.
   */
  protected async _open<K extends keyof Sources>(
    kind: K,
    url: string,
    wire: (source: Sources[K], where: string, fail: (error?: Error) => void) => void,
  ): Promise<void> {
    const o = this._o;
    const ctor = o[kind];
    // Node always has both (the ws and eventsource packages); some browser-like runtimes lack EventSource.
    if (!ctor) throw this._err(`No ${kind} in this runtime: pass one as the '${kind}' option.`);
    const [to, headers] = await streamRequest(url, o);
    const where = redactUrl(to);
    const open = o.platform[`open${kind}`] as OpenSource;
    const source = open(ctor, to, headers, o.withCredentials) as Sources[K];
    return new Promise((resolve, reject) => {
      // Once open, closes the transport; before, abandons the attempt (stop() with no error).
      const end = (this._end = (error?: Error) => {
        if (this._s === source) return this._close(error);
        detach(source);
        source.close();
        reject(error || new AbortError(`Stopped while connecting to ${where}.`));
      });
      source.onopen = () => {
        this._s = source;
        o.logger.log(LogLevel.Information, `${this.name} connected to ${where}.`);
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
