import { describe, expect, it } from "vitest";
import { HubConnectionState, NegotiateError } from "../../src/index.js";
import { rejectionOf, TRANSPORTS, useConnections } from "../support/functional.js";

// AuthHub (/authhub) accepts "valid-token-<user>" as a bearer token; anything else is a 401,
// negotiate included. The other endpoints imitate negotiate answers of other servers.

describe.each(TRANSPORTS)("authentication over %s", (transportName, transport) => {
  const hub = useConnections();

  it("authenticates with the token from accessTokenFactory", async () => {
    const connection = await hub.start("/authhub", { options: { transport, accessTokenFactory: () => "valid-token-alice" } });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("GetUserName")).toBe("alice");
    expect(await connection.invoke("Echo", "secured")).toBe("secured");
  });

  it("accepts a factory that returns a promise", async () => {
    const connection = await hub.start("/authhub", {
      options: {
        transport,
        accessTokenFactory: async () => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return "valid-token-bob";
        },
      },
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("GetUserName")).toBe("bob");
  });

  it("asks the token factory for each negotiate and each transport connect, on every start", async () => {
    let calls = 0;
    const connection = hub.build("/authhub", {
      options: {
        transport,
        accessTokenFactory: () => {
          calls++;
          return `valid-token-user${calls}`;
        },
      },
    });
    await connection.start();
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    // Every transport asks for a fresh token when it connects: negotiate + connect.
    const perStart = 2;
    expect(calls).toBe(perStart);
    // The hub sees the user of the token the transport connected with: the latest one.
    expect(await connection.invoke("GetUserName")).toBe(`user${perStart}`);

    await connection.stop();
    await connection.start();
    expect(calls).toBe(2 * perStart);
    expect(await connection.invoke("GetUserName")).toBe(`user${2 * perStart}`);
  });

  it("asks the factory again after a 401 and retries with the new token", async () => {
    const tokens = ["expired-token", "valid-token-carol"];
    let calls = 0;
    const connection = await hub.start("/authhub", {
      options: { transport, accessTokenFactory: () => tokens[Math.min(calls++, tokens.length - 1)]! },
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("GetUserName")).toBe("carol");
  });

  it("fails start with NegotiateError status 401 without a token", async () => {
    const connection = hub.build("/authhub", { options: transport });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(401);
    expect(error.message).toContain("/authhub/negotiate");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("fails start with NegotiateError status 401 with an invalid token", async () => {
    const connection = hub.build("/authhub", { options: { transport, accessTokenFactory: () => "not-a-valid-token" } });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(401);
    expect(error.message).not.toContain("not-a-valid-token");
  });

  it("follows a negotiate redirect to /authhub with the redirect's access token", async () => {
    let factoryCalls = 0;
    const connection = await hub.start("/redirect", {
      options: { transport, accessTokenFactory: () => (factoryCalls++, "valid-token-should-not-be-used") },
    });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    expect(await connection.invoke("GetUserName")).toBe("redirected");
    expect(await connection.invoke("GetRequestPath")).toBe("/authhub");
    expect(connection.connectionId).toBeTruthy();
    expect(factoryCalls).toBe(1); // only for the first negotiate: the redirect's token replaces it
  });

  it("follows a negotiate redirect without any token factory", async () => {
    const connection = await hub.start("/redirect", { options: transport });
    expect(await connection.invoke("GetUserName")).toBe("redirected");
    expect(await connection.invoke("GetTransport")).toBe(transportName);
  });

  it("gives up on an endless redirect loop with NegotiateError about too many redirects", async () => {
    const connection = hub.build("/redirect-loop", { options: transport });
    const error = await rejectionOf(connection.start(), 30_000);
    expect(error).toBeInstanceOf(NegotiateError);
    // Capped like the official client: 100 redirects, then give up, naming where it ended up.
    expect(error.message).toMatch(/redirected 100 times/);
    expect(error.message).toContain("/redirect-loop");
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });

  it("fails start with NegotiateError carrying the server's negotiate error text", async () => {
    const connection = hub.build("/negotiate-error", { options: transport });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NegotiateError);
    expect(error.message).toContain("negotiate refused by test server");
  });

  it("fails start with NegotiateError explaining that a legacy ASP.NET SignalR server is not supported", async () => {
    const connection = hub.build("/legacy", { options: transport });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NegotiateError);
    expect(error.message).toMatch(/legacy ASP\.NET SignalR server/);
  });

  it.each([503, 500, 404, 403])("fails start with NegotiateError status %i when negotiate answers it", async (status) => {
    const connection = hub.build(`/status/${status}`, { options: transport });
    const error = await rejectionOf(connection.start());
    expect(error).toBeInstanceOf(NegotiateError);
    expect((error as NegotiateError).statusCode).toBe(status);
    expect(error.message).toContain(String(status));
    expect(connection.state).toBe(HubConnectionState.Disconnected);
  });
});
