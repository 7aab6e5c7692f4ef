import type { Connection, ConnectionFeatures } from "../../../src/connection/connection.js";
import { HubConnection } from "../../../src/hub/hubConnection.js";
import type { IRetryPolicy } from "../../../src/hub/retryPolicy.js";
import type { ILogger } from "../../../src/logging.js";
import { TransferFormat, type IHubProtocol } from "../../../src/protocol/hubProtocol.js";
import { JsonHubProtocol } from "../../../src/protocol/jsonHubProtocol.js";
import type { HubMessage } from "../../../src/protocol/messages.js";
import { CapturingLogger } from "./logger.js";
import { AsyncQueue } from "./queue.js";

export const HANDSHAKE_REQUEST = '{"protocol":"json","version":1}\x1e';
export const HANDSHAKE_OK = "{}\x1e";
const RS = "\x1e";

/** Frames hub messages the way a server sends them with the JSON protocol. */
export function frame(...messages: object[]): string {
  return messages.map((m) => JSON.stringify(m) + RS).join("");
}

/**
 * A Connection (the interface HubConnection sees) driven by the test, which
 * plays the server: it reads what the client sent from `sent` and pushes
 * payloads with `receive`. `start()` outcomes can be scripted.
 */
export class FakeConnection implements Connection {
  connectionId: string | undefined;
  baseUrl = "http://fake.test/hub";
  readonly features: ConnectionFeatures = { inherentKeepAlive: false, reconnect: false };
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;

  /** Every payload the client sent, in order. */
  readonly sent = new AsyncQueue<string | ArrayBuffer>();
  /** Each start() call: its transfer format and the fake time it happened. */
  readonly starts: { format: TransferFormat; at: number }[] = [];
  /** Each stop() call's error argument. */
  readonly stops: (Error | undefined)[] = [];
  /**
   * Decides each start(): return an Error to fail it. Default: succeed.
   * `attempt` counts from 1.
   */
  startBehaviour: (attempt: number) => Error | undefined | Promise<Error | undefined> = () => undefined;
  /** Answer every handshake request with `{}` (as a server would) once the client sends it. */
  autoHandshake = false;
  private connected = false;

  get isConnected(): boolean {
    return this.connected;
  }

  async start(transferFormat: TransferFormat): Promise<void> {
    this.starts.push({ format: transferFormat, at: Date.now() });
    const failure = await this.startBehaviour(this.starts.length);
    if (failure) {
      throw failure;
    }
    this.connectionId = `conn-${this.starts.length}`;
    this.connected = true;
  }

  send(data: string | ArrayBuffer): Promise<void> {
    if (!this.connected) {
      return Promise.reject(new Error("FakeConnection: send while not connected."));
    }
    this.sent.push(data);
    if (this.autoHandshake && data === HANDSHAKE_REQUEST) {
      queueMicrotask(() => this.receive(HANDSHAKE_OK));
    }
    return Promise.resolve();
  }

  async stop(error?: Error): Promise<void> {
    this.stops.push(error);
    if (!this.connected) {
      return;
    }
    this.connected = false;
    this.connectionId = undefined;
    this.onclose?.(error);
  }

  /** The server sends a payload. */
  receive(data: string | ArrayBuffer): void {
    this.onreceive?.(data);
  }

  /** The server sends hub messages, all in one payload. */
  receiveMessages(...messages: object[]): void {
    this.receive(frame(...messages));
  }

  /** The transport drops, as a network failure would. */
  drop(error?: Error): void {
    if (!this.connected) {
      throw new Error("FakeConnection: drop() while not connected.");
    }
    this.connected = false;
    this.connectionId = undefined;
    this.onclose?.(error);
  }

  /** The next hub message the client sent (parsed; the handshake request is not a hub message). */
  async nextMessage(): Promise<HubMessage> {
    const data = await this.sent.next();
    const messages = new JsonHubProtocol().parseMessages(data);
    if (messages.length !== 1) {
      throw new Error(`Expected one message per payload, got ${JSON.stringify(data)}.`);
    }
    return messages[0] as HubMessage;
  }

  /** Every unread hub message the client sent, parsed (does not wait). */
  drainMessages(): HubMessage[] {
    const protocol = new JsonHubProtocol();
    return this.sent.drain().flatMap((data) => protocol.parseMessages(data));
  }
}

export interface HubHarness {
  hub: HubConnection;
  connection: FakeConnection;
  logger: CapturingLogger;
}

/** A HubConnection over a FakeConnection, with a capturing logger. */
export function createHub(options: {
  reconnectPolicy?: IRetryPolicy;
  serverTimeoutInMilliseconds?: number;
  keepAliveIntervalInMilliseconds?: number;
  protocol?: IHubProtocol;
  logger?: ILogger;
  statefulReconnectBufferSize?: number;
} = {}): HubHarness {
  const connection = new FakeConnection();
  const logger = new CapturingLogger();
  const hub = new HubConnection(connection, options.logger ?? logger, {
    _protocol: options.protocol ?? new JsonHubProtocol(),
    _reconnectPolicy: options.reconnectPolicy,
    _serverTimeout: options.serverTimeoutInMilliseconds,
    _keepAliveInterval: options.keepAliveIntervalInMilliseconds,
    _bufferSize: options.statefulReconnectBufferSize,
  });
  return { hub, connection, logger };
}

/** Starts the hub, playing the server's side of the handshake. */
export async function startHub({ hub, connection }: HubHarness): Promise<void> {
  const started = hub.start();
  const handshake = await connection.sent.next();
  if (handshake !== HANDSHAKE_REQUEST) {
    throw new Error(`Expected the handshake request, got ${JSON.stringify(handshake)}.`);
  }
  connection.receive(HANDSHAKE_OK);
  await started;
}

/** A harness that is already connected. */
export async function connectedHub(options: Parameters<typeof createHub>[0] = {}): Promise<HubHarness> {
  const harness = createHub(options);
  await startHub(harness);
  return harness;
}
