import { AbortError, TransportError } from "../errors.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import type { WebSocketLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { prepareStreamRequest } from "./streamRequest.js";
import type { Transport, TransportOptions } from "./transport.js";

const OPEN = 1;
const NORMAL_CLOSURE = 1000;

/** The WebSockets transport: one socket, text or binary frames. */
export class WebSocketTransport implements Transport {
  readonly name = "WebSockets" as const;
  readonly inherentKeepAlive = false;
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  private socket: WebSocketLike | undefined;
  private abortConnect: (() => void) | undefined;

  constructor(private readonly options: TransportOptions) {}

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    const WebSocketCtor = this.options.WebSocket;
    if (!WebSocketCtor) {
      throw new TransportError(
        "WebSockets",
        "No WebSocket implementation is available: pass one as the 'WebSocket' option (in Node, install the 'ws' package).",
      );
    }
    const request = await prepareStreamRequest(url.replace(/^http/i, "ws"), this.options);
    const where = redactUrl(request.url);
    this.options.logger.log(LogLevel.Trace, `(WebSockets transport) connecting to ${where}.`);

    await new Promise<void>((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = this.options.platform.openWebSocket(WebSocketCtor, request.url, request.headers);
      } catch (error) {
        reject(new TransportError("WebSockets", `Could not open a WebSocket to ${where}: ${(error as Error).message}`, { cause: error }));
        return;
      }
      if (transferFormat === TransferFormat.Binary) {
        socket.binaryType = "arraybuffer";
      }
      let failure: unknown;
      // stop() before the socket opens ends the attempt.
      this.abortConnect = () => {
        this.abortConnect = undefined;
        socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
        socket.close();
        reject(new AbortError(`The WebSocket to ${where} was closed before it opened (stop() was called).`));
      };
      socket.onopen = () => {
        this.abortConnect = undefined;
        this.socket = socket;
        this.options.logger.log(LogLevel.Information, `WebSocket connected to ${where}.`);
        resolve();
      };
      socket.onerror = (event) => {
        failure = event?.error ?? event?.message ?? failure;
      };
      socket.onmessage = (event) => {
        this.options.logger.log(LogLevel.Trace, `(WebSockets transport) data received. ${describeData(event.data, this.options.logMessageContent)}.`);
        this.onreceive?.(event.data);
      };
      socket.onclose = (event) => {
        if (this.socket !== socket) {
          this.abortConnect = undefined;
          const detail = failure instanceof Error ? failure.message : typeof failure === "string" ? failure : `close code ${event.code}`;
          reject(new TransportError("WebSockets", `WebSocket failed to connect to ${where}: ${detail}.`, failure instanceof Error ? { cause: failure } : undefined));
          return;
        }
        this.finish(
          event.code === NORMAL_CLOSURE
            ? undefined
            : new TransportError("WebSockets", `WebSocket closed with status code ${event.code} (${event.reason || "no reason given"}).`),
        );
      };
    });
  }

  async send(data: string | ArrayBuffer): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) {
      throw new TransportError("WebSockets", "Cannot send: the WebSocket is not open.");
    }
    this.options.logger.log(LogLevel.Trace, `(WebSockets transport) sending data. ${describeData(data, this.options.logMessageContent)}.`);
    socket.send(data);
  }

  async stop(): Promise<void> {
    this.abortConnect?.();
    const socket = this.socket;
    if (socket) {
      socket.close(NORMAL_CLOSURE);
    }
    this.finish(undefined);
  }

  /** Detaches from the socket and raises `onclose` exactly once. */
  private finish(error: Error | undefined): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    this.socket = undefined;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    this.options.logger.log(LogLevel.Trace, `(WebSockets transport) closed${error ? `: ${error.message}` : "."}`);
    this.onclose?.(error);
  }
}
