import type { Connection } from "../connection/connection.js";
import {
  AbortError,
  ConnectionClosedError,
  HandshakeError,
  HubError,
  InvalidArgumentError,
  InvalidStateError,
  ProtocolError,
  TimeoutError,
  toError,
} from "../errors.js";
import { LogLevel, type ILogger } from "../logging.js";
import { parseHandshakeResponse, writeHandshakeRequest } from "../protocol/handshake.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import { MessageType, type CompletionMessage, type HubMessage, type StreamItemMessage } from "../protocol/messages.js";
import { appendPayload, payloadLength } from "../protocol/payload.js";
import { HubConnectionState } from "./hubConnectionState.js";
import { createMessageBuffer, type MessageBuffer } from "./messageBuffer.js";
import type { IRetryPolicy } from "./retryPolicy.js";
import type { IStreamResult, IStreamSubscriber, ISubscription } from "./stream.js";

/** Everything a HubConnection is built from; `HubConnectionBuilder` fills it in. */
export interface HubConnectionParts {
  readonly connection: Connection;
  readonly logger: ILogger;
  readonly protocol: IHubProtocol;
  readonly reconnectPolicy?: IRetryPolicy | undefined;
  readonly serverTimeoutInMilliseconds?: number | undefined;
  readonly keepAliveIntervalInMilliseconds?: number | undefined;
  /** Bytes of unacknowledged messages kept for stateful reconnect; undefined when it is off. */
  readonly statefulReconnectBufferSize?: number | undefined;
}

/** A client method the server can call. Its return value answers invocations that expect a result. */
type ClientMethod = (...args: any[]) => any;

/**
 * What waits for the server's answer to an invocation or a stream, by id: it gets the
 * StreamItems and the Completion, or an error when sending fails or (`closed`) the
 * connection closes. Running client-to-server streams are kept with them, to be
 * stopped when the connection closes.
 */
type Pending = (message: StreamItemMessage | CompletionMessage | undefined, error?: Error, closed?: boolean) => void;

/** A stream argument: hubwire's Subject, anything with `subscribe`, or an async iterable. */
type StreamSource = { subscribe(subscriber: IStreamSubscriber<any>): ISubscription<any> } | AsyncIterable<unknown>;

type StateChange = { previous: HubConnectionState; current: HubConnectionState };

/** The lifecycle events, as stored with their listeners. */
const CLOSE = 0;
const RECONNECTING = 1;
const RECONNECTED = 2;
const STATE_CHANGE = 3;

const { Disconnected, Connecting, Connected, Disconnecting, Reconnecting } = HubConnectionState;
const { Invocation, StreamItem, Completion, StreamInvocation, CancelInvocation, Ping, Close } = MessageType;
const noop = () => {};

/**
 * A connection to a SignalR hub. Build one with `HubConnectionBuilder`.
 *
 * The state only moves Disconnected → Connecting → Connected, Connected ⇄ Reconnecting,
 * any of those → Disconnecting → Disconnected, or straight to Disconnected when a start
 * or a reconnect fails; `onstatechange` sees each change.
 *
 * @example
 * const connection = new HubConnectionBuilder().withUrl("/chat").build();
 * connection.on("broadcastMessage", (name, text) => console.log(name, text));
 * await connection.start();
 * await connection.invoke("Send", "me", "hello");
 */
export class HubConnection {
  /** Milliseconds without any message from the server before the connection is considered lost. Default 30 000. */
  serverTimeoutInMilliseconds: number;
  /** Milliseconds without sending anything before a Ping is sent. Default 15 000. */
  keepAliveIntervalInMilliseconds: number;

