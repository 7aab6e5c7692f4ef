import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run the TypeScript sources, with #platform as the Node platform (rollup.config.mjs
// resolves it for each build; the published package has no #platform left).
const nodePlatform = fileURLToPath(new URL("./src/platform/node.ts", import.meta.url));

export default defineConfig({
  // "hubwire" too, so code written as a user would (the README's examples) runs from the sources.
  resolve: {
    alias: [
      { find: "#platform", replacement: nodePlatform },
      { find: /^hubwire\/msgpack$/, replacement: fileURLToPath(new URL("./src/msgpack/index.ts", import.meta.url)) },
      { find: /^hubwire$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    projects: [
      {
        // Inherit the root `resolve.alias` (#platform → src): inline projects do not by default.
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "functional",
          include: ["test/functional/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // One real server is shared; files run one at a time so reconnect tests that restart servers stay predictable.
          fileParallelism: false,
        },
      },
      {
        // The built package as its users get it: `npm pack`, installed into apps outside the repo
        // (Vite, webpack, esbuild, browserify, Node ESM/CJS, tsc). Needs `npm run build` first.
        // No `extends`: nothing here may resolve #platform or anything else from src/.
        test: {
          name: "consumers",
          include: ["test/consumers/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/consumers/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Tests in Node that drive Debian's chromium (playwright-core) on the *built* bundles in
        // dist/ and on the chat examples; see test/browser/global-setup.ts. No `extends`: they
        // load what was built, never src/.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/browser/global-setup.ts", "test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
