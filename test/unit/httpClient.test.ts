import { http, HttpResponse } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, HttpError, TimeoutError } from "../../src/errors.js";
import { DefaultHttpClient } from "../../src/http/defaultHttpClient.js";
import { FetchHttpClient } from "../../src/http/fetchHttpClient.js";
import { HttpClient, HttpResponse as HubHttpResponse, type HttpRequest } from "../../src/http/httpClient.js";
import { NullLogger } from "../../src/logging.js";
import { deferred } from "./support/queue.js";
import { seen, useMswServer, type SeenRequest } from "./support/msw.js";

const server = useMswServer();

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("DefaultHttpClient", () => {
  it("uses a fetch installed after hubwire was imported (polyfills, request mocking)", async () => {
    const installedLater = vi.fn(async () => new Response("from the later fetch", { status: 200 }));
    vi.stubGlobal("fetch", installedLater);
    const client = new DefaultHttpClient(NullLogger.instance);
    const response = await client.get("http://anywhere.test/x");
    expect(installedLater).toHaveBeenCalledTimes(1);
    expect(response.content).toBe("from the later fetch");
  });

  it("keeps cookies a response set and sends them with later requests to that host (Node)", async () => {
    // A stub fetch rather than msw: msw keeps a cookie store of its own, which would hide what hubwire sends.
    const sentCookies: (string | undefined)[] = [];
    vi.stubGlobal("fetch", async (_input: string, init?: RequestInit) => {
      sentCookies.push((init?.headers as Record<string, string> | undefined)?.["Cookie"]);
      const headers = new Headers();
      if (sentCookies.length === 1) {
        headers.append("Set-Cookie", "ARRAffinity=server-7; Path=/; HttpOnly");
        headers.append("Set-Cookie", "session=abc; Path=/hub");
      }
      return new Response("{}", { status: 200, headers });
    });
    const client = new DefaultHttpClient(NullLogger.instance);
    await client.post("http://cookies.test/hub/negotiate");
    await client.get("http://cookies.test/hub?id=1");
    await client.get("http://other.test/hub");
    // RFC 6265 order: cookies with longer paths first.
    expect(sentCookies).toEqual([undefined, "session=abc; ARRAffinity=server-7", undefined]);
    expect(client.getCookieString("http://cookies.test/hub")).toBe("session=abc; ARRAffinity=server-7");
    expect(client.getCookieString("http://cookies.test/elsewhere")).toBe("ARRAffinity=server-7");
  });

  it("keeps cookies per client: a second client starts with none", async () => {
    vi.stubGlobal("fetch", async () => new Response("", { headers: { "Set-Cookie": "a=1; Path=/" } }));
    const first = new DefaultHttpClient(NullLogger.instance);
    await first.get("http://cookies.test/");
    expect(first.getCookieString("http://cookies.test/")).toBe("a=1");
    expect(new DefaultHttpClient(NullLogger.instance).getCookieString("http://cookies.test/")).toBe("");
  });
});

describe("FetchHttpClient", () => {
  const client = () => new FetchHttpClient((input, init) => fetch(input, init), NullLogger.instance);

  it("returns the status, status text and text body of a success", async () => {
    server.use(http.get("http://h.test/ok", () => new HttpResponse("body", { status: 201, statusText: "Created" })));
    const response = await client().get("http://h.test/ok");
    expect(response).toBeInstanceOf(HubHttpResponse);
    expect(response.statusCode).toBe(201);
    expect(response.statusText).toBe("Created");
    expect(response.content).toBe("body");
  });

  it("returns an ArrayBuffer when asked for responseType arraybuffer", async () => {
    server.use(http.get("http://h.test/bin", () => new HttpResponse(new Uint8Array([1, 2, 255]))));
    const response = await client().get("http://h.test/bin", { responseType: "arraybuffer" });
    expect(response.content).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(response.content as ArrayBuffer)]).toEqual([1, 2, 255]);
  });

  it("sends the method, headers and body it is given", async () => {
    const requests: SeenRequest[] = [];
    server.use(
      http.post("http://h.test/post", async ({ request }) => {
        requests.push(await seen(request));
        return HttpResponse.text("");
      }),
    );
    await client().post("http://h.test/post", { content: "payload\x1e", headers: { "X-One": "1" } });
    expect(requests[0]!.method).toBe("POST");
    expect(requests[0]!.body).toBe("payload\x1e");
    expect(requests[0]!.headers.get("x-one")).toBe("1");
  });

  it("sends credentials (cookies) cross-origin unless withCredentials is false", async () => {
    const inits: RequestInit[] = [];
    const recording = new FetchHttpClient(async (_input, init) => {
      inits.push(init!);
      return new Response("");
    });
    await recording.get("http://h.test/a");
    await recording.get("http://h.test/b", { withCredentials: false });
    expect(inits.map((init) => init.credentials)).toEqual(["include", "same-origin"]);
    expect(inits[0]!.body).toBeNull();
  });

  it("rejects a non-success status with an HttpError carrying the status, method and URL", async () => {
    server.use(http.delete("http://h.test/gone", () => new HttpResponse("No such connection", { status: 404, statusText: "Not Found" })));
    const error = await client()
      .delete("http://h.test/gone")
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(404);
    expect((error as Error).message).toContain("DELETE http://h.test/gone");
    expect((error as Error).message).toContain("404");
    expect((error as Error).message).toContain("No such connection");
  });

  it("rejects with HttpError status 0 when no response arrives", async () => {
    server.use(http.get("http://h.test/down", () => HttpResponse.error()));
    const error = await client()
      .get("http://h.test/down")
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(0);
  });

  it("rejects with AbortError when the request's signal aborts", async () => {
    const arrived = deferred();
    server.use(
      http.get("http://h.test/slow", async () => {
        arrived.resolve();
        await new Promise(() => undefined);
        return HttpResponse.text("never");
      }),
    );
    const controller = new AbortController();
    const pending = client().get("http://h.test/slow", { abortSignal: controller.signal });
    await arrived.promise;
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects at once with AbortError when the signal was already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client().get("http://h.test/never", { abortSignal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it("rejects with TimeoutError after its timeout", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const arrived = deferred();
      server.use(
        http.get("http://h.test/slow", async () => {
          arrived.resolve();
          await new Promise(() => undefined);
          return HttpResponse.text("never");
        }),
      );
      const pending = client().get("http://h.test/slow", { timeout: 5000 });
      pending.catch(() => undefined);
      await arrived.promise;
      await vi.advanceTimersByTimeAsync(5000);
      const error = await pending.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(/timed out after 5000 ms/);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("HttpClient", () => {
  it("routes get, post and delete through send with the method and URL", async () => {
    const sent: HttpRequest[] = [];
    class Recording extends HttpClient {
      override async send(request: HttpRequest) {
        sent.push(request);
        return new HubHttpResponse(200, "OK", "");
      }
    }
    const recording = new Recording();
    await recording.get("http://h.test/a", { headers: { a: "1" } });
    await recording.post("http://h.test/b", { content: "x" });
    await recording.delete("http://h.test/c");
    expect(sent.map((r) => [r.method, r.url])).toEqual([
      ["GET", "http://h.test/a"],
      ["POST", "http://h.test/b"],
      ["DELETE", "http://h.test/c"],
    ]);
    expect(sent[0]!.headers).toEqual({ a: "1" });
    expect(sent[1]!.content).toBe("x");
    expect(recording.getCookieString("http://h.test/")).toBe("");
  });
});
