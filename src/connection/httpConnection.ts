import { platform } from "#platform";
import { AbortError, HttpError, InvalidArgumentError, InvalidStateError, NegotiateError, NoTransportError, TransportError, type TransportName } from "../errors.js";
import { DefaultHttpClient } from "../http/defaultHttpClient.js";
import type { HttpClient, HttpRequest, HttpResponse } from "../http/httpClient.js";
import { createLogger, describeData, LogLevel, redactUrl, type ILogger } from "../logging.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { longPollingTransport } from "../transports/longPollingTransport.js";
import { serverSentEventsTransport } from "../transports/serverSentEventsTransport.js";
import { HttpTransportType, type ITransport, type TransportOptions } from "../transports/transport.js";
import { noop } from "../transports/transportBase.js";
import { webSocketTransport } from "../transports/webSocketTransport.js";
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
  availableTransports?: { transport: TransportName; transferFormats: string[] }[];
  useStatefulReconnect?: boolean;
}

/**
 * One connection to a hub endpoint: negotiates (following redirects), picks a transport
 * (falling back in the server's order), and moves payloads. Knows nothing of hub messages.
 * The hub layer calls start() only when Disconnected. It is also what its built-in
 * transports get as their {@link TransportOptions}.
 */
export class HttpConnection implements Connection, TransportOptions {
  // `declare`: fields are set in the constructor, so no field initialisers in the output.
  declare connectionId: string | undefined;
  declare baseUrl: string;
  declare readonly features: ConnectionFeatures;
  declare onreceive: ((data: Payload) => void) | null;
  declare onclose: ((error?: Error) => void) | null;

  declare private _state: number;
  /** The transport in use, or being connected (so that stop() can end it). */
  declare private _transport: ITransport | undefined;
  /** The transport in use is the built-in WebSockets one: sends go straight to the socket. */
  declare private _ws: boolean;
  declare private _starting: Promise<void> | undefined;
  declare private _abort: AbortController | undefined;
  declare private _stopError: Error | undefined;
  /** The bearer token of this attempt: the factory's latest answer, or a redirect's. */
  declare private _token: string | undefined;
  /** A token a negotiate redirect handed out: it stands in for the factory until the next start(). */
  declare private _redirectToken: string | undefined;
  /** HTTP transports: the POST in flight (settled either way), while there is one. */
  declare private _posting: Promise<void> | undefined;
  /** The payloads waiting for it to go together in the next POST, and that POST's outcome. */
  declare private _batch: Payload[] | undefined;
  declare private _batchSent: Promise<void> | undefined;
  declare readonly _options: IHttpConnectionOptions;
  declare readonly _logger: ILogger;
  declare readonly _client: HttpClient;
  declare readonly _headers: Record<string, string>;

  constructor(url: string, options: IHttpConnectionOptions = {}) {
    const { logger = LogLevel.None } = options;
    const [agentHeader, agent] = platform.userAgentHeader;
    this.baseUrl = resolveHubUrl(url);
    this._options = options;
    this._state = DISCONNECTED;
    this.onreceive = this.onclose = null;
    this.features = { inherentKeepAlive: false, reconnect: false };
    const log = (this._logger = createLogger(logger));
    this._client = options.httpClient || new DefaultHttpClient(log);
    this._headers = Object.assign({ [agentHeader]: agent }, options.headers);
  }

  /** A request with the connection's headers and bearer token; a 401 asks the token factory once more. */
  async _http(method: string, url: string, request?: HttpRequest, retried?: boolean): Promise<HttpResponse> {
    const token = this._token;
    const options = this._options;
    const { timeout = 100_000, withCredentials = true } = options;
    try {
      return await this._client.send(
        Object.assign({ method, url, timeout, withCredentials }, request, {
          headers: Object.assign({ "X-Requested-With": "XMLHttpRequest" }, this._headers, token && { Authorization: `Bearer ${token}` }),
        }),
      );
    } catch (error) {
      // A redirect's token is fixed: asking again only makes sense of the user's factory.
      if (!retried && error instanceof HttpError && error.statusCode == 401 && options.accessTokenFactory && !this._redirectToken && (await this._refreshToken()) != token) {
        return this._http(method, url, request, true);
      }
      throw error;
    }
  }

