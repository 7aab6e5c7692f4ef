import { HttpConnection } from "../connection/httpConnection.js";
import type { IHttpConnectionOptions } from "../connection/options.js";
import { InvalidArgumentError, InvalidStateError } from "../errors.js";
import { createLogger, LogLevel, type ILogger } from "../logging.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import { JsonHubProtocol } from "../protocol/jsonHubProtocol.js";
import type { HttpTransportType } from "../transports/transport.js";
import { HubConnection } from "./hubConnection.js";
import { DefaultReconnectPolicy, type IRetryPolicy } from "./retryPolicy.js";

/** Options of `withStatefulReconnect`. */
export interface IStatefulReconnectOptions {
  /** Bytes of unacknowledged messages kept for replay before sending waits. Default 100 000. */
  bufferSize: number;
}

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
export class HubConnectionBuilder {
  private url: string | undefined;
  private options: IHttpConnectionOptions = {};
  private logger: ILogger | undefined;
  private protocol: IHubProtocol | undefined;
  private reconnectPolicy: IRetryPolicy | undefined;
  private serverTimeout: number | undefined;
  private keepAliveInterval: number | undefined;
  private statefulReconnect: IStatefulReconnectOptions | undefined;

  /**
   * Sets where logs go: a level for the console logger, a level name ("debug",
   * "information", "warn", …), or your own logger. Default: console, Information.
   * @throws Error for an unknown level name.
   */
  configureLogging(logging: LogLevel | string | ILogger): HubConnectionBuilder {
    if (logging === null || logging === undefined) {
      throw new InvalidArgumentError("configureLogging needs a LogLevel, a level name or an ILogger.");
    }
    this.logger = createLogger(logging);
    return this;
  }

  /**
   * Sets the hub URL and, optionally, the allowed transports or connection options.
   * @throws InvalidArgumentError for an empty URL.
   */
  withUrl(url: string): HubConnectionBuilder;
  withUrl(url: string, transportType: HttpTransportType): HubConnectionBuilder;
  withUrl(url: string, options: IHttpConnectionOptions): HubConnectionBuilder;
  withUrl(url: string, transportTypeOrOptions?: IHttpConnectionOptions | HttpTransportType): HubConnectionBuilder {
    if (typeof url !== "string" || url === "") {
      throw new InvalidArgumentError("withUrl needs a non-empty hub URL.");
    }
    this.url = url;
    this.options =
      typeof transportTypeOrOptions === "object" && transportTypeOrOptions !== null
        ? { ...this.options, ...transportTypeOrOptions }
        : { ...this.options, ...(transportTypeOrOptions !== undefined ? { transport: transportTypeOrOptions } : {}) };
    return this;
  }

  /** Sets the hub protocol. Default: JSON. */
  withHubProtocol(protocol: IHubProtocol): HubConnectionBuilder {
    if (!protocol) {
      throw new InvalidArgumentError("withHubProtocol needs a protocol.");
    }
    this.protocol = protocol;
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
    if (this.reconnectPolicy) {
      throw new InvalidStateError("A reconnect policy has already been set.");
    }
    if (retryDelaysOrReconnectPolicy === undefined) {
      this.reconnectPolicy = new DefaultReconnectPolicy();
    } else if (Array.isArray(retryDelaysOrReconnectPolicy)) {
      this.reconnectPolicy = new DefaultReconnectPolicy(retryDelaysOrReconnectPolicy);
    } else {
      this.reconnectPolicy = retryDelaysOrReconnectPolicy;
    }
    return this;
  }

  /** Milliseconds without a message from the server before the connection is considered lost. Default 30 000. */
  withServerTimeout(milliseconds: number): HubConnectionBuilder {
    this.serverTimeout = milliseconds;
    return this;
  }

  /** Milliseconds without sending before a Ping goes out. Default 15 000. */
  withKeepAliveInterval(milliseconds: number): HubConnectionBuilder {
    this.keepAliveInterval = milliseconds;
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
    this.statefulReconnect = { bufferSize: options?.bufferSize ?? 100_000 };
    return this;
  }

  /**
   * Creates the connection (it does not connect: call `start()`).
   * @throws InvalidStateError when `withUrl` was not called.
   */
  build(): HubConnection {
    if (this.url === undefined) {
      throw new InvalidStateError("HubConnectionBuilder.withUrl must be called before build().");
    }
    const logger = this.logger ?? (this.options.logger !== undefined ? createLogger(this.options.logger) : createLogger(undefined));
    const connection = new HttpConnection(this.url, { ...this.options, logger, ...(this.statefulReconnect ? { _useStatefulReconnect: true } : {}) });
    return new HubConnection({
      connection,
      logger,
      protocol: this.protocol ?? new JsonHubProtocol(),
      reconnectPolicy: this.reconnectPolicy,
      serverTimeoutInMilliseconds: this.serverTimeout,
      keepAliveIntervalInMilliseconds: this.keepAliveInterval,
      statefulReconnectBufferSize: this.statefulReconnect?.bufferSize,
    });
  }
}
