/**
 * The built UMD bundles (dist/browser), loaded by <script> tags into a page on 127.0.0.1, against
 * the real ASP.NET Core test server (another origin): invoke, stream and `on` over each transport.
 */
import { describe, expect, inject, it } from "vitest";
import { expectRoundTrip, expectStopped, expectUploaded, negotiateRequests, runnerQuery, type Protocol } from "./support/pages.js";
import { usePages } from "./support/session.js";

const ALL = ["WebSockets", "ServerSentEvents", "LongPolling"];
// Server-Sent Events carry text only; MessagePack is binary.
const BINARY = ["WebSockets", "LongPolling"];

/** Deletes what an ES5 browser lacks before any page script runs; the ES5 bundles must bring their own. */
const STRIP_MODERN_GLOBALS = `delete window.Promise; delete window.Map; delete window.Set; delete window.Symbol; delete window.fetch;`;

interface BundleCase {
  label: string;
  scripts: string[];
  protocol: Protocol;
  transports: string[];
  /** Run with Promise, Map, Set, Symbol and fetch deleted first. */
  stripped?: boolean;
}

const cases: BundleCase[] = [
  { label: "hubwire.min.js", scripts: ["hubwire.min.js"], protocol: "json", transports: ALL },
  { label: "hubwire.es5.min.js", scripts: ["hubwire.es5.min.js"], protocol: "json", transports: ALL },
  {
    label: "hubwire-msgpack.min.js (after hubwire.min.js)",
    scripts: ["hubwire.min.js", "hubwire-msgpack.min.js"],
    protocol: "messagepack",
    transports: BINARY,
  },
  {
    label: "hubwire.es5.min.js, in a page without Promise, Map, Set, Symbol and fetch",
    scripts: ["hubwire.es5.min.js"],
    protocol: "json",
    transports: ALL,
    stripped: true,
  },
  {
    label: "hubwire-msgpack.es5.min.js (after hubwire.es5.min.js), in a page without Promise, Map, Set, Symbol and fetch",
    scripts: ["hubwire.es5.min.js", "hubwire-msgpack.es5.min.js"],
    protocol: "messagepack",
    transports: BINARY,
    stripped: true,
  },
];

const openPage = usePages();

/** Opens a page that loads `scripts` from dist/browser and runs hub-runner.js over `transport`. */
async function openBundlePage(scripts: string[], transport: string, protocol: Protocol, stripped: boolean | undefined) {
  const query = runnerQuery(scripts, `${inject("serverUrl")}/testhub`, transport, protocol);
  return openPage(`/bundle.html?${query}`, stripped ? { initScript: STRIP_MODERN_GLOBALS } : {});
}

describe.each(cases.map((c) => [c.label, c] as const))("%s from a <script> tag", (_label, { scripts, protocol, transports, stripped }) => {
  if (!stripped) {
    it.each(transports)("connects over %s, invokes, streams both ways, receives a hub call and stops", async (transport) => {
      const { run, requests } = await openBundlePage(scripts, transport, protocol, stripped);
      expectRoundTrip(run, transport, protocol);
      expectUploaded(run);
      expectStopped(run);
      expect(run.context).toBe("window");
      expect(negotiateRequests(requests), "negotiate went over fetch").toEqual(["fetch"]);
    });
    return;
  }

  it.each(transports)("connects over %s with XMLHttpRequest, invokes, streams both ways, receives a hub call and stops", async (transport) => {
    const { run, requests } = await openBundlePage(scripts, transport, protocol, stripped);
    const missing = { Promise: "undefined", Map: "undefined", Set: "undefined", Symbol: "undefined", fetch: "undefined", window: "object" };
    expect(run.globalsBefore, "the page had none of them before the bundle loaded").toEqual(missing);
    expectRoundTrip(run, transport, protocol);
    // Without a native Symbol, a polyfill that lacked Symbol.iterator once broke every Map spread here.
    expectUploaded(run);
    expectStopped(run);
    expect(run.globalsAfter?.fetch, "the bundle does not define fetch").toBe("undefined");
    expect(negotiateRequests(requests), "negotiate went over XMLHttpRequest").toEqual(["xhr"]);
  });
});
