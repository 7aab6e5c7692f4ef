import type { TransferFormat } from "../protocol/hubProtocol.js";

/** What the hub layer needs from a connection: the official client's IConnection shape. */
export interface Connection {
  /** The server's public connection id once connected (undefined with skipNegotiation). */
  readonly connectionId: string | undefined;
  /** The hub URL each start() negotiates at; a negotiate redirect does not change it (as the official client). */
  baseUrl: string;
  /** Facts about the running transport. */
  readonly features: ConnectionFeatures;
  start(transferFormat: TransferFormat): Promise<void>;
  send(data: string | ArrayBuffer): Promise<void>;
  /** Closes the connection; `onclose` then receives `error`. */
  stop(error?: Error): Promise<void>;
  onreceive: ((data: string | ArrayBuffer) => void) | null;
  onclose: ((error?: Error) => void) | null;
}

/** Facts about the running transport that change what the hub layer does. */
export interface ConnectionFeatures {
  /** The transport keeps itself alive (Long Polling): no pings, no server timeout. */
  inherentKeepAlive: boolean;
  /**
   * Stateful reconnect was agreed (negotiate answered useStatefulReconnect and the
   * transport is WebSockets): a dropped socket is reopened to the same connection.
   */
  reconnect: boolean;
  /** Set by the hub layer: the socket dropped and a resume is being tried. */
  disconnected?: (() => void) | undefined;
  /** Set by the hub layer: the socket is back; send the Sequence message and replay. */
  resend?: (() => Promise<void>) | undefined;
}
