import type { CookieStore } from "../http/cookieStore.js";
import type { FetchFunction } from "../http/fetchHttpClient.js";
import type { HttpClient } from "../http/httpClient.js";
import type { ILogger } from "../logging.js";

/** The parts of a WebSocket that hubwire uses: the browser's, undici's and `ws` all fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol?: string;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onerror: ((event: any) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null;
}

/** A WebSocket constructor, as the `WebSocket` option accepts. */
export type WebSocketConstructor = new (url: string, ...rest: any[]) => WebSocketLike;

/** The parts of an EventSource that hubwire uses. */
export interface EventSourceLike {
  readonly readyState: number;
  close(): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
  onerror: ((event: any) => void) | null;
}

/** An EventSource constructor, as the `EventSource` option accepts. */
export type EventSourceConstructor = new (url: string, init?: any) => EventSourceLike;

/**
 * What the runtime provides. The browser and Node versions of this module are
 * chosen by `package.json` conditions, never by sniffing at run time, so no
 * browser build ever sees a Node module.
 */
export interface Platform {
  /** The runtime's `fetch`, if any. */
  readonly fetch: FetchFunction | undefined;
  /** The runtime's WebSocket constructor, if any. */
  readonly WebSocket: WebSocketConstructor | undefined;
  /** The runtime's EventSource constructor, if any. */
  readonly EventSource: EventSourceConstructor | undefined;
  /** True where sockets and event sources can carry request headers (Node); browsers put the token in the URL. */
  readonly socketsTakeHeaders: boolean;
  /** The user-agent header to send: name and value. */
  readonly userAgentHeader: readonly [string, string];
  /** An HTTP client for runtimes without `fetch` (the ES5 bundles: XMLHttpRequest); absent elsewhere. */
  readonly createFallbackHttpClient?: (logger: ILogger) => HttpClient | undefined;
  /** A fresh cookie store for one connection, where the runtime keeps none itself. */
  createCookieStore(): CookieStore | undefined;
  /**
   * Opens a WebSocket, or an EventSource when `eventSource` is true (then with `withCredentials`),
   * sending `headers` where the runtime allows them.
   */
  open(ctor: WebSocketConstructor | EventSourceConstructor, url: string, headers: Record<string, string>, withCredentials: boolean, eventSource: boolean): WebSocketLike | EventSourceLike;
}
