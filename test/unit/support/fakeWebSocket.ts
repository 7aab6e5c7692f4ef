import type { WebSocketLike } from "../../../src/platform/platform.js";
import { AsyncQueue } from "./queue.js";

/** What the fake server does when a socket is created. */
export type SocketBehaviour = "open" | "manual" | { fail: string };

export interface FakeWebSocket extends WebSocketLike {
  readonly url: string;
  /** The headers passed to the constructor (Node style: third argument `{ headers }`). */
  readonly headers: Record<string, string>;
  /** Frames the client sent. */
  readonly sent: AsyncQueue<string | ArrayBuffer>;
  /** close() calls made by the client. */
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[];
  /** Server side: accept the connection. */
  open(): void;
  /** Server side: refuse the connection or fail it (error event, then close 1006). */
  fail(message: string): void;
  /** Server side: send a frame. */
  receive(data: string | ArrayBuffer): void;
  /** Server side: close the socket with a code. */
  serverClose(code: number, reason?: string): void;
}

export interface FakeWebSocketClass {
  new (url: string, protocols?: unknown, options?: { headers?: Record<string, string> }): FakeWebSocket;
  /** Every socket created, in order. */
  readonly created: AsyncQueue<FakeWebSocket>;
}

/**
 * A WebSocket constructor to pass as the `WebSocket` option. Each call makes a
 * class with its own record of sockets. `behaviour` decides what happens after
 * construction (asynchronously, as a real socket would): open, fail, or nothing
 * (the test calls `open()` / `fail()` itself).
 */
export function createFakeWebSocketClass(behaviour: SocketBehaviour | ((socket: FakeWebSocket, index: number) => SocketBehaviour) = "open"): FakeWebSocketClass {
  const created = new AsyncQueue<FakeWebSocket>();
  class Socket implements FakeWebSocket {
    static readonly created = created;
    binaryType = "blob";
    readyState = 0;
    onopen: ((event: any) => void) | null = null;
    onmessage: ((event: { data: any }) => void) | null = null;
    onerror: ((event: any) => void) | null = null;
    onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
    readonly headers: Record<string, string>;
    readonly sent = new AsyncQueue<string | ArrayBuffer>();
    readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];

    constructor(
      readonly url: string,
      _protocols?: unknown,
      options?: { headers?: Record<string, string> },
    ) {
      this.headers = { ...options?.headers };
      const index = created.all.length;
      created.push(this);
      const chosen = typeof behaviour === "function" ? behaviour(this, index) : behaviour;
      if (chosen === "open") {
        queueMicrotask(() => this.open());
      } else if (chosen !== "manual") {
        queueMicrotask(() => this.fail(chosen.fail));
      }
    }

    open(): void {
      this.readyState = 1;
      this.onopen?.({ type: "open" });
    }

    fail(message: string): void {
      this.onerror?.({ type: "error", message });
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: "", wasClean: false });
    }

    receive(data: string | ArrayBuffer): void {
      this.onmessage?.({ data });
    }

    serverClose(code: number, reason = ""): void {
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: code === 1000 });
    }

    send(data: string | ArrayBuffer): void {
      if (this.readyState !== 1) {
        throw new Error("FakeWebSocket: send() on a socket that is not open.");
      }
      this.sent.push(data);
    }

    close(code?: number, reason?: string): void {
      this.closeCalls.push({ code, reason });
      if (this.readyState === 3) return;
      this.readyState = 2;
      queueMicrotask(() => {
        this.readyState = 3;
        this.onclose?.({ code: code ?? 1005, reason: reason ?? "", wasClean: true });
      });
    }
  }
  return Socket;
}
