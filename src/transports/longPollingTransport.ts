import { appendQuery } from "../connection/url.js";
import { TimeoutError, type TransportName } from "../errors.js";
import type { EventSourceLike } from "../platform/platform.js";
import { TransferFormat } from "../protocol/hubProtocol.js";
import type { ITransport, TransportOptions } from "./transport.js";
import { noop, transportBase } from "./transportBase.js";

/** The Long Polling transport: repeated GETs down, POSTs up, DELETE to end. */
export function longPollingTransport(o: TransportOptions, name: TransportName): ITransport {
  const t = transportBase(o, name);
  /** Aborted by stop() or a close: it ends the poll loop. */
  let ctl: AbortController | undefined;
  let loop: Promise<void> | undefined;
  t.connect = async (url, transferFormat) => {
    const abort = (ctl = new AbortController());
    const signal = abort.signal;
    const poll = () =>
      o._http("GET", appendQuery(url, "_", `${Date.now()}`), {
        abortSignal: signal,
        // Longer than the server's own poll window (about 90–110 s), so the server always answers first.
        timeout: 120_000,
        responseType: transferFormat === TransferFormat.Binary ? "arraybuffer" : "",
      });
    t._url = url;
    // Ask the token factory, as the other transports do when they connect; the polls carry that token.
    await o._refreshToken();
    // The server answers the first poll at once; it proves the connection id is good.
    const first = await poll();
    if (first.statusCode !== 200) throw t._err(`First poll answered ${first.statusCode}`);
    // No socket here: the stand-in's close() ends the polls.
    t._s = { close: () => abort.abort() } as EventSourceLike;
    loop = (async () => {
      while (!signal.aborted) {
        try {
          const response = await poll();
          const content = response.content;
          // 204: the server ended the connection. An empty 200 ("" or zero bytes; a string has no byteLength): poll again.
          if (response.statusCode === 204) t._close();
          else if (content && (content as ArrayBuffer).byteLength !== 0) t.onreceive!(content);
        } catch (error) {
          // After stop(), stop() closes. A slow answer is not a failure: poll again.
          if (!signal.aborted && !(error instanceof TimeoutError)) t._close(t._err(`Poll failed: ${(error as Error).message}`, error));
        }
      }
    })();
  };
  // Once: stop() and the connection's own "stopped while connecting" check may both call it, and a second DELETE would 404.
  let stopping: Promise<void> | undefined;
  t.stop = () =>
    stopping ||
    (stopping = (async () => {
      const running = t._s;
      if (ctl) ctl.abort();
      await loop;
      // Tell the server; a failure (404: it already forgot the connection) changes nothing.
      if (running) await o._http("DELETE", t._url).catch(noop);
      t._close();
    })());
  return t;
}
