#!/usr/bin/env node
/**
 * Runs a command (normally `vitest run --project functional`) under Node 22, so the suite
 * exercises the global-WebSocket path as well as Node 20's `ws` path.
 *
 *   node test/support/run-with-node22.mjs vitest run --project functional
 *
 * Node 22 comes from .tools/node22 (git-ignored). When it is missing it is installed with
 * `npm install --no-save --prefix .tools/node22 node-<platform>-<arch>@22`. The command runs
 * through `npx` with that Node first on PATH, and with HUBWIRE_EXPECT_NODE_MAJOR=22 so that
 * test/functional/node-runtime.test.ts fails if another Node version sneaks in.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const prefix = join(repoRoot, ".tools", "node22");
const packageName = `node-${process.platform}-${process.arch}`;
const binDir = join(prefix, "node_modules", packageName, "bin");
const nodeBinary = join(binDir, process.platform === "win32" ? "node.exe" : "node");

if (!existsSync(nodeBinary)) {
  console.log(`[node22] ${nodeBinary} not found: installing ${packageName}@22 into ${prefix}`);
  const install = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, `${packageName}@22`], {
    cwd: repoRoot,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (install.status !== 0 || !existsSync(nodeBinary)) {
    console.error(`[node22] could not install ${packageName}@22 (is there a build for this platform?)`);
    process.exit(install.status || 1);
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node test/support/run-with-node22.mjs <command> [args...]");
  process.exit(2);
}

const result = spawnSync("npx", args, {
  cwd: repoRoot,
  stdio: "inherit",
  shell: process.platform === "win32",
  env: { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`, HUBWIRE_EXPECT_NODE_MAJOR: "22" },
});
if (result.error) {
  console.error(`[node22] could not run npx ${args.join(" ")}: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
