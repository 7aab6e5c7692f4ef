import type { HttpClient } from "../http/httpClient.js";
import type { ILogger, LogLevel } from "../logging.js";
import type { MessageHeaders } from "../protocol/messages.js";
import type { HttpTransportType, ITransport } from "../transports/transport.js";

/** Options of `withUrl`. Names, meanings and defaults are the official client's. */
export interface IHttpConnectionOptions {
  /** Headers sent with every HTTP request (and, in Node, with WebSocket and SSE requests). */
  headers?: MessageHeaders;
  /** The HTTP client to send requests through. Default: fetch-based, with a cookie jar in Node. */
  httpClient?: HttpClient;
  /**
   * Allowed transports as bit flags (e.g. `WebSockets | LongPolling`), or a custom
   * transport instance. Default: every transport, in the server's order.
   */
  transport?: HttpTransportType | ITransport;
  /** A logger, or the minimum level for the console logger. */
  logger?: ILogger | LogLevel;
  /**
   * Returns the bearer token. Called before each negotiate and each transport
   * connect; a 401 during a connection calls it once more.
   */
  accessTokenFactory?(): string | Promise<string>;
  /** Log message content at Trace level. Default: false (only sizes are logged). */
  logMessageContent?: boolean;
  /** Connect straight to the hub URL without negotiating. Needs `transport: HttpTransportType.WebSockets`. Default: false. */
  skipNegotiation?: boolean;
  /** Send cookies and credentials with cross-origin requests (browsers). Default: true. */
  withCredentials?: boolean;
  /** Milliseconds allowed for each HTTP request other than long polls. Default: 100 000. */
  timeout?: number;
  /** The WebSocket constructor to use. Default: the runtime's (in Node 20: the `ws` package). */
  WebSocket?: any;
  /** The EventSource constructor to use. Default: the runtime's (in Node: the `eventsource` package). */
  EventSource?: any;
  /** Set by `withStatefulReconnect()`; ask the server for stateful reconnect. */
  _useStatefulReconnect?: boolean;
}
