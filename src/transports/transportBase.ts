import { platform } from "#platform";
import { appendQuery } from "../connection/url.js";
import { AbortError, TransportError, type TransportName } from "../errors.js";
import { LogLevel, redactUrl } from "../logging.js";
import type { EventSourceLike, Platform, WebSocketLike } from "../platform/platform.js";
import type { ITransport, TransportOptions } from "./transport.js";

/** What the streaming transports open, by the name of the option that gives its constructor. */
interface Sources {
  WebSocket: WebSocketLike;
  EventSource: EventSourceLike;
}
type Source = Sources[keyof Sources];

export const noop = () => {};

/**
 * A built-in transport: an ITransport made by {@link transportBase}, plus what the
 * three of them share. Plain objects and closures rather than classes: smaller.
 */
export interface BuiltInTransport extends ITransport {
  /**
   * The open source (for Long Polling, a stand-in whose close() ends the polls);
   * undefined before it opens and after it closed.
   */
  _s?: Source | undefined;
  /** The connection URL (`…?id=token`), where POSTs go. */
  _url: string;
  /** Ends the latest WebSocket or EventSource: see {@link openSource}. */
  _end?: ((error?: Error) => void) | undefined;
  /** A TransportError of this transport. */
  _err(message: string, cause?: unknown): TransportError;
  /** Closes the source and raises `onclose`, once. */
  _close(error?: Error): void;
}

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
 * The parts the three built-in transports share: the callbacks, sending by POST (Server-Sent
 * Events and Long Polling; WebSockets replaces it), stop() for a streaming source, and a close
 * that `onclose` hears once. The caller adds `connect`. The connection logs the payloads.
 */
export function transportBase(o: TransportOptions, name: TransportName): BuiltInTransport {
  // No onreceive/onclose here: the connection sets both before it connects a transport.
  const t = {
    send: (data: string | ArrayBuffer) =>
      o._http("POST", t._url, { content: data }).then(noop, (error: Error) => {
        throw t._err(`Send failed: ${error.message}`, error);
      }),
    stop: async () => {
      if (t._end) t._end();
    },
    _err: (message: string, cause?: unknown) => new TransportError(name, message, cause ? { cause } : undefined),
    _close(error?: Error) {
      const source = t._s;
      if (!source) return;
      t._s = undefined;
      detach(source);
      // 1000, normal closure, for a WebSocket; EventSource.close() takes no argument.
      (source as WebSocketLike).close(1000);
      if (t.onclose) t.onclose(error);
    },
  } as Partial<BuiltInTransport> as BuiltInTransport;
  return t;
}

/**
 * Opens a WebSocket or EventSource for `t` (`kind`: the option that gives its constructor,
 * and the platform's `open…` that opens it) and waits until it is open. `wire` gets the
 * function to call when it fails (an Error) or ends normally (undefined): before the
 * open that rejects the wait, after it that closes the transport.
 */
export async function openSource<K extends keyof Sources>(
  t: BuiltInTransport,
  o: TransportOptions,
  kind: K,
  url: string,
  wire: (source: Sources[K], where: string, fail: (error?: Error) => void) => void,
): Promise<void> {
  const ctor = o._options[kind] || platform[kind];
  // Node always has both (the ws and eventsource packages); some browser-like runtimes lack EventSource.
  if (!ctor) throw t._err(`No ${kind}: pass the '${kind}' option`);
  // stop() while the token factory answers: give up before opening anything.
  let stopped: unknown;
  t._end = () => (stopped = 1);
  const [to, headers] = await streamRequest(url, o);
  const where = redactUrl(to);
  if (stopped) throw new AbortError(`Stopped connecting to ${where}`);
  const source = platform.open(ctor, to, headers, o._options.withCredentials != false, kind == "EventSource") as Sources[K];
  return new Promise((resolve, reject) => {
    // Once open, closes the transport; before, abandons the attempt (stop() with no error).
    const end = (t._end = (error?: Error) => {
      if (t._s === source) return t._close(error);
      detach(source);
      source.close();
      reject(error || new AbortError(`Stopped connecting to ${where}`));
    });
    source.onopen = () => {
      t._s = source;
      o._logger.log(LogLevel.Information, `${kind} connected to ${where}`);
      resolve();
    };
    // The connection sets onreceive before it connects a transport.
    source.onmessage = (event: { data: string | ArrayBuffer }) => t.onreceive!(event.data);
    wire(source, where, end);
  });
}

/** Stops listening: a source may fire events after close(), which must not reach us. */
const detach = (source: Source) => {
  source.onopen = source.onmessage = source.onerror = (source as WebSocketLike).onclose = null;
};
