/**
 * Helpers for the functional tests (test/functional), which run hubwire against the real
 * ASP.NET Core SignalR test server started by test/support/global-setup.ts.
 *
 *   const hub = useConnections();                       // in a describe: stops everything in afterEach
 *   const connection = hub.build("/testhub", { options: transport });
 *   await connection.start();
 *
 * Suites about what any hub protocol must do run once per protocol and transport:
 *
 *   describe.each(combinations)("[%s] invoke", (combination) => {        // "[JSON over WebSockets] invoke", …
 *     const hub = useConnections();
 *     it("…", async () => {
 *       const connection = await hub.connect(combination); // started; transport and protocol checked
 *     });
 *   });
 *
 * Each connection logs into a per-test buffer that is printed only when the test fails
 * (set HUBWIRE_TEST_LOG=1 to print every line as it happens).
 */
import { afterEach, beforeEach, expect, inject } from "vitest";
import {
  HttpTransportType,
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type IHttpConnectionOptions,
  type ILogger,
  type IStreamResult,
} from "../../src/index.js";
import { MessagePackHubProtocol } from "../../src/msgpack/index.js";

/** The three built-in transports, as `[name the server reports, flag]`, for `describe.each`. */
export const TRANSPORTS = [
  ["WebSockets", HttpTransportType.WebSockets],
  ["ServerSentEvents", HttpTransportType.ServerSentEvents],
  ["LongPolling", HttpTransportType.LongPolling],
] as const;

export type TransportName = (typeof TRANSPORTS)[number][0];

/** The hub protocols hubwire ships: JSON (the default) and MessagePack (hubwire/msgpack). */
export type ProtocolName = "JSON" | "MessagePack";

/** One hub protocol over one transport, for `describe.each(combinations)`. */
export interface Combination {
  /** "JSON over WebSockets", …; also what toString() gives, so `%s` in a describe's name shows it. */
  readonly label: string;
  readonly protocol: ProtocolName;
  /** The transport's name as the hub's GetTransport reports it. */
  readonly transportName: TransportName;
  readonly transport: HttpTransportType;
  toString(): string;
}

function combination(protocol: ProtocolName, [transportName, transport]: (typeof TRANSPORTS)[number]): Combination {
  const label = `${protocol} over ${transportName}`;
  return { label, protocol, transportName, transport, toString: () => label };
}

/**
 * Every hub protocol over every transport that can carry it: JSON over all three, MessagePack
 * over WebSockets and Long Polling only (Server-Sent Events carry text, MessagePack is binary).
 */
export const combinations: readonly Combination[] = [
  ...TRANSPORTS.map((transport) => combination("JSON", transport)),
  ...TRANSPORTS.filter(([name]) => name !== "ServerSentEvents").map((transport) => combination("MessagePack", transport)),
];

/**
 * Checks, by asking the hub, that `connection` uses the combination's transport and protocol:
 * only MessagePack binds a Uint8Array argument to byte[] (JSON gives the hub a JsonElement).
 */
export async function expectCombination(connection: HubConnection, { protocol, transportName }: Combination): Promise<void> {
  expect(await connection.invoke("GetTransport"), "the transport the hub sees").toBe(transportName);
  const described = await connection.invoke<string>("DescribeValue", new Uint8Array([1]));
  if (protocol === "MessagePack") {
    expect(described, "MessagePack in use: a Uint8Array binds to byte[]").toBe("System.Byte[]:01");
  } else {
    expect(described, "JSON in use: the hub gets a JsonElement").toMatch(/^System\.Text\.Json\.JsonElement:/);
  }
}

/** The shared test server's base URL, e.g. "http://127.0.0.1:5123". */
export function serverUrl(): string {
  return inject("serverUrl");
}

/** Resolves when `predicate()` is true; rejects with `description` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, description = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rejects with a clear message when `promise` has not settled after `timeoutMs`. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for: ${description}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms` milliseconds. Only for "nothing should happen meanwhile" windows, never to wait for a result. */
export function idle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// One promise-with-its-resolvers helper for the whole test tree.
export { deferred, type Deferred } from "../unit/support/queue.js";

/** Subscribes to a stream and collects its items; resolves on completion, rejects on error. */
export function collect<T>(stream: IStreamResult<T>, timeoutMs = 10_000): Promise<T[]> {
  const items: T[] = [];
  const done = new Promise<T[]>((resolve, reject) => {
    stream.subscribe({
      next: (item) => items.push(item),
      complete: () => resolve(items),
      error: (error) => reject(error),
    });
  });
  return withTimeout(done, timeoutMs, "the stream to end");
}

