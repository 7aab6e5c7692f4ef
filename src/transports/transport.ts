import { enumObject, type HttpTransportType as HttpTransportTypeEnum } from "../protocol/enums.js";
import type { IHttpConnectionOptions } from "../connection/options.js";
import type { HttpClient, HttpRequest, HttpResponse } from "../http/httpClient.js";
import type { ILogger } from "../logging.js";
import type { TransferFormat } from "../protocol/hubProtocol.js";

/** Bit flags naming transports; the values are the official client's. */
export type HttpTransportType = HttpTransportTypeEnum;
/** The type of each member, as for an enum: `HttpTransportType.WebSockets`. */
export declare namespace HttpTransportType {
  type None = HttpTransportTypeEnum.None;
  type WebSockets = HttpTransportTypeEnum.WebSockets;
  type ServerSentEvents = HttpTransportTypeEnum.ServerSentEvents;
  type LongPolling = HttpTransportTypeEnum.LongPolling;
}
/** Bit flags naming transports (None 0, WebSockets 1, ServerSentEvents 2, LongPolling 4); the values are the official client's. */
export const HttpTransportType: typeof HttpTransportTypeEnum = /* @__PURE__ */ enumObject("None WebSockets ServerSentEvents LongPolling", (index) => (1 << index) >> 1);

/**
 * A transport moves payloads between client and server. The shape is the
 * official client's `ITransport`, so a custom transport written for it can be
 * passed as the `transport` option.
 */
export interface ITransport {
  /** Opens the transport to a connection URL (`…?id=token`). */
  connect(url: string, transferFormat: TransferFormat): Promise<void>;
  /** Sends one payload. */
  send(data: any): Promise<void>;
  /** Closes the transport; `onclose` is raised once, without an error. */
  stop(): Promise<void>;
  /** Called with each payload received. */
  onreceive: ((data: string | ArrayBuffer) => void) | null;
  /** Called once when the transport closes; with an error if it failed. */
  onclose: ((error?: Error) => void) | null;
}

/**
 * What a built-in transport needs from the connection that opens it (the HttpConnection
 * itself: these are its members).
 */
export interface TransportOptions {
  /** The user's options: `withCredentials`, `WebSocket`, `EventSource`. */
  readonly _options: IHttpConnectionOptions;
  /** The HTTP client underneath, for its cookies. */
  readonly _client: HttpClient;
  /** Headers for sockets and event sources (user agent and the user's), where the runtime lets them carry headers. */
  readonly _headers: Record<string, string>;
  readonly _logger: ILogger;
  /** A request with the connection's headers, token, timeout and credentials (what `request` sets wins). */
  _http(method: string, url: string, request?: HttpRequest): Promise<HttpResponse>;
  /** Asks the token factory again; later requests carry the new token. */
  _refreshToken(): Promise<string | undefined>;
}
