import { VERSION } from "../version.js";
import type { Platform } from "./platform.js";

const global = globalThis as any;

/** Browsers, web workers and other runtimes with the web platform's globals. */
export const platform: Platform = {
  fetch: typeof global.fetch === "function" ? global.fetch.bind(global) : undefined,
  WebSocket: global.WebSocket,
  EventSource: global.EventSource,
  socketsTakeHeaders: false,
  // Browsers forbid setting User-Agent, so SignalR servers read this header instead.
  userAgentHeader: ["X-SignalR-User-Agent", `hubwire/${VERSION} (${VERSION}; Unknown OS; Browser; Unknown Runtime Version)`],
  createCookieStore: () => undefined,
  openWebSocket: (ctor, url) => new ctor(url),
  openEventSource: (ctor, url, _headers, withCredentials) => new ctor(url, { withCredentials }),
};
