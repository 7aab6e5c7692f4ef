import { afterAll, beforeAll } from "vitest";
import { launchChromium, type Chromium } from "./chromium.js";
import { runPage, type PageRun, type RunOptions } from "./pages.js";
import { startStaticServer, type StaticServer } from "./static-server.js";

/**
 * Starts chromium and the static page server for the calling test file (both closed after it)
 * and returns a function that opens `path` (a page of the static server, with its query) and
 * runs it, as runPage does.
 */
export function usePages(): (path: string, options?: RunOptions) => Promise<PageRun> {
  let browser: Chromium | undefined;
  let pages: StaticServer | undefined;
  beforeAll(async () => {
    pages = await startStaticServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });
  return (path, options) => runPage(browser!.context, `${pages!.url}${path}`, options);
}
