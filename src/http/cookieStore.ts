/** Cookies kept for one connection, so that transport requests carry what negotiate set. */
export interface CookieStore {
  /** The `Cookie` header value for `url` ("" when none). */
  getCookieString(url: string): string;
  /** Stores the cookies of a response's `Set-Cookie` headers. */
  setCookies(url: string, setCookieHeaders: readonly string[]): void;
}
