/**
 * Node console clients using the packed, installed hubwire: `import` (ESM) and `require` (CJS)
 * of `hubwire` and `hubwire/msgpack`. Each fixture runs in its own `node` process (the one
 * running the tests), starts a connection against a local HTTP server that refuses negotiate,
 * and prints what it saw as one JSON line.
 *
 * The Node platform shows in where the specifiers resolve (import.meta.resolve /
 * require.resolve: dist/esm/node, dist/cjs/node) and in what it does: it sends a real
 * User-Agent header naming NodeJS, where the browser build sends X-SignalR-User-Agent naming a
 * Browser; under CommonJS, require.cache also shows ws, eventsource and tough-cookie loaded.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { consumerRoot, createApp, runFile, slash } from "./support.js";

interface Report {
  resolved: { core: string; msgpack: string };
  protocol: string;
  state: string;
  startRejectedWithHubwireError: boolean;
  requests: { method: string; url: string; userAgent?: string; signalRUserAgent?: string }[];
  msgpackErrorIsCoreProtocolError: boolean;
  loadedPackages?: string[];
}

let app: string;
/** Each client's report (or why it has none), by fixture file: both clients run once, at the same time. */
const reports = new Map<string, Report | Error>();

async function runClient(file: string): Promise<Report> {
  const { stdout } = await runFile(process.execPath, [file], { cwd: app, timeout: 60_000 });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Report;
}

beforeAll(async () => {
  app = createApp("node");
  await Promise.all(
    ["esm.mjs", "cjs.cjs"].map((file) =>
      runClient(file).then(
        (report) => reports.set(file, report),
        (error: Error & { stderr?: string }) => reports.set(file, new Error(`node ${file} failed: ${error.stderr || error.message}`)),
      ),
    ),
  );
});

function reportOf(file: string): Report {
  const report = reports.get(file);
  if (!report || report instanceof Error) throw report ?? new Error(`no report from ${file}`);
  return report;
}

const installed = (path: string) => `${slash(consumerRoot())}/node_modules/hubwire/${path}`;

const clients = [
  { kind: "ESM", file: "esm.mjs", how: "import", tree: "dist/esm/node", ext: "js" },
  { kind: "CommonJS", file: "cjs.cjs", how: "require", tree: "dist/cjs/node", ext: "cjs" },
];

for (const { kind, file, how, tree, ext } of clients) {
  describe(`a Node ${kind} client (${how})`, () => {
    const report = () => reportOf(file);

    it(`resolves hubwire and hubwire/msgpack to the Node build (${tree})`, () => {
      expect(slash(report().resolved.core)).toBe(installed(`${tree}/index.${ext}`));
      expect(slash(report().resolved.msgpack)).toBe(installed(`${tree}/msgpack.${ext}`));
    });

    it("negotiates with the Node platform's User-Agent header, not the browser's", () => {
      const { requests, startRejectedWithHubwireError, state } = report();
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ method: "POST", url: "/chat/negotiate?negotiateVersion=1" });
      expect(requests[0]!.userAgent).toMatch(/^hubwire\/[^ ]+ \(.*; NodeJS; .*\)$/);
      expect(requests[0]!.signalRUserAgent).toBeUndefined();
      expect(startRejectedWithHubwireError).toBe(true);
      expect(state).toBe("Disconnected");
    });

    it("builds a connection with hubwire/msgpack's MessagePackHubProtocol, whose errors are the core's ProtocolError", () => {
      expect(report().protocol).toBe("messagepack");
      expect(report().msgpackErrorIsCoreProtocolError).toBe(true);
    });
  });
}

it("a Node CommonJS client has ws, eventsource and tough-cookie loaded with hubwire (require.cache)", () => {
  expect(reportOf("cjs.cjs").loadedPackages).toEqual(["ws", "eventsource", "tough-cookie"]);
});
