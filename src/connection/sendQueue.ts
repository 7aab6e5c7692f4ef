/**
 * Serialises sends for HTTP transports (SSE, Long Polling): each send is a POST,
 * and POSTs in flight together may arrive out of order. Payloads queued while a
 * POST is in flight go together in the next one.
 */
export class SendQueue {
  private batch: { parts: (string | ArrayBuffer)[]; done: Promise<void>; settle(error?: Error): void } | undefined;
  private sending = false;

  constructor(private readonly sendBatch: (data: string | ArrayBuffer) => Promise<void>) {}

  /** Queues one payload; resolves when the POST that carries it succeeds. */
  send(data: string | ArrayBuffer): Promise<void> {
    if (!this.batch) {
      let settle!: (error?: Error) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
      this.batch = { parts: [], done, settle };
    }
    this.batch.parts.push(data);
    const done = this.batch.done;
    if (!this.sending) {
      void this.drain();
    }
    return done;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.batch) {
      const batch = this.batch;
      this.batch = undefined;
      try {
        await this.sendBatch(concat(batch.parts));
        batch.settle();
      } catch (error) {
        batch.settle(error as Error);
      }
    }
    this.sending = false;
  }
}

function concat(parts: (string | ArrayBuffer)[]): string | ArrayBuffer {
  if (parts.length === 1) {
    return parts[0]!;
  }
  if (parts.every((p) => typeof p === "string")) {
    return (parts as string[]).join("");
  }
  const buffers = parts.map((p) => (typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p)));
  const joined = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.byteLength;
  }
  return joined.buffer;
}
