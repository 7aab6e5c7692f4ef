import { VERSION } from "../version.js";
import type { Platform } from "./platform.js";

const global = globalThis as any;
const fetch = global.fetch;

/** Browsers, web workers and other runtimes with the web platform's globals. */
export const platform: Platform = {
  fetch: fetch && fetch.bind(global),
  WebSocket: global.WebSocket,
  EventSource: global.EventSource,
  socketsTakeHeaders: false,
  // Browsers forbid setting User-Agent, so SignalR servers read this header instead.
  userAgentHeader: ["X-SignalR-User-Agent", `hubwire/${VERSION} (${VERSION}; Unknown OS; Browser; Unknown Runtime Version)`],
  // The browser keeps cookies itself.
  createCookieStore() {
    return undefined;
  },
  // Browsers' WebSocket and EventSource take no headers: the token goes in the URL.
  open: (ctor, url, _headers, withCredentials, eventSource) => (eventSource ? new ctor(url, { withCredentials }) : new ctor(url)),
};
