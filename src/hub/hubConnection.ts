import type { Connection } from "../connection/connection.js";
import { Emitter } from "../emitter.js";
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
import { writeHandshakeRequest } from "../protocol/handshake.js";
import type { IHubProtocol } from "../protocol/hubProtocol.js";
import {
  MessageType,
  type CloseMessage,
  type CompletionMessage,
  type HubMessage,
  type InvocationMessage,
  type StreamItemMessage,
} from "../protocol/messages.js";
import { ClientStreams, extractStreams, type StreamSink, type StreamSource } from "./clientStreams.js";
import { runClientMethod } from "./clientMethods.js";
import { HandlerRegistry, type ClientMethod } from "./handlerRegistry.js";
import { PayloadReader } from "./payloadReader.js";
import { assertTransition, HubConnectionState } from "./hubConnectionState.js";
import { InvocationRegistry } from "./invocationRegistry.js";
import { KeepAlive } from "./keepAlive.js";
import { MessageBuffer } from "./messageBuffer.js";
import type { IRetryPolicy } from "./retryPolicy.js";
import { ServerStream } from "./serverStream.js";
import type { IStreamResult } from "./stream.js";
import { keysOf } from "./mapSnapshot.js";

/** The default of `serverTimeoutInMilliseconds`: twice the server's 15 s keep-alive. */
export const DEFAULT_SERVER_TIMEOUT_MS = 30_000;
/** The default of `keepAliveIntervalInMilliseconds`. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

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

type Events = {
  close: (error?: Error) => void;
  reconnecting: (error?: Error) => void;
  reconnected: (connectionId?: string) => void;
  statechange: (change: { previous: HubConnectionState; current: HubConnectionState }) => void;
};

/** The handshake of the current start attempt. */
interface PendingHandshake {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A connection to a SignalR hub. Build one with `HubConnectionBuilder`.
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

  private readonly connection: Connection;
  private readonly logger: ILogger;
  private readonly protocol: IHubProtocol;
  private readonly reconnectPolicy: IRetryPolicy | undefined;
  private readonly events = new Emitter<Events>();
  private readonly handlers = new HandlerRegistry();
  private readonly invocations = new InvocationRegistry();
  private readonly clientStreams = new ClientStreams();
  private readonly keepAlive: KeepAlive;
  private readonly reader: PayloadReader;
  private readonly statefulReconnectBufferSize: number | undefined;
  /** Stateful reconnect's bookkeeping, while the current connection has it. */
  private messageBuffer: MessageBuffer | undefined;
  private readonly streamSink: StreamSink;
  private currentState = HubConnectionState.Disconnected;
  private nextInvocationId = 0;
  private handshake: PendingHandshake | undefined;
  /** True from reaching Connected until the close is reported: only then does onclose fire. */
  private started = false;
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private stopDuringStartError: Error | undefined;
  /** Why the connection is Disconnecting: undefined for a plain stop(). What onclose reports. */
  private stopReason: Error | undefined;
  private reconnectDelay: { timer: ReturnType<typeof setTimeout>; wake(): void } | undefined;

  /** @internal Use `HubConnectionBuilder`. */
  constructor(parts: HubConnectionParts) {
    this.connection = parts.connection;
    this.logger = parts.logger;
    this.protocol = parts.protocol;
    this.reader = new PayloadReader(parts.protocol, parts.logger);
    this.statefulReconnectBufferSize = parts.statefulReconnectBufferSize;
    this.reconnectPolicy = parts.reconnectPolicy;
    this.serverTimeoutInMilliseconds = parts.serverTimeoutInMilliseconds ?? DEFAULT_SERVER_TIMEOUT_MS;
    this.keepAliveIntervalInMilliseconds = parts.keepAliveIntervalInMilliseconds ?? DEFAULT_KEEP_ALIVE_MS;
    this.keepAlive = new KeepAlive(
      {
        sendPing: () => this.sendPing(),
        serverTimedOut: () => this.serverTimedOut(),
      },
      () => ({ keepAliveMs: this.keepAliveIntervalInMilliseconds, serverTimeoutMs: this.serverTimeoutInMilliseconds }),
    );
    this.streamSink = {
      item: (streamId, item) => this.sendMessage({ type: MessageType.StreamItem, invocationId: streamId, item }),
      end: (streamId, error) =>
        this.sendMessage(error === undefined ? { type: MessageType.Completion, invocationId: streamId } : { type: MessageType.Completion, invocationId: streamId, error }),
    };
    this.connection.onreceive = (data) => this.processIncomingData(data);
    this.connection.onclose = (error) => this.connectionClosed(error);
  }

