import { appendQuery } from "../connection/url.js";
import { TimeoutError } from "../errors.js";
import type { EventSourceLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import { noop, TransportBase } from "./transportBase.js";

/** The Long Polling transport: repeated GETs down, POSTs up, DELETE to end. */
export class LongPollingTransport extends TransportBase {
  /** Aborted by stop() or a close: it ends the poll loop. */
  declare private _ctl: AbortController | undefined;
  declare private _loop: Promise<void> | undefined;

  async connect(url: string, transferFormat: TransferFormat): Promise<void> {
    const ctl = (this._ctl = new AbortController());
    const signal = ctl.signal;
    this._url = url;
    const poll = () =>
      this._o._http("GET", appendQuery(url, "_", `${Date.now()}`), {
        abortSignal: signal,
        // Longer than the server's own poll window (about 90–110 s), so the server always answers first.
        timeout: 120_000,
        responseType: transferFormat === TransferFormat.Binary ? "arraybuffer" : "",
      });
    // Ask the token factory, as the other transports do when they connect; the polls carry that token.
    await this._o._refreshToken();
    // The server answers the first poll at once; it proves the connection id is good.
    const first = await poll();
    if (first.statusCode !== 200) throw this._err(`First poll answered ${first.statusCode}`);
    // No socket here: the stand-in's close() ends the polls.
    this._s = { close: () => ctl.abort() } as EventSourceLike;
    this._loop = (async () => {
      while (!signal.aborted) {
        try {
          const response = await poll();
          const content = response.content;
          // 204: the server ended the connection. An empty 200 ("" or zero bytes; a string has no byteLength): poll again.
          if (response.statusCode === 204) this._close();
          else if (content && (content as ArrayBuffer).byteLength !== 0) this._recv(content);
        } catch (error) {
          // After stop(), stop() closes. A slow answer is not a failure: poll again.
          if (!signal.aborted && !(error instanceof TimeoutError)) this._close(this._err(`Poll failed: ${(error as Error).message}`, error));
        }
      }
    })();
  }

  override async stop(): Promise<void> {
    const running = this._s;
    if (this._ctl) this._ctl.abort();
    await this._loop;
    // Tell the server; a failure (404: it already forgot the connection) changes nothing.
    if (running) await this._o._http("DELETE", this._url).catch(noop);
    this._close();
  }
}
