import { InvalidArgumentError } from "../errors.js";

/** Adds `key=value` to a URL's query string, keeping what is there (and any #fragment last). */
export function appendQuery(url: string, key: string, value: string): string {
  return url.replace(/^[^#]*/, (base) => `${base + (base.includes("?") ? "&" : "?") + key}=${encodeURIComponent(value)}`);
}

/** `{hub}/negotiate?…&negotiateVersion=1`, keeping the hub URL's own query string. */
export function negotiateUrl(hubUrl: string, useStatefulReconnect: boolean): string {
  let url = hubUrl.replace(/\/?(\?|$)/, "/negotiate$1");
  // A parameter the user already put in the hub URL wins.
  const add = (key: string, value: string) => {
    if (!RegExp(`[?&]${key}=`).test(url)) url = appendQuery(url, key, value);
  };
  add("negotiateVersion", "1");
  if (useStatefulReconnect) add("useStatefulReconnect", "true");
  return url;
}

/**
 * Makes a hub URL absolute: a relative URL resolves against the page's address.
 * @throws InvalidArgumentError for a URL that is blank, relative where there is no page, or not http(s)/ws(s).
 */
export function resolveHubUrl(url: string): string {
  const page = globalThis as { document?: { baseURI?: string }; location?: { href?: string } };
  let resolved = "";
  try {
    // An absolute URL stays as given: the server sees exactly what the caller wrote.
    resolved = /^(http|ws)s?:\/\//i.test(url) ? url : new URL(url, (page.document && page.document.baseURI) || (page.location && page.location.href)).href;
  } catch {
    // Relative, with no page to resolve against: reported below.
  }
  // A blank URL would resolve to the page itself.
  if (!url.trim() || !/^(http|ws)s?:/i.test(resolved)) {
    throw new InvalidArgumentError(`Invalid hub URL '${url}': not http(s) or ws(s)`);
  }
  return resolved;
}
