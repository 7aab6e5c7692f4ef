/**
 * Runs test/browser/pages/hub-runner.js in a Chromium page (or a worker started by one) and
 * hands its report to Node, where the tests assert on it.
 */
import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";

/** What hub-runner.js reports (see there); `error` is set when a step failed. */
export interface HubRun {
  context: "window" | "worker";
  error?: string;
  /** hubwire's own log lines (the runner's ILogger), for failure messages. */
  log: string[];
  globalsBefore?: Record<string, string>;
  globals?: Record<string, string>;
  globalsAfter?: Record<string, string>;
  connectedState?: string;
  transport?: string;
  described?: string;
  echo?: unknown;
  streamed?: unknown[];
  /** Counter(3) read through the stream's async iterator (what `for await` uses). */
  iterated?: unknown;
  received?: unknown[][];
  /** What Upload made of the client-to-server stream, or why it failed. */
  uploaded?: string;
  uploadError?: string;
  finalState?: string;
  /** One entry per onclose call: the error's message, or null. */
  closed?: (string | null)[];
}

export interface PageRun {
  run: HubRun;
  /** Every request the page made: its URL and Chromium's resource type ("fetch", "xhr", …). */
  requests: { url: string; type: string }[];
}

export interface RunOptions {
  /** Code that runs in the page before any of its own scripts (Playwright's addInitScript). */
  initScript?: string;
  timeoutMs?: number;
}

const RESULT = "hubwire-result ";

/** Opens `url`, waits for the runner's report, closes the page. Rejects on a page error or timeout. */
export async function runPage(context: BrowserContext, url: string, options: RunOptions = {}): Promise<PageRun> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const page = await context.newPage();
  const consoleLines: string[] = [];
  const requests: PageRun["requests"] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (options.initScript) await page.addInitScript({ content: options.initScript });
    page.on("request", (request) => requests.push({ url: request.url(), type: request.resourceType() }));
    const report = new Promise<HubRun>((resolve, reject) => {
      page.on("console", (message) => {
        const text = message.text();
        if (text.startsWith(RESULT)) resolve(JSON.parse(text.slice(RESULT.length)) as HubRun);
        else consoleLines.push(`${message.type()}: ${text}`);
      });
      page.on("pageerror", (error) => reject(new Error(`uncaught error in ${url}: ${error.message}`)));
      page.on("crash", () => reject(new Error(`the page crashed: ${url}`)));
      timer = setTimeout(
        () => reject(new Error(`no report from ${url} within ${timeoutMs} ms; console:\n${consoleLines.join("\n")}`)),
        timeoutMs,
      );
    });
    await page.goto(url);
    return { run: await report, requests };
  } finally {
    clearTimeout(timer);
    await page.close();
  }
}

export type Protocol = "json" | "messagepack";

/** The query string hub-runner.js and hub-worker.js read. */
export function runnerQuery(scripts: string[], hubUrl: string, transport: string, protocol: Protocol = "json"): string {
  return new URLSearchParams({ scripts: scripts.join(","), hub: hubUrl, transport, protocol }).toString();
}

/** Asserts that the runner connected over `transport` with `protocol` and that invoke, stream and `on` worked. */
export function expectRoundTrip(run: HubRun, transport: string, protocol: Protocol): void {
  const log = logOf(run);
  expect(run.error, `the runner failed${log}`).toBeUndefined();
  expect(run.connectedState, "state after start()").toBe("Connected");
  expect(run.transport, "the transport the hub sees").toBe(transport);
  if (protocol === "messagepack") {
    expect(run.described, "MessagePack in use: a Uint8Array binds to byte[]").toBe("System.Byte[]:01");
  } else {
    expect(run.described, "JSON in use: the hub gets a JsonElement").toMatch(/^System\.Text\.Json\.JsonElement:/);
  }
  expect(run.echo, "invoke(Echo) resolves with what was sent").toEqual({ text: "h\u00e9llo \u2713", number: 42, list: [1, 2.5, null, true] });
  expect(run.streamed, "stream(Counter, 5) gives every item, then completes").toEqual([0, 1, 2, 3, 4]);
  expect(run.iterated, "stream(Counter, 3) read as for await does").toEqual([0, 1, 2]);
  expect(run.received, "on(fromServer) gets SendToCaller's call once").toEqual([[{ greeting: "hi from the hub" }]]);
}

/** Asserts that a client-to-server stream (a Subject given to invoke) reached the hub whole. */
export function expectUploaded(run: HubRun): void {
  expect(run.uploadError, `the client-to-server stream failed${logOf(run)}`).toBeUndefined();
  expect(run.uploaded, "Upload received both items of the Subject").toBe("upload");
}

/** Asserts that the runner's stop() ended in Disconnected and called onclose once, without an error. */
export function expectStopped(run: HubRun): void {
  const log = logOf(run);
  expect(run.error, `the runner failed${log}`).toBeUndefined();
  expect(run.finalState, `state after stop()${log}`).toBe("Disconnected");
  expect(run.closed, `onclose calls (their error, or null)${log}`).toEqual([null]);
}

function logOf(run: HubRun): string {
  return `\nhubwire's log:\n${run.log.join("\n")}`;
}

/** The negotiate requests the page made, with their resource types. */
export function negotiateRequests(requests: PageRun["requests"]): string[] {
  return requests.filter((request) => new URL(request.url).pathname.endsWith("/negotiate")).map((request) => request.type);
}
