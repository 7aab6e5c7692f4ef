import { platform } from "#platform";
import { InvalidArgumentError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { FetchHttpClient } from "./fetchHttpClient.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "./httpClient.js";

/**
 * The HTTP client hubwire uses unless you pass one: `fetch`, plus (in Node) a
 * cookie jar so that cookies set during negotiate go with every later request;
 * XMLHttpRequest in browsers without `fetch` (the ES5 bundles).
 */
export class DefaultHttpClient extends HttpClient {
  private readonly _inner: HttpClient;

  /**
   * @param logger - passed on to the client chosen.
   * @throws InvalidArgumentError when the runtime has no way to send HTTP requests.
   */
  constructor(logger: ILogger) {
    super();
    const fetch = platform.fetch;
    const fallback = platform.createFallbackHttpClient;
    const inner = fetch ? new FetchHttpClient(fetch, logger, platform.createCookieStore()) : fallback && fallback(logger);
    if (!inner) throw new InvalidArgumentError("No fetch (or XMLHttpRequest) in this runtime: pass an 'httpClient' option.");
    this._inner = inner;
  }

  override send(request: HttpRequest): Promise<HttpResponse> {
    return this._inner.send(request);
  }

  override getCookieString(url: string): string {
    return this._inner.getCookieString(url);
  }
}
