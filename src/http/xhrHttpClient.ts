import { AbortError, HttpError, InvalidArgumentError, TimeoutError } from "../errors.js";
import { LogLevel, redactUrl, type ILogger } from "../logging.js";
import { HttpClient, HttpResponse, type HttpRequest } from "./httpClient.js";

/** An XMLHttpRequest constructor: the browser's, or a stand-in with the same shape. */
export type XMLHttpRequestConstructor = new () => XMLHttpRequest;

/**
 * An {@link HttpClient} over XMLHttpRequest, for browsers without `fetch`
 * (the ES5 bundles' targets). The browser keeps cookies itself. Errors are
 * those of the fetch client: `HttpError` (status 0 when no response arrived),
 * `TimeoutError`, `AbortError`.
 */
export class XhrHttpClient extends HttpClient {
  constructor(
    private readonly xhrImpl: XMLHttpRequestConstructor,
    private readonly logger: ILogger,
  ) {
    super();
  }

  override send(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method ?? "GET";
    const url = request.url;
    if (!url) {
      return Promise.reject(new InvalidArgumentError("An HttpRequest needs a url."));
    }
    const where = `${method} ${redactUrl(url)}`;
    const signal = request.abortSignal;
    if (signal?.aborted) {
      return Promise.reject(new AbortError(`${where} was aborted before it was sent.`));
    }

    return new Promise((resolve, reject) => {
      const xhr = new this.xhrImpl();
      const onAbort = () => xhr.abort();
      const settle = (error?: Error) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) {
          reject(error);
        } else if (xhr.status >= 200 && xhr.status < 300) {
          this.logger.log(LogLevel.Trace, `HTTP ${where} answered ${xhr.status}.`);
          resolve(new HttpResponse(xhr.status, xhr.statusText, xhr.response));
        } else {
          const body = typeof xhr.response === "string" && xhr.response ? `: ${xhr.response.slice(0, 200)}` : "";
          reject(new HttpError(`${where} failed with status ${xhr.status} ${xhr.statusText}${body}`.trim(), xhr.status));
        }
      };

      xhr.open(method, url, true);
      xhr.withCredentials = request.withCredentials !== false;
      for (const name in request.headers) {
        xhr.setRequestHeader(name, request.headers[name]);
      }
      if (request.responseType) {
        xhr.responseType = request.responseType;
      }
      if (request.timeout) {
        xhr.timeout = request.timeout;
      }
      xhr.onload = () => settle();
      xhr.onerror = () => settle(new HttpError(`${where} failed before a response arrived.`, 0));
      xhr.ontimeout = () => settle(new TimeoutError(`${where} timed out after ${request.timeout} ms.`));
      xhr.onabort = () => settle(new AbortError(`${where} was aborted.`));
      signal?.addEventListener("abort", onAbort);
      xhr.send(request.content ?? null);
    });
  }
}