  /** The connection's state. */
  get state(): HubConnectionState {
    return this.currentState;
  }

  /** The server's id for this connection while connected, else null. */
  get connectionId(): string | null {
    return this.connection.connectionId ?? null;
  }

  /** The hub URL. It can be changed while Disconnected or Reconnecting. */
  get baseUrl(): string {
    return this.connection.baseUrl;
  }

  set baseUrl(url: string) {
    if (this.currentState !== HubConnectionState.Disconnected && this.currentState !== HubConnectionState.Reconnecting) {
      throw new InvalidStateError(`The hub URL can only change while Disconnected or Reconnecting (the connection is '${this.currentState}').`);
    }
    if (!url) {
      throw new InvalidArgumentError("The hub URL must be a non-empty string.");
    }
    this.connection.baseUrl = url;
  }

  /**
   * Connects: negotiates, opens a transport and completes the hub handshake.
   * @throws InvalidStateError unless Disconnected; NegotiateError, NoTransportError,
   *   HandshakeError or AbortError (stopped meanwhile) when connecting fails.
   */
  start(): Promise<void> {
    this.startPromise = this.startWithStateTransitions();
    return this.startPromise;
  }

  /**
   * Disconnects. Pending invocations reject with `ConnectionClosedError`; `onclose`
   * callbacks run. Never rejects; calling it while already stopping waits for that stop.
   */
  async stop(): Promise<void> {
    const startPromise = this.startPromise;
    this.stopPromise = this.stopInternal();
    await this.stopPromise;
    // A start that stop() interrupted reports its failure through start(), not here.
    await startPromise?.catch(() => undefined);
  }

  /**
   * Calls a hub method without waiting for its result. Resolves once the message is sent.
   * Stream arguments (a `Subject`, anything with `subscribe`, an async iterable) are sent as client-to-server streams.
   */
  send(methodName: string, ...args: any[]): Promise<void> {
    const notConnected = this.checkConnected("send", methodName);
    if (notConnected) return Promise.reject(notConnected);
    const { args: plainArgs, streams } = extractStreams(args, () => this.newInvocationId());
    const message: InvocationMessage = { type: MessageType.Invocation, target: methodName, arguments: plainArgs, ...streamIdsOf(streams) };
    const sent = this.sendMessage(message);
    this.launchStreams(streams, sent);
    return sent;
  }

  /**
   * Calls a hub method and resolves with its result.
   * @throws HubError when the hub method fails; ConnectionClosedError when the connection closes first;
   *   InvalidStateError when not connected.
   */
  invoke<T = any>(methodName: string, ...args: any[]): Promise<T> {
    const notConnected = this.checkConnected("invoke", methodName);
    if (notConnected) return Promise.reject(notConnected);
    const { args: plainArgs, streams } = extractStreams(args, () => this.newInvocationId());
    const invocationId = this.newInvocationId();
    const result = new Promise<T>((resolve, reject) => {
      this.invocations.add(invocationId, {
        methodName,
        handle: (message) => {
          if (message.type !== MessageType.Completion) {
            reject(new ProtocolError(`The server sent a stream item for '${methodName}', which was invoked, not streamed.`));
            this.invocations.remove(invocationId);
          } else if (message.error !== undefined) {
            reject(new HubError(message.error, methodName));
          } else {
            resolve(message.result as T);
          }
        },
        fail: reject,
      });
    });
    const message: InvocationMessage = { type: MessageType.Invocation, invocationId, target: methodName, arguments: plainArgs, ...streamIdsOf(streams) };
    const sent = this.sendMessage(message);
    sent.catch((error) => this.sendFailed(invocationId, methodName, error));
    this.launchStreams(streams, sent);
    return result;
  }

