import { XhrHttpClient, type XMLHttpRequestConstructor } from "../http/xhrHttpClient.js";
import { platform as browser } from "./browser.js";
import type { Platform } from "./platform.js";

/**
 * The ES5 bundles' platform: the browser's, plus XMLHttpRequest where there is no
 * `fetch`. Kept out of the modern builds, whose browsers all have fetch.
 */
export const platform: Platform = {
  ...browser,
  createFallbackHttpClient(logger) {
    const xhr = (globalThis as { XMLHttpRequest?: XMLHttpRequestConstructor }).XMLHttpRequest;
    return typeof xhr === "function" ? new XhrHttpClient(xhr, logger) : undefined;
  },
};
