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
import type { ILogger, LogLevel } from "../logging.js";
import { parseHandshakeResponse, writeHandshakeRequest } from "../protocol/handshake.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import { JsonHubProtocol } from "../protocol/jsonHubProtocol.js";
import type { CompletionMessage, HubMessage, MessageType, StreamItemMessage } from "../protocol/messages.js";
import { appendPayload, payloadLength } from "../protocol/payload.js";
import {
  CANCEL_INVOCATION,
  CLOSE,
  CLOSE_MESSAGE,
  COMPLETION,
  ERROR,
  INFORMATION,
  INVOCATION,
  noop,
  nothing,
  PING,
  RECONNECTED,
  RECONNECTING,
  STATE_CHANGE,
  STREAM_INVOCATION,
  STREAM_ITEM,
  WARNING,
} from "./constants.js";
import { HubConnectionState } from "./hubConnectionState.js";
import { createMessageBuffer, type MessageBuffer } from "./messageBuffer.js";
import type { IRetryPolicy } from "./retryPolicy.js";
import { iterate, type IStreamSubscriber, type ISubscription, type StreamResult } from "./stream.js";

/** What a HubConnection is built from besides its connection and logger; `HubConnectionBuilder` fills it in. */
export interface HubConnectionParts {
  /** Default: JSON. */
  _protocol?: IHubProtocol | undefined;
  /** Automatic reconnect; off when undefined. */
  _reconnectPolicy?: IRetryPolicy | undefined;
  _serverTimeout?: number | undefined;
  _keepAliveInterval?: number | undefined;
  /** Bytes of unacknowledged messages kept for stateful reconnect; undefined when it is off. */
  _bufferSize?: number | undefined;
}

/** A client method the server can call. Its return value answers invocations that expect a result. */
type ClientMethod = (...args: any[]) => any;

type StateChange = { previous: HubConnectionState; current: HubConnectionState };

const { Disconnected, Connecting, Connected, Disconnecting, Reconnecting } = HubConnectionState;

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
  declare serverTimeoutInMilliseconds: number;
  /** Milliseconds without sending anything before a Ping is sent. Default 15 000. */
  declare keepAliveIntervalInMilliseconds: number;

  // Declared, not defined: set in the constructor, so no field initialisers are emitted.
  private declare readonly _conn: Connection;
  /** @internal The state; only the core's setState changes it. */
  declare _state: HubConnectionState;
  // The state machine and the bookkeeping behind the methods below, from createCore: its
  // functions are set on the instance, so each public method is one call away from them.
  private declare readonly _start: HubCore["_start"];
  private declare readonly _stop: HubCore["_stop"];
  private declare readonly _call: HubCore["_call"];
  private declare readonly _invoke: HubCore["_invoke"];
  private declare readonly _stream: HubCore["_stream"];
  private declare readonly _handlers: HubCore["_handlers"];
  private declare readonly _on: HubCore["_on"];

  /** @internal Use `HubConnectionBuilder`. */
  constructor(connection: Connection, logger: ILogger, parts: HubConnectionParts) {
    this._conn = connection;
    this.serverTimeoutInMilliseconds = parts._serverTimeout || 30_000;
    this.keepAliveIntervalInMilliseconds = parts._keepAliveInterval || 15_000;
    Object.assign(this, createCore(this, connection, logger, parts));
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
    const state = this.state;
    if (state != Disconnected && state != Reconnecting) throw notWhile("change baseUrl", state);
    if (!url) throw new InvalidArgumentError("baseUrl is empty");
    this._conn.baseUrl = url;
  }

  /**
   * Connects: negotiates, opens a transport and completes the hub handshake.
   * @throws InvalidStateError unless Disconnected; NegotiateError, NoTransportError,
   *   HandshakeError, or AbortError (stopped meanwhile, or closed during the handshake) when
   *   connecting fails.
   */
  start(): Promise<void> {
    return this._start();
  }

  /**
   * Disconnects. Pending invocations reject with `ConnectionClosedError`; `onclose`
   * callbacks run. Never rejects; calling it while already stopping waits for that stop.
   */
  stop(): Promise<void> {
    return this._stop();
  }

  /**
   * Calls a hub method without waiting for its result. Resolves once the message is sent.
   * Stream arguments (a `Subject`, anything with `subscribe`, an async iterable) are sent as client-to-server streams.
   * @throws InvalidStateError when not connected.
   */
  send(methodName: string, ...args: any[]): Promise<void> {
    return this._call(INVOCATION, methodName, args);
  }

  /**
   * Calls a hub method and resolves with its result.
   * @throws HubError when the hub method fails; ConnectionClosedError when the connection closes first;
   *   InvalidStateError when not connected.
   */
  invoke<T = any>(methodName: string, ...args: any[]): Promise<T> {
    return this._invoke(methodName, args);
  }

  /**
   * Calls a streaming hub method. Items that arrive before `subscribe` are kept for the
   * first subscriber; disposing the last subscription cancels the stream on the server.
   * The result can also be read with `for await`, which throws the stream's error and
   * cancels the stream when the loop is left early.
   */
  stream<T = any>(methodName: string, ...args: any[]): StreamResult<T> {
    return this._stream(methodName, args);
  }

  /**
   * Registers a handler for a method the server calls. Names match case-insensitively.
   * If the server expects a result, the handler's return value (or promise) answers it.
   */
  on(methodName: string, newMethod: ClientMethod): void {
    if (methodName && newMethod) this._handlers(methodName, (list) => (list.includes(newMethod) ? list : list.concat(newMethod)));
  }

  /** Removes one handler, or every handler of the method when `method` is omitted. */
  off(methodName: string): void;
  off(methodName: string, method: ClientMethod): void;
  off(methodName: string, method?: ClientMethod): void {
    if (methodName) this._handlers(methodName, (list) => (method ? list.filter((m) => m != method) : []));
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
}

