import { HttpConnection } from "../connection/httpConnection.js";
import type { IHttpConnectionOptions } from "../connection/options.js";
import { InvalidArgumentError, InvalidStateError } from "../errors.js";
import { createLogger, type ILogger, type LogLevel } from "../logging.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import type { HttpTransportType } from "../transports/transport.js";
import { HubConnection, type HubConnectionParts } from "./hubConnection.js";
import { DefaultReconnectPolicy, type IRetryPolicy } from "./retryPolicy.js";
import { nothing } from "./constants.js";

/** Options of `withStatefulReconnect`. */
export interface IStatefulReconnectOptions {
  /** Bytes of unacknowledged messages kept for replay before sending waits. Default 100 000. */
  bufferSize: number;
}

/** Throws InvalidArgumentError when the argument `name` is missing (null, undefined or ""). */
const required = (value: unknown, name: string): void => {
  if (value == null || value === "") {
    throw new InvalidArgumentError(`The '${name}' argument is required.`);
  }
};

/**
 * Builds a {@link HubConnection}.
 *
 * @example
 * const connection = new HubConnectionBuilder()
 *   .withUrl("https://example.com/chat", { accessTokenFactory: () => token })
 *   .withAutomaticReconnect()
 *   .configureLogging(LogLevel.Information)
 *   .build();
 */
export class HubConnectionBuilder implements HubConnectionParts {
  // Declared, not defined, where no initial value is needed: no field initialisers are emitted.
  private declare _url: string | undefined;
  /** configureLogging's logger, which wins over the withUrl option. */
  private declare _logger: ILogger | undefined;
  private declare readonly _options: IHttpConnectionOptions;
  // What the other builder methods set, as HubConnection takes it (it applies the defaults):
  // the builder is the HubConnectionParts it passes, so no separate object is needed.
  /** @internal */ declare _protocol?: IHubProtocol | undefined;
  /** @internal */ declare _reconnectPolicy?: IRetryPolicy | undefined;
  /** @internal */ declare _serverTimeout?: number | undefined;
  /** @internal */ declare _keepAliveInterval?: number | undefined;
  /** @internal */ declare _bufferSize?: number | undefined;

  constructor() {
    // Assigned here rather than as a field initialiser, which compiles to longer code.
    this._options = {};
  }

  /**
   * Sets where logs go: a level for the console logger, a level name ("debug",
   * "information", "warn", …), or your own logger. Default: console, Information.
   * @throws InvalidArgumentError without an argument, or for an unknown level name.
   */
  configureLogging(logging: LogLevel | string | ILogger): HubConnectionBuilder {
    required(logging, "logging");
    this._logger = createLogger(logging);
    return this;
  }

  /**
   * Sets the hub URL and, optionally, the allowed transports or connection options.
   * Options given by several calls are merged.
   * @throws InvalidArgumentError for an empty URL.
   */
  withUrl(url: string): HubConnectionBuilder;
  withUrl(url: string, transportType: HttpTransportType): HubConnectionBuilder;
  withUrl(url: string, options: IHttpConnectionOptions): HubConnectionBuilder;
  withUrl(url: string, transportTypeOrOptions?: IHttpConnectionOptions | HttpTransportType): HubConnectionBuilder {
    required(url, "url");
    this._url = url;
    // Into the builder's own object (build() copies it), never into the caller's.
    Object.assign(this._options, typeof transportTypeOrOptions == "number" ? { transport: transportTypeOrOptions } : transportTypeOrOptions);
    return this;
  }

  /**
   * Sets the hub protocol. Default: JSON.
   * @throws InvalidArgumentError without a protocol.
   */
  withHubProtocol(protocol: IHubProtocol): HubConnectionBuilder {
    required(protocol, "protocol");
    this._protocol = protocol;
    return this;
  }

  /**
   * Reconnects automatically when the connection is lost: by default after 0, 2,
   * 10 and 30 seconds, then gives up; or after the delays you list; or as your policy says.
   * @throws InvalidStateError when a reconnect policy was already set.
   */
  withAutomaticReconnect(): HubConnectionBuilder;
  withAutomaticReconnect(retryDelays: number[]): HubConnectionBuilder;
  withAutomaticReconnect(reconnectPolicy: IRetryPolicy): HubConnectionBuilder;
  withAutomaticReconnect(retryDelaysOrReconnectPolicy?: number[] | IRetryPolicy): HubConnectionBuilder {
    if (this._reconnectPolicy) {
      throw new InvalidStateError("Reconnect policy already set");
    }
    this._reconnectPolicy =
      !retryDelaysOrReconnectPolicy || Array.isArray(retryDelaysOrReconnectPolicy)
        ? new DefaultReconnectPolicy(retryDelaysOrReconnectPolicy)
        : retryDelaysOrReconnectPolicy;
    return this;
  }

  /**
   * Milliseconds without a message from the server before the connection is considered lost.
   * Default 30 000, also for 0 (with which the official client would time out at once).
   */
  withServerTimeout(milliseconds: number): HubConnectionBuilder {
    this._serverTimeout = milliseconds;
    return this;
  }

  /** Milliseconds without sending before a Ping goes out. Default 15 000, also for 0. */
  withKeepAliveInterval(milliseconds: number): HubConnectionBuilder {
    this._keepAliveInterval = milliseconds;
    return this;
  }

  /**
   * Asks for stateful reconnect (the server must allow it too, and the transport must be
   * WebSockets): when the socket drops, hubwire reopens it to the same connection and both
   * sides replay what the other had not acknowledged, so no message is lost and nothing
   * is delivered twice. If the resume fails, the connection closes as usual (and automatic
   * reconnect applies). Sending waits while `bufferSize` bytes (default 100 000) are unacknowledged.
   */
  withStatefulReconnect(options?: IStatefulReconnectOptions): HubConnectionBuilder {
    this._bufferSize = options && options.bufferSize !== nothing ? options.bufferSize : 100_000;
    return this;
  }

  /**
   * Creates the connection (it does not connect: call `start()`).
   * @throws InvalidStateError when `withUrl` was not called.
   */
  build(): HubConnection {
    if (!this._url) {
      throw new InvalidStateError("build() needs withUrl() first");
    }
    // configureLogging wins over the withUrl option; the default is the console at Information.
    const logger = this._logger || createLogger(this._options.logger);
    // HubConnection reads the parts once, in its constructor: later builder calls don't change it.
    return new HubConnection(
      new HttpConnection(this._url, Object.assign({}, this._options, { logger, _useStatefulReconnect: this._bufferSize !== nothing })),
      logger,
      this,
    );
  }
}
