import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import { AsyncQueue } from "./queue.js";

/** One msw server per test file; handlers are reset after each test. Unhandled requests fail the test. */
export function useMswServer(): ReturnType<typeof setupServer> {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/** A request as the fake server saw it, body read. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}

export async function seen(request: Request): Promise<SeenRequest> {
  return { method: request.method, url: new URL(request.url), headers: request.headers, body: await request.clone().text() };
}

/** A v1 negotiate answer. */
export function negotiateV1(
  connectionId: string,
  transports: readonly string[] = ["WebSockets", "ServerSentEvents", "LongPolling"],
  connectionToken = `${connectionId}-token`,
): Record<string, unknown> {
  return {
    negotiateVersion: 1,
    connectionId,
    connectionToken,
    availableTransports: transports.map((transport) => ({
      transport,
      transferFormats: transport === "ServerSentEvents" ? ["Text"] : ["Text", "Binary"],
    })),
  };
}

/**
 * Answers `POST {hubUrl}/negotiate` with `answer(n)` for the n-th request (from 1),
 * and records each request.
 */
export function negotiateHandler(hubUrl: string, answer: (n: number, request: Request) => Record<string, unknown> | Response) {
  const requests = new AsyncQueue<SeenRequest>();
  const handler = http.post(`${hubUrl}/negotiate`, async ({ request }) => {
    requests.push(await seen(request));
    const result = answer(requests.all.length, request);
    return result instanceof Response ? result : HttpResponse.json(result);
  });
  return { handler, requests };
}
