import { InvalidArgumentError } from "../errors.js";

/** Adds `key=value` to a URL's query string, keeping what is there. */
export function appendQuery(url: string, key: string, value: string): string {
  const hash = url.indexOf("#");
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? "" : url.slice(hash);
  return `${base}${base.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(value)}${fragment}`;
}

/** `{hub}/negotiate?…&negotiateVersion=1`, keeping the hub URL's own query string. */
export function negotiateUrl(hubUrl: string, useStatefulReconnect: boolean): string {
  const queryStart = hubUrl.indexOf("?");
  const path = queryStart < 0 ? hubUrl : hubUrl.slice(0, queryStart);
  const query = queryStart < 0 ? "" : hubUrl.slice(queryStart);
  let url = `${path}${path.endsWith("/") ? "" : "/"}negotiate${query}`;
  if (!/[?&]negotiateVersion=/.test(url)) {
    url = appendQuery(url, "negotiateVersion", "1");
  }
  if (useStatefulReconnect && !/[?&]useStatefulReconnect=/.test(url)) {
    url = appendQuery(url, "useStatefulReconnect", "true");
  }
  return url;
}

/**
 * Makes a hub URL absolute: relative URLs resolve against the page's address.
 * @throws InvalidArgumentError for a URL that is empty, relative where there is no page, or not http(s).
 */
export function resolveHubUrl(url: string): string {
  if (typeof url !== "string" || url.trim() === "") {
    throw new InvalidArgumentError("The hub URL must be a non-empty string.");
  }
  const base = (globalThis as { document?: { baseURI?: string }; location?: { href?: string } }).document?.baseURI ??
    (globalThis as { location?: { href?: string } }).location?.href;
  let parsed: URL;
  try {
    parsed = base ? new URL(url, base) : new URL(url);
  } catch {
    throw new InvalidArgumentError(
      `The hub URL '${url}' is not a valid absolute URL${base ? "" : " (relative URLs need a page to resolve against; use http://host/hub)"}.`,
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:" && parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new InvalidArgumentError(`The hub URL '${url}' must use http, https, ws or wss, not '${parsed.protocol}'.`);
  }
  // Keep the caller's spelling where it was already absolute: the server sees exactly what was given.
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : parsed.href;
}
