import { platform } from "#platform";
import { AbortError, InvalidArgumentError, InvalidStateError, NoTransportError, TransportError, type TransportName } from "../errors.js";
import { DefaultHttpClient } from "../http/defaultHttpClient.js";
import { createLogger, LogLevel, redactUrl, type ILogger } from "../logging.js";
import type { TransferFormat } from "../protocol/hubProtocol.js";
import { LongPollingTransport } from "../transports/longPollingTransport.js";
import { ServerSentEventsTransport } from "../transports/serverSentEventsTransport.js";
import { HttpTransportType, type ITransport, type Transport, type TransportOptions } from "../transports/transport.js";
import { WebSocketTransport } from "../transports/webSocketTransport.js";
import { AccessTokenSource } from "./accessToken.js";
import type { Connection, ConnectionFeatures } from "./connection.js";
import { ConnectionHttpClient } from "./connectionHttpClient.js";
import { SendQueue } from "./sendQueue.js";
import { negotiate, type Negotiation } from "./negotiate.js";
import { DEFAULT_HTTP_TIMEOUT_MS, type IHttpConnectionOptions } from "./options.js";
import { describeTransports, isTransportName, whyTransportUnusable } from "./transportSelection.js";
import { appendQuery, resolveHubUrl } from "./url.js";

type Phase = "Disconnected" | "Connecting" | "Connected" | "Disconnecting";

const TRANSPORTS: Record<TransportName, new (options: TransportOptions) => Transport> = {
  WebSockets: WebSocketTransport,
  ServerSentEvents: ServerSentEventsTransport,
  LongPolling: LongPollingTransport,
};

/**
 * One connection to a hub endpoint: negotiates, picks a transport (falling
 * back in the server's order), and moves payloads. Knows nothing of hub messages.
 */
export class HttpConnection implements Connection {
  connectionId: string | undefined;
  baseUrl: string;
  readonly features: ConnectionFeatures = { inherentKeepAlive: false, reconnect: false };
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;

  private phase: Phase = "Disconnected";
  private transport: ITransport | undefined;
  /** Orders the POSTs of HTTP transports; undefined for WebSockets, whose sends are already ordered. */
  private sendQueue: SendQueue | undefined;
  private startAbort: AbortController | undefined;
  /** The transport whose connect() is under way, so that stop() can end it. */
  private connectingTransport: ITransport | undefined;
  private starting: Promise<void> | undefined;
  private stopError: Error | undefined;
  private readonly logger: ILogger;
  private readonly httpClient;
  private readonly tokens: AccessTokenSource;
  private readonly timeout: number;
  private readonly withCredentials: boolean;

  constructor(url: string, private readonly options: IHttpConnectionOptions = {}) {
    this.baseUrl = resolveHubUrl(url);
    this.logger = createLogger(options.logger ?? LogLevel.None);
    this.timeout = options.timeout ?? DEFAULT_HTTP_TIMEOUT_MS;
    this.withCredentials = options.withCredentials ?? true;
    this.tokens = new AccessTokenSource(options.accessTokenFactory ? () => options.accessTokenFactory!() : undefined);
    const [agentHeader, agent] = platform.userAgentHeader;
    this.httpClient = new ConnectionHttpClient(
      options.httpClient ?? new DefaultHttpClient(this.logger),
      { [agentHeader]: agent, ...options.headers },
      this.tokens,
    );
  }

  async start(transferFormat: TransferFormat): Promise<void> {
    if (this.phase !== "Disconnected") {
      throw new InvalidStateError(`Cannot start a connection that is not in the 'Disconnected' state (it is '${this.phase}').`);
    }
    this.phase = "Connecting";
    this.stopError = undefined;
    this.startAbort = new AbortController();
    this.starting = this.startTransport(transferFormat, this.startAbort.signal);
    try {
      await this.starting;
    } catch (error) {
      this.phase = "Disconnected";
      this.transport = undefined;
      throw error;
    } finally {
      this.starting = undefined;
    }
    this.phase = "Connected";
  }

  send(data: string | ArrayBuffer): Promise<void> {
    if (this.phase !== "Connected" || !this.transport) {
      return Promise.reject(new InvalidStateError(`Cannot send data if the connection is not in the 'Connected' state (it is '${this.phase}').`));
    }
    return this.sendQueue ? this.sendQueue.send(data) : this.transport.send(data);
  }

