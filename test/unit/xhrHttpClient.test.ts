import { afterEach, describe, expect, it, vi } from "vitest";
import { AbortError, HttpError, TimeoutError } from "../../src/errors.js";
import { DefaultHttpClient } from "../../src/http/defaultHttpClient.js";
import type { FetchFunction } from "../../src/http/fetchHttpClient.js";
import { HttpResponse } from "../../src/http/httpClient.js";
import { XhrHttpClient, type XMLHttpRequestConstructor } from "../../src/http/xhrHttpClient.js";
import { NullLogger } from "../../src/logging.js";

// The ES5 bundles' platform without fetch (an ES5 browser, or a page that deleted it).
const runtime = vi.hoisted(() => ({ fetch: undefined as FetchFunction | undefined }));
vi.mock("#platform", async () => {
  const { platform: es5 } = await vi.importActual<typeof import("../../src/platform/browserEs5.js")>("../../src/platform/browserEs5.js");
  return {
    platform: {
      ...es5,
      get fetch() {
        return runtime.fetch;
      },
    },
  };
});

/** A stand-in XMLHttpRequest: records what the client set, and the test plays the server. */
class FakeXhr {
  method = "";
  url = "";
  async: boolean | undefined;
  readonly requestHeaders: Record<string, string> = {};
  body: unknown;
  sent = false;
  aborted = false;
  withCredentials = false;
  responseType: XMLHttpRequestResponseType = "";
  timeout = 0;
  status = 0;
  statusText = "";
  response: unknown = "";
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string, async: boolean) {
    Object.assign(this, { method, url, async });
  }
  setRequestHeader(name: string, value: string) {
    this.requestHeaders[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    this.sent = true;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }

  /** Server side: a response arrives. */
  respond(status: number, statusText: string, response: unknown) {
    Object.assign(this, { status, statusText, response });
    this.onload?.();
  }
}

/** A fresh XMLHttpRequest class per test, with the requests it made. */
function fakeXhrClass() {
  const created: FakeXhr[] = [];
  class Xhr extends FakeXhr {
    constructor() {
      super();
      created.push(this);
    }
  }
  return { Xhr: Xhr as unknown as XMLHttpRequestConstructor, created };
}

