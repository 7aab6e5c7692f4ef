import { AbortError, HttpError, InvalidArgumentError, TimeoutError } from "../errors.js";
import { redactUrl, type ILogger } from "../logging.js";
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
  /**
   * @param _xhr - the XMLHttpRequest constructor.
   * @param _logger - kept for symmetry with the fetch client; requests are not logged.
   */
  constructor(
    private readonly _xhr: XMLHttpRequestConstructor,
    _logger?: ILogger,
  ) {
    super();
  }

  override send(request: HttpRequest): Promise<HttpResponse> {
    const { url, method = "GET", abortSignal: signal, timeout } = request;
    return new Promise((resolve, reject) => {
      if (!url) throw new InvalidArgumentError("An HttpRequest needs a url.");
      const where = `${method} ${redactUrl(url)}`;
      if (signal && signal.aborted) throw new AbortError(`${where} was aborted before it was sent.`);
      const xhr = new this._xhr();
      const abort = () => xhr.abort();
      const settle = (error?: Error) => {
        if (signal) signal.removeEventListener("abort", abort);
        const { status, statusText, response } = xhr;
        if (error) reject(error);
        else if (status >= 200 && status < 300) resolve(new HttpResponse(status, statusText, response));
        else reject(new HttpError(`${where} failed: ${status} ${statusText}${typeof response === "string" && response ? `: ${response.slice(0, 200)}` : ""}`, status));
      };
      xhr.open(method, url, true);
      xhr.withCredentials = request.withCredentials !== false;
      for (const name in request.headers) xhr.setRequestHeader(name, request.headers[name]!);
      if (request.responseType) xhr.responseType = request.responseType;
      if (timeout) xhr.timeout = timeout;
      xhr.onload = () => settle();
      xhr.onerror = () => settle(new HttpError(`${where} failed before a response arrived.`, 0));
      xhr.ontimeout = () => settle(new TimeoutError(`${where} timed out after ${timeout} ms.`));
      xhr.onabort = () => settle(new AbortError(`${where} was aborted.`));
      if (signal) signal.addEventListener("abort", abort);
      xhr.send(request.content || null);
    });
  }
}