  /**
   * Calls a streaming hub method. Items that arrive before `subscribe` are kept;
   * disposing the last subscription cancels the stream on the server.
   */
  stream<T = any>(methodName: string, ...args: any[]): IStreamResult<T> {
    const { args: plainArgs, streams } = extractStreams(args, () => this.newInvocationId());
    const invocationId = this.newInvocationId();
    const result = new ServerStream<T>(() => {
      this.invocations.remove(invocationId);
      if (this.currentState === HubConnectionState.Connected) {
        this.sendMessage({ type: MessageType.CancelInvocation, invocationId }).catch((e) => this.logSendFailure(e));
      }
    });
    const notConnected = this.checkConnected("stream", methodName);
    if (notConnected) {
      result.error(notConnected);
      return result;
    }
    this.invocations.add(invocationId, {
      methodName,
      handle: (message) => {
        if (message.type === MessageType.StreamItem) {
          result.next(message.item as T);
        } else if (message.error !== undefined) {
          result.error(new HubError(message.error, methodName));
        } else {
          result.complete();
        }
      },
      fail: (error) => result.error(error),
    });
    const sent = this.sendMessage({ type: MessageType.StreamInvocation, invocationId, target: methodName, arguments: plainArgs, ...streamIdsOf(streams) });
    sent.catch((error) => this.sendFailed(invocationId, methodName, error));
    this.launchStreams(streams, sent);
    return result;
  }

  /**
   * Registers a handler for a method the server calls. Names match case-insensitively.
   * If the server expects a result, the handler's return value (or promise) answers it.
   */
  on(methodName: string, newMethod: ClientMethod): void {
    if (!methodName || typeof newMethod !== "function") {
      return;
    }
    this.handlers.add(methodName, newMethod);
  }

  /** Removes one handler, or every handler of the method when `method` is omitted. */
  off(methodName: string): void;
  off(methodName: string, method: ClientMethod): void;
  off(methodName: string, method?: ClientMethod): void {
    if (methodName) {
      this.handlers.remove(methodName, method);
    }
  }

  /** Runs `callback` when the connection closes for good; returns a function that removes it. */
  onclose(callback: (error?: Error) => void): () => void {
    return this.events.on("close", callback);
  }

  /** Runs `callback` when automatic reconnect starts; returns a function that removes it. */
  onreconnecting(callback: (error?: Error) => void): () => void {
    return this.events.on("reconnecting", callback);
  }

  /** Runs `callback` when automatic reconnect succeeds; returns a function that removes it. */
  onreconnected(callback: (connectionId?: string) => void): () => void {
    return this.events.on("reconnected", callback);
  }

  /** Runs `callback` on every state change; returns a function that removes it. */
  onstatechange(callback: (change: { previous: HubConnectionState; current: HubConnectionState }) => void): () => void {
    return this.events.on("statechange", callback);
  }

  // ---- lifecycle -------------------------------------------------------

  private setState(next: HubConnectionState): void {
    const previous = this.currentState;
    if (previous === next) return;
    assertTransition(previous, next);
    this.currentState = next;
    this.logger.log(LogLevel.Debug, `HubConnection state: ${previous} -> ${next}.`);
    this.events.emit("statechange", [{ previous, current: next }], (e) => this.logCallbackError("statechange", e));
  }

