/**
 * vitest globalSetup for the browser tests (with test/support/global-setup.ts, which starts the
 * ASP.NET Core test server): builds dist/ when it is missing (`npm test` has built it already),
 * and checks that Debian's chromium is there.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_PATH } from "./support/chromium.js";
import { distBrowser, repoRoot } from "./support/paths.js";

const needed = [
  join(distBrowser, "hubwire.min.js"),
  join(distBrowser, "hubwire.es5.min.js"),
  join(distBrowser, "hubwire-msgpack.min.js"),
  join(distBrowser, "hubwire-msgpack.es5.min.js"),
  join(repoRoot, "dist/cjs/browser/index.cjs"),
  join(repoRoot, "dist/esm/node/index.js"),
];

export default function setup(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`the browser tests need Debian's chromium at ${CHROMIUM_PATH}: apt-get install -y chromium (.ci/run does this)`);
  }
  const missing = needed.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    console.log(`[browser tests] ${missing.length} built file(s) missing, running npm run build`);
    const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, stdio: "inherit", shell: process.platform === "win32" });
    if (result.status !== 0) throw new Error(`npm run build failed (exit code ${result.status})`);
  }
}
