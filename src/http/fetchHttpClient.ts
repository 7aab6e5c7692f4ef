import { AbortError, HttpError, InvalidArgumentError, TimeoutError } from "../errors.js";
import { LogLevel, redactUrl, type ILogger } from "../logging.js";
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
  constructor(
    private readonly fetchImpl: FetchFunction,
    private readonly logger: ILogger,
    private readonly cookies?: CookieStore,
  ) {
    super();
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method ?? "GET";
    const url = request.url;
    if (!url) {
      throw new InvalidArgumentError("An HttpRequest needs a url.");
    }
    const where = `${method} ${redactUrl(url)}`;
    if (request.abortSignal?.aborted) {
      throw new AbortError(`${where} was aborted before it was sent.`);
    }

    const controller = new AbortController();
    const onAbort = () => controller.abort();
    request.abortSignal?.addEventListener("abort", onAbort);
    let timedOut = false;
    const timer = request.timeout
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, request.timeout)
      : undefined;

    const headers: Record<string, string> = { ...request.headers };
    const cookie = this.cookies?.getCookieString(url);
    if (cookie) {
      headers["Cookie"] = cookie;
    }

    try {
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers,
          body: request.content ?? null,
          credentials: request.withCredentials === false ? "same-origin" : "include",
          mode: "cors",
          redirect: "follow",
          signal: controller.signal,
        });
      } catch (error) {
        if (timedOut) {
          throw new TimeoutError(`${where} timed out after ${request.timeout} ms.`, { cause: error });
        }
        if (request.abortSignal?.aborted) {
          throw new AbortError(`${where} was aborted.`, { cause: error });
        }
        throw new HttpError(`${where} failed before a response arrived: ${describeCause(error)}.`, 0, { cause: error });
      }

      if (this.cookies) {
        const setCookies = readSetCookies(response.headers);
        if (setCookies.length > 0) {
          this.cookies.setCookies(url, setCookies);
        }
      }

      const content = request.responseType === "arraybuffer" ? await response.arrayBuffer() : await response.text();
      if (!response.ok) {
        const body = typeof content === "string" && content ? `: ${content.slice(0, 200)}` : "";
        throw new HttpError(`${where} failed with status ${response.status} ${response.statusText}${body}`.trim(), response.status);
      }
      this.logger.log(LogLevel.Trace, `HTTP ${where} answered ${response.status}.`);
      return new HttpResponse(response.status, response.statusText, content);
    } catch (error) {
      if (timedOut && !(error instanceof TimeoutError)) {
        throw new TimeoutError(`${where} timed out after ${request.timeout} ms.`, { cause: error });
      }
      if (request.abortSignal?.aborted && !(error instanceof AbortError)) {
        throw new AbortError(`${where} was aborted.`, { cause: error });
      }
      throw error;
    } finally {
      if (timer !== undefined) {
        clearTimeout(timer);
      }
      request.abortSignal?.removeEventListener("abort", onAbort);
    }
  }

  override getCookieString(url: string): string {
    return this.cookies?.getCookieString(url) ?? "";
  }
}

function readSetCookies(headers: Headers): string[] {
  if (typeof headers.getSetCookie === "function") {
    return headers.getSetCookie();
  }
  const single = headers.get("set-cookie");
  return single ? [single] : [];
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
