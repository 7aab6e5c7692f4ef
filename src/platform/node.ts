import { EventSource as NodeEventSource } from "eventsource";
import { CookieJar } from "tough-cookie";
import NodeWebSocket from "ws";
import type { CookieStore } from "../http/cookieStore.js";
import { VERSION } from "../version.js";
import type { EventSourceConstructor, Platform, WebSocketConstructor } from "./platform.js";

const globalWebSocket = (globalThis as any).WebSocket as WebSocketConstructor | undefined;

/** Node.js: global fetch and WebSocket where present, else `ws`; `eventsource`; a tough-cookie jar. */
export const platform: Platform = {
  // Looked up on each call, not at import: a fetch installed later (a polyfill, msw, nock) must be used.
  fetch: (input, init) => globalThis.fetch(input, init),
  WebSocket: globalWebSocket ?? (NodeWebSocket as unknown as WebSocketConstructor),
  EventSource: NodeEventSource as unknown as EventSourceConstructor,
  socketsTakeHeaders: true,
  userAgentHeader: ["User-Agent", `hubwire/${VERSION} (${VERSION}; ${process.platform}; NodeJS; ${process.versions.node})`],
  createCookieStore,
  open(ctor, url, headers, withCredentials, eventSource) {
    if (eventSource) {
      const fetchWithHeaders = (input: string | URL, init?: RequestInit) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
      // `fetch` serves the `eventsource` package (v3+); `headers` serves older EventSource shims.
      return new ctor(url, { withCredentials, headers, fetch: fetchWithHeaders });
    }
    // undici's WebSocket (Node 22+) takes headers in its init object; `ws`, and
    // constructors users pass in Node, take them as the third argument.
    return ctor === globalWebSocket ? new ctor(url, { headers }) : new ctor(url, undefined, { headers });
  },
};

function createCookieStore(): CookieStore {
  const jar = new CookieJar();
  const getCookieString = (url: string) => jar.getCookieStringSync(url);
  return {
    getCookieString,
    wrap: (fetchImpl) => async (url, init) => {
      const cookie = getCookieString(url);
      const response = await fetchImpl(url, cookie ? { ...init, headers: { ...(init?.headers as Record<string, string>), Cookie: cookie } } : init);
      const headers = response.headers;
      // getSetCookie() keeps several Set-Cookie headers apart; fetch polyfills may lack it.
      const setCookies = typeof headers.getSetCookie === "function" ? headers.getSetCookie() : [headers.get("set-cookie") ?? ""];
      for (const header of setCookies) {
        // A cookie the jar rejects (bad domain, malformed) is skipped, as a browser would.
        if (header) jar.setCookieSync(header, url, { ignoreError: true });
      }
      return response;
    },
  };
}
