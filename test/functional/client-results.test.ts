import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError } from "../../src/index.js";
import { combinations, rejectionOf, useConnections, withTimeout } from "../support/functional.js";

// TestHub.AskClient(method, arg) invokes `method` on the caller, waits for the client's
// result and returns it; a client-side failure comes back as HubException("client error: …").

describe.each(combinations)("[%s] client results", (combination) => {
  const hub = useConnections();
  const connect = () => hub.connect(combination);

  it("answers the server with the handler's return value", async () => {
    const connection = await connect();
    // Bytes only where the protocol carries them (JSON would turn a Uint8Array into an object).
    const extra = combination.protocol === "MessagePack" ? { bytes: new Uint8Array([4, 2]) } : {};
    const seen: unknown[] = [];
    connection.on("compute", (arg: { a: number; b: number }) => {
      seen.push(arg);
      return { sum: arg.a + arg.b, label: "computed", ...extra };
    });
    const result = await withTimeout(connection.invoke("AskClient", "compute", { a: 20, b: 22 }), 10_000, "AskClient");
    expect(seen).toEqual([{ a: 20, b: 22 }]);
    expect(result).toEqual({ sum: 42, label: "computed", ...extra });
  });

  it("answers with the value of the promise the handler returns", async () => {
    const connection = await connect();
    connection.on("slowCompute", async (arg: string) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `${arg.toUpperCase()}!`;
    });
    expect(await withTimeout(connection.invoke("AskClient", "slowCompute", "later"), 10_000, "AskClient")).toBe("LATER!");
  });

  it("answers with null when the handler returns null", async () => {
    const connection = await connect();
    connection.on("nothingToSay", () => null);
    expect(await withTimeout(connection.invoke("AskClient", "nothingToSay", 1), 10_000, "AskClient")).toBeNull();
  });

  it("tells the server the client gave no result when the handler returns undefined, as the official client does", async () => {
    const connection = await connect();
    let called = 0;
    connection.on("fireAndForget", () => {
      called++;
    });
    const error = await rejectionOf(connection.invoke("AskClient", "fireAndForget", 1));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain("Client didn't provide a result.");
    expect(called).toBe(1);
    expect(connection.state).toBe(HubConnectionState.Connected);
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
