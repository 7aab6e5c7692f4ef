import { platform } from "#platform";
import { AbortError, HttpError, InvalidArgumentError, InvalidStateError, NegotiateError, NoTransportError, TransportError, type TransportName } from "../errors.js";
import { DefaultHttpClient } from "../http/defaultHttpClient.js";
import type { HttpRequest, HttpResponse } from "../http/httpClient.js";
import { createLogger, describeData, LogLevel, redactUrl } from "../logging.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { joinPayloads } from "../protocol/payload.js";
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
/** One transport a negotiate answer offers. */
type Offer = { transport: TransportName; transferFormats: string[] };

interface NegotiateAnswer {
  url?: string;
  accessToken?: string;
  error?: string;
  ProtocolVersion?: string;
  connectionId?: string;
  connectionToken?: string;
  negotiateVersion?: number;
  availableTransports?: Offer[];
  useStatefulReconnect?: boolean;
}

/**
 * One connection to a hub endpoint: negotiates (following redirects), picks a transport
 * (falling back in the server's order), and moves payloads. Knows nothing of hub messages.
 * The hub layer calls start() only when Disconnected.
 *
 * Its state lives in the constructor's closure (as graphql-ws's client does): local
 * names minify to one letter, `this._name` never does.
 */
export class HttpConnection implements Connection {
  // `declare`: all are set in the constructor, so no field initialisers in the output.
  declare connectionId: string | undefined;
  declare baseUrl: string;
  declare readonly features: ConnectionFeatures;
  declare onreceive: ((data: Payload) => void) | null;
  declare onclose: ((error?: Error) => void) | null;
  /** Negotiates and connects a transport; rejects with what went wrong (NoTransportError lists each transport's failure). */
  declare start: (transferFormat: TransferFormat) => Promise<void>;
  /** Sends one payload; rejects with InvalidStateError when not connected. */
  declare send: (data: Payload) => Promise<void>;
  /** Closes the connection (or abandons a start in progress); `onclose` then receives `error`. */
  declare stop: (error?: Error) => Promise<void>;

