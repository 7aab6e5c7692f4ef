/**
 * The chat demo end to end, as the README tells a newcomer to run it: `scripts/demo.mjs` builds
 * the examples and starts examples/chat-server, then prints the pages' URLs and the console
 * client's command. Chromium opens the script-tag, TypeScript and browserify pages, the console
 * client (examples/chat-node/chat.mjs, exactly as printed) joins, and a message sent from each
 * reaches all the others.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { findFreePort } from "../support/server.js";
import { launchChromium, type Chromium } from "./support/chromium.js";
import { repoRoot } from "./support/paths.js";

/** Collects a child's output line by line; `waitFor` resolves with the first line matching. */
class Lines {
  readonly all: string[] = [];
  private partial = "";
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) {
      this.all.push(line);
      for (const waiter of this.waiters.filter((w) => w.match(line))) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }

  waitFor(pattern: RegExp | string, timeoutMs: number, what: string): Promise<string> {
    const match = (line: string) => (typeof pattern === "string" ? line === pattern : pattern.test(line));
    const seen = this.all.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; output so far:\n${this.all.join("\n")}`));
      }, timeoutMs);
      const done = (line: string) => {
        clearTimeout(timer);
        resolve(line);
      };
      this.waiters.push({ match, resolve: done });
    });
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Waits up to `ms` for the child to exit; true if it did. */
async function exitsWithin(child: ChildProcess, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const result = await Promise.race([exited(child).then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

interface Participant {
  label: string;
  name: string;
  page: Page;
}

const WAIT_MS = 20_000;

let demo: ChildProcessWithoutNullStreams | undefined;
const demoOutput = new Lines();
let browser: Chromium | undefined;
let chatNode: ChildProcessWithoutNullStreams | undefined;
const chatNodeOutput = new Lines();
let consoleName = "";
const participants: Participant[] = [];

/** Kills the demo's process group (node, then dotnet under it) if this worker dies first. */
function killDemoGroup(signal: NodeJS.Signals): void {
  if (demo?.pid !== undefined && demo.exitCode === null && demo.signalCode === null) {
    try {
      process.kill(-demo.pid, signal);
    } catch {
      // already gone
    }
  }
}
const killDemoOnExit = () => killDemoGroup("SIGKILL");

beforeAll(async () => {
  const port = await findFreePort();
  // Its own process group, so that afterAll stops the chat server it starts as well.
  demo = spawn(process.execPath, ["scripts/demo.mjs", "--skip-hubwire-build"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port) },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  process.on("exit", killDemoOnExit);
  demo.stdout.setEncoding("utf8").on("data", (chunk: string) => demoOutput.push(chunk));
  demo.stderr.setEncoding("utf8").on("data", (chunk: string) => demoOutput.push(chunk));
  const demoExit = exited(demo).then(() => {
    throw new Error(`scripts/demo.mjs exited (${demo?.exitCode ?? demo?.signalCode}) before it was ready:\n${demoOutput.all.join("\n")}`);
  });
  // Building the examples and the chat server takes a while on a cold machine.
  await Promise.race([demoOutput.waitFor(/Press Ctrl\+C here to stop the server/, 240_000, "the demo to be ready"), demoExit]);
  demoExit.catch(() => undefined);

  const printed = (path: string) => {
    const line = demoOutput.all.find((candidate) => candidate.trim().startsWith(`http://127.0.0.1:${port}${path} `));
    expect(line, `the demo prints the URL of ${path}`).toBeDefined();
    return line!.trim().split(/\s+/)[0]!;
  };
  const pages = [
    { label: "script-tag page", name: "sam", url: printed("/script-tag/") },
    { label: "TypeScript page", name: "tess", url: printed("/ts/") },
    { label: "browserify page", name: "bree", url: printed("/browserify/") },
  ];

  // The console client, started with the command the demo prints.
  const command = demoOutput.all.map((line) => line.trim()).find((line) => line.startsWith("node examples/chat-node/chat.mjs "));
  expect(command, "the demo prints how to join from the console client").toBeDefined();
  const args = command!.split(/\s+/).slice(1);
  consoleName = args[2]!;
  expect(args[1], "the console client joins the demo's hub").toBe(`http://127.0.0.1:${port}/chat`);
  chatNode = spawn(process.execPath, args, { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  chatNode.stdout.setEncoding("utf8").on("data", (chunk: string) => chatNodeOutput.push(chunk));
  chatNode.stderr.setEncoding("utf8").on("data", (chunk: string) => chatNodeOutput.push(chunk));

  browser = await launchChromium();
  for (const { label, name, url } of pages) {
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.locator("#status").getByText("Connected", { exact: true }).waitFor({ timeout: WAIT_MS });
    await page.fill("#name", name);
    participants.push({ label, name, page });
  }
  await chatNodeOutput.waitFor(/^Connected to .* as /, WAIT_MS, "the console client to connect");
});

afterAll(async () => {
  await browser?.close();
  if (chatNode && chatNode.exitCode === null) {
    chatNode.stdin.end(); // Ctrl+D: the client stops its connection and exits
    if (!(await exitsWithin(chatNode, 10_000))) {
      chatNode.kill("SIGKILL");
      await exited(chatNode);
    }
  }
  if (demo) {
    killDemoGroup("SIGTERM");
    if (!(await exitsWithin(demo, 15_000))) {
      killDemoGroup("SIGKILL");
      await exited(demo);
    }
    process.off("exit", killDemoOnExit);
  }
});

/** Waits until `page`'s message list shows `text` (exactly once). */
async function expectOnPage({ page, label }: Participant, text: string): Promise<void> {
  const item = page.locator("#messages li").getByText(text, { exact: true });
  await item.waitFor({ timeout: WAIT_MS }).catch((error: Error) => {
    throw new Error(`the ${label} did not show "${text}": ${error.message}`);
  });
  expect(await item.count(), `"${text}" shown once on the ${label}`).toBe(1);
}

async function sendFromPage({ page }: Participant, message: string): Promise<void> {
  await page.fill("#message", message);
  await page.click("#send");
}

describe("the chat demo (npm run demo)", () => {
  it.each(["script-tag page", "TypeScript page", "browserify page"])("a message sent from the %s reaches the other pages and the console client", async (label) => {
    const sender = participants.find((participant) => participant.label === label)!;
    const message = `hello from the ${sender.label}`;
    await sendFromPage(sender, message);
    const line = `${sender.name}: ${message}`;
    for (const participant of participants) await expectOnPage(participant, line);
    await chatNodeOutput.waitFor(line, WAIT_MS, `the console client to print "${line}"`);
  });

  it("a line typed into the console client reaches every page", async () => {
    const message = "hello from the console <b>not bold</b>";
    chatNode!.stdin.write(`${message}\n`);
    const line = `${consoleName}: ${message}`;
    for (const participant of participants) await expectOnPage(participant, line);
    await chatNodeOutput.waitFor(line, WAIT_MS, "the console client to print its own message");
  });
});
