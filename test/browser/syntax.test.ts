/**
 * The bundles' syntax: an ES5-only parser accepts the ES5 bundles, an ES2017 parser the modern
 * ones. scripts/check-bundles.mjs (also run by `npm run check:package`) does the parsing, with
 * acorn; this runs it and checks its verdict on each file, so these requirements are tests here.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/paths.js";

let lines: string[] = [];

beforeAll(() => {
  const result = spawnSync(process.execPath, [join(repoRoot, "scripts/check-bundles.mjs")], { cwd: repoRoot, encoding: "utf8" });
  if (result.error) throw result.error;
  lines = result.stdout.split("\n");
});

function verdict(check: string): string {
  const line = lines.find((candidate) => candidate.slice(5) === check);
  return line === undefined ? `no line for "${check}" in:\n${lines.join("\n")}` : line.slice(0, 5).trim();
}

describe("bundle syntax (acorn)", () => {
  it.each(["hubwire.es5.js", "hubwire.es5.min.js", "hubwire-msgpack.es5.js", "hubwire-msgpack.es5.min.js"])(
    "an ES5-only parser (ecmaVersion 5) accepts %s",
    (name) => {
      expect(verdict(`${name} parses as ES5`)).toBe("ok");
    },
  );

  it.each(["hubwire.js", "hubwire.min.js", "hubwire-msgpack.js", "hubwire-msgpack.min.js"])("an ES2017 parser accepts %s", (name) => {
    expect(verdict(`${name} parses as ES2017`)).toBe("ok");
  });
});
