/**
 * Builds, starts and stops the real ASP.NET Core SignalR test server (test/server) that the
 * functional tests run against. Node built-ins only.
 *
 *   await buildTestServer();                    // no-op when the DLL is newer than the sources
 *   const server = await startTestServer();     // free port on 127.0.0.1
 *   server.url                                  // "http://127.0.0.1:PORT"
 *   await server.stop();                        // SIGKILL + wait for exit (also simulates a crash)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface TestServer {
  /** Base URL, e.g. "http://127.0.0.1:5123" (no trailing slash). */
  url: string;
  port: number;
  /** Process id of the dotnet process. */
  pid: number;
  /** Kills the server (SIGKILL) and resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  /** The last ~64 KB the server printed (warnings and errors only). */
  output(): string;
}

export interface StartTestServerOptions {
  /** Port to listen on; a free one on 127.0.0.1 is picked when omitted. */
  port?: number;
  /** How long to wait for GET /health to answer 200. Default 30 000 ms. */
  timeoutMs?: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const serverProjectDir = join(repoRoot, "test", "server");
export const serverProject = join(serverProjectDir, "TestServer.csproj");
export const serverDll = join(serverProjectDir, "bin", "Release", "net10.0", "TestServer.dll");

const dotnetEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  DOTNET_CLI_TELEMETRY_OPTOUT: "1",
  DOTNET_NOLOGO: "1",
  DOTNET_SKIP_FIRST_TIME_EXPERIENCE: "1",
});

/** Newest modification time of the server's .cs/.csproj sources (bin/ and obj/ excluded). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (entry.name === "bin" || entry.name === "obj") continue;
      newest = Math.max(newest, newestSourceMtime(join(dir, entry.name)));
    } else if (entry.name.endsWith(".cs") || entry.name.endsWith(".csproj")) {
      newest = Math.max(newest, statSync(join(dir, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** True when the built DLL exists and is newer than every source file. */
export function isTestServerBuildFresh(): boolean {
  if (!existsSync(serverDll)) return false;
  return statSync(serverDll).mtimeMs > newestSourceMtime(serverProjectDir);
}

/**
 * Runs `dotnet build test/server/TestServer.csproj -c Release`, unless the DLL is already
 * newer than every .cs/.csproj file in test/server.
 */
export async function buildTestServer(): Promise<void> {
  if (isTestServerBuildFresh()) return;
  const args = ["build", relative(repoRoot, serverProject), "-c", "Release", "--nologo", "-v", "q"];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolvePromise, reject) => {
    const child = spawn("dotnet", args, { cwd: repoRoot, env: dotnetEnv(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.on("error", (error) =>
      reject(new Error(`could not run "dotnet ${args.join(" ")}": ${error.message} (is the .NET SDK installed?)`)),
    );
    child.on("close", resolvePromise);
  });
  if (code !== 0) {
    throw new Error(`"dotnet ${args.join(" ")}" failed with exit code ${code}:\n${output.join("")}`);
  }
  if (!existsSync(serverDll)) {
    throw new Error(`"dotnet ${args.join(" ")}" succeeded but ${serverDll} is missing:\n${output.join("")}`);
  }
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      if (address === null || typeof address === "string") {
        probe.close();
        reject(new Error("could not determine a free port"));
        return;
      }
      const { port } = address;
      probe.close(() => resolvePromise(port));
    });
  });
}

// Every server still running is killed when this Node process goes away.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllRunning(): void {
  for (const child of running) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killAllRunning);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAllRunning();
      // Re-raise so the default behaviour (exit) still happens, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** True when GET /health answers 200 from *our* process (not another server on that port). */
async function healthOk(url: string, pid: number | undefined): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    await response.text();
    return response.status === 200 && response.headers.get("x-server-pid") === String(pid);
  } catch {
    return false;
  }
}

/**
 * Starts the (already built) test server: `dotnet TestServer.dll --urls http://127.0.0.1:PORT`,
 * and resolves once GET /health answers 200.
 */
export async function startTestServer(options: StartTestServerOptions = {}): Promise<TestServer> {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} does not exist: call buildTestServer() first`);
  }
  const port = options.port ?? (await findFreePort());
  const timeoutMs = options.timeoutMs ?? 30_000;
  const url = `http://127.0.0.1:${port}`;

  installExitHook();
  const child = spawn("dotnet", [serverDll, "--urls", url], {
    cwd: serverProjectDir,
    // The server exits by itself when its stdin closes (HUBWIRE_EXIT_ON_STDIN_EOF), so it
    // does not outlive this process even if we are killed without a chance to clean up.
    env: { ...dotnetEnv(), ASPNETCORE_ENVIRONMENT: "Development", HUBWIRE_EXIT_ON_STDIN_EOF: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.add(child);
  // Do not keep this Node process alive just because a server is running: the exit hook
  // (and the stdin EOF above) take care of it.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  // Keep the last ~64 KB of the server's output (it logs warnings and errors only) for error
  // messages and for server.output(). Set HUBWIRE_TEST_SERVER_LOG=1 to also echo it to stderr.
  // It is not echoed by default because tests provoke server-side errors on purpose.
  let output = "";
  const echo = process.env.HUBWIRE_TEST_SERVER_LOG === "1";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-65536);
    if (echo) process.stderr.write(`[test-server] ${chunk}`);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);

  let exited = false;
  let exitDescription = "";
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolvePromise) => {
    child.on("exit", (code, signal) => {
      exited = true;
      exitDescription = signal ? `signal ${signal}` : `exit code ${code}`;
      running.delete(child);
      resolvePromise();
    });
    child.on("error", (error) => {
      spawnError = error;
      exited = true;
      exitDescription = `spawn error: ${error.message}`;
      running.delete(child);
      resolvePromise();
    });
  });

  const stop = async (): Promise<void> => {
    if (!exited) {
      // Keep the event loop alive until the exit has been observed (the child is unref'd).
      child.ref();
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    await exitPromise;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(
        `test server exited before becoming ready (${exitDescription})` +
          (spawnError ? " - is the .NET runtime installed?" : "") +
          `\n--- server output ---\n${output}`,
      );
    }
    if (await healthOk(url, child.pid)) break;
    if (Date.now() >= deadline) {
      await stop();
      throw new Error(
        `test server did not answer GET ${url}/health with 200 within ${timeoutMs} ms` +
          `\n--- server output ---\n${output}`,
      );
    }
    await sleep(100);
  }

  return { url, port, pid: child.pid!, stop, output: () => output };
}
