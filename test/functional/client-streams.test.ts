import { describe, expect, it } from "vitest";
import { HubConnectionState, HubError, Subject } from "../../src/index.js";
import { combinations, rejectionOf, useConnections, waitFor, withTimeout } from "../support/functional.js";

describe.each(combinations)("[%s] client-to-server streams", (combination) => {
  const hub = useConnections();
  const connect = () => hub.connect(combination);

  it("uploads a Subject's items pushed right after invoke()", async () => {
    const connection = await connect();
    const subject = new Subject<string>();
    const result = connection.invoke("Upload", subject);
    subject.next("alpha-");
    subject.next("beta-");
    subject.next("gamma");
    subject.complete();
    expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("alpha-beta-gamma");
  });

  it("uploads a Subject's items pushed later, asynchronously, interleaved with other calls", async () => {
    const connection = await connect();
    const subject = new Subject<string>();
    const result = connection.invoke("Upload", subject);
    // Items produced from later turns of the event loop, interleaved with other traffic.
    for (const part of ["one", "two", "thrée"]) {
      expect(await connection.invoke("Echo", part)).toBe(part);
      subject.next(`${part};`);
    }
    subject.complete();
    expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("one;two;thrée;");
  });

  it("uploads the items of an async generator", async () => {
    const connection = await connect();
    async function* produce() {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield `<${i}>`;
      }
    }
    expect(await withTimeout(connection.invoke("Upload", produce()), 10_000, "Upload to complete")).toBe("<0><1><2><3><4>");
  });

  it("uploads two streams passed as two arguments of one call (UploadTwo)", async () => {
    const connection = await connect();
    const first = new Subject<string>();
    const second = new Subject<string>();
    const result = connection.invoke("UploadTwo", first, second);
    first.next("a1");
    second.next("b1");
    second.next("b2");
    first.next("a2");
    second.complete();
    first.next("a3");
    first.complete();
    expect(await withTimeout(result, 10_000, "UploadTwo to complete")).toBe("a1a2a3|b1b2");
  });

  it("uploads two async generators in one call (UploadTwo)", async () => {
    const connection = await connect();
    async function* letters(prefix: string, count: number) {
      for (let i = 0; i < count; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield `${prefix}${i}`;
      }
    }
    expect(await withTimeout(connection.invoke("UploadTwo", letters("x", 3), letters("y", 4)), 10_000, "UploadTwo to complete")).toBe(
      "x0x1x2|y0y1y2y3",
    );
  });

  it("mixes a plain argument and a stream argument (UploadSum)", async () => {
    const connection = await connect();
    const numbers = new Subject<number>();
    const result = connection.invoke("UploadSum", "total", numbers);
    for (const n of [1, 2, 3, 4, 5, 100, -15, 70_000]) numbers.next(n);
    numbers.complete();
    expect(await withTimeout(result, 10_000, "UploadSum to complete")).toBe("total:70100");
  });

  it("uploads an empty stream", async () => {
    const connection = await connect();
    const subject = new Subject<string>();
    const result = connection.invoke("Upload", subject);
    subject.complete();
    expect(await withTimeout(result, 10_000, "Upload to complete")).toBe("");
  });

  it("tells the server when the Subject errors, so the invoke rejects", async () => {
    const connection = await connect();
    const subject = new Subject<string>();
    const result = connection.invoke("Upload", subject);
    subject.next("partial");
    subject.error(new Error("client-side producer failed"));
    const error = await rejectionOf(result);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).methodName).toBe("Upload");
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", "after")).toBe("after");
  });

  it("tells the server when an async generator throws, so the invoke rejects", async () => {
    const connection = await connect();
    async function* failing() {
      yield "first";
      throw new Error("generator failed");
    }
    const error = await rejectionOf(connection.invoke("Upload", failing()));
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).methodName).toBe("Upload");
    expect(connection.state).toBe(HubConnectionState.Connected);
  });

  it("stops the stream arguments of a call the server refuses: the Subject is let go, the generator returned", async () => {
    const connection = await connect();
    const subject = new Subject<string>();
    let returned = false;
    async function* produce() {
      try {
        for (let i = 0; ; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          yield `${i}`;
        }
      } finally {
        returned = true;
      }
    }
    const error = await rejectionOf(connection.invoke("NoSuchMethod", subject, produce()));
    expect(error).toBeInstanceOf(HubError);
    expect(subject.observers).toHaveLength(0);
    await waitFor(() => returned, 5_000, "the generator to be returned");
    subject.next("ignored");
    expect(await connection.invoke("Echo", "after")).toBe("after");
  });

  it("rejects the invoke when a stream item does not fit the stream's type, and stays connected", async () => {
    const connection = await connect();
    const numbers = new Subject<unknown>();
    const result = connection.invoke("UploadSum", "typed", numbers);
    numbers.next(1);
    numbers.next("not a number"); // UploadSum reads a ChannelReader<int>
    numbers.complete();
    const error = await rejectionOf(result);
    expect(error).toBeInstanceOf(HubError);
    expect(connection.state).toBe(HubConnectionState.Connected);
    expect(await connection.invoke("Echo", "after")).toBe("after");
  });
});
