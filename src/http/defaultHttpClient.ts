import { platform } from "#platform";
import { InvalidArgumentError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { FetchHttpClient } from "./fetchHttpClient.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "./httpClient.js";

/**
 * The HTTP client hubwire uses unless you pass one: `fetch`, plus (in Node) a
 * cookie jar so that cookies set during negotiate go with every later request;
 * XMLHttpRequest in browsers without `fetch`.
 */
export class DefaultHttpClient extends HttpClient {
  private readonly inner: HttpClient;

  /** @param logger - receives a trace line per request. */
  constructor(logger: ILogger) {
    super();
    const inner = platform.fetch ? new FetchHttpClient(platform.fetch, logger, platform.createCookieStore()) : platform.createFallbackHttpClient?.(logger);
    if (!inner) {
      throw new InvalidArgumentError("No fetch (or, in the ES5 bundle, XMLHttpRequest) is available in this runtime: pass an 'httpClient' option.");
    }
    this.inner = inner;
  }

  override send(request: HttpRequest): Promise<HttpResponse> {
    return this.inner.send(request);
  }

  override getCookieString(url: string): string {
    return this.inner.getCookieString(url);
  }
}