/**
 * What waits for the server's answer to an invocation or a stream, by id: it gets the
 * StreamItems and the Completion (with the server's error, if any, as a HubError), or an
 * error when sending fails or (`closed`) the connection closes. Running client-to-server
 * streams are kept with them, to be stopped when the connection closes.
 */
type Pending = (message: StreamItemMessage | CompletionMessage | undefined, error?: Error, closed?: boolean) => void;

/** A stream argument: hubwire's Subject, anything with `subscribe`, or an async iterable. */
type StreamSource = Subscribable | AsyncIterable<unknown>;
type Subscribable = { subscribe(subscriber: IStreamSubscriber<any>): ISubscription<any> };

type Payload = string | ArrayBuffer;

type HubCore = ReturnType<typeof createCore>;

/** The error for an operation the current state does not allow. */
const notWhile = (what: string, state: HubConnectionState) => new InvalidStateError(`Cannot ${what} while ${state}`);

const messageOf = (error: unknown) => toError(error).message;
const asyncIterator: typeof Symbol.asyncIterator = Symbol.asyncIterator;
// Not Date.now itself: fake timers in tests replace Date after this module loads.
const now = () => Date.now();

/**
 * The state machine behind a HubConnection: start and stop (and their races), the hub
 * handshake, keep-alive, automatic reconnect, stateful reconnect's buffer, and the
 * bookkeeping of invocations, streams and client methods.
 */
