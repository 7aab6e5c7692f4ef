import type { FetchFunction } from "./fetchHttpClient.js";

/**
 * Cookies kept for one connection (Node, whose fetch keeps none), so that transport
 * requests and sockets carry what negotiate set. Browsers keep cookies themselves.
 */
export interface CookieStore {
  /** The `Cookie` header value for `url` ("" when none). */
  getCookieString(url: string): string;
  /** `fetchImpl`, sending the stored cookies and storing the `Set-Cookie` answers. */
  wrap(fetchImpl: FetchFunction): FetchFunction;
}
