import type { TransportName } from "../errors.js";
import type { HttpClient } from "../http/httpClient.js";
import type { ILogger } from "../logging.js";
import type { EventSourceConstructor, Platform, WebSocketConstructor } from "../platform/platform.js";
import type { TransferFormat } from "../protocol/hubProtocol.js";

/** Bit flags naming transports; the values are the official client's. */
export enum HttpTransportType {
  /** No transport preference: use whatever the server offers. */
  None = 0,
  /** WebSockets. */
  WebSockets = 1,
  /** Server-Sent Events (text only). */
  ServerSentEvents = 2,
  /** Long Polling. */
  LongPolling = 4,
}

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

/** A built-in transport: an ITransport that knows its name and keep-alive needs. */
export interface Transport extends ITransport {
  /** The transport's name as the server spells it. */
  readonly name: TransportName;
  /** True when the transport keeps itself alive (Long Polling): no pings, no server timeout. */
  readonly inherentKeepAlive: boolean;
}

/** What a built-in transport needs from the connection that opens it. */
export interface TransportOptions {
  /** Sends HTTP requests with the connection's headers, token and cookies already added. */
  readonly httpClient: HttpClient;
  readonly logger: ILogger;
  readonly logMessageContent: boolean;
  readonly withCredentials: boolean;
  /** Milliseconds allowed for ordinary HTTP requests (not long polls). */
  readonly timeout: number;
  readonly platform: Platform;
  /** Headers for sockets and event sources, where the runtime lets them carry headers. */
  readonly headers: Record<string, string>;
  /** The access token for this connection, if any. */
  accessToken(): Promise<string | undefined>;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly EventSource: EventSourceConstructor | undefined;
}