  private async startWithStateTransitions(): Promise<void> {
    if (this.currentState !== HubConnectionState.Disconnected) {
      throw new InvalidStateError(`Cannot start a HubConnection that is not in the 'Disconnected' state (it is '${this.currentState}').`);
    }
    this.setState(HubConnectionState.Connecting);
    this.logger.log(LogLevel.Debug, "Starting HubConnection.");
    try {
      await this.startInternal();
      this.setState(HubConnectionState.Connected);
      this.started = true;
      this.logger.log(LogLevel.Information, "HubConnection connected.");
    } catch (error) {
      this.logger.log(LogLevel.Debug, `HubConnection failed to start: ${toError(error).message}`);
      this.setState(HubConnectionState.Disconnected);
      throw error;
    }
  }

  /** Opens the connection and completes the handshake; shared by start and reconnect. */
  private async startInternal(): Promise<void> {
    this.stopDuringStartError = undefined;
    this.reader.reset();
    const handshakeDone = new Promise<void>((resolve, reject) => {
      this.handshake = { resolve, reject };
    });
    // Rejections are awaited below; this stops an early rejection being reported as unhandled.
    handshakeDone.catch(() => undefined);

    await this.connection.start(this.protocol.transferFormat);
    const stateful = this.statefulReconnectBufferSize !== undefined && this.connection.features.reconnect;
    this.useMessageBuffer(stateful);
    try {
      // Protocols declare version 2 (stateful reconnect's Ack and Sequence); without
      // stateful reconnect the handshake asks for version 1, which every server accepts.
      const request = writeHandshakeRequest({ protocol: this.protocol.name, version: stateful ? this.protocol.version : Math.min(this.protocol.version, 1) });
      this.logger.log(LogLevel.Debug, "Sending handshake request.");
      // Long Polling keeps itself alive: no pings and no server timeout there.
      const keepAlive = !this.connection.features.inherentKeepAlive;
      if (keepAlive) this.keepAlive.startTimeout();
      await this.sendRaw(request);
      await handshakeDone;
      if (this.stopDuringStartError) {
        throw this.stopDuringStartError;
      }
      if (keepAlive) this.keepAlive.startPings();
    } catch (error) {
      this.handshake = undefined;
      this.keepAlive.stop();
      // Closing the connection also reports the error to connectionClosed, which ignores it while starting.
      await this.connection.stop(toError(error));
      throw error;
    }
  }

  private async stopInternal(error?: Error): Promise<void> {
    const previous = this.currentState;
    if (previous === HubConnectionState.Disconnected) {
      this.logger.log(LogLevel.Debug, "stop() called while already Disconnected.");
      return;
    }
    if (previous === HubConnectionState.Disconnecting) {
      return this.stopPromise;
    }
    this.setState(HubConnectionState.Disconnecting);
    this.stopReason = error;
    this.keepAlive.stop();

    if (previous === HubConnectionState.Reconnecting) {
      this.cancelReconnectDelay();
      this.completeClose(error);
      // An attempt may be under way: stopping the connection ends it.
      await this.connection.stop(error);
      return;
    }
    if (previous === HubConnectionState.Connecting) {
      this.stopDuringStartError = error ?? new AbortError("The connection was stopped before the hub handshake could complete.");
      this.handshake?.reject(this.stopDuringStartError);
    } else {
      // Best effort: tell the server we are leaving, then close the transport. Not awaited (as the
      // official client): a POST the server is holding must not hold up stop() for the HTTP timeout.
      this.sendMessage({ type: MessageType.Close }).catch((e) => this.logger.log(LogLevel.Debug, `Sending the Close message failed: ${toError(e).message}`));
    }
    await this.connection.stop(error);
  }