  async stop(error?: Error): Promise<void> {
    if (this.phase === "Disconnected" || this.phase === "Disconnecting") {
      return;
    }
    this.stopError = error;
    if (this.phase === "Connecting") {
      this.phase = "Disconnecting";
      this.startAbort?.abort();
      // A transport still opening its socket or first poll is told to give up, so start() settles now.
      await this.connectingTransport?.stop().catch(() => undefined);
      await this.starting?.catch(() => undefined);
      return;
    }
    this.phase = "Disconnecting";
    const transport = this.transport;
    try {
      await transport?.stop();
    } catch (stopFailure) {
      this.logger.log(LogLevel.Error, `Stopping the transport failed: ${(stopFailure as Error).message}`);
      this.transportClosed(transport, error ?? (stopFailure as Error));
    }
    // A custom transport may not raise onclose from stop(); make sure the close is seen.
    this.transportClosed(transport, undefined);
  }

  private async startTransport(format: TransferFormat, signal: AbortSignal): Promise<void> {
    this.tokens.reset();
    this.features.reconnect = false;
    const requested = this.options.transport ?? HttpTransportType.None;
    const transportOptions = this.transportOptions();

    if (this.options.skipNegotiation) {
      if (requested !== HttpTransportType.WebSockets) {
        throw new InvalidArgumentError(
          `skipNegotiation needs the WebSockets transport alone ('transport: HttpTransportType.WebSockets'); the transport option allows ${describeTransports(typeof requested === "number" ? requested : HttpTransportType.None)}.`,
        );
      }
      this.connectionId = undefined;
      await this.tokens.refresh();
      await this.connectTransport(new WebSocketTransport(transportOptions), this.baseUrl, format, signal);
      return;
    }

    let negotiation = await this.negotiate(this.baseUrl, signal);
    if (typeof requested === "object") {
      // A custom ITransport: no choice to make.
      await this.connectTransport(requested, this.connectionUrl(negotiation), format, signal);
      this.connectionId = negotiation.response.connectionId;
      return;
    }

    const supported = new Set<TransportName>();
    if (this.options.WebSocket ?? platform.WebSocket) supported.add("WebSockets");
    if (this.options.EventSource ?? platform.EventSource) supported.add("ServerSentEvents");
    supported.add("LongPolling");

    const failures: Error[] = [];
    let tokenUsed = false;
    for (const offer of negotiation.response.availableTransports) {
      if (!isTransportName(offer.transport)) {
        this.logger.log(LogLevel.Debug, `Skipping unknown transport '${offer.transport}' offered by the server.`);
        continue;
      }
      const unusable = whyTransportUnusable(offer, { requested, transferFormat: format, supported });
      if (unusable) {
        this.logger.log(LogLevel.Debug, `Skipping transport '${offer.transport}': ${unusable.message}`);
        failures.push(unusable);
        continue;
      }
      if (tokenUsed) {
        // A connection token is single-use: a failed attempt spent it.
        negotiation = await this.negotiate(negotiation.url, signal);
      }
      tokenUsed = true;
      const transport = new TRANSPORTS[offer.transport](transportOptions);
      try {
        await this.connectTransport(transport, this.connectionUrl(negotiation), format, signal);
        this.connectionId = negotiation.response.connectionId;
        this.features.reconnect = negotiation.response.useStatefulReconnect && transport instanceof WebSocketTransport;
        return;
      } catch (error) {
        if (error instanceof AbortError) {
          throw error;
        }
        this.logger.log(LogLevel.Warning, `Failed to start the transport '${offer.transport}': ${(error as Error).message}`);
        failures.push(
          error instanceof TransportError ? error : new TransportError(offer.transport, `${offer.transport} failed to start: ${(error as Error).message}`, { cause: error }),
        );
      }
    }
    const detail = failures.length > 0 ? ` ${failures.map((f) => f.message).join(" ")}` : " The server offered none the client allows.";
    throw new NoTransportError(`Unable to connect to ${redactUrl(this.baseUrl)} with any available transport.${detail}`, failures);
  }