function client() {
  const { Xhr, created } = fakeXhrClass();
  return { client: new XhrHttpClient(Xhr, NullLogger.instance), created };
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

afterEach(() => {
  vi.unstubAllGlobals();
  runtime.fetch = undefined;
});

describe("XhrHttpClient", () => {
  it("sends the method, URL, headers and body asynchronously, with credentials by default", async () => {
    const { client: http, created } = client();
    const pending = http.post("http://h.test/hub?id=1", { content: "payload\x1e", headers: { "X-One": "1", "X-Two": "2" } });
    const xhr = created[0]!;
    expect([xhr.method, xhr.url, xhr.async]).toEqual(["POST", "http://h.test/hub?id=1", true]);
    expect(xhr.requestHeaders).toEqual({ "X-One": "1", "X-Two": "2" });
    expect(xhr.body).toBe("payload\x1e");
    expect(xhr.withCredentials).toBe(true);
    expect(xhr.timeout).toBe(0);
    xhr.respond(200, "OK", "");
    await pending;
  });

  it("sends no body (null) for a GET, and no credentials when withCredentials is false", async () => {
    const { client: http, created } = client();
    const pending = http.get("http://h.test/x", { withCredentials: false });
    expect(created[0]!.body).toBeNull();
    expect(created[0]!.withCredentials).toBe(false);
    created[0]!.respond(204, "No Content", "");
    expect((await pending).statusCode).toBe(204);
  });

  it("returns the status, status text and text body of a success", async () => {
    const { client: http, created } = client();
    const pending = http.get("http://h.test/ok");
    expect(created[0]!.responseType).toBe("");
    created[0]!.respond(201, "Created", "body");
    const response = await pending;
    expect(response).toBeInstanceOf(HttpResponse);
    expect([response.statusCode, response.statusText, response.content]).toEqual([201, "Created", "body"]);
  });

  it("asks for an ArrayBuffer when the request's responseType is arraybuffer, and returns it", async () => {
    const { client: http, created } = client();
    const pending = http.get("http://h.test/bin", { responseType: "arraybuffer" });
    expect(created[0]!.responseType).toBe("arraybuffer");
    const bytes = new Uint8Array([1, 2, 255]).buffer;
    created[0]!.respond(200, "OK", bytes);
    expect((await pending).content).toBe(bytes);
  });

  it("rejects a non-success status with an HttpError carrying the status, method, URL and body", async () => {
    const { client: http, created } = client();
    const pending = http.delete("http://h.test/gone?id=1&access_token=secret");
    created[0]!.respond(404, "Not Found", "No such connection");
    const error = await failure(pending);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(404);
    expect((error as Error).message).toBe("DELETE http://h.test/gone?id=1&access_token=*** failed: 404 Not Found: No such connection");
  });

  it("rejects with HttpError status 0 when no response arrives (network error, CORS)", async () => {
    const { client: http, created } = client();
    const pending = http.get("http://h.test/down");
    created[0]!.onerror!();
    const error = await failure(pending);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(0);
    expect((error as Error).message).toBe("GET http://h.test/down failed before a response arrived.");
  });

  it("sets the request's timeout and rejects with TimeoutError when it expires", async () => {
    const { client: http, created } = client();
    const pending = http.get("http://h.test/slow", { timeout: 5000 });
    expect(created[0]!.timeout).toBe(5000);
    created[0]!.ontimeout!();
    const error = await failure(pending);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe("GET http://h.test/slow timed out after 5000 ms.");
  });

  it("aborts the request and rejects with AbortError when the request's signal aborts", async () => {
    const { client: http, created } = client();
    const controller = new AbortController();
    const pending = http.get("http://h.test/poll", { abortSignal: controller.signal });
    controller.abort();
    expect(created[0]!.aborted).toBe(true);
    const error = await failure(pending);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).message).toBe("GET http://h.test/poll was aborted.");
  });

  it("rejects at once with AbortError, sending nothing, when the signal was already aborted", async () => {
    const { client: http, created } = client();
    const controller = new AbortController();
    controller.abort();
    await expect(http.get("http://h.test/never", { abortSignal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(created).toHaveLength(0);
  });

  it("stops listening to the signal once the request is answered", async () => {
    const { client: http, created } = client();
    const controller = new AbortController();
    const pending = http.get("http://h.test/x", { abortSignal: controller.signal });
    created[0]!.respond(200, "OK", "done");
    await pending;
    controller.abort();
    expect(created[0]!.aborted).toBe(false);
  });

  it("rejects a request without a URL", async () => {
    const { client: http, created } = client();
    await expect(http.send({ method: "GET" })).rejects.toThrow("HttpRequest needs a url.");
    expect(created).toHaveLength(0);
  });
});

describe("DefaultHttpClient without fetch", () => {
  it("sends through XMLHttpRequest", async () => {
    const { Xhr, created } = fakeXhrClass();
    vi.stubGlobal("XMLHttpRequest", Xhr);
    const pending = new DefaultHttpClient(NullLogger.instance).get("http://h.test/negotiate");
    expect((created[0] as FakeXhr).url).toBe("http://h.test/negotiate");
    (created[0] as FakeXhr).respond(200, "OK", "{}");
    expect((await pending).content).toBe("{}");
  });

  it("prefers fetch where the platform has it", async () => {
    const { Xhr, created } = fakeXhrClass();
    vi.stubGlobal("XMLHttpRequest", Xhr);
    runtime.fetch = async () => new Response("from fetch");
    expect((await new DefaultHttpClient(NullLogger.instance).get("http://h.test/x")).content).toBe("from fetch");
    expect(created).toHaveLength(0);
  });

  it("says to pass an httpClient when there is neither fetch nor XMLHttpRequest", () => {
    vi.stubGlobal("XMLHttpRequest", undefined);
    expect(() => new DefaultHttpClient(NullLogger.instance)).toThrow(/pass an 'httpClient' option/);
  });
});
