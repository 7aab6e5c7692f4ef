import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError, type HubConnection } from "../../src/index.js";
import { rejectionOf, TRANSPORTS, useConnections, withTimeout } from "../support/functional.js";

// TestHub.AskClient(method, arg) invokes `method` on the caller, waits for the client's
// result and returns it; a client-side failure comes back as HubException("client error: …").

describe.each(TRANSPORTS)("client results over %s", (transportName, transport) => {
  const hub = useConnections();

  async function connect(): Promise<HubConnection> {
    const connection = await hub.start("/testhub", { options: transport });
    expect(await connection.invoke("GetTransport")).toBe(transportName);
    return connection;
  }

  it("answers the server with the handler's return value", async () => {
    const connection = await connect();
    const seen: unknown[] = [];
    connection.on("compute", (arg: { a: number; b: number }) => {
      seen.push(arg);
      return { sum: arg.a + arg.b, label: "computed" };
    });
    const result = await withTimeout(connection.invoke("AskClient", "compute", { a: 20, b: 22 }), 10_000, "AskClient");
    expect(seen).toEqual([{ a: 20, b: 22 }]);
    expect(result).toEqual({ sum: 42, label: "computed" });
  });

  it("answers with the value of the promise the handler returns", async () => {
    const connection = await connect();
    connection.on("slowCompute", async (arg: string) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `${arg.toUpperCase()}!`;
    });
    expect(await withTimeout(connection.invoke("AskClient", "slowCompute", "later"), 10_000, "AskClient")).toBe("LATER!");
  });

  it("matches the handler name case-insensitively for client results", async () => {
    const connection = await connect();
    connection.on("CaseQuestion", (arg: number) => arg * 2);
    expect(await withTimeout(connection.invoke("AskClient", "casequestion", 21), 10_000, "AskClient")).toBe(42);
  });

  it("reports a throwing handler's error text to the server, so the invoke rejects with it", async () => {
    const connection = await connect();
    connection.on("broken", () => {
      throw new Error("the client refuses");
    });
    const error = await rejectionOf(connection.invoke("AskClient", "broken", null));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("client error");
    expect(error.message).toContain("the client refuses");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("reports a rejected promise's error text to the server", async () => {
    const connection = await connect();
    connection.on("brokenAsync", async () => {
      await Promise.resolve();
      throw new Error("async refusal");
    });
    const error = await rejectionOf(connection.invoke("AskClient", "brokenAsync", null));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("async refusal");
  });

  it("answers with an error when no handler is registered, so the invoke rejects", async () => {
    const connection = await connect();
    const error = await rejectionOf(connection.invoke("AskClient", "nobodyHome", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("client error");
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", "fine")).toBe("fine");
  });
});