  private readonly _conn: Connection;
  private readonly _logger: ILogger;
  private readonly _protocol: IHubProtocol;
  private readonly _policy: IRetryPolicy | undefined;
  private readonly _bufferSize: number | undefined;
  private _state = Disconnected;
  /** Lifecycle callbacks, each with its event. */
  private _listeners: [number, (arg?: any) => void][] = [];
  /** Client methods by lower-cased name; each list is replaced, never changed, so it can be iterated safely. */
  private readonly _methods = new Map<string, ClientMethod[]>();
  private _calls = new Map<string, Pending>();
  private _nextId = 0;
  /** Settles the hub handshake under way; with an error it fails. */
  private _handshake: ((error?: Error) => void) | undefined;
  /** An incomplete handshake response or hub message, kept until the rest arrives. */
  private _partial: string | ArrayBuffer | undefined;
  /** Stateful reconnect's bookkeeping, while the current connection has it. */
  private _buffer: MessageBuffer | undefined;
  /** True from reaching Connected until the close is reported: only then does onclose fire. */
  private _started = false;
  private _starting: Promise<void> | undefined;
  private _stopping: Promise<void> | undefined;
  /**
   * Set by stop(): why the connection is closing, which onclose reports (undefined for a plain
   * stop()); when it interrupts a start or a reconnect attempt, what that attempt fails with.
   */
  private _stopError: Error | undefined;
  /** Ends the current reconnect delay early (stop() during it). */
  private _wake: (() => void) | undefined;
  // Keep-alive: activity only records a time; each timer, when it fires, re-arms for
  // whatever is left of its interval, so a busy connection does not reset timers per message.
  private _sentAt = 0;
  private _receivedAt = 0;
  private _pingTimer: ReturnType<typeof setTimeout> | undefined;
  private _timeoutTimer: ReturnType<typeof setTimeout> | undefined;

  /** @internal Use `HubConnectionBuilder`. */
  constructor(parts: HubConnectionParts) {
    const connection = (this._conn = parts.connection);
    this._logger = parts.logger;
    this._protocol = parts.protocol;
    this._bufferSize = parts.statefulReconnectBufferSize;
    this._policy = parts.reconnectPolicy;
    this.serverTimeoutInMilliseconds = parts.serverTimeoutInMilliseconds || 30_000;
    this.keepAliveIntervalInMilliseconds = parts.keepAliveIntervalInMilliseconds || 15_000;
    connection.onreceive = (data) => this._receive(data);
    connection.onclose = (error) => this._closed(error);
  }

  /** The connection's state. */
  get state(): HubConnectionState {
    return this._state;
  }

  /** The server's id for this connection while connected, else null. */
  get connectionId(): string | null {
    return this._conn.connectionId || null;
  }

  /** The hub URL. It can be changed while Disconnected or Reconnecting. */
  get baseUrl(): string {
    return this._conn.baseUrl;
  }

  set baseUrl(url: string) {
    if (this._state != Disconnected && this._state != Reconnecting) {
      throw new InvalidStateError(`baseUrl can only change while Disconnected or Reconnecting, not ${this._state}.`);
    }
    if (!url) throw new InvalidArgumentError("baseUrl must be a non-empty string.");
    this._conn.baseUrl = url;
  }

  /**
   * Connects: negotiates, opens a transport and completes the hub handshake.
   * @throws InvalidStateError unless Disconnected; NegotiateError, NoTransportError,
   *   HandshakeError or AbortError (stopped meanwhile) when connecting fails.
   */
  start(): Promise<void> {
    return (this._starting = this._start());
  }

  /**
   * Disconnects. Pending invocations reject with `ConnectionClosedError`; `onclose`
   * callbacks run. Never rejects; calling it while already stopping waits for that stop.
   */
  async stop(): Promise<void> {
    const starting = this._starting;
    await (this._stopping = this._stop());
    // A start that stop() interrupted reports its failure through start(), not here.
    if (starting) await starting.catch(noop);
  }

  /**
   * Calls a hub method without waiting for its result. Resolves once the message is sent.
   * Stream arguments (a `Subject`, anything with `subscribe`, an async iterable) are sent as client-to-server streams.
   * @throws InvalidStateError when not connected.
   */
  send(methodName: string, ...args: any[]): Promise<void> {
    return this._call(Invocation, methodName, args)[0];
  }

