import { AbortError, HttpError, TimeoutError, TransportError } from "../errors.js";
import { appendQuery } from "../connection/url.js";
import { describeData, LogLevel, redactUrl } from "../logging.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { postPayload } from "./postPayload.js";
import type { Transport, TransportOptions } from "./transport.js";

/** Longer than the server's own poll window (about 90–110 s), so the server always answers first. */
const POLL_TIMEOUT_MS = 120_000;

/** The Long Polling transport: repeated GETs down, POSTs up, DELETE to end. */
export class LongPollingTransport implements Transport {
  readonly name = "LongPolling" as const;
  readonly inherentKeepAlive = true;
  onreceive: ((data: string | ArrayBuffer) => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  private url = "";
  private binary = false;
  private running = false;
  private pollAbort = new AbortController();
  private polling: Promise<void> = Promise.resolve();
  private closeError: Error | undefined;
  private closed = false;

  constructor(private readonly options: TransportOptions) {}

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    this.url = url;
    this.binary = transferFormat === TransferFormat.Binary;
    this.pollAbort = new AbortController();
    this.closed = false;
    this.options.logger.log(LogLevel.Trace, `(LongPolling transport) connecting to ${redactUrl(url)}.`);
    // Ask the token factory, as the other transports do when they connect; the polls carry that token.
    await this.options.accessToken();
    // The server answers the first poll at once; it proves the connection id is good.
    const first = await this.poll();
    if (first.statusCode !== 200) {
      throw new TransportError("LongPolling", `The first long poll to ${redactUrl(url)} answered ${first.statusCode} instead of 200.`);
    }
    this.running = true;
    this.polling = this.pollLoop();
  }

  send(data: string | ArrayBuffer): Promise<void> {
    if (!this.running) {
      return Promise.reject(new TransportError("LongPolling", "Cannot send: the Long Polling transport is not connected."));
    }
    return postPayload("LongPolling", this.options, this.url, data);
  }

  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.pollAbort.abort();
    try {
      await this.polling;
      if (wasRunning) {
        await this.sendDelete();
      }
    } finally {
      this.raiseClose();
    }
  }

  private poll() {
    return this.options.httpClient.get(appendQuery(this.url, "_", String(Date.now())), {
      abortSignal: this.pollAbort.signal,
      timeout: POLL_TIMEOUT_MS,
      withCredentials: this.options.withCredentials,
      ...(this.binary ? { responseType: "arraybuffer" as const } : {}),
    });
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      try {
        const response = await this.poll();
        if (response.statusCode === 204) {
          this.options.logger.log(LogLevel.Information, "(LongPolling transport) the server ended the connection.");
          this.running = false;
        } else if (response.content && (typeof response.content === "string" ? response.content.length : response.content.byteLength) > 0) {
          this.options.logger.log(LogLevel.Trace, `(LongPolling transport) data received. ${describeData(response.content, this.options.logMessageContent)}.`);
          this.onreceive?.(response.content);
        }
      } catch (error) {
        if (!this.running || error instanceof AbortError) {
          break;
        }
        if (error instanceof TimeoutError) {
          continue; // A slow answer is not a failure: poll again.
        }
        this.closeError = new TransportError("LongPolling", `Long poll to ${redactUrl(this.url)} failed: ${(error as Error).message}`, { cause: error });
        this.running = false;
      }
    }
    if (!this.pollAbort.signal.aborted) {
      // The server ended it, or a poll failed: nobody will call stop(), so close here.
      this.raiseClose();
    }
  }

  private async sendDelete(): Promise<void> {
    try {
      await this.options.httpClient.delete(this.url, { timeout: this.options.timeout, withCredentials: this.options.withCredentials });
      this.options.logger.log(LogLevel.Trace, "(LongPolling transport) DELETE sent.");
    } catch (error) {
      // 404: the server already forgot the connection, which is what we wanted.
      if (!(error instanceof HttpError && error.statusCode === 404)) {
        this.options.logger.log(LogLevel.Debug, `(LongPolling transport) DELETE failed: ${(error as Error).message}`);
      }
    }
  }

  private raiseClose(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.running = false;
    this.onclose?.(this.closeError);
  }
}
