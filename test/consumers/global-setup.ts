/**
 * vitest globalSetup of the "consumers" project: packs hubwire once (`npm pack`, what a registry
 * would serve) and installs the tarball into a fresh directory outside the repo, so the consumer
 * apps resolve `hubwire` exactly as a user's app would: from node_modules/hubwire, with its
 * dependencies (ws, eventsource, tough-cookie) installed beside it, and never from the repo.
 *
 *   <tmp>/hubwire-0.1.0.tgz
 *   <tmp>/apps/package.json, node_modules/   `npm install <tarball>`
 *   <tmp>/apps/<app>/                         each test copies its fixture here (see support.ts)
 *
 * Needs `npm run build` first (`npm test` runs it). Tests read the directory with
 * `inject("consumerRoot")`; the whole temp directory is removed afterwards.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type {} from "vitest";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The directory whose node_modules holds the installed tarball; apps are its subdirectories. */
    consumerRoot: string;
  }
}

const repo = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

/**
 * The environment for npm: the caller's, minus what `npm test` sets for its own script
 * (npm_config_local_prefix, npm_package_*, …), which could point the nested npm at the repo.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|config_(local_prefix|prefix|global_prefix)$)/i.test(key)) delete env[key];
  }
  return { ...env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("npm", args, { cwd, env: npmEnv(), shell: process.platform === "win32", maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  for (const file of ["dist/esm/browser/index.js", "dist/cjs/node/index.cjs", "dist/esm/types/index.d.ts"]) {
    if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` before the consumer tests.`);
  }
  const temp = await mkdtemp(join(tmpdir(), "hubwire-consumers-"));
  try {
    const packed = JSON.parse(await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", temp], repo)) as { filename: string }[];
    const tarball = join(temp, packed[0]!.filename);

    const apps = join(temp, "apps");
    await mkdir(apps);
    await writeFile(join(apps, "package.json"), JSON.stringify({ name: "hubwire-consumer-apps", private: true }, null, 2));
    // --prefer-offline: ws, eventsource and tough-cookie come from npm's cache when `npm ci` put them there.
    await npm(["install", tarball, "--prefer-offline", "--no-package-lock", "--ignore-scripts", "--loglevel=error"], apps);
    if (!existsSync(join(apps, "node_modules/hubwire/package.json"))) throw new Error(`npm install ${tarball} did not install hubwire`);

    provide("consumerRoot", apps);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  return () => rm(temp, { recursive: true, force: true });
}