  /** The connection (transport) closed, for any reason. */
  private connectionClosed(error?: Error): void {
    this.logger.log(LogLevel.Debug, `HubConnection.connectionClosed(${error?.message ?? ""}) called while in state ${this.currentState}.`);
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.reject(error ?? new HandshakeError("The connection closed before the hub handshake completed."));

    this.invocations.failAll(
      (invocation) =>
        new ConnectionClosedError(
          `Invocation of '${invocation.methodName}' canceled because the connection closed${error ? `: ${error.message}` : "."}`,
          error ? { cause: error } : undefined,
        ),
    );
    this.clientStreams.cancelAll();
    this.keepAlive.stop();
    this.useMessageBuffer(false);

    if (this.currentState === HubConnectionState.Disconnecting) {
      // A transport error while stopping (an event stream ending, say) is not why we closed.
      this.completeClose(this.stopReason);
      return;
    }
    if (error && this.currentState === HubConnectionState.Connected) {
      this.logger.log(LogLevel.Error, `Connection lost: ${error.message}`);
    }
    if (this.currentState === HubConnectionState.Connected && this.reconnectPolicy) {
      void this.reconnect(error);
    } else if (this.currentState === HubConnectionState.Connected) {
      this.completeClose(error);
    }
    // Connecting and Reconnecting: the attempt under way sees the failure through the handshake.
  }

  /** Ends in Disconnected and, if the connection had started, reports the close. */
  private completeClose(error?: Error): void {
    if (this.currentState === HubConnectionState.Connecting) {
      return; // start() is unwinding and will report the failure itself.
    }
    this.setState(HubConnectionState.Disconnected);
    if (this.started) {
      this.started = false;
      this.events.emit("close", [error], (e) => this.logCallbackError("onclose", e));
    }
  }

  private async reconnect(error?: Error): Promise<void> {
    const lostAt = Date.now();
    let attempts = 0;
    let reason: Error = error ?? new ConnectionClosedError("The connection was lost for an unknown reason.");
    let delay = this.nextRetryDelay(attempts, 0, reason);
    if (delay === null) {
      this.logger.log(LogLevel.Debug, "The retry policy declined to reconnect.");
      this.completeClose(error);
      return;
    }
    this.setState(HubConnectionState.Reconnecting);
    this.logger.log(LogLevel.Information, `Connection lost${error ? `: ${error.message}` : ""}. Reconnecting.`);
    this.events.emit("reconnecting", [error], (e) => this.logCallbackError("onreconnecting", e));
    while (delay !== null) {
      if (this.currentState !== HubConnectionState.Reconnecting) {
        return; // stop() was called, perhaps from an onreconnecting callback.
      }
      await this.waitBeforeRetry(delay);
      if (this.currentState !== HubConnectionState.Reconnecting) {
        return;
      }
      try {
        await this.startInternal();
        if (this.currentState !== HubConnectionState.Reconnecting) {
          await this.connection.stop();
          return;
        }
        this.setState(HubConnectionState.Connected);
        this.logger.log(LogLevel.Information, "HubConnection reconnected.");
        this.events.emit("reconnected", [this.connection.connectionId], (e) => this.logCallbackError("onreconnected", e));
        return;
      } catch (attemptError) {
        reason = toError(attemptError);
        this.logger.log(LogLevel.Information, `Reconnect attempt ${attempts + 1} failed: ${reason.message}`);
        if (this.currentState !== HubConnectionState.Reconnecting) {
          return;
        }
      }
      attempts++;
      delay = this.nextRetryDelay(attempts, Date.now() - lostAt, reason);
    }
    this.logger.log(LogLevel.Information, `Reconnect gave up after ${attempts} attempts and ${Date.now() - lostAt} ms.`);
    this.completeClose(error);
  }

