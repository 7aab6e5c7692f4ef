import { describe, expect, it, vi } from "vitest";
import { HttpClient, HttpResponse, type HttpRequest } from "../../src/http/httpClient.js";
import { NullLogger } from "../../src/logging.js";
import { platform as browserPlatform } from "../../src/platform/browser.js";
import { platform as nodePlatform } from "../../src/platform/node.js";
import { streamRequest as prepareStreamRequest } from "../../src/transports/transportBase.js";
import type { TransportOptions } from "../../src/transports/transport.js";
import { VERSION } from "../../src/version.js";

class CookieClient extends HttpClient {
  override async send(_request: HttpRequest) {
    return new HttpResponse(200);
  }
  override getCookieString(url: string): string {
    return url.startsWith("http://hub.test") ? "sticky=1" : "";
  }
}

function transportOptions(token: string | undefined): TransportOptions {
  return {
    _options: {},
    _client: new CookieClient(),
    _headers: { "X-App": "1" },
    _logger: NullLogger.instance,
    _http: async () => new HttpResponse(200),
    _refreshToken: async () => token,
  };
}

describe("stream requests (WebSocket and EventSource)", () => {
  it("in Node, sends the token, cookies and user headers as headers and leaves the URL alone", async () => {
    const [url, headers] = await prepareStreamRequest("http://hub.test/chat?id=1", transportOptions("tok"), nodePlatform);
    expect(url).toBe("http://hub.test/chat?id=1");
    expect(headers).toEqual({ "X-App": "1", Authorization: "Bearer tok", Cookie: "sticky=1" });
  });

  it("in browsers, puts the token in access_token (URL-encoded), not in a header", async () => {
    const [url, headers] = await prepareStreamRequest("http://hub.test/chat?id=1", transportOptions("a b/c"), browserPlatform);
    expect(url).toBe("http://hub.test/chat?id=1&access_token=a%20b%2Fc");
    // The browser platform opens sockets with the URL alone (tested below); no Authorization is built.
    expect(headers["Authorization"]).toBeUndefined();
  });

  it("adds nothing for the token when there is none", async () => {
    expect((await prepareStreamRequest("http://hub.test/chat?id=1", transportOptions(undefined), browserPlatform))[0]).toBe("http://hub.test/chat?id=1");
    expect((await prepareStreamRequest("http://other.test/chat?id=1", transportOptions(undefined), nodePlatform))[1]).toEqual({ "X-App": "1" });
  });
});

describe("Node platform", () => {
  it("names itself in User-Agent with the hubwire version and Node's", () => {
    const [name, value] = nodePlatform.userAgentHeader;
    expect(name).toBe("User-Agent");
    expect(value).toBe(`hubwire/${VERSION} (${VERSION}; ${process.platform}; NodeJS; ${process.versions.node})`);
    expect(nodePlatform.socketsTakeHeaders).toBe(true);
  });

  it("passes headers to a user's WebSocket constructor as the third argument, as `ws` takes them", () => {
    const ctor = vi.fn();
    nodePlatform.open(ctor as never, "ws://h/x", { A: "1" }, true, false);
    expect(ctor).toHaveBeenCalledWith("ws://h/x", undefined, { headers: { A: "1" } });
  });

  it("gives an EventSource a fetch that adds the headers to its own", async () => {
    let init: { withCredentials?: boolean; headers?: Record<string, string>; fetch?: (input: string, init?: RequestInit) => Promise<Response> } = {};
    class Recording {
      constructor(_url: string, options: typeof init) {
        init = options;
      }
    }
    nodePlatform.open(Recording as never, "http://h/x", { Authorization: "Bearer t" }, false, true);
    expect(init.withCredentials).toBe(false);
    const seen: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_input: string, requestInit: RequestInit) => {
      seen.push(requestInit);
      return new Response("");
    });
    try {
      await init.fetch!("http://h/x", { headers: { Accept: "text/event-stream" } });
    } finally {
      vi.unstubAllGlobals();
    }
    expect(seen[0]!.headers).toEqual({ Accept: "text/event-stream", Authorization: "Bearer t" });
  });

  it("gives each connection its own cookie store, which a fetch wrapped by it fills and sends", async () => {
    const sent: (Record<string, string> | undefined)[] = [];
    const fetchImpl = async (_url: string, init?: RequestInit) => {
      sent.push(init?.headers as Record<string, string> | undefined);
      const headers = new Headers();
      headers.append("Set-Cookie", "k=v; Path=/");
      headers.append("Set-Cookie", "not a cookie;;;");
      return new Response("", { headers });
    };
    const a = nodePlatform.createCookieStore()!;
    const b = nodePlatform.createCookieStore()!;
    const fetchWithCookies = a.wrap(fetchImpl);
    await fetchWithCookies("http://h.test/negotiate", { headers: { X: "1" } });
    await fetchWithCookies("http://h.test/hub", { headers: { X: "2" } });
    await fetchWithCookies("http://other.test/hub");
    expect(sent).toEqual([{ X: "1" }, { X: "2", Cookie: "k=v" }, undefined]);
    expect(a.getCookieString("http://h.test/hub")).toBe("k=v");
    expect(b.getCookieString("http://h.test/hub")).toBe("");
  });
});

describe("browser platform", () => {
  it("sends X-SignalR-User-Agent (browsers forbid setting User-Agent) and keeps no cookie store", () => {
    const [name, value] = browserPlatform.userAgentHeader;
    expect(name).toBe("X-SignalR-User-Agent");
    expect(value).toMatch(new RegExp(`^hubwire/${VERSION.replace(/\./g, "\\.")} \\(`));
    expect(browserPlatform.socketsTakeHeaders).toBe(false);
    expect(browserPlatform.createCookieStore()).toBeUndefined();
  });

  it("opens sockets and event sources with the URL only (and withCredentials)", () => {
    const ws = vi.fn();
    browserPlatform.open(ws as never, "ws://h/x", { Authorization: "ignored" }, true, false);
    expect(ws).toHaveBeenCalledWith("ws://h/x");
    const es = vi.fn();
    browserPlatform.open(es as never, "http://h/x", { Authorization: "ignored" }, true, true);
    expect(es).toHaveBeenCalledWith("http://h/x", { withCredentials: true });
  });
});
