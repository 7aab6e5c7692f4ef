// Drop-in parity in a real browser: test/browser/pages/drop-in.js is a page script written for the
// official client's script-tag bundles (it uses only the global `signalR`). It runs once with
// @microsoft/signalr's signalr.min.js (and signalr-protocol-msgpack.min.js, which needs it loaded
// first) and once with each of hubwire's bundles, against the real test server over each transport,
// and the records of what the page observed must be equal.
//
// DIFFERENCES
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium, type Chromium } from "./support/chromium.js";
import { runPage, type HubRun, type Protocol } from "./support/pages.js";
import { startStaticServer, type StaticServer } from "./support/static-server.js";

/** What drop-in.js reports. */
interface DropInRun extends HubRun {
  /** The global `signalR`'s names. */
  exports: string[];
  /** One record per scenario (or `{ failed }`). */
  records: Record<string, unknown>;
  /** Per scenario: the unhandled rejections and uncaught errors the page saw (their kinds). */
  escaped: Record<string, string[]>;
  /** Connections a scenario left in another state than Disconnected after stop(). */
  leftOpen: string[];
  /** Milliseconds per scenario. */
  timings: Record<string, number>;
}

interface Side {
  label: string;
  scripts: string[];
}

interface Case {
  protocol: Protocol;
  transports: string[];
  official: Side;
  hubwire: Side[];
}

const cases: Case[] = [
  {
    protocol: "json",
    transports: ["WebSockets", "ServerSentEvents", "LongPolling"],
    official: { label: "signalr.min.js", scripts: ["signalr.min.js"] },
    hubwire: [
      { label: "hubwire.min.js", scripts: ["hubwire.min.js"] },
      { label: "hubwire.es5.min.js", scripts: ["hubwire.es5.min.js"] },
    ],
  },
  {
    // Server-Sent Events carry text only; MessagePack is binary.
    protocol: "messagepack",
    transports: ["WebSockets", "LongPolling"],
    official: { label: "signalr.min.js + signalr-protocol-msgpack.min.js", scripts: ["signalr.min.js", "signalr-protocol-msgpack.min.js"] },
    hubwire: [{ label: "hubwire.min.js + hubwire-msgpack.min.js", scripts: ["hubwire.min.js", "hubwire-msgpack.min.js"] }],
  },
];

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

async function runDropIn(scripts: string[], transport: string, protocol: Protocol): Promise<DropInRun> {
  const query = new URLSearchParams({ scripts: scripts.join(","), runner: "drop-in.js", server: inject("serverUrl"), transport, protocol });
  const { run } = await runPage(browser!.context, `${pages!.url}/bundle.html?${query}`, { timeoutMs: 45_000 });
  return run as DropInRun;
}

function expectClean(run: DropInRun, label: string): void {
  expect(run.error, `${label}: the page failed`).toBeUndefined();
  expect(run.leftOpen, `${label}: connections not Disconnected after stop()`).toEqual([]);
  for (const [name, record] of Object.entries(run.records)) {
    expect((record as { failed?: string } | null)?.failed, `${label}: scenario "${name}" failed\nlog:\n${run.log.slice(-30).join("\n")}`).toBeUndefined();
  }
}

describe.each(cases.map((c) => [c.protocol, c] as const))("a page written for the official bundles, %s", (_protocol, { protocol, transports, official, hubwire }) => {
  it.each(transports)("records the same over %s with hubwire's bundles", async (transport) => {
    const runs: DropInRun[] = [];
    for (const side of [official, ...hubwire]) {
      const began = Date.now();
      runs.push(await runDropIn(side.scripts, transport, protocol));
      if (process.env.HUBWIRE_DROPIN_PRINT === "1") console.log(`[${protocol} ${transport}] ${side.label}: ${Date.now() - began} ms ${JSON.stringify(runs.at(-1)!.timings)}`);
    }
    const [expected, ...actual] = runs;
    expectClean(expected!, official.label);
    if (process.env.HUBWIRE_DROPIN_PRINT === "1") console.log(`[${protocol} ${transport}] ${official.label}\n${JSON.stringify([expected!.records, expected!.escaped], null, 1)}`);
    hubwire.forEach((side, i) => {
      const run = actual[i]!;
      if (process.env.HUBWIRE_DROPIN_PRINT === "1") console.log(`[${protocol} ${transport}] ${side.label}\n${JSON.stringify([run.records, run.escaped], null, 1)}`);
      expectClean(run, side.label);
      expect(expected!.exports.filter((name) => !run.exports.includes(name)), `${side.label}: the official global's names missing`).toEqual([]);
      expect(Object.keys(run.records)).toEqual(Object.keys(expected!.records));
      for (const name of Object.keys(expected!.records)) {
        expect.soft(run.records[name], `${side.label} over ${transport}: ${name}`).toStrictEqual(expected!.records[name]);
        expect.soft(run.escaped[name], `${side.label} over ${transport}: ${name}: unhandled rejections, uncaught errors`).toStrictEqual(expected!.escaped[name]);
      }
    });
  });
});
