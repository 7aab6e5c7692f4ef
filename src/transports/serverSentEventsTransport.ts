import { AbortError, TransportError } from "../errors.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import type { EventSourceLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { postPayload } from "./postPayload.js";
import { prepareStreamRequest } from "./streamRequest.js";
import type { Transport, TransportOptions } from "./transport.js";

/** The Server-Sent Events transport: an event stream down, HTTP POSTs up. Text only. */
export class ServerSentEventsTransport implements Transport {
  readonly name = "ServerSentEvents" as const;
  readonly inherentKeepAlive = false;
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  private source: EventSourceLike | undefined;
  private abortConnect: (() => void) | undefined;
  private url = "";

  constructor(private readonly options: TransportOptions) {}

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    if (transferFormat !== TransferFormat.Text) {
      throw new TransportError("ServerSentEvents", "The Server-Sent Events transport carries text only; a binary hub protocol such as MessagePack needs WebSockets or Long Polling.");
    }
    const EventSourceCtor = this.options.EventSource;
    if (!EventSourceCtor) {
      throw new TransportError(
        "ServerSentEvents",
        "No EventSource implementation is available: pass one as the 'EventSource' option (in Node, install the 'eventsource' package).",
      );
    }
    this.url = url;
    const request = await prepareStreamRequest(url, this.options);
    const where = redactUrl(request.url);
    this.options.logger.log(LogLevel.Trace, `(ServerSentEvents transport) connecting to ${where}.`);

    await new Promise<void>((resolve, reject) => {
      let source: EventSourceLike;
      try {
        source = this.options.platform.openEventSource(EventSourceCtor, request.url, request.headers, this.options.withCredentials);
      } catch (error) {
        reject(new TransportError("ServerSentEvents", `Could not open an EventSource to ${where}: ${(error as Error).message}`, { cause: error }));
        return;
      }
      // stop() before the stream opens ends the attempt.
      this.abortConnect = () => {
        this.abortConnect = undefined;
        source.onopen = source.onmessage = source.onerror = null;
        source.close();
        reject(new AbortError(`The event stream from ${where} was closed before it opened (stop() was called).`));
      };
      source.onopen = () => {
        this.abortConnect = undefined;
        this.source = source;
        this.options.logger.log(LogLevel.Information, `SSE connected to ${where}.`);
        resolve();
      };
      source.onmessage = (event) => {
        this.options.logger.log(LogLevel.Trace, `(ServerSentEvents transport) data received. ${describeData(event.data, this.options.logMessageContent)}.`);
        this.onreceive?.(event.data);
      };
      source.onerror = (event) => {
        const detail = event?.message ? `: ${event.message}` : event?.code ? `: status ${event.code}` : "";
        const error = new TransportError("ServerSentEvents", `EventSource to ${where} failed${detail}.`);
        if (this.source === source) {
          // EventSource would reconnect on its own, but a SignalR connection cannot resume that way.
          this.finish(error);
        } else {
          this.abortConnect = undefined;
          source.close();
          reject(error);
        }
      };
    });
  }

  send(data: string | ArrayBuffer): Promise<void> {
    if (!this.source) {
      return Promise.reject(new TransportError("ServerSentEvents", "Cannot send: the Server-Sent Events transport is not connected."));
    }
    return postPayload("ServerSentEvents", this.options, this.url, data);
  }

  async stop(): Promise<void> {
    this.abortConnect?.();
    this.finish(undefined);
  }

  private finish(error: Error | undefined): void {
    const source = this.source;
    if (!source) {
      return;
    }
    this.source = undefined;
    source.onopen = source.onmessage = source.onerror = null;
    source.close();
    this.onclose?.(error);
  }
}
