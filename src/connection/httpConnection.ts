import { platform } from "#platform";
import { AbortError, HttpError, InvalidArgumentError, InvalidStateError, NegotiateError, NoTransportError, TransportError, type TransportName } from "../errors.js";
import { DefaultHttpClient } from "../http/defaultHttpClient.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "../http/httpClient.js";
import { createLogger, LogLevel, redactUrl, type ILogger } from "../logging.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { LongPollingTransport } from "../transports/longPollingTransport.js";
import { ServerSentEventsTransport } from "../transports/serverSentEventsTransport.js";
import { HttpTransportType, type ITransport, type Transport, type TransportOptions } from "../transports/transport.js";
import { WebSocketTransport } from "../transports/webSocketTransport.js";
import type { Connection, ConnectionFeatures } from "./connection.js";
import type { IHttpConnectionOptions } from "./options.js";
import { appendQuery, negotiateUrl, resolveHubUrl } from "./url.js";

// The connection's one state. Ordered so that "stop() has nothing to do" is `state < CONNECTING`.
const DISCONNECTED = 0;
const DISCONNECTING = 1;
const CONNECTING = 2;
const CONNECTED = 3;

type Payload = string | ArrayBuffer;

/**
 * A negotiate answer as the server sends it: v1 or v0, a redirect, a refusal or a legacy
 * ASP.NET SignalR server's. Once read, `url` is where the connection goes and
 * `connectionToken` is set for v0 too.
 */
interface NegotiateAnswer {
  url?: string;
  accessToken?: string;
  error?: string;
  ProtocolVersion?: string;
  connectionId?: string;
  connectionToken?: string;
  negotiateVersion?: number;
  availableTransports?: { transport: string; transferFormats: string[] }[];
  useStatefulReconnect?: boolean;
}

const noop = () => {};

/**
 * One connection to a hub endpoint: negotiates (following redirects), picks a transport
 * (falling back in the server's order), and moves payloads. Knows nothing of hub messages.
 * The hub layer calls start() only when Disconnected.
 */