  /**
   * Calls a hub method and resolves with its result.
   * @throws HubError when the hub method fails; ConnectionClosedError when the connection closes first;
   *   InvalidStateError when not connected.
   */
  invoke<T = any>(methodName: string, ...args: any[]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this._call(Invocation, methodName, args, (message, error) => {
        if (error) return reject(error);
        if (message!.type == StreamItem) {
          this._calls.delete(message!.invocationId);
          return reject(new ProtocolError(`Stream item received for '${methodName}', which was invoked, not streamed.`));
        }
        message!.error ? reject(new HubError(message!.error, methodName)) : resolve(message!.result);
      })[0].catch(reject);
    });
  }

  /**
   * Calls a streaming hub method. Items that arrive before `subscribe` are kept for the
   * first subscriber; disposing the last subscription cancels the stream on the server.
   */
  stream<T = any>(methodName: string, ...args: any[]): IStreamResult<T> {
    const subscribers: IStreamSubscriber<T>[] = [];
    // What happened before the first subscribe, replayed to it.
    let backlog: ((subscriber: IStreamSubscriber<T>) => void)[] | undefined = [];
    let ended = false;
    const emit = (event: (subscriber: IStreamSubscriber<T>) => void, end?: boolean) => {
      if (ended) return;
      if (end) ended = true;
      backlog ? backlog.push(event) : subscribers.slice().forEach(event);
    };
    const end = (error?: Error) =>
      emit((subscriber) => {
        subscriber.closed = true;
        error ? subscriber.error(error) : subscriber.complete();
      }, true);
    const [sent, invocationId] = this._call(StreamInvocation, methodName, args, (message, error) =>
      error
        ? end(error)
        : message!.type == StreamItem
          ? emit((subscriber) => subscriber.next(message!.item))
          : end(message!.error ? new HubError(message!.error, methodName) : undefined),
    );
    sent.catch(end);
    return {
      subscribe: (subscriber) => {
        subscribers.push(subscriber);
        const replay = backlog;
        backlog = undefined;
        if (replay) replay.forEach((event) => event(subscriber));
        return {
          dispose: () => {
            const index = subscribers.indexOf(subscriber);
            if (index < 0) return;
            subscribers.splice(index, 1);
            if (!subscribers.length && !ended) {
              ended = true;
              this._calls.delete(invocationId!);
              if (this._state == Connected) this._send({ type: CancelInvocation, invocationId }).catch(this._sendFailed);
            }
          },
        };
      },
    };
  }

  /**
   * Registers a handler for a method the server calls. Names match case-insensitively.
   * If the server expects a result, the handler's return value (or promise) answers it.
   */
  on(methodName: string, newMethod: ClientMethod): void {
    if (!methodName || typeof newMethod != "function") return;
    const name = methodName.toLowerCase();
    const methods = this._methods.get(name) || [];
    if (!methods.includes(newMethod)) this._methods.set(name, methods.concat(newMethod));
  }

  /** Removes one handler, or every handler of the method when `method` is omitted. */
  off(methodName: string): void;
  off(methodName: string, method: ClientMethod): void;
  off(methodName: string, method?: ClientMethod): void {
    if (!methodName) return;
    const name = methodName.toLowerCase();
    this._methods.set(name, method ? (this._methods.get(name) || []).filter((m) => m != method) : []);
  }

  /** Runs `callback` when the connection closes for good; returns a function that removes it. */
  onclose(callback: (error?: Error) => void): () => void {
    return this._on(CLOSE, callback);
  }

  /** Runs `callback` when automatic reconnect starts; returns a function that removes it. */
  onreconnecting(callback: (error?: Error) => void): () => void {
    return this._on(RECONNECTING, callback);
  }

  /** Runs `callback` when automatic reconnect succeeds; returns a function that removes it. */
  onreconnected(callback: (connectionId?: string) => void): () => void {
    return this._on(RECONNECTED, callback);
  }

  /** Runs `callback` on every state change; returns a function that removes it. */
  onstatechange(callback: (change: StateChange) => void): () => void {
    return this._on(STATE_CHANGE, callback);
  }

  // ---- lifecycle -------------------------------------------------------

  private _on(event: number, callback: (arg?: any) => void): () => void {
    const listener: [number, (arg?: any) => void] = [event, callback];
    this._listeners.push(listener);
    return () => {
      this._listeners = this._listeners.filter((l) => l != listener);
    };
  }

  /** Calls the listeners of `event`; one that throws is logged and the others still run. */
  private _emit(event: number, arg?: unknown): void {
    this._listeners.forEach(([on, callback]) => {
      if (on == event) {
        try {
          callback(arg);
        } catch (error) {
          this._log(LogLevel.Error, `A HubConnection callback threw: ${toError(error).message}`);
        }
      }
    });
  }

  private _setState(current: HubConnectionState): void {
    const previous = this._state;
    if (previous != current) {
      this._state = current;
      this._emit(STATE_CHANGE, { previous, current });
    }
  }

  private _log(level: LogLevel, message: string): void {
    this._logger.log(level, message);
  }

  private async _start(): Promise<void> {
    if (this._state != Disconnected) throw new InvalidStateError(`Cannot start a HubConnection that is ${this._state}, not Disconnected.`);
    this._setState(Connecting);
    try {
      await this._connect();
      // stop() may have come between the handshake and here.
      if (this._stopError) throw this._stopError;
    } catch (error) {
      this._setState(Disconnected);
      throw error;
    }
    this._setState(Connected);
    this._started = true;
    this._log(LogLevel.Information, "HubConnection connected.");
  }

  /** Opens the connection and completes the handshake; shared by start and reconnect. */
  private async _connect(): Promise<void> {
    const connection = this._conn;
    const protocol = this._protocol;
    this._stopError = this._partial = undefined;
    const handshake = new Promise<void>((resolve, reject) => {
      this._handshake = (error) => {
        this._handshake = undefined;
        error ? reject(error) : resolve();
      };
    });
    // Rejections are awaited below; this stops an early one being reported as unhandled.
    handshake.catch(noop);
    try {
      await connection.start(protocol.transferFormat);
      const stateful = this._bufferSize !== undefined && connection.features.reconnect;
      this._useBuffer(stateful);
      // Long Polling keeps itself alive: no pings and no server timeout there.
      // The server timeout also covers the wait for the handshake response.
      if (!connection.features.inherentKeepAlive) {
        this._receivedAt = Date.now();
        this._arm(false, this.serverTimeoutInMilliseconds);
      }
      // Protocols declare version 2 (stateful reconnect's Ack and Sequence); without
      // stateful reconnect the handshake asks for version 1, which every server accepts.
      await this._sendRaw(writeHandshakeRequest({ protocol: protocol.name, version: stateful ? protocol.version : Math.min(protocol.version, 1) }));
      await handshake;
      // Unless the connection closed or stop() was called meanwhile (clearing the timers), start pinging.
      if (this._timeoutTimer) {
        this._sentAt = Date.now();
        this._arm(true, this.keepAliveIntervalInMilliseconds);
      }
    } catch (error) {
      this._handshake = undefined;
      this._stopTimers();
      // Reported to _closed too, which ignores it while starting.
      await connection.stop(toError(error));
      throw this._stopError || error;
    }
  }

  private async _stop(error?: Error): Promise<void> {
    const previous = this._state;
    if (previous == Disconnected) return;
    if (previous == Disconnecting) return this._stopping;
    this._setState(Disconnecting);
    this._stopError = error;
    this._stopTimers();
    if (previous == Connected) {
      // Best effort, not awaited (as the official client): a POST the server is holding
      // must not hold up stop() for the HTTP timeout.
      this._send({ type: Close }).catch(this._sendFailed);
    } else {
      // Connecting, or Reconnecting: the attempt under way fails with this.
      this._stopError = error || new AbortError("The connection was stopped before the hub handshake completed.");
      if (this._handshake) this._handshake(this._stopError);
      if (previous == Reconnecting) {
        if (this._wake) this._wake();
        this._close(error);
      }
    }
    await this._conn.stop(error);
  }

  /** The connection (transport) closed, for any reason. */
  private _closed(error?: Error): void {
    const state = this._state;
    if (this._handshake) this._handshake(error || new HandshakeError("The connection closed before the hub handshake completed."));
    const calls = this._calls;
    this._calls = new Map();
    calls.forEach((pending) => pending(undefined, error, true));
    this._stopTimers();
    this._useBuffer(false);
    if (state == Disconnecting) {
      // A transport error while stopping (an event stream ending, say) is not why we closed.
      this._close(this._stopError);
    } else if (state == Connected) {
      if (error) this._log(LogLevel.Error, `Connection lost: ${error.message}`);
      this._policy ? void this._reconnect(error) : this._close(error);
    }
    // Connecting and Reconnecting: the attempt under way sees the failure through the handshake.
  }

  /** Ends in Disconnected and, if the connection had started, reports the close. */
  private _close(error?: Error): void {
    this._setState(Disconnected);
    if (this._started) {
      this._started = false;
      this._emit(CLOSE, error);
    }
  }

  private async _reconnect(error?: Error): Promise<void> {
    const lostAt = Date.now();
    let retries = 0;
    let reason = error || new ConnectionClosedError("The connection was lost.");
    let delay: number | null;
    while ((delay = this._nextDelay(retries, lostAt, reason)) !== null) {
      if (!retries) {
        this._setState(Reconnecting);
        this._log(LogLevel.Information, "Reconnecting.");
        this._emit(RECONNECTING, error);
      }
      // stop() may have been called meanwhile, even from an onreconnecting callback.
      if (this._state != Reconnecting) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay!);
        this._wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this._state != Reconnecting) return;
      try {
        await this._connect();
        if (this._state != Reconnecting) return void (await this._conn.stop());
        this._setState(Connected);
        this._log(LogLevel.Information, "HubConnection reconnected.");
        this._emit(RECONNECTED, this._conn.connectionId);
        return;
      } catch (attemptError) {
        reason = toError(attemptError);
        this._log(LogLevel.Information, `Reconnect attempt failed: ${reason.message}`);
        if (this._state != Reconnecting) return;
      }
      retries++;
    }
    this._close(error);
  }

  /** The retry policy's delay before the next attempt; null to give up (also when the policy throws). */
  private _nextDelay(previousRetryCount: number, lostAt: number, retryReason: Error): number | null {
    try {
      return this._policy!.nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds: Date.now() - lostAt, retryReason });
    } catch (policyError) {
      this._log(LogLevel.Error, `The retry policy threw: ${toError(policyError).message}`);
      return null;
    }
  }

  // ---- keep-alive ------------------------------------------------------

  /** Arms the ping timer (`ping`) or the server timeout timer, to fire after `delay`. */
  private _arm(ping: boolean, delay: number): void {
    const timer = setTimeout(() => {
      const interval = ping ? this.keepAliveIntervalInMilliseconds : this.serverTimeoutInMilliseconds;
      const left = (ping ? this._sentAt : this._receivedAt) + interval - Date.now();
      if (left > 0) {
        this._arm(ping, left);
      } else if (ping) {
        this._arm(ping, interval);
        this._ping();
      } else {
        this._stopTimers();
        const timeout = new TimeoutError(`Server timeout: nothing received for ${interval} ms.`);
        this._log(LogLevel.Warning, timeout.message);
        void this._conn.stop(timeout);
      }
    }, delay);
    ping ? (this._pingTimer = timer) : (this._timeoutTimer = timer);
  }

  private _stopTimers(): void {
    clearTimeout(this._pingTimer);
    clearTimeout(this._timeoutTimer);
    this._pingTimer = this._timeoutTimer = undefined;
  }

  private _ping(): void {
    if (this._state == Connected) this._send({ type: Ping }).catch(this._sendFailed);
  }

  // ---- incoming ----------------------------------------------------------

  private _receive(data: string | ArrayBuffer): void {
    const protocol = this._protocol;
    const now = (this._receivedAt = Date.now());
    // Browsers throttle timers in background tabs but still deliver network events: ping from here too.
    if (this._pingTimer && now - this._sentAt >= this.keepAliveIntervalInMilliseconds) this._ping();
    let payload: string | ArrayBuffer | undefined = appendPayload(this._partial, data);
    this._partial = undefined;
    if (this._handshake) {
      let parsed;
      try {
        parsed = parseHandshakeResponse(payload);
      } catch (error) {
        return this._handshake(new HandshakeError(`Malformed handshake response: ${toError(error).message}`, { cause: error }));
      }
      if (!parsed) {
        this._partial = payload;
        return;
      }
      const refused = parsed.response.error;
      this._handshake(refused ? new HandshakeError(`Server returned handshake error: ${refused}`) : undefined);
      payload = parsed.remaining;
      if (refused || !payload) return;
    }
    let messages: HubMessage[];
    try {
      const size = payloadLength(payload);
      const complete = protocol.completeLength ? protocol.completeLength(payload) : size;
      // The protocol says where the last complete message ends: keep the rest for the next payload.
      if (complete < size) {
        this._partial = payload.slice(complete);
        payload = payload.slice(0, complete);
      }
      messages = complete ? protocol.parseMessages(payload, this._logger) : [];
    } catch (error) {
      // Protocols from elsewhere (the official ones) throw plain Errors.
      const failure = error instanceof ProtocolError ? error : new ProtocolError(`Malformed message from the server: ${toError(error).message}`, { cause: error });
      this._log(LogLevel.Error, failure.message);
      return void this._conn.stop(failure);
    }
    messages.forEach((message) => this._handle(message));
  }

  private _handle(message: HubMessage): void {
    if (this._buffer && !this._buffer._receive(message)) return;
    const type = message.type;
    if (type == Invocation) {
      this._runClientMethod(message.target, message.arguments, message.invocationId);
    } else if (type == StreamItem || type == Completion) {
      const pending = this._calls.get(message.invocationId);
      // An answer is the last message of its call. Unknown ids (a cancelled stream) are ignored.
      if (type == Completion) this._calls.delete(message.invocationId);
      if (pending) pending(message);
    } else if (type == Close) {
      const error = message.error ? new HubError(`Server closed the connection with an error: ${message.error}`) : undefined;
      // With allowReconnect it is a lost connection, as far as the client is concerned: automatic reconnect may run.
      message.allowReconnect ? void this._conn.stop(error) : (this._stopping = this._stop(error));
    }
    // Ping, Ack, Sequence (the buffer's) and unknown types need nothing more.
  }

  /**
   * Runs the handlers of a server-to-client call. A throwing handler is logged and does not
   * stop the others. When the server expects a result (`invocationId`), the one value returned
   * (or resolved) answers it; none, several, or a failure answer with an error.
   */
  private _runClientMethod(target: string, args: any[], invocationId: string | undefined): void {
    const methods = this._methods.get(target.toLowerCase()) || [];
    const results: unknown[] = [];
    let failure: Error | undefined;
    const failed = (error: unknown) => {
      failure = toError(error);
      this._log(LogLevel.Error, `Client method '${target}' threw: ${failure.message}`);
    };
    if (!methods.length) this._log(LogLevel.Warning, `No client method with the name '${target}' found.`);
    const outcomes = methods.map((method) => {
      try {
        return Promise.resolve(method.apply(this, args)).then((value) => {
          if (value !== undefined) results.push(value);
        }, failed);
      } catch (error) {
        failed(error);
      }
    });
    if (invocationId) {
      void Promise.all(outcomes).then(() => {
        const error = results.length > 1 ? "Client provided multiple results." : failure ? String(failure) : results.length ? 0 : "Client didn't provide a result.";
        this._send(error ? { type: Completion, invocationId, error } : { type: Completion, invocationId, result: results[0] }).catch(this._sendFailed);
      });
    }
  }

  // ---- outgoing ------------------------------------------------------------

  /**
   * Sends an Invocation or a StreamInvocation. With `pending`, the call gets an id and waits
   * for its answer; a failed send goes to `pending` and the promise returned only rejects when
   * not connected. Without it (send), the promise is the send's. Stream arguments are
   * subscribed to right away, so items pushed just after the call are kept, and sent in order
   * after the invocation itself.
   */
  private _call(type: MessageType, methodName: string, args: any[], pending?: Pending): [Promise<void>, (string | undefined)?] {
    if (this._state != Connected) {
      return [Promise.reject(new InvalidStateError(`'${methodName}' was not sent: the connection is not in the 'Connected' state (it is '${this._state}').`))];
    }
    const calls = this._calls;
    const plain: unknown[] = [];
    const streams: [string, StreamSource][] = [];
    args.forEach((arg) =>
      arg && (typeof arg.subscribe == "function" || typeof arg[Symbol.asyncIterator] == "function") ? streams.push(["" + this._nextId++, arg]) : plain.push(arg),
    );
    const invocationId = pending && "" + this._nextId++;
    if (pending) {
      calls.set(invocationId!, (message, error, closed) =>
        pending(
          message,
          closed
            ? new ConnectionClosedError(`Invocation of '${methodName}' canceled because the connection closed${error ? `: ${error.message}` : "."}`, error && { cause: error })
            : error,
        ),
      );
    }
    const sent = this._send({ type, invocationId, target: methodName, arguments: plain, streamIds: streams.length ? streams.map((s) => s[0]) : undefined });
    let queue = sent;
    streams.forEach(([streamId, source]) => {
      let done = false;
      let stop = noop;
      const put = (message: object) => (queue = queue.then(() => this._send(message)));
      const item = (item: unknown) => put({ type: StreamItem, invocationId: streamId, item });
      /** Ends the stream, with the source's error message when it failed. */
      const finish = (error?: string) => {
        if (done) return;
        done = true;
        this._calls.delete(streamId);
        put({ type: Completion, invocationId: streamId, error }).catch(this._sendFailed);
      };
      // The connection closing stops the stream without sending anything more.
      calls.set(streamId, () => {
        done = true;
        stop();
      });
      if ("subscribe" in source) {
        const subscription = source.subscribe({
          next: (value: unknown) => done || item(value).catch(this._sendFailed),
          error: (error: unknown) => finish(toError(error).message),
          complete: () => finish(),
        });
        stop = () => subscription.dispose();
        if (done) stop();
      } else {
        const iterator = source[Symbol.asyncIterator]();
        stop = () => void Promise.resolve(iterator.return && iterator.return()).catch(noop);
        void (async () => {
          try {
            for (let step; !(step = await iterator.next()).done && !done; ) await item(step.value);
          } catch (error) {
            return finish(toError(error).message);
          }
          finish();
        })();
      }
    });
    return [
      invocationId
        ? sent.catch((error) => {
            // While stopping, a send fails because the connection is closing under it (Long Polling:
            // a POST reaching the server after stop()'s DELETE gets 404): that is a ConnectionClosedError.
            const call = calls.get(invocationId);
            calls.delete(invocationId);
            if (call) call(undefined, error, this._state == Disconnecting || this._state == Disconnected);
          })
        : sent,
      invocationId,
    ];
  }

  /** Encodes and sends a message; an argument the protocol cannot encode rejects, never throws. */
  private async _send(message: object): Promise<void> {
    return this._buffer ? this._buffer._send(message as HubMessage) : this._sendRaw(this._protocol.writeMessage(message as HubMessage));
  }

  private _sendRaw(data: string | ArrayBuffer): Promise<void> {
    this._sentAt = Date.now();
    return this._conn.send(data);
  }

  private readonly _sendFailed = (error: unknown): void => this._log(LogLevel.Debug, `Sending failed: ${toError(error).message}`);

  /** Starts or ends stateful reconnect's bookkeeping for the current connection. */
  private _useBuffer(on: boolean): void {
    const features = this._conn.features;
    if (this._buffer) this._buffer._dispose();
    const buffer = (this._buffer = on
      ? createMessageBuffer(this._protocol, (data) => this._sendRaw(data), this._bufferSize!, (error) => void this._conn.stop(error))
      : undefined);
    features.disconnected = buffer && (() => buffer._disconnected());
    features.resend = buffer && (() => buffer._resend());
  }
}