/** Settles a promise into a value for assertions: the rejection reason (an Error expected). */
export async function rejectionOf(promise: Promise<unknown>, timeoutMs = 15_000): Promise<Error> {
  const outcome = await withTimeout(
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    timeoutMs,
    "the promise to reject",
  );
  if (outcome.ok) {
    throw new Error(`Expected a rejection, but it resolved with ${JSON.stringify(outcome.value)}`);
  }
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

export interface BuildOptions {
  /** Options for `withUrl`; a bare transport flag is passed as `withUrl(url, transport)`. */
  options?: IHttpConnectionOptions | HttpTransportType;
  /** Further builder calls: `withAutomaticReconnect`, `withServerTimeout`, … */
  configure?: (builder: HubConnectionBuilder) => HubConnectionBuilder;
  /** Base URL of the server; the shared test server by default. */
  baseUrl?: string;
  /** The hub protocol: JSON (the builder's default) unless "MessagePack". */
  protocol?: ProtocolName;
}

/**
 * `build` for a combination: its transport (alone, or added to the `withUrl` options given)
 * and its hub protocol.
 */
export function over({ protocol, transport }: Combination, build: BuildOptions = {}): BuildOptions {
  const options = typeof build.options === "object" ? { ...build.options, transport } : transport;
  return { ...build, options, protocol };
}

export interface Connections {
  /** Builds a connection to `path` (e.g. "/testhub?x=1") that afterEach will stop. */
  build(path: string, build?: BuildOptions): HubConnection;
  /** Builds and starts a connection to `path`. */
  start(path: string, build?: BuildOptions): Promise<HubConnection>;
  /**
   * Builds and starts a connection to `path` ("/testhub" by default) with the combination's
   * transport and protocol (see `over`), then checks both with `expectCombination`.
   */
  connect(combination: Combination, path?: string, build?: BuildOptions): Promise<HubConnection>;
  /** Registers a connection built elsewhere, so afterEach stops it. */
  track(connection: HubConnection): HubConnection;
  /** A logger writing into this test's buffer, labelled `label`. */
  logger(label: string): ILogger;
}

/**
 * Per-describe connection bookkeeping: every connection built through it is stopped in
 * afterEach (and must then be Disconnected), and its logs are printed if the test failed.
 */
export function useConnections(): Connections {
  const live: HubConnection[] = [];
  let lines: string[] = [];
  let counter = 0;
  const echo = process.env.HUBWIRE_TEST_LOG === "1";

  beforeEach(({ onTestFailed, task }) => {
    lines = [];
    const buffer = lines;
    onTestFailed(() => {
      if (buffer.length > 0) {
        console.log(`--- hubwire logs of "${task.name}" ---\n${buffer.join("\n")}\n--- end ---`);
      }
    });
  });

  afterEach(async () => {
    const open = live.splice(0);
    await Promise.all(open.map((connection) => withTimeout(connection.stop(), 20_000, "stop() in afterEach")));
    for (const connection of open) {
      expect(connection.state, "every connection is Disconnected after stop()").toBe(HubConnectionState.Disconnected);
    }
  });

  const logger = (label: string): ILogger => ({
    log(level: LogLevel, message: string) {
      const line = `${new Date().toISOString()} [${label}] ${LogLevel[level]}: ${message}`;
      lines.push(line);
      if (echo) console.log(line);
    },
  });

  const track = (connection: HubConnection) => {
    live.push(connection);
    return connection;
  };

  const build = (path: string, build: BuildOptions = {}) => {
    const label = `c${++counter}`;
    let builder = new HubConnectionBuilder().configureLogging(logger(label));
    const url = `${build.baseUrl ?? serverUrl()}${path}`;
    builder = typeof build.options === "number" ? builder.withUrl(url, build.options) : builder.withUrl(url, build.options ?? {});
    if (build.protocol === "MessagePack") builder = builder.withHubProtocol(new MessagePackHubProtocol());
    if (build.configure) builder = build.configure(builder);
    return track(builder.build());
  };

  const start = async (path: string, options?: BuildOptions) => {
    const connection = build(path, options);
    await connection.start();
    return connection;
  };

  return {
    build,
    start,
    async connect(combination, path = "/testhub", options = {}) {
      const connection = await start(path, over(combination, options));
      await expectCombination(connection, combination);
      return connection;
    },
    track,
    logger,
  };
}
