import { AbortError, HttpError, InvalidArgumentError, TimeoutError } from "../errors.js";
import { redactUrl, type ILogger } from "../logging.js";
import type { CookieStore } from "./cookieStore.js";
import { HttpClient, HttpResponse, type HttpRequest } from "./httpClient.js";

/** What a `fetch` implementation must offer. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * An {@link HttpClient} over `fetch`. Where a cookie store is given (Node), it
 * stores `Set-Cookie` answers and sends them back, because Node's fetch keeps
 * no cookies of its own.
 */
export class FetchHttpClient extends HttpClient {
  /**
   * @param fetchImpl - the `fetch` to send with.
   * @param _logger - kept for the official signature; requests are not logged.
   * @param _cookies - a cookie jar (Node); browsers keep cookies themselves.
   */
  constructor(fetchImpl: FetchFunction, _logger?: ILogger, cookies?: CookieStore) {
    super();
    this._cookies = cookies;
    this._fetch = cookies ? cookies.wrap(fetchImpl) : fetchImpl;
  }

  declare private readonly _cookies: CookieStore | undefined;
  declare private readonly _fetch: FetchFunction;

  /** @throws HttpError (status 0 when no response arrived), TimeoutError, AbortError, InvalidArgumentError (no url). */
  override async send(request: HttpRequest): Promise<HttpResponse> {
    const { url, method = "GET", abortSignal: signal, timeout } = request;
    if (!url) throw new InvalidArgumentError("HttpRequest needs a url");
    const where = `${method} ${redactUrl(url)}`;
    // Aborted by the request's signal or by the timeout; which one, the catch tells by `signal`.
    const controller = new AbortController();
    const abort = () => controller.abort();
    const timer = timeout && setTimeout(abort, timeout);
    if (signal) {
      signal.addEventListener("abort", abort);
      if (signal.aborted) abort(); // then fetch sends nothing
    }
    try {
      const response = await this._fetch(url, {
        method,
        headers: request.headers || {},
        body: request.content || null,
        credentials: request.withCredentials === false ? "same-origin" : "include",
        signal: controller.signal,
      });
      const { status, statusText } = response;
      const content = request.responseType === "arraybuffer" ? await response.arrayBuffer() : await response.text();
      if (!response.ok) throw new HttpError(`${where} failed: ${status} ${statusText}${typeof content === "string" && content ? `: ${content.slice(0, 200)}` : ""}`, status);
      return new HttpResponse(status, statusText, content);
    } catch (error) {
      const cause = { cause: error };
      // undici's "fetch failed" says why only in its cause (ECONNREFUSED, …).
      const why = (error as { cause?: unknown }).cause;
      throw signal && signal.aborted
        ? new AbortError(`${where} was aborted.`, cause)
        : controller.signal.aborted
          ? new TimeoutError(`${where} timed out after ${timeout} ms.`, cause)
          : error instanceof HttpError
            ? error
            : new HttpError(`${where} failed: ${error}${why ? ` (${why})` : ""}`, 0, cause);
    } finally {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", abort);
    }
  }

  override getCookieString(url: string): string {
    return this._cookies ? this._cookies.getCookieString(url) : "";
  }
}
