import { platform } from "#platform";
import { InvalidArgumentError } from "../errors.js";
import type { ILogger } from "../logging.js";
import { FetchHttpClient } from "./fetchHttpClient.js";

/**
 * The HTTP client hubwire uses unless you pass one: the runtime's `fetch`, plus
 * (in Node) a cookie jar so that cookies set during negotiate go with every later
 * request. In browsers without `fetch` (the ES5 bundles) `new DefaultHttpClient()`
 * gives the XMLHttpRequest client instead, an {@link HttpClient} too.
 */
export class DefaultHttpClient extends FetchHttpClient {
  /**
   * @param logger - passed on to the client chosen.
   * @throws InvalidArgumentError when the runtime has no way to send HTTP requests.
   */
  constructor(logger: ILogger) {
    const fetch = platform.fetch;
    const fallback = platform.createFallbackHttpClient;
    super(fetch!, logger, platform.createCookieStore());
    if (!fetch) {
      const xhr = fallback && fallback(logger);
      if (!xhr) throw new InvalidArgumentError("No fetch: pass an 'httpClient' option");
      // A constructor may return another object: here the XMLHttpRequest client.
      return xhr as DefaultHttpClient;
    }
  }
}
