/** hubwire.min.js in a dedicated Web Worker (importScripts): no window, no document. */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, type Chromium } from "./support/chromium.js";
import { expectRoundTrip, expectStopped, expectUploaded, runPage, runnerQuery } from "./support/pages.js";
import { startStaticServer, type StaticServer } from "./support/static-server.js";

let browser: Chromium | undefined;
let pages: StaticServer | undefined;

beforeAll(async () => {
  pages = await startStaticServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await pages?.close();
});

describe("hubwire.min.js in a Web Worker", () => {
  it.each(["WebSockets", "ServerSentEvents", "LongPolling"])(
    "loads with importScripts, connects over %s, invokes, streams both ways, receives a hub call, stops and reports back",
    async (transport) => {
      const query = runnerQuery(["hubwire.min.js"], `${inject("serverUrl")}/testhub`, transport);
      const { run } = await runPage(browser!.context, `${pages!.url}/worker.html?${query}`);
      expectRoundTrip(run, transport, "json");
      expectUploaded(run);
      expectStopped(run);
      expect(run.context).toBe("worker");
      expect(run.globalsBefore, "a worker has neither window nor document").toEqual({ window: "undefined", document: "undefined" });
    },
  );
});