  /** Asks the token factory (a redirect's token stands in for it); called before each negotiate and transport connect. */
  async _refreshToken(): Promise<string | undefined> {
    const factory = this._options.accessTokenFactory;
    return (this._token = this._redirectToken || (factory && (await factory())) || undefined);
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
    if (this._state != CONNECTED) throw new InvalidStateError("Cannot send: not connected");
    this._trace("sending", data);
    if (this._ws) return transport.send(data);
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

  /** Logs a payload at Trace: its size, or its content when `logMessageContent` is on. */
  private _trace(what: string, data: Payload): void {
    this._logger.log(LogLevel.Trace, `${what} ${describeData(data, !!this._options.logMessageContent)}`);
  }

  /** Sends one POST; until it settles, sends wait in `_batch`. */
  private _post(transport: ITransport, data: Payload): Promise<void> {
    const sent = transport.send(data);
    const posting = (this._posting = sent.catch(noop).then(() => {
      if (this._posting == posting) this._posting = undefined;
    }));
    return sent;
  }

  async stop(error?: Error): Promise<void> {
    const state = this._state;
    const transport = this._transport;
    if (state < CONNECTING) return;
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
    if (state == CONNECTING) return this._starting!.catch(noop);
    // A custom transport may not raise onclose from stop(); make sure the close is seen.
    this._closed(transport, failure);
  }

  private async _startTransport(format: TransferFormat, signal: AbortSignal): Promise<void> {
    const options = this._options;
    const requested = options.transport || HttpTransportType.None;
    if (options.skipNegotiation) {
      if (requested !== HttpTransportType.WebSockets) throw new InvalidArgumentError("skipNegotiation needs transport: HttpTransportType.WebSockets");
      return this._connect(webSocketTransport(this, "WebSockets"), 1, format, signal);
    }
    let answer = await this._negotiate(this.baseUrl, signal);
    // A custom ITransport: no choice to make.
    if (typeof requested == "object") return this._connect(requested, 0, format, signal, answer);
    const formatName = TransferFormat[format];
    const failures: Error[] = [];
    let tokenUsed = false;
    for (const { transport: name, transferFormats } of answer.availableTransports || []) {
      // HttpTransportType maps names to flags; anything else (unknown names, "None", reverse entries) is not > 0.
      const flag = HttpTransportType[name];
      if (!(flag > 0)) continue;
      // Server-Sent Events carry text only, whatever a server claims.
      const refusal =
        requested && !(requested & flag)
          ? "is disabled by the client"
          : transferFormats.indexOf(formatName) < 0 || (flag == 2 && format > 1)
            ? `does not support ${formatName}${flag == 2 ? " (text only, not MessagePack)" : ""}`
            : "";
      // A connection token is single-use: the failed attempt spent it.
      if (!refusal && tokenUsed) answer = await this._negotiate(answer.url!, signal);
      try {
        // A refused transport is recorded like one that failed to start.
        if (refusal) throw new TransportError(name, `${name} ${refusal}`);
        tokenUsed = true;
        return await this._connect((flag == 1 ? webSocketTransport : flag == 2 ? serverSentEventsTransport : longPollingTransport)(this, name), flag, format, signal, answer);
      } catch (error) {
        if (error instanceof AbortError) throw error;
        const failure = error instanceof TransportError ? error : new TransportError(name, `${name} failed: ${(error as Error).message}`, { cause: error });
        failures.push(failure);
        if (!refusal) this._logger.log(LogLevel.Warning, failure.message);
      }
    }
    throw new NoTransportError(`Cannot connect to ${redactUrl(this.baseUrl)}: ${failures.map((failure) => failure.message).join("; ") || "no transport the client allows"}`, failures);
  }

  /** Negotiates at `url`, following redirects (Azure SignalR Service and the like). */
  private async _negotiate(url: string, signal: AbortSignal): Promise<NegotiateAnswer> {
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
        answer = Object(JSON.parse((content = (await this._http("POST", target, { content: "", abortSignal: signal })).content) as string));
      } catch (error) {
        throw error instanceof HttpError
          ? fail(`failed: ${error.message}`, { cause: error, statusCode: error.statusCode })
          : error instanceof SyntaxError
            ? fail(`answered invalid JSON: ${String(content).slice(0, 100)}`, { cause: error })
            : error;
      }
      if (answer.ProtocolVersion) throw fail(`answered ProtocolVersion ${answer.ProtocolVersion} (legacy ASP.NET SignalR)`);
      if (answer.error) throw fail(`was refused: ${answer.error}`);
      if (answer.url) {
        url = answer.url;
        if (answer.accessToken) this._redirectToken = answer.accessToken;
        continue;
      }
      const id = answer.connectionId;
      // v0 servers send no connectionToken: the id is the token.
      const token = answer.negotiateVersion! > 0 ? answer.connectionToken : id;
      if (!id || !token) throw fail(`answered without a ${id ? "connectionToken" : "connectionId"}`);
      answer.url = url;
      answer.connectionToken = token;
      return answer;
    }
    throw fail("redirected 100 times");
  }

  /**
   * Connects `transport` (to the negotiated connection, or straight to the hub URL) and moves
   * to CONNECTED. `flag`: the built-in transport's HttpTransportType, 0 for a custom one.
   */
  private async _connect(transport: ITransport, flag: number, format: TransferFormat, signal: AbortSignal, answer?: NegotiateAnswer): Promise<void> {
    const url = answer ? appendQuery(answer.url!, "id", answer.connectionToken!) : this.baseUrl;
    // stop() may have been called meanwhile, and a custom HTTP client or transport may have ignored it.
    const stopIfAborted = async () => {
      if (signal.aborted) {
        await transport.stop().catch(noop);
        throw new AbortError("Stopped while connecting");
      }
    };
    await stopIfAborted();
    transport.onreceive = (data) => {
      this._trace("received", data);
      if (this.onreceive) this.onreceive(data);
    };
    transport.onclose = null;
    this._transport = transport;
    await transport.connect(url, format);
    await stopIfAborted();
    const features = this.features;
    this._state = CONNECTED;
    this._ws = flag == 1;
    // A POST of an earlier transport, still held by the server, must not hold up this one's.
    this._posting = this._batch = undefined;
    this.connectionId = answer && answer.connectionId;
    features.inherentKeepAlive = flag == 4 || !!(transport as { inherentKeepAlive?: boolean }).inherentKeepAlive;
    features.reconnect = !!(answer && answer.useStatefulReconnect) && flag == 1;
    transport.onclose = (error) => (error && features.reconnect && this._state == CONNECTED ? void this._resume(transport, url, format, error) : this._closed(transport, error));
  }

  /**
   * Stateful reconnect: the socket dropped, so open it again to the same connection
   * (same ?id=, a fresh token) and let the hub layer replay what was not acknowledged.
   * If that fails, the connection closes as it would have without stateful reconnect.
   */
  private async _resume(transport: ITransport, url: string, format: TransferFormat, error: Error): Promise<void> {
    const features = this.features;
    const log = (message: string) => this._logger.log(LogLevel.Information, message);
    log(`WebSocket dropped (${error.message}); resuming`);
    if (features.disconnected) features.disconnected();
    try {
      await transport.connect(url, format);
      // stop() was called meanwhile.
      if (this._state != CONNECTED || this._transport != transport) return transport.stop();
      await (features.resend && features.resend());
      log("Connection resumed");
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
      if (this.onclose) this.onclose(this._stopError || error);
    }
  }
}

/** One POST body from several payloads: text joined, or the bytes end to end (text as UTF-8). */
function concat(parts: Payload[]): Payload {
  if (parts.every((part) => typeof part == "string")) return parts.join("");
  const chunks = parts.map((part) => (typeof part == "string" ? new TextEncoder().encode(part) : new Uint8Array(part)));
  const joined = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  chunks.reduce((offset, chunk) => (joined.set(chunk, offset), offset + chunk.length), 0);
  return joined.buffer;
}
