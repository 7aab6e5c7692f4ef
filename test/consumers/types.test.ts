/**
 * TypeScript consumers of the packed, installed hubwire: fixtures/typescript/consumer.ts.txt
 * (imports from hubwire and hubwire/msgpack, `withHubProtocol(new MessagePackHubProtocol())`,
 * and two `@ts-expect-error` lines that fail if the declarations degrade to `any`), checked by the
 * repo's tsc with `skipLibCheck: false`, so hubwire's own .d.ts/.d.cts files are checked too,
 * under each module resolution a consumer may use. `--listFiles` shows which declarations the
 * `types` conditions led to. No @types/node is installed in the app: the declarations must not
 * need it. lib is ES2020 + DOM (like @microsoft/signalr's, they name DOM types such as AbortSignal),
 * where fixtures/typescript/forAwait.ts.txt also reads a stream with `for await`; one more consumer
 * uses lib ES2017 + DOM, which has no AsyncIterable.
 */
import { renameSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { consumerRoot, createApp, repo, runFile, slash } from "./support.js";

const tsc = join(repo, "node_modules/typescript/bin/tsc");

const modern = ["ES2020", "DOM"];
const modes = [
  { name: "node16, ESM package", dir: "types-node16-esm", type: "module", module: "node16", moduleResolution: "node16", types: "dist/esm/types", ext: ".d.ts", lib: modern },
  { name: "node16, CommonJS package", dir: "types-node16-cjs", type: "commonjs", module: "node16", moduleResolution: "node16", types: "dist/cjs/types", ext: ".d.cts", lib: modern },
  { name: "bundler", dir: "types-bundler", type: "module", module: "esnext", moduleResolution: "bundler", types: "dist/esm/types", ext: ".d.ts", lib: modern },
  // An older lib, without AsyncIterable: the declarations must still compile (for await is left out).
  { name: "bundler, lib ES2017", dir: "types-es2017", type: "module", module: "esnext", moduleResolution: "bundler", types: "dist/esm/types", ext: ".d.ts", lib: ["ES2017", "DOM"] },
];

for (const { name, dir, type, module, moduleResolution, types, ext, lib } of modes) {
  describe(`a TypeScript consumer, moduleResolution "${moduleResolution}" (${name})`, () => {
    let listed: string[];
    let diagnostics: string[];

    beforeAll(async () => {
      const app = createApp("typescript", dir);
      renameSync(join(app, "consumer.ts.txt"), join(app, "consumer.ts"));
      const files = ["consumer.ts"];
      if (lib === modern) {
        renameSync(join(app, "forAwait.ts.txt"), join(app, "forAwait.ts"));
        files.push("forAwait.ts");
      }
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: dir, private: true, type }, null, 2));
      writeFileSync(
        join(app, "tsconfig.json"),
        JSON.stringify(
          {
            compilerOptions: { target: lib[0], lib, module, moduleResolution, strict: true, skipLibCheck: false, noEmit: true, types: [] },
            files,
          },
          null,
          2,
        ),
      );
      // tsc exits non-zero on errors; its stdout has the diagnostics, then (--listFiles) the files it read.
      const output = await runFile(process.execPath, [tsc, "-p", "tsconfig.json", "--listFiles", "--pretty", "false"], { cwd: app, maxBuffer: 16 * 1024 * 1024 }).catch(
        (error: { stdout?: string; message: string }) => ({ stdout: error.stdout || error.message }),
      );
      const lines = output.stdout.split(/\r?\n/).filter(Boolean);
      listed = lines.filter((line) => isAbsolute(line)).map(slash);
      diagnostics = lines.filter((line) => !isAbsolute(line));
    });

    it("type-checks imports of hubwire and hubwire/msgpack, withHubProtocol(new MessagePackHubProtocol()) included, with skipLibCheck false", () => {
      expect(diagnostics).toEqual([]);
      expect(listed.some((file) => file.endsWith("/consumer.ts"))).toBe(true);
    });

    it(`reads hubwire's declarations from ${types} (${ext})`, () => {
      const pkg = `${slash(consumerRoot())}/node_modules/hubwire/`;
      const declarations = listed.filter((file) => file.startsWith(pkg)).map((file) => file.slice(pkg.length));
      expect(declarations).toEqual(expect.arrayContaining([`${types}/index${ext}`, `${types}/msgpack/index${ext}`]));
      expect(declarations.filter((file) => !file.startsWith(`${types}/`) || !file.endsWith(ext))).toEqual([]);
    });
  });
}
