/**
 * vitest globalSetup: builds the ASP.NET Core SignalR test server (test/server) if needed,
 * starts one instance for the whole run and stops it afterwards.
 *
 * Tests read the URL with `inject("serverUrl")` (from "vitest"); it is also exported as
 * process.env.HUBWIRE_TEST_SERVER_URL for helpers that run outside the vitest context.
 * Set HUBWIRE_TEST_SERVER_URL yourself to use an already running server instead.
 */
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { buildTestServer, startTestServer } from "./server.js";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const external = process.env.HUBWIRE_TEST_SERVER_URL;
  if (external) {
    provide("serverUrl", external);
    console.log(`[test-server] using externally started server at ${external}`);
    return async () => {};
  }

  const started = Date.now();
  await buildTestServer();
  const server = await startTestServer();
  provide("serverUrl", server.url);
  process.env.HUBWIRE_TEST_SERVER_URL = server.url;
  console.log(
    `[test-server] ASP.NET Core SignalR test server listening at ${server.url} (pid ${server.pid}, ready in ${Date.now() - started} ms)`,
  );

  return async () => {
    await server.stop();
    delete process.env.HUBWIRE_TEST_SERVER_URL;
  };
}