  constructor(url: string, options: IHttpConnectionOptions = {}) {
    const connection = this;
    this.baseUrl = resolveHubUrl(url);
    const { logger = LogLevel.None, timeout = 100_000, withCredentials = true, accessTokenFactory } = options;
    const log = createLogger(logger);
    const [agentHeader, agent] = platform.userAgentHeader;
    const client = options.httpClient || new DefaultHttpClient(log);
    const headers: Record<string, string> = Object.assign({ [agentHeader]: agent }, options.headers);
    const features: ConnectionFeatures = (this.features = { inherentKeepAlive: false, reconnect: false });
    let state = DISCONNECTED;
    /** The transport in use, or being connected (so that stop() can end it). */
    let current: ITransport | undefined;
    /** The transport in use is the built-in WebSockets one: sends go straight to the socket. */
    let viaSocket = false;
    let starting: Promise<void>;
    let abort: AbortController;
    let stopError: Error | undefined;
    /** The bearer token of this attempt: the factory's latest answer, or a redirect's. */
    let token: string | undefined;
    /** A token a negotiate redirect handed out: it stands in for the factory until the next start(). */
    let redirectToken: string | undefined;
    /** HTTP transports: the POST in flight (settled either way), while there is one. */
    let posting: Promise<void> | undefined;
    /** The payloads waiting for it to go together in the next POST, and that POST's outcome. */
    let batch: Payload[] | undefined;
    let batchSent: Promise<void>;

    /** Logs a payload at Trace: its size, or its content when `logMessageContent` is on. */
    const trace = (what: string, data: Payload) => log.log(LogLevel.Trace, `${what} ${describeData(data, !!options.logMessageContent)}`);

    /** Asks the token factory (a redirect's token stands in for it); called before each negotiate and transport connect. */
    const refreshToken = async () => (token = redirectToken || (accessTokenFactory && (await accessTokenFactory())) || undefined);

    /**
     * A request with the connection's headers and bearer token; a 401 asks the token factory once more.
     * A non-2xx answer is an HttpError even when a user's HttpClient resolves with it instead of throwing.
     */
    const http = async (method: string, url: string, request?: HttpRequest, retried?: boolean): Promise<HttpResponse> => {
      const used = token;
      try {
        const response = await client.send(
          Object.assign({ method, url, timeout, withCredentials }, request, {
            headers: Object.assign({ "X-Requested-With": "XMLHttpRequest" }, headers, used && { Authorization: `Bearer ${used}` }),
          }),
        );
        const status = response.statusCode;
        if (status < 200 || status > 299) throw new HttpError(`${method} ${redactUrl(url)} failed: ${status} ${response.statusText || ""}`.trim(), status);
        return response;
      } catch (error) {
        // A redirect's token is fixed: asking again only makes sense of the user's factory.
        if (!retried && error instanceof HttpError && error.statusCode == 401 && accessTokenFactory && !redirectToken && (await refreshToken()) != used) {
          return http(method, url, request, true);
        }
        throw error;
      }
    };

    /** What the built-in transports get from the connection. */
    const transportOptions: TransportOptions = { _options: options, _client: client, _headers: headers, _logger: log, _http: http, _refreshToken: refreshToken };

    /** Sends one POST; until it settles, sends wait in `batch`. */
    const post = (transport: ITransport, data: Payload): Promise<void> => {
      const sent = transport.send(data);
      const settled = (posting = sent.catch(noop).then(() => {
        if (posting == settled) posting = undefined;
      }));
      return sent;
    };

    /** The transport is gone: report it once, with the stop error if stop() gave one. */
    const closed = (transport: ITransport | undefined, error?: Error) => {
      if (transport && transport == current) {
        current = undefined;
        state = DISCONNECTED;
        connection.connectionId = undefined;
        if (connection.onclose) connection.onclose(stopError || error);
      }
    };

    /** Negotiates at `url`, following redirects (Azure SignalR Service and the like). */
    const negotiate = async (url: string, signal: AbortSignal): Promise<NegotiateAnswer> => {
      let where = "";
      const fail = (problem: string, options?: { cause: unknown; statusCode?: number }) => new NegotiateError(`Negotiate at ${where} ${problem}`, where, options);
      // At most 100 requests, as the official client: the 100th redirect gives up.
      for (let hop = 0; hop < 100; hop++) {
        const target = negotiateUrl(url, !!options._useStatefulReconnect);
        where = redactUrl(target);
        await refreshToken();
        let content: unknown;
        let answer: NegotiateAnswer;
        try {
          // Object(): a JSON null or number reads as an answer without a connectionId.
          answer = Object(JSON.parse((content = (await http("POST", target, { content: "", abortSignal: signal })).content) as string));
        } catch (error) {
          throw error instanceof HttpError
            ? fail(`failed: ${error.message}`, { cause: error, statusCode: error.statusCode })
            : error instanceof SyntaxError
              ? fail(`answered invalid JSON: ${String(content).slice(0, 100)}`, { cause: error })
              : error;
        }
        if (answer.ProtocolVersion) throw fail(`answered ProtocolVersion ${answer.ProtocolVersion} (a legacy ASP.NET SignalR server)`);
        if (answer.error) throw fail(`was refused: ${answer.error}`);
        if (answer.url) {
          url = answer.url;
          if (answer.accessToken) redirectToken = answer.accessToken;
          continue;
        }
        const id = answer.connectionId;
        // v0 servers send no connectionToken: the id is the token.
        const connectionToken = answer.negotiateVersion! > 0 ? answer.connectionToken : id;
        if (!id || !connectionToken) throw fail(`answered without a ${id ? "connectionToken" : "connectionId"}`);
        answer.url = url;
        answer.connectionToken = connectionToken;
        return answer;
      }
      throw fail("redirected 100 times");
    };

    /**
     * Stateful reconnect: the socket dropped, so open it again to the same connection
     * (same ?id=, a fresh token) and let the hub layer replay what was not acknowledged.
     * If that fails, the connection closes as it would have without stateful reconnect.
     */
    const resume = async (transport: ITransport, url: string, format: TransferFormat, error: Error) => {
      const info = (message: string) => log.log(LogLevel.Information, message);
      info(`WebSocket dropped (${error.message}); resuming`);
      if (features.disconnected) features.disconnected();
      try {
        await transport.connect(url, format);
        // stop() was called meanwhile.
        if (state != CONNECTED || current != transport) return transport.stop();
        await (features.resend && features.resend());
        info("Connection resumed");
      } catch (resumeError) {
        info(`Resume failed: ${(resumeError as Error).message}`);
        closed(transport, error);
      }
    };

    /**
     * Connects `transport` (to the negotiated connection, or straight to the hub URL) and moves
     * to CONNECTED. `flag`: the built-in transport's HttpTransportType, 0 for a custom one.
     */
    const connect = async (transport: ITransport, flag: number, format: TransferFormat, signal: AbortSignal, answer?: NegotiateAnswer): Promise<void> => {
      const url = answer ? appendQuery(answer.url!, "id", answer.connectionToken!) : connection.baseUrl;
      // stop() may have been called meanwhile, and a custom HTTP client or transport may have ignored it.
      const stopIfAborted = async () => {
        if (signal.aborted) {
          await transport.stop().catch(noop);
          throw new AbortError("Stopped while connecting");
        }
      };
      await stopIfAborted();
      transport.onreceive = (data) => {
        trace("received", data);
        if (connection.onreceive) connection.onreceive(data);
      };
      transport.onclose = null;
      current = transport;
      await transport.connect(url, format);
      await stopIfAborted();
      state = CONNECTED;
      viaSocket = flag == 1;
      // A POST of an earlier transport, still held by the server, must not hold up this one's.
      posting = batch = undefined;
      connection.connectionId = answer && answer.connectionId;
      // As the official client: Long Polling only (a custom transport's own flag is not read).
      features.inherentKeepAlive = flag == 4;
      features.reconnect = !!(answer && answer.useStatefulReconnect) && viaSocket;
      transport.onclose = (error) => (error && features.reconnect && state == CONNECTED ? void resume(transport, url, format, error) : closed(transport, error));
    };

    /** Negotiates, then tries the transports the server offers, in its order, until one connects. */
    const startTransport = async (format: TransferFormat, signal: AbortSignal): Promise<void> => {
      const requested = options.transport || HttpTransportType.None;
      if (options.skipNegotiation) {
        if (requested !== HttpTransportType.WebSockets) throw new InvalidArgumentError("skipNegotiation needs transport: HttpTransportType.WebSockets");
        return connect(webSocketTransport(transportOptions, "WebSockets"), 1, format, signal);
      }
      let answer = await negotiate(connection.baseUrl, signal);
      // A custom ITransport: no choice to make.
      if (typeof requested == "object") return connect(requested, 0, format, signal, answer);
      const formatName = TransferFormat[format];
      const failures: Error[] = [];
      let tokenUsed = false;
      // A malformed list (not an array, null entries) offers nothing rather than throwing a TypeError.
      for (const { transport: name, transferFormats } of ([] as Offer[]).concat(answer.availableTransports || []).map((offer) => offer || ({} as Offer))) {
        // HttpTransportType maps names to flags; anything else (unknown names, "None", reverse entries) is not > 0.
        const flag = HttpTransportType[name];
        if (!(flag > 0)) continue;
        // Server-Sent Events carry text only, whatever a server claims.
        const refusal =
          requested && !(requested & flag)
            ? "is disabled by the client"
            : !Array.isArray(transferFormats) || transferFormats.indexOf(formatName) < 0 || (flag == 2 && format > 1)
              ? `does not support ${formatName}${flag == 2 ? " (Server-Sent Events: text only, not MessagePack)" : ""}`
              : "";
        // A connection token is single-use: the failed attempt spent it.
        if (!refusal && tokenUsed) answer = await negotiate(answer.url!, signal);
        try {
          // A refused transport is recorded like one that failed to start.
          if (refusal) throw new TransportError(name, `${name} ${refusal}`);
          tokenUsed = true;
          return await connect((flag == 1 ? webSocketTransport : flag == 2 ? serverSentEventsTransport : longPollingTransport)(transportOptions, name), flag, format, signal, answer);
        } catch (error) {
          if (error instanceof AbortError) throw error;
          const failure = error instanceof TransportError ? error : new TransportError(name, `${name} failed: ${(error as Error).message}`, { cause: error });
          failures.push(failure);
          if (!refusal) log.log(LogLevel.Warning, failure.message);
        }
      }
      throw new NoTransportError(`Cannot connect to ${redactUrl(connection.baseUrl)}: ${failures.map((failure) => failure.message).join("; ") || "no transport the client allows"}`, failures);
    };

    this.onreceive = this.onclose = null;

    this.start = (format) => {
      state = CONNECTING;
      stopError = redirectToken = undefined;
      // connect() moves to CONNECTED once a transport is up.
      return (starting = startTransport(format, (abort = new AbortController()).signal).catch((error) => {
        state = DISCONNECTED;
        throw error;
      }));
    };

    this.send = async (data) => {
      const transport = current!;
      if (state != CONNECTED) throw new InvalidStateError("Cannot send: not connected");
      trace("sending", data);
      if (viaSocket) return transport.send(data);
      // Other transports POST each send, and POSTs in flight together may arrive out of order:
      // one POST at a time, the first at once (a Close sent just before stop() must go out),
      // and whatever is queued meanwhile together in the next.
      if (batch) {
        batch.push(data);
      } else if (posting) {
        const parts: Payload[] = (batch = [data]);
        // Unless a later start() dropped this batch: then it goes out without touching the new one's.
        batchSent = posting.then(() => {
          const body = joinPayloads(parts);
          return batch == parts ? ((batch = undefined), post(transport, body)) : transport.send(body);
        });
      } else {
        return post(transport, data);
      }
      return batchSent;
    };

    let stopping: Promise<void>;
    const stop = async (error?: Error) => {
      const was = state;
      const transport = current;
      if (was < CONNECTING) return;
      stopError = error;
      state = DISCONNECTING;
      abort.abort();
      let failure: Error | undefined;
      // As with the official client, onclose comes after stop() returns, never during the call.
      await 0;
      // While connecting, this tells a transport still opening its socket or first poll to give up.
      await (transport &&
        transport.stop().catch((stopFailure: Error) => {
          failure = stopFailure;
          log.log(LogLevel.Error, `Stopping the transport failed: ${stopFailure.message}`);
        }));
      if (was == CONNECTING) return starting.catch(noop);
      // A custom transport may not raise onclose from stop(); make sure the close is seen.
      closed(transport, failure);
    };
    // A stop under way is waited for (as the official client does), not reported done at once.
    this.stop = (error) => (state == DISCONNECTING ? stopping : (stopping = stop(error)));
  }
}
