/** hubwire.min.js in a dedicated Web Worker (importScripts): no window, no document. */
import { describe, expect, inject, it } from "vitest";
import { expectRoundTrip, expectStopped, expectUploaded, runnerQuery } from "./support/pages.js";
import { usePages } from "./support/session.js";

const openPage = usePages();

describe("hubwire.min.js in a Web Worker", () => {
  it.each(["WebSockets", "ServerSentEvents", "LongPolling"])(
    "loads with importScripts, connects over %s, invokes, streams both ways, receives a hub call, stops and reports back",
    async (transport) => {
      const query = runnerQuery(["hubwire.min.js"], `${inject("serverUrl")}/testhub`, transport);
      const { run } = await openPage(`/worker.html?${query}`);
      expectRoundTrip(run, transport, "json");
      expectUploaded(run);
      expectStopped(run);
      expect(run.context).toBe("worker");
      expect(run.globalsBefore, "a worker has neither window nor document").toEqual({ window: "undefined", document: "undefined" });
    },
  );
});
