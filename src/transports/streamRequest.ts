import { appendQuery } from "../connection/url.js";
import type { TransportOptions } from "./transport.js";

/**
 * Where and how to open a WebSocket or EventSource. Where the runtime lets them
 * carry headers (Node), the token, cookies and user headers travel as headers;
 * browsers cannot set headers there, so the token goes in `access_token`.
 */
export async function prepareStreamRequest(url: string, options: TransportOptions): Promise<{ url: string; headers: Record<string, string> }> {
  const token = await options.accessToken();
  if (!options.platform.socketsTakeHeaders) {
    return { url: token ? appendQuery(url, "access_token", token) : url, headers: {} };
  }
  const headers: Record<string, string> = { ...options.headers };
  if (token) {
    headers["Authorization"] = `Bearer ${token}`;
  }
  const cookie = options.httpClient.getCookieString(url);
  if (cookie) {
    headers["Cookie"] = cookie;
  }
  return { url, headers };
}
