import { describe, expect, it } from "vitest";
import { combinations, useConnections } from "../support/functional.js";

// In Node every transport carries real request headers (WebSocket upgrade, EventSource GET,
// long polls), so the hub's HttpContext sees the `headers` option, the user agent and the
// cookies kept from negotiate.

describe.each(combinations)("[%s] headers, query string and cookies", (combination) => {
  const hub = useConnections();

  it("sends the `headers` option with the transport's requests", async () => {
    const value = `value for ${combination.label}`;
    const connection = await hub.connect(combination, "/testhub", { options: { headers: { "X-Hubwire-Test": value, "X-Second": "2" } } });
    expect(await connection.invoke("GetHeader", "X-Hubwire-Test")).toBe(value);
    expect(await connection.invoke("GetHeader", "x-second")).toBe("2");
    expect(await connection.invoke("GetHeader", "X-Not-Sent")).toBeNull();
  });

  it("identifies itself with a hubwire User-Agent", async () => {
    const connection = await hub.connect(combination);
    const agent = await connection.invoke<string | null>("GetHeader", "User-Agent");
    expect(agent).toMatch(/^hubwire\//);
    expect(agent).toContain("NodeJS");
  });

  it("keeps the hub URL's query string on the transport's requests", async () => {
    const connection = await hub.connect(combination, "/testhub?room=blue&greeting=h%C3%A9llo%20w%C3%B6rld&empty=");
    expect(await connection.invoke("GetQueryString", "room")).toBe("blue");
    expect(await connection.invoke("GetQueryString", "greeting")).toBe("héllo wörld");
    expect(await connection.invoke("GetQueryString", "empty")).toBe("");
    expect(await connection.invoke("GetQueryString", "absent")).toBeNull();
  });

  it("sends the affinity cookie set by negotiate with every transport request", async () => {
    const connection = await hub.connect(combination);
    const cookie = await connection.invoke<string | null>("GetCookie", "affinity");
    expect(cookie).toMatch(/^[0-9a-f]{32}$/);
    // Several more requests for HTTP transports (sends, polls), then the server's verdict.
    for (let i = 0; i < 3; i++) expect(await connection.invoke("Echo", i)).toBe(i);
    expect(await connection.invoke("GetNegotiateCookieSeen")).toBe(true);
  });
});
