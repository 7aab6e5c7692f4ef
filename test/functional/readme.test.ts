// The README's TypeScript examples, run as written against the real server: only the hub URL
// (and the example's `token`) are filled in. An example that stops working fails here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { HubConnection } from "../../src/index.js";
import { serverUrl, waitFor } from "../support/functional.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
// Inside the test tree, so vitest compiles it and resolves "hubwire" to the sources.
const dir = mkdtempSync(join(import.meta.dirname, ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an example to a module, exporting its `connection`, and imports it. */
async function run(index: number, code: string): Promise<HubConnection> {
  const file = join(dir, `example-${index}.ts`);
  writeFileSync(file, `const token = "readme";\n${code}\nexport { connection };\n`);
  return ((await import(/* @vite-ignore */ file)) as { connection: HubConnection }).connection;
}

describe("README examples", () => {
  it("has the examples this test knows how to run", () => {
    expect(examples.length).toBe(2);
    expect(examples[0]).toContain('"http://127.0.0.1:5000/chat"');
    expect(examples[1]).toContain('"/chat"');
  });

  it("runs the first example as written: it connects, sends, and prints the broadcast", async () => {
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)));
    const connection = await run(0, examples[0]!.replace('"http://127.0.0.1:5000/chat"', JSON.stringify(`${serverUrl()}/testhub`)));
    try {
      await waitFor(() => printed.includes("me: hi"), 10_000, "the broadcast printed by the example's handler");
      expect(connection.state).toBe("Connected");
    } finally {
      log.mockRestore();
      await connection.stop();
    }
  });

  it("runs the MessagePack example: the connection it builds speaks MessagePack", async () => {
    const connection = await run(1, examples[1]!.replace('"/chat"', JSON.stringify(`${serverUrl()}/testhub`)));
    try {
      await connection.start();
      expect(await connection.invoke("DescribeValue", new Uint8Array([1]))).toBe("System.Byte[]:01");
    } finally {
      await connection.stop();
    }
  });
});