export class HttpConnection implements Connection {
  connectionId: string | undefined;
  baseUrl: string;
  readonly features: ConnectionFeatures = { inherentKeepAlive: false, reconnect: false };
  onreceive: ((data: Payload) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;

  private _state = DISCONNECTED;
  /** The transport in use, or being connected (so that stop() can end it). */
  private _transport: ITransport | undefined;
  private _starting: Promise<void> | undefined;
  private _abort: AbortController | undefined;
  private _stopError: Error | undefined;
  /** The bearer token of this attempt: the factory's latest answer, or a redirect's. */
  private _token: string | undefined;
  /** A token a negotiate redirect handed out: it stands in for the factory until the next start(). */
  private _redirectToken: string | undefined;
  /** HTTP transports: the POST in flight (settled either way), while there is one. */
  private _posting: Promise<void> | undefined;
  /** The payloads waiting for it to go together in the next POST, and that POST's outcome. */
  private _batch: Payload[] | undefined;
  private _batchSent: Promise<void> | undefined;
  private readonly _options: IHttpConnectionOptions;
  private readonly _logger: ILogger;
  private readonly _transportOptions: TransportOptions;

  constructor(url: string, options: IHttpConnectionOptions = {}) {
    this.baseUrl = resolveHubUrl(url);
    this._options = options;
    const { logger = LogLevel.None, timeout = 100_000, withCredentials = true, accessTokenFactory } = options;
    const log = (this._logger = createLogger(logger));
    const inner = options.httpClient || new DefaultHttpClient(log);
    const [agentHeader, agent] = platform.userAgentHeader;
    const headers: Record<string, string> = Object.assign({ [agentHeader]: agent }, options.headers);
    const connection = this;
    this._transportOptions = {
      // Every request gets the connection's headers and bearer token; a 401 asks the factory once more.
      httpClient: new (class extends HttpClient {
        override async send(request: HttpRequest, retry = true): Promise<HttpResponse> {
          const token = connection._token;
          try {
            return await inner.send(
              Object.assign({}, request, {
                headers: Object.assign({ "X-Requested-With": "XMLHttpRequest" }, headers, request.headers, token && { Authorization: `Bearer ${token}` }),
              }),
            );
          } catch (error) {
            // A redirect's token is fixed: asking again only makes sense of the user's factory.
            if (retry && error instanceof HttpError && error.statusCode == 401 && accessTokenFactory && !connection._redirectToken && (await connection._refreshToken()) != token) {
              return this.send(request, false);
            }
            throw error;
          }
        }

        override getCookieString(url: string): string {
          return inner.getCookieString(url);
        }
      })(),
      logger: log,
      logMessageContent: !!options.logMessageContent,
      withCredentials,
      timeout,
      platform,
      headers,
      accessToken: () => this._refreshToken(),
      WebSocket: options.WebSocket || platform.WebSocket,
      EventSource: options.EventSource || platform.EventSource,
    };
  }

  start(transferFormat: TransferFormat): Promise<void> {
    this._state = CONNECTING;
    this._stopError = this._redirectToken = undefined;
    // _connect() moves to CONNECTED once a transport is up.
    return (this._starting = this._startTransport(transferFormat, (this._abort = new AbortController()).signal).catch((error) => {
      this._state = DISCONNECTED;
      throw error;
    }));
  }

  async send(data: Payload): Promise<void> {
    const transport = this._transport!;
    if (this._state != CONNECTED) {
      throw new InvalidStateError("Cannot send: the connection is not in the 'Connected' state.");
    }
    if (transport instanceof WebSocketTransport) {
      return transport.send(data);
    }
    // Other transports POST each send, and POSTs in flight together may arrive out of order:
    // one POST at a time, the first at once (a Close sent just before stop() must go out),
    // and whatever is queued meanwhile together in the next.
    if (this._batch) {
      this._batch.push(data);
    } else if (this._posting) {
      const parts: Payload[] = (this._batch = [data]);
      this._batchSent = this._posting.then(() => {
        this._batch = undefined;
        return this._post(transport, concat(parts));
      });
    } else {
      return this._post(transport, data);
    }
    return this._batchSent;
  }

  /** Sends one POST; until it settles, sends wait in `_batch`. */
  private _post(transport: ITransport, data: Payload): Promise<void> {
    const sent = transport.send(data);
    const posting = (this._posting = sent.catch(noop).then(() => {
      if (this._posting == posting) {
        this._posting = undefined;
      }
    }));
    return sent;
  }

  async stop(error?: Error): Promise<void> {
    const state = this._state;
    const transport = this._transport;
    if (state < CONNECTING) {
      return;
    }
    this._stopError = error;
    this._state = DISCONNECTING;
    this._abort!.abort();
    let failure: Error | undefined;
    // While connecting, this tells a transport still opening its socket or first poll to give up.
    await (transport &&
      transport.stop().catch((stopError: Error) => {
        failure = stopError;
        this._logger.log(LogLevel.Error, `Stopping the transport failed: ${stopError.message}`);
      }));
    if (state == CONNECTING) {
      return this._starting!.catch(noop);
    }
    // A custom transport may not raise onclose from stop(); make sure the close is seen.
    this._closed(transport, failure);
  }

  /** Asks the token factory (a redirect's token stands in for it); called before each negotiate and transport connect. */
  private async _refreshToken(): Promise<string | undefined> {
    const factory = this._options.accessTokenFactory;
    return (this._token = this._redirectToken || (factory && (await factory())) || undefined);
  }

  private async _startTransport(format: TransferFormat, signal: AbortSignal): Promise<void> {
    const requested = this._options.transport || HttpTransportType.None;
    if (this._options.skipNegotiation) {
      if (requested !== HttpTransportType.WebSockets) {
        throw new InvalidArgumentError("skipNegotiation needs transport: HttpTransportType.WebSockets.");
      }
      return this._connect(new WebSocketTransport(this._transportOptions), format, signal);
    }
    let answer = await this._negotiate(this.baseUrl, signal);
    if (typeof requested == "object") {
      // A custom ITransport: no choice to make.
      return this._connect(requested, format, signal, answer);
    }
    const formatName = TransferFormat[format];
    const failures: Error[] = [];
    let tokenUsed = false;
    for (const { transport, transferFormats } of answer.availableTransports || []) {
      const name = transport as TransportName;
      // HttpTransportType maps names to flags; anything else (unknown names, "None", reverse entries) is not > 0.
      const flag = HttpTransportType[name];
      if (!(flag > 0)) {
        continue;
      }
      const refusal =
        requested && !(requested & flag)
          ? "is disabled by the client"
          : transferFormats.indexOf(formatName) < 0
            ? `does not support ${formatName}${flag == 2 ? " (Server-Sent Events carry text only, not MessagePack)" : ""}`
            : "";
      if (!refusal && tokenUsed) {
        // A connection token is single-use: the failed attempt spent it.
        answer = await this._negotiate(answer.url!, signal);
      }
      try {
        // A refused transport is recorded like one that failed to start.
        if (refusal) {
          throw new TransportError(name, `${name} ${refusal}.`);
        }
        tokenUsed = true;
        return await this._connect(
          new (flag == 1 ? WebSocketTransport : flag == 2 ? ServerSentEventsTransport : LongPollingTransport)(this._transportOptions),
          format,
          signal,
          answer,
        );
      } catch (error) {
        if (error instanceof AbortError) {
          throw error;
        }
        const failure = error instanceof TransportError ? error : new TransportError(name, `${name} failed to start: ${(error as Error).message}`, { cause: error });
        failures.push(failure);
        this._logger.log(refusal ? LogLevel.Debug : LogLevel.Warning, failure.message);
      }
    }
    throw new NoTransportError(
      `Unable to connect to ${redactUrl(this.baseUrl)}: ${failures.map((failure) => failure.message).join(" ") || "the server offered none the client allows."}`,
      failures,
    );
  }

  /** Negotiates at `url`, following redirects (Azure SignalR Service and the like). */
  private async _negotiate(url: string, signal: AbortSignal): Promise<NegotiateAnswer> {
    const { httpClient, timeout, withCredentials } = this._transportOptions;
    let where = "";
    const fail = (problem: string, options?: { cause: unknown; statusCode?: number }) => new NegotiateError(`Negotiate at ${where} ${problem}`, where, options);
    // At most 100 requests, as the official client: the 100th redirect gives up.
    for (let hop = 0; hop < 100; hop++) {
      const target = negotiateUrl(url, !!this._options._useStatefulReconnect);
      where = redactUrl(target);
      await this._refreshToken();
      let content: unknown;
      let answer: NegotiateAnswer;
      try {
        // Object(): a JSON null or number reads as an answer without a connectionId.
        answer = Object(JSON.parse((content = (await httpClient.post(target, { content: "", timeout, withCredentials, abortSignal: signal })).content) as string));
      } catch (error) {
        throw error instanceof HttpError
          ? fail(`failed: ${error.message}`, { cause: error, statusCode: error.statusCode })
          : error instanceof SyntaxError
            ? fail(`answered invalid JSON: ${String(content).slice(0, 100)}`, { cause: error })
            : error;
      }
      if (answer.ProtocolVersion) {
        throw fail(`answered ProtocolVersion ${answer.ProtocolVersion}: a legacy ASP.NET SignalR server, not ASP.NET Core.`);
      }
      if (answer.error) {
        throw fail(`was refused: ${answer.error}`);
      }
      if (answer.url) {
        url = answer.url;
        if (answer.accessToken) {
          this._redirectToken = answer.accessToken;
        }
        continue;
      }
      const id = answer.connectionId;
      // v0 servers send no connectionToken: the id is the token.
      const token = answer.negotiateVersion! > 0 ? answer.connectionToken : id;
      if (!id || !token) {
        throw fail(`answered without a ${id ? "connectionToken" : "connectionId"}.`);
      }
      answer.url = url;
      answer.connectionToken = token;
      return answer;
    }
    throw fail("redirected 100 times; giving up.");
  }

  /** Connects `transport` (to the negotiated connection, or straight to the hub URL) and moves to CONNECTED. */
  private async _connect(transport: ITransport, format: TransferFormat, signal: AbortSignal, answer?: NegotiateAnswer): Promise<void> {
    const url = answer ? appendQuery(answer.url!, "id", answer.connectionToken!) : this.baseUrl;
    // stop() may have been called meanwhile, and a custom HTTP client or transport may have ignored it.
    const stopIfAborted = async () => {
      if (signal.aborted) {
        await transport.stop().catch(noop);
        throw new AbortError("The connection was stopped while connecting.");
      }
    };
    await stopIfAborted();
    transport.onreceive = (data) => this.onreceive && this.onreceive(data);
    transport.onclose = null;
    this._transport = transport;
    await transport.connect(url, format);
    await stopIfAborted();
    const features = this.features;
    this._state = CONNECTED;
    // A POST of an earlier transport, still held by the server, must not hold up this one's.
    this._posting = this._batch = undefined;
    this.connectionId = answer && answer.connectionId;
    features.inherentKeepAlive = !!(transport as Partial<Transport>).inherentKeepAlive;
    features.reconnect = !!(answer && answer.useStatefulReconnect) && transport instanceof WebSocketTransport;
    transport.onclose = (error) =>
      error && features.reconnect && this._state == CONNECTED ? void this._resume(transport, url, format, error) : this._closed(transport, error);
  }

  /**
   * Stateful reconnect: the socket dropped, so open it again to the same connection
   * (same ?id=, a fresh token) and let the hub layer replay what was not acknowledged.
   * If that fails, the connection closes as it would have without stateful reconnect.
   */
  private async _resume(transport: ITransport, url: string, format: TransferFormat, error: Error): Promise<void> {
    const features = this.features;
    const log = (message: string) => this._logger.log(LogLevel.Information, message);
    log(`WebSocket dropped (${error.message}); resuming.`);
    features.disconnected && features.disconnected();
    try {
      await transport.connect(url, format);
      if (this._state != CONNECTED || this._transport != transport) {
        // stop() was called meanwhile.
        return transport.stop();
      }
      await (features.resend && features.resend());
      log("Connection resumed.");
    } catch (resumeError) {
      log(`Resume failed: ${(resumeError as Error).message}`);
      this._closed(transport, error);
    }
  }

  /** The transport is gone: report it once, with the stop error if stop() gave one. */
  private _closed(transport: ITransport | undefined, error?: Error): void {
    if (transport && transport == this._transport) {
      this._transport = undefined;
      this._state = DISCONNECTED;
      this.connectionId = undefined;
      this.onclose && this.onclose(this._stopError || error);
    }
  }
}

/** One POST body from several payloads: text joined, or the bytes end to end (text as UTF-8). */
function concat(parts: Payload[]): Payload {
  if (parts.every((part) => typeof part == "string")) {
    return parts.join("");
  }
  const chunks = parts.map((part) => (typeof part == "string" ? new TextEncoder().encode(part) : new Uint8Array(part)));
  const joined = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  chunks.reduce((offset, chunk) => (joined.set(chunk, offset), offset + chunk.length), 0);
  return joined.buffer;
}
