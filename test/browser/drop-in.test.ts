// Drop-in parity in a real browser: test/browser/pages/drop-in.js is a page script written for the
// official client's script-tag bundles (plain JavaScript, no build step, only the global `signalR`).
// It runs in Debian's chromium once with @microsoft/signalr's signalr.min.js (plus
// signalr-protocol-msgpack.min.js, which reads the global signalR, so it loads after it) and once
// with each of hubwire's bundles (hubwire.min.js and hubwire.es5.min.js for JSON, hubwire.min.js +
// hubwire-msgpack.min.js for MessagePack), against the real test server over each transport. Each
// scenario records what the page observes (values, states, the order and `this` of callbacks,
// which exported error class an error is, server texts, what reached the hub, the unhandled
// rejections and uncaught errors the page saw); the records must be equal.
//
// The differences listed at the top of test/functional/drop-in.test.ts (the Node parity suite) hold
// here too, and the scenarios compare only the shared part the same way: errors by the classes both
// export (HttpError with statusCode, TimeoutError, AbortError, else Error), messages only where the
// server wrote them; Subjects only as stream arguments; subscribe at once; no callback that throws
// before another of the same event; the access token checked where the hub can read it.
//
// Differences found in the browser, and why each is acceptable (compared on the shared part):
// - The default logger. Without configureLogging, the official builder gives its HubConnection a
//   NullLogger and only its HttpConnection and transports the console logger at Information, so a
//   page's console never shows the hub layer's lines: not "No client method with the name 'x'
//   found." (Warning), not "A callback for the method 'x' threw error ..." (Error). hubwire's default
//   (documented: the console at Information) covers every layer, so a handler's failure is not
//   swallowed silently. The Information lines also differ in wording and moment (message texts are
//   not part of the API). Compared: with a level configured, the levels printed in each phase; by
//   default, that only Information lines are printed, through console.info, as "[ISO date] Level: ".
// - An accessTokenFactory that throws or rejects: hubwire's start() rejects with that very error,
//   the official client's with a new Error wrapping its text. Compared: an Error whose message holds
//   the factory's text, and the state.
// - MessagePack integers beyond ±2^53: hubwire gives an exact bigint, the official client a number
//   (exact here: 2^54). Compared: String(value).
// - MessagePack ArrayBuffer arguments: hubwire sends them as binary (byte[] on the server), the
//   official client as an empty map (the server then fails the call). Not compared.
// - VERSION is each package's own: compared as a string shaped like "1.2.3".
// - The global: hubwire's `signalR` has more names (its error classes, ...); every name of the
//   official global must be there.
// - X-SignalR-User-Agent names the client: compared as present or not.
//
// Pages run one after another over Server-Sent Events and Long Polling: chromium opens at most 6
// HTTP connections to one host, and each open event stream or pending poll holds one, so two such
// pages at once can starve each other. WebSocket pages run side by side.
import { describe, expect, inject, it } from "vitest";
import { type HubRun, type Protocol } from "./support/pages.js";
import { usePages } from "./support/session.js";

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

/** HUBWIRE_DROPIN_PRINT=1 prints every record and the milliseconds each scenario took. */
const PRINT = process.env.HUBWIRE_DROPIN_PRINT === "1";

const openPage = usePages();

async function runDropIn(scripts: string[], transport: string, protocol: Protocol): Promise<DropInRun> {
  const query = new URLSearchParams({ scripts: scripts.join(","), runner: "drop-in.js", server: inject("serverUrl"), transport, protocol });
  const { run } = await openPage(`/bundle.html?${query}`, { timeoutMs: 45_000 });
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
    const sides = [official, ...hubwire];
    let runs: DropInRun[] = [];
    if (transport === "WebSockets") {
      runs = await Promise.all(sides.map((side) => runDropIn(side.scripts, transport, protocol)));
    } else {
      for (const side of sides) runs.push(await runDropIn(side.scripts, transport, protocol));
    }
    if (PRINT) sides.forEach((side, i) => console.log(`[${protocol} ${transport}] ${side.label}: ${JSON.stringify(runs[i]!.timings)}`));
    const [expected, ...actual] = runs;
    expectClean(expected!, official.label);
    if (PRINT) console.log(`[${protocol} ${transport}] ${official.label}\n${JSON.stringify([expected!.records, expected!.escaped], null, 1)}`);
    hubwire.forEach((side, i) => {
      const run = actual[i]!;
      if (PRINT) console.log(`[${protocol} ${transport}] ${side.label}\n${JSON.stringify([run.records, run.escaped], null, 1)}`);
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