  private nextRetryDelay(previousRetryCount: number, elapsedMilliseconds: number, retryReason: Error): number | null {
    try {
      return this.reconnectPolicy!.nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds, retryReason });
    } catch (policyError) {
      this.logger.log(LogLevel.Error, `The retry policy threw: ${toError(policyError).message}. Not reconnecting.`);
      return null;
    }
  }

  private waitBeforeRetry(delay: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.reconnectDelay = undefined;
        resolve();
      };
      this.reconnectDelay = { timer: setTimeout(wake, delay), wake };
    });
  }

  private cancelReconnectDelay(): void {
    const pending = this.reconnectDelay;
    if (pending) {
      clearTimeout(pending.timer);
      pending.wake();
    }
  }

  // ---- incoming ----------------------------------------------------------

  private processIncomingData(data: string | ArrayBuffer): void {
    let payload: string | ArrayBuffer | undefined = data;
    if (this.handshake) {
      payload = this.processHandshakeData(this.handshake, data);
      if (payload === undefined) return;
    }
    this.keepAlive.received();
    let messages: HubMessage[];
    try {
      messages = this.reader.messages(payload);
    } catch (error) {
      this.logger.log(LogLevel.Error, toError(error).message);
      void this.connection.stop(toError(error));
      return;
    }
    for (const message of messages) {
      this.handleMessage(message);
    }
  }

  /** Buffers until the handshake response is complete; returns what follows it, if anything. */
  private processHandshakeData(handshake: PendingHandshake, data: string | ArrayBuffer): string | ArrayBuffer | undefined {
    let parsed;
    try {
      parsed = this.reader.handshake(data);
    } catch (error) {
      this.handshake = undefined;
      handshake.reject(new HandshakeError(`The server's handshake response was malformed: ${toError(error).message}`, { cause: error }));
      return undefined;
    }
    if (!parsed) return undefined;
    this.handshake = undefined;
    this.keepAlive.received();
    if (parsed.response.error) {
      handshake.reject(new HandshakeError(`Server returned handshake error: ${parsed.response.error}`));
      return undefined;
    }
    this.logger.log(LogLevel.Debug, "Server handshake complete.");
    handshake.resolve();
    return parsed.remaining;
  }

  private handleMessage(message: HubMessage): void {
    if (this.messageBuffer && !this.messageBuffer.shouldHandle(message)) {
      return;
    }
    switch (message.type) {
      case MessageType.Invocation:
        runClientMethod(message, this.handlers.get(message.target), (id, outcome) => this.answer(id, outcome), this.logger, this);
        break;
      case MessageType.StreamItem:
      case MessageType.Completion:
        if (!this.invocations.dispatch(message as StreamItemMessage | CompletionMessage)) {
          this.logger.log(LogLevel.Debug, `Ignoring a ${MessageType[message.type]} for unknown invocation '${message.invocationId}' (it may have been cancelled).`);
        }
        break;
      case MessageType.Ping:
        break;
      case MessageType.Close:
        this.handleClose(message);
        break;
      case MessageType.Ack:
        this.messageBuffer?.ack(message);
        break;
      case MessageType.Sequence:
        this.messageBuffer?.resetSequence(message);
        break;
      default:
        this.logger.log(LogLevel.Debug, `Ignoring a message of type ${message.type}.`);
    }
  }

  private handleClose(message: CloseMessage): void {
    this.logger.log(LogLevel.Information, `The server sent a Close message${message.error ? ` with error: ${message.error}` : "."}`);
    const error = message.error ? new HubError(`The server closed the connection with an error: ${message.error}`) : undefined;
    if (message.allowReconnect === true) {
      // A lost connection, as far as the client is concerned: automatic reconnect may run.
      void this.connection.stop(error);
    } else {
      this.stopPromise = this.stopInternal(error);
    }
  }

  private answer(invocationId: string, outcome: { error: string } | { result: unknown }): void {
    this.sendMessage({ type: MessageType.Completion, invocationId, ...outcome }).catch((e) => this.logSendFailure(e));
  }

  // ---- outgoing ------------------------------------------------------------

  /**
   * Subscribes to the stream arguments right away, so items pushed just after the call
   * (`invoke("Upload", subject); subject.next(x)`) are kept, and sends what they produce
   * in order, after the invocation itself.
   */
  private launchStreams(streams: Map<string, StreamSource>, invocationSent: Promise<void>): void {
    if (streams.size === 0) return;
    let queue = invocationSent;
    const after = (send: () => Promise<void>) => (queue = queue.then(send));
    const sink: StreamSink = {
      item: (streamId, item) => after(() => this.streamSink.item(streamId, item)),
      end: (streamId, error) => after(() => this.streamSink.end(streamId, error)),
    };
    this.clientStreams.launch(streams, sink, (e) => this.logSendFailure(e));
  }

  private sendMessage(message: HubMessage): Promise<void> {
    if (this.messageBuffer) {
      // Async, so an argument the protocol cannot encode rejects rather than throws.
      return this.messageBuffer.send(message);
    }
    let data: string | ArrayBuffer;
    try {
      data = this.protocol.writeMessage(message);
    } catch (error) {
      // An argument the protocol cannot encode (a BigInt, a cycle): reject, never throw from invoke/send/stream.
      return Promise.reject(error);
    }
    return this.sendRaw(data);
  }

  /** Starts or ends stateful reconnect's bookkeeping for the current connection. */
  private useMessageBuffer(on: boolean): void {
    this.messageBuffer?.dispose();
    this.messageBuffer = undefined;
    this.connection.features.disconnected = undefined;
    this.connection.features.resend = undefined;
    if (!on) return;
    const buffer = new MessageBuffer(this.protocol, (data) => this.sendRaw(data), this.statefulReconnectBufferSize!, (error) => void this.connection.stop(error));
    this.messageBuffer = buffer;
    this.connection.features.disconnected = () => buffer.disconnected();
    this.connection.features.resend = () => buffer.resend();
  }

  private sendRaw(data: string | ArrayBuffer): Promise<void> {
    this.keepAlive.sent();
    return this.connection.send(data);
  }

  private sendPing(): void {
    if (this.currentState === HubConnectionState.Connected) {
      this.sendMessage({ type: MessageType.Ping }).catch((e) => this.logger.log(LogLevel.Debug, `Sending a Ping failed: ${toError(e).message}`));
    }
  }

  private serverTimedOut(): void {
    const error = new TimeoutError(
      `Server timeout elapsed: nothing arrived from the server for ${this.serverTimeoutInMilliseconds} ms (serverTimeoutInMilliseconds).`,
    );
    this.logger.log(LogLevel.Warning, error.message);
    void this.connection.stop(error);
  }

  private newInvocationId(): string {
    return String(this.nextInvocationId++);
  }

  private checkConnected(operation: string, methodName: string): InvalidStateError | undefined {
    if (this.currentState === HubConnectionState.Connected) return undefined;
    return new InvalidStateError(`Cannot ${operation} '${methodName}': the connection is not in the 'Connected' state (it is '${this.currentState}').`);
  }

  private logCallbackError(callback: string, error: unknown): void {
    this.logger.log(LogLevel.Error, `An ${callback} callback threw error '${toError(error).message}'.`);
  }

  /**
   * Ends an invocation whose message could not be sent. While stopping, that is the connection
   * closing under it (Long Polling: a POST that reaches the server after stop()'s DELETE gets
   * 404), so it rejects with ConnectionClosedError as stop() promises, the send error as cause.
   */
  private sendFailed(invocationId: string, methodName: string, error: unknown): void {
    const cause = toError(error);
    const stopping = this.currentState === HubConnectionState.Disconnecting || this.currentState === HubConnectionState.Disconnected;
    this.invocations.fail(
      invocationId,
      stopping ? new ConnectionClosedError(`Invocation of '${methodName}' canceled because the connection closed.`, { cause }) : cause,
    );
  }

  private logSendFailure(error: unknown): void {
    this.logger.log(LogLevel.Debug, `Sending failed: ${toError(error).message}`);
  }
}

function streamIdsOf(streams: Map<string, unknown>): { streamIds?: string[] } {
  return streams.size > 0 ? { streamIds: keysOf(streams) } : {};
}