function createCore(
  hub: HubConnection,
  connection: Connection,
  logger: ILogger,
  { _protocol: protocol = new JsonHubProtocol(), _reconnectPolicy: reconnectPolicy, _bufferSize: bufferSize }: HubConnectionParts,
) {
  // Kept here too (hub._state is for the `state` getter): closure reads are shorter.
  let state = (hub._state = Disconnected);
  /** Lifecycle callbacks, each with its event. */
  let listeners: [number, (arg?: any) => void][] = [];
  /** Client methods by lower-cased name. */
  const methods = new Map<string, ClientMethod[]>();
  const calls = new Map<string, Pending>();
  let nextId = 0;
  /** Settles the hub handshake under way; with an error it fails. */
  let handshake: ((error?: Error) => void) | undefined;
  /** An incomplete handshake response or hub message, kept until the rest arrives. */
  let partial: Payload | undefined;
  /** Stateful reconnect's bookkeeping, while the current connection has it. */
  let buffer: MessageBuffer | undefined;
  /** True from reaching Connected until the close is reported: only then does onclose fire. */
  let started = false;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  /**
   * Set by stop(): why the connection is closing, which onclose reports (undefined for a plain
   * stop()); when it interrupts a start or a reconnect attempt, what that attempt fails with.
   */
  let stopError: Error | undefined;
  /** Ends the current reconnect delay early (stop() during it). */
  let wake = noop;
  /** The automatic reconnect loop, the last one started. */
  let retrying: Promise<void> | undefined;
  /** True while stop() ends a reconnect: onclose waits for the loop to end, then stop() reports it. */
  let abandoning = false;
  // Keep-alive: sending only records a time; one timer, when it fires (or a message arrives),
  // checks the times and re-arms for whatever is left.
  let sentAt = 0;
  let receivedAt = 0;
  /** The keep-alive timer, while the server timeout runs (not with inherentKeepAlive). */
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer is due to run. */
  let dueAt = 0;
  /** Pings are sent too: from the end of the handshake. */
  let pinging = false;

  const log = (level: LogLevel, message: string) => logger.log(level, message);

  /**
   * Calls the listeners of `event`, with the connection as `this` (as the official client); one
   * that throws is logged and the others still run.
   */
  const emit = (event: number, arg?: unknown) =>
    listeners.forEach(([on, callback]) => {
      if (on == event) {
        try {
          callback.call(hub, arg);
        } catch (error) {
          log(ERROR, `Callback threw: ${messageOf(error)}`);
        }
      }
    });

  const setState = (current: HubConnectionState) => {
    const previous = state;
    if (previous != current) emit(STATE_CHANGE, { previous, current: (state = hub._state = current) });
  };

  const sendRaw = (data: Payload) => {
    sentAt = now();
    return connection.send(data);
  };

  /** Encodes and sends a message; an argument the protocol cannot encode rejects, never throws. */
  const send = async (message: object): Promise<void> =>
    buffer ? buffer._send(message as HubMessage) : sendRaw(protocol.writeMessage(message as HubMessage));

  /** Sends, best effort: a failure shows elsewhere (the connection closing). */
  const post = (message: object) => void send(message).catch(noop);

  // ---- keep-alive ------------------------------------------------------

  const stopTimer = () => {
    clearTimeout(timer);
    timer = nothing;
    pinging = false;
  };

  /**
   * When the keep-alive must next act: the server timeout, or (once pinging) the next Ping,
   * whichever comes first. The intervals are read each time: users may change them.
   */
  const nextDue = () => Math.min(receivedAt + hub.serverTimeoutInMilliseconds, pinging ? sentAt + hub.keepAliveIntervalInMilliseconds : Infinity);

  /** The server timeout closes the connection, an idle client sends a Ping; then re-arms for what is next. */
  const keepAlive = () => {
    clearTimeout(timer);
    const at = now();
    const timeout = hub.serverTimeoutInMilliseconds;
    if (receivedAt + timeout <= at) {
      stopTimer();
      // Logged by closed() as the reason the connection was lost.
      return void connection.stop(new TimeoutError(`Server timeout after ${timeout} ms`));
    }
    if (pinging && sentAt + hub.keepAliveIntervalInMilliseconds <= at) {
      post({ type: PING });
      // Counted as sent even when stateful reconnect holds it back, so the next one waits an interval.
      sentAt = at;
    }
    dueAt = nextDue();
    timer = setTimeout(keepAlive, dueAt - at);
  };

  // ---- lifecycle -------------------------------------------------------

  /** Starts or ends stateful reconnect's bookkeeping for the current connection. */
  const useBuffer = (on?: boolean) => {
    if (buffer) buffer._dispose();
    buffer = on ? createMessageBuffer(protocol, sendRaw, bufferSize!, connection) : nothing;
  };

  /** Opens the connection and completes the handshake; shared by start and reconnect. */
  const connect = async () => {
    partial = nothing;
    // stop() may come from an onstatechange callback, as start() sets Connecting.
    if (stopError) throw stopError;
    const handshaken = new Promise<void>((resolve, reject) => {
      handshake = (error) => {
        handshake = nothing;
        error ? reject(error) : resolve();
      };
    });
    // Rejections are awaited below; this stops an early one being reported as unhandled.
    handshaken.catch(noop);
    try {
      await connection.start(protocol.transferFormat);
      const features = connection.features;
      const stateful = bufferSize != null && features.reconnect;
      useBuffer(stateful);
      // Long Polling keeps itself alive: no pings and no server timeout there.
      // The server timeout also covers the wait for the handshake response.
      if (!features.inherentKeepAlive) {
        receivedAt = now();
        keepAlive();
      }
      // Protocols declare version 2 (stateful reconnect's Ack and Sequence); without
      // stateful reconnect the handshake asks for version 1, which every server accepts.
      await sendRaw(writeHandshakeRequest({ protocol: protocol.name, version: stateful ? protocol.version : 1 }));
      await handshaken;
      // Unless the connection closed or stop() was called meanwhile (clearing the timers), start pinging.
      if (timer) {
        sentAt = now();
        pinging = true;
        keepAlive();
      }
    } catch (error) {
      stopTimer();
      // Reported to closed() too, which ignores it while starting.
      await connection.stop(toError(error));
      throw stopError || error;
    }
  };

  const start = async () => {
    if (state != Disconnected) throw notWhile("start", state);
    stopError = nothing;
    setState(Connecting);
    try {
      await connect();
      // stop() may have come between the handshake and here.
      if (stopError) throw stopError;
    } catch (error) {
      setState(Disconnected);
      throw error;
    }
    setState(Connected);
    started = true;
    log(INFORMATION, "HubConnection connected.");
  };

  /** Ends in Disconnected and, if the connection had started, reports the close. */
  const close = (error?: Error) => {
    setState(Disconnected);
    if (started) {
      started = false;
      emit(CLOSE, error);
    }
  };

  const stop = async (error?: Error): Promise<void> => {
    const previous = state;
    const interrupted = starting;
    if (previous == Disconnecting) return stopping;
    if (previous != Disconnected) {
      setState(Disconnecting);
      stopError = error;
      stopTimer();
      if (previous == Connected) {
        // Best effort, not awaited (as the official client): a POST the server is holding
        // must not hold up stop() for the HTTP timeout.
        post({ type: CLOSE_MESSAGE });
      } else {
        // Connecting, or Reconnecting: the attempt under way fails with this.
        stopError = error || new AbortError("Stopped while connecting");
        if (handshake) handshake(stopError);
        abandoning = previous == Reconnecting;
        wake();
      }
      await connection.stop(error);
      // Reconnecting: onclose only once the attempt under way, if any, has given up, so an
      // onclose that calls start() is not stopped by what is left of the old connection.
      if (abandoning) {
        await retrying;
        abandoning = false;
        close(error);
      }
    }
    // A start that stop() interrupted reports its failure through start(), not here.
    if (interrupted) await interrupted.catch(noop);
  };

  const reconnect = async (error?: Error) => {
    const lostAt = now();
    let reason = error || new ConnectionClosedError("Connection lost");
    for (let retries = 0; ; retries++) {
      let delay: number | null | undefined;
      try {
        delay = reconnectPolicy!.nextRetryDelayInMilliseconds({ previousRetryCount: retries, elapsedMilliseconds: now() - lostAt, retryReason: reason });
      } catch (policyError) {
        log(ERROR, `Retry policy threw: ${messageOf(policyError)}`);
      }
      // null (or a policy that threw): give up.
      if (delay == null) return close(error);
      if (!retries) {
        setState(Reconnecting);
        log(INFORMATION, "Reconnecting.");
        emit(RECONNECTING, error);
      }
      // stop() may come at any time, even from an onreconnecting callback: it ends the attempts
      // (waking this delay) and closes for good.
      if (state == Reconnecting) {
        await new Promise<void>((resolve) => {
          const delayTimer = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(delayTimer);
            resolve();
          };
        });
      }
      if (state != Reconnecting) return;
      try {
        await connect();
        if (state == Reconnecting) {
          setState(Connected);
          log(INFORMATION, "Reconnected.");
          emit(RECONNECTED, connection.connectionId);
        }
        return;
      } catch (attemptError) {
        reason = toError(attemptError);
        log(INFORMATION, `Reconnect failed: ${reason.message}`);
        if (state != Reconnecting) return;
      }
    }
  };

  /** The connection (transport) closed, for any reason. */
  const closed = (error?: Error) => {
    const previous = state;
    // Closed without an error: an AbortError, as the official client.
    if (handshake) handshake(error || new AbortError("Closed during the handshake"));
    calls.forEach((_, id) => settle(id, nothing, error, true));
    stopTimer();
    useBuffer();
    if (previous == Disconnecting) {
      // A transport error while stopping (an event stream ending, say) is not why we closed.
      if (!abandoning) close(stopError);
    } else if (previous == Connected) {
      if (error) log(ERROR, `Connection lost: ${error.message}`);
      reconnectPolicy ? void (retrying = reconnect(error)) : close(error);
    }
    // Connecting and Reconnecting: the attempt under way sees the failure through the handshake.
  };

  // ---- incoming ----------------------------------------------------------

  /**
   * Runs the handlers of a server-to-client call one after another, each awaited, as the official
   * client does. A throwing handler is logged and does not stop the others. When the server
   * expects a result (`invocationId`), the last handler's outcome answers it, as in the official
   * client: its value, or its error (a handler that throws keeps the value before it); no value, or
   * two truthy ones, answer with an error.
   */
  const runClientMethod = async (target: string, args: any[], invocationId: string | undefined) => {
    const handlers = methods.get(target.toLowerCase()) || [];
    let multiple: unknown;
    let result: unknown;
    /** What the last handler threw, unless a later one returned: a falsy throw counts as none. */
    let failure: unknown;
    if (!handlers.length) log(WARNING, `No client method '${target}'`);
    // on() and off() replace the list, so a handler that calls them does not disturb this loop.
    for (const handler of handlers) {
      try {
        const previous = result;
        result = await handler.apply(hub, args);
        multiple = multiple || (result && previous);
        failure = nothing;
      } catch (error) {
        failure = error;
        log(ERROR, `Client method '${target}' threw: ${messageOf(error)}`);
      }
    }
    if (invocationId) {
      // The official client's texts, which servers may show to users.
      const error = multiple ? "Client provided multiple results." : failure ? String(failure) : result !== nothing ? nothing : "Client didn't provide a result.";
      post({ type: COMPLETION, invocationId, error, result: error ? nothing : result });
    }
  };

  /**
   * Hands a call its message, or its error. A Completion or an error is the last thing a call
   * gets, so it is forgotten. Unknown ids (a cancelled stream, a call already ended) are ignored.
   */
  const settle = (id: string, message?: StreamItemMessage | CompletionMessage, error?: Error, closed?: boolean) => {
    const pending = calls.get(id);
    if (!message || message.type == COMPLETION) calls.delete(id);
    // A stream's subscriber (or a stream argument's dispose) is user code: one that throws must not
    // cost the rest of the payload, or the rest of a close. Logged, as the official client does.
    try {
      if (pending) pending(message, error, closed);
    } catch (callbackError) {
      log(ERROR, `Stream callback threw: ${messageOf(callbackError)}`);
    }
  };

  const handle = (message: HubMessage) => {
    if (buffer && !buffer._receive(message)) return;
    const type = message.type;
    if (type == INVOCATION) {
      void runClientMethod(message.target, message.arguments, message.invocationId);
    } else if (type == STREAM_ITEM || type == COMPLETION) {
      settle(message.invocationId, message);
    } else if (type == CLOSE_MESSAGE) {
      const error = message.error ? new HubError(`Server closed: ${message.error}`) : nothing;
      // With allowReconnect it is a lost connection, as far as the client is concerned: automatic reconnect may run.
      message.allowReconnect ? void connection.stop(error) : (stopping = stop(error));
    }
    // Ping, Ack, Sequence (the buffer's) and unknown types need nothing more.
  };

  connection.onreceive = (data) => {
    // The timer reads receivedAt when it fires, so it need not be re-armed per message. But browsers
    // throttle timers in background tabs and still deliver network events: what is due (a ping) is
    // done from here too. And a server timeout or ping interval lowered since the timer was armed,
    // which makes something due before the timer, applies from here, as in the official client.
    receivedAt = now();
    if (timer) {
      const due = nextDue();
      if (due < dueAt || due <= receivedAt) keepAlive();
    }
    let payload: Payload | undefined = appendPayload(partial, data);
    let messages: HubMessage[];
    partial = nothing;
    // A malformed handshake response or hub message closes the connection; closed() then fails
    // the handshake under way with that error, or reports it as the reason the connection was lost.
    try {
      if (handshake) {
        const parsed = parseHandshakeResponse(payload);
        if (!parsed) {
          partial = payload;
          return;
        }
        const refused = parsed.response.error;
        handshake(refused ? new HandshakeError(`Handshake refused: ${refused}`) : nothing);
        payload = parsed.remaining;
        if (refused || !payload) return;
      }
      const size = payloadLength(payload);
      const complete = protocol.completeLength ? protocol.completeLength(payload) : size;
      // The protocol says where the last complete message ends: keep the rest for the next payload.
      if (complete < size) {
        partial = payload.slice(complete);
        payload = payload.slice(0, complete);
      }
      messages = complete ? protocol.parseMessages(payload, logger) : [];
    } catch (error) {
      // Protocols from elsewhere (the official ones) throw plain Errors.
      return void connection.stop(
        !handshake && error instanceof ProtocolError
          ? error
          : new (handshake ? HandshakeError : ProtocolError)(`Invalid ${handshake ? "handshake" : "message"}: ${messageOf(error)}`, { cause: error }),
      );
    }
    messages.forEach(handle);
  };
  connection.onclose = closed;

  // ---- outgoing ------------------------------------------------------------

  /**
   * Sends an Invocation or a StreamInvocation. With `pending` (invoke, stream), the call gets
   * an id, which is returned, and `pending` gets its answer, or the error when not connected or
   * when sending fails. Without it (send), the send's promise is returned. Stream arguments are
   * subscribed to right away, so items pushed just after the call are kept, and sent in order
   * after the invocation itself.
   */
  const call: {
    (type: MessageType, methodName: string, args: any[]): Promise<void>;
    (type: MessageType, methodName: string, args: any[], pending: Pending): string | undefined;
  } = (type: MessageType, methodName: string, args: any[], pending?: Pending): any => {
    if (state != Connected) {
      const error = notWhile(`send '${methodName}'`, state);
      return pending ? pending(nothing, error) : Promise.reject(error);
    }
    /** The stream arguments, each with its id; the others are sent as arguments. */
    const streams: [string, StreamSource][] = [];
    const plain = args.filter((arg) => !(arg && (typeof arg.subscribe == "function" || arg[asyncIterator]) && streams.push(["" + nextId++, arg])));
    const streamIds = streams.length ? streams.map(([id]) => id) : nothing;
    const invocationId = pending && "" + nextId++;
    if (pending) {
      // The server's error in a Completion becomes a HubError here, for invoke and stream alike.
      calls.set(invocationId!, (message, error, closed) => {
        // The call is over (answered, failed or disposed): the server drops its streams' later items, so stop them.
        if (streamIds && (!message || message.type == COMPLETION)) streamIds.forEach((id) => settle(id));
        pending(
          message,
          closed
            ? new ConnectionClosedError(`'${methodName}' canceled: connection closed${error ? ": " + error.message : ""}`, error && { cause: error })
            : error || (message && (message as CompletionMessage).error ? new HubError((message as CompletionMessage).error!, methodName) : nothing),
        );
      });
    }
    const sent = send({ type, invocationId, target: methodName, arguments: plain, streamIds });
    let queue = sent;
    /** The error of a stream argument whose subscribe threw: the call fails with it. */
    let failure: Error | undefined;
    streams.forEach(([streamId, source]) => {
      let done = false;
      let stopSource = noop;
      const put = (message: object) => (queue = queue.then(() => send(message)));
      const item = (item: unknown) => put({ type: STREAM_ITEM, invocationId: streamId, item });
      /** Ends the stream, with the source's error message when it failed. */
      const finish = (error?: string) => {
        if (done) return;
        done = true;
        calls.delete(streamId);
        put({ type: COMPLETION, invocationId: streamId, error }).catch(noop);
      };
      /** Ends the stream as failed: an error without a reason is the official client's "Unknown error". */
      const fail = (error: unknown) => finish(error ? messageOf(error) : "Unknown error");
      // The connection closing stops the stream without sending anything more.
      calls.set(streamId, () => {
        done = true;
        stopSource();
      });
      if ((source as Subscribable).subscribe) {
        try {
          const subscription = (source as Subscribable).subscribe({
            next: (value: unknown) => done || item(value).catch(noop),
            error: fail,
            complete: () => finish(),
          });
          // Stopped when the connection closes (a source that has ended is not: it is over). Subjects'
          // subscriptions have dispose; an RxJS Observable's has unsubscribe.
          stopSource = () => {
            const stopper = subscription as Partial<ISubscription<unknown> & { unsubscribe(): void }>;
            if (stopper) (stopper.dispose || stopper.unsubscribe || noop).call(stopper);
          };
        } catch (error) {
          // The server is told this stream failed; the call fails below.
          fail(error);
          failure = failure || toError(error);
        }
      } else {
        const iterator = (source as AsyncIterable<unknown>)[asyncIterator]();
        stopSource = () => void (async () => iterator.return && iterator.return())().catch(noop);
        // Each item is sent before the next is pulled, so a fast source waits for the network.
        (async () => {
          for (let step; !(step = await iterator.next()).done && !done; ) await item(step.value);
        })().then(() => finish(), fail);
      }
    });
    // A subscribe threw: the other streams stop, and the call fails with its error (the invocation is forgotten).
    if (failure) streamIds!.concat(invocationId || []).forEach((id) => settle(id, nothing, failure));
    if (!invocationId) return failure ? sent.catch(noop).then(() => Promise.reject(failure)) : sent;
    // When not Connected any more, a send fails because the connection is closing under it (Long Polling:
    // a POST reaching the server after stop()'s DELETE gets 404): that is a ConnectionClosedError.
    // (Had the connection been lost, closed() would have ended the call already.)
    sent.catch((error) => settle(invocationId, nothing, error, state != Connected));
    return invocationId;
  };

  return {
    /** Replaces the handler list of a client method (names match case-insensitively). */
    _handlers(methodName: string, change: (list: ClientMethod[]) => ClientMethod[]) {
      const name = methodName.toLowerCase();
      // Lists are replaced, never changed, so a call in progress can iterate its own safely. An
      // empty one is forgotten: on/off with ever new names (per room, per item) must not pile up.
      const list = change(methods.get(name) || []);
      list[0] ? methods.set(name, list) : methods.delete(name);
    },

    _on(event: number, callback: (arg?: any) => void): () => void {
      const listener: [number, (arg?: any) => void] = [event, callback];
      listeners.push(listener);
      return () => {
        listeners = listeners.filter((l) => l != listener);
      };
    },

    _start: () => (starting = start()),

    _stop: () => (stopping = stop()),

    _call: call,

    _invoke: <T>(methodName: string, args: any[]) =>
      new Promise<T>((resolve, reject) => {
        call(INVOCATION, methodName, args, (message, error) =>
          error ? reject(error) : message!.type == STREAM_ITEM ? reject(new ProtocolError(`Stream item for invoke '${methodName}'`)) : resolve(message!.result),
        );
      }),

    _stream<T>(methodName: string, args: any[]): StreamResult<T> {
      const subscribers: IStreamSubscriber<T>[] = [];
      // What happened before the first subscribe, replayed to it.
      let backlog: ((subscriber: IStreamSubscriber<T>) => void)[] | undefined = [];
      /** How the stream ended (Completion, error or cancel): also told to a subscriber that comes later, which would otherwise wait forever. */
      let ending: ((subscriber: IStreamSubscriber<T>) => void) | undefined;
      const emitItem = (event: (subscriber: IStreamSubscriber<T>) => void, end?: boolean) => {
        if (ending) return;
        if (end) ending = event;
        backlog ? backlog.push(event) : subscribers.slice().forEach(event);
      };
      // No message and no error: the last subscription was disposed (see below), so it ends as completed.
      const invocationId = call(STREAM_INVOCATION, methodName, args, (message, error) =>
        message && message.type == STREAM_ITEM
          ? emitItem((subscriber) => subscriber.next(message!.item))
          : emitItem((subscriber) => {
              subscriber.closed = true;
              error ? subscriber.error(error) : subscriber.complete();
            }, true),
      );
      const result: StreamResult<T> = {
        [asyncIterator]: () => iterate(result),
        subscribe: (subscriber) => {
          subscribers.push(subscriber);
          const replay = backlog;
          backlog = nothing;
          if (replay) replay.forEach((event) => event(subscriber));
          else if (ending) ending(subscriber);
          return {
            dispose: () => {
              const index = subscribers.indexOf(subscriber);
              if (index < 0) return;
              subscribers.splice(index, 1);
              if (!subscribers.length && !ending) {
                settle(invocationId!);
                if (state == Connected) post({ type: CANCEL_INVOCATION, invocationId });
              }
            },
          };
        },
      };
      return result;
    },
  };
}