  /** Negotiates at `url` (the hub URL, or where an earlier redirect of this attempt led). */
  private async negotiate(url: string, signal: AbortSignal): Promise<Negotiation> {
    this.throwIfAborted(signal);
    await this.tokens.refresh();
    const negotiation = await negotiate(
      this.httpClient,
      url,
      { useStatefulReconnect: this.options._useStatefulReconnect === true, timeout: this.timeout, withCredentials: this.withCredentials, signal },
      (token) => this.tokens.setOverride(token),
    );
    this.throwIfAborted(signal);
    if (negotiation.url !== url) {
      this.logger.log(LogLevel.Debug, `Negotiate redirected the connection to ${redactUrl(negotiation.url)}.`);
    }
    return negotiation;
  }

  private connectionUrl(negotiation: Negotiation): string {
    return appendQuery(negotiation.url, "id", negotiation.response.connectionToken);
  }

  private async connectTransport(transport: ITransport, url: string, format: TransferFormat, signal: AbortSignal): Promise<void> {
    this.throwIfAborted(signal);
    transport.onreceive = (data) => this.onreceive?.(data);
    transport.onclose = null;
    this.connectingTransport = transport;
    try {
      await transport.connect(url, format);
    } finally {
      this.connectingTransport = undefined;
    }
    if (signal.aborted) {
      await transport.stop().catch(() => undefined);
      throw new AbortError("The connection was stopped while the transport was connecting.");
    }
    this.transport = transport;
    this.sendQueue = transport instanceof WebSocketTransport ? undefined : new SendQueue((data) => transport.send(data));
    this.features.inherentKeepAlive = (transport as Partial<Transport>).inherentKeepAlive === true;
    transport.onclose = (error) => {
      if (error && this.features.reconnect && this.phase === "Connected") {
        void this.resume(transport, url, format, error);
      } else {
        this.transportClosed(transport, error);
      }
    };
  }

  /**
   * Stateful reconnect: the socket dropped, so open it again to the same connection
   * (same ?id=, a fresh token) and let the hub layer replay what was not acknowledged.
   * If that fails, the connection closes as it would have without stateful reconnect.
   */
  private async resume(transport: ITransport, url: string, format: TransferFormat, error: Error): Promise<void> {
    this.logger.log(LogLevel.Information, `The WebSocket dropped (${error.message}); resuming the connection.`);
    this.features.disconnected?.();
    try {
      await transport.connect(url, format);
      if (this.phase !== "Connected" || this.transport !== transport) {
        // stop() was called meanwhile.
        await transport.stop();
        return;
      }
      await this.features.resend?.();
      this.logger.log(LogLevel.Information, "The connection resumed.");
    } catch (resumeError) {
      this.logger.log(LogLevel.Information, `Resuming the connection failed: ${(resumeError as Error).message}`);
      this.transportClosed(transport, error);
    }
  }

  /** The transport is gone: report it once, with the stop error if stop() gave one. */
  private transportClosed(transport: ITransport | undefined, error: Error | undefined): void {
    if (transport === undefined || this.transport !== transport) {
      return;
    }
    this.transport = undefined;
    transport.onclose = null;
    transport.onreceive = null;
    this.phase = "Disconnected";
    this.connectionId = undefined;
    const reason = this.stopError ?? error;
    this.logger.log(LogLevel.Debug, `Connection disconnected${reason ? ` with error: ${reason.message}` : "."}`);
    this.onclose?.(reason);
  }

  private transportOptions(): TransportOptions {
    const [agentHeader, agent] = platform.userAgentHeader;
    return {
      httpClient: this.httpClient,
      logger: this.logger,
      logMessageContent: this.options.logMessageContent ?? false,
      withCredentials: this.withCredentials,
      timeout: this.timeout,
      platform,
      headers: { [agentHeader]: agent, ...this.options.headers },
      accessToken: () => this.tokens.refresh(),
      WebSocket: this.options.WebSocket ?? platform.WebSocket,
      EventSource: this.options.EventSource ?? platform.EventSource,
    };
  }

  private throwIfAborted(signal: AbortSignal): void {
    if (signal.aborted) {
      throw new AbortError("The connection was stopped during negotiation.");
    }
  }
}
