import { toError } from "../errors.js";
import { valuesOf } from "./mapSnapshot.js";

/** A stream argument: hubwire's Subject, anything with `subscribe`, or an async iterable. */
export type StreamSource = { subscribe(subscriber: any): { dispose(): void } } | AsyncIterable<unknown>;

/** How a client-to-server stream sends what it produces. */
export interface StreamSink {
  item(streamId: string, item: unknown): Promise<void>;
  /** Ends the stream; with an error message when the source failed. */
  end(streamId: string, error?: string): Promise<void>;
}

/** Splits call arguments into plain arguments and stream arguments (each given an id). */
export function extractStreams(args: readonly unknown[], nextId: () => string): { args: unknown[]; streams: Map<string, StreamSource> } {
  const plain: unknown[] = [];
  const streams = new Map<string, StreamSource>();
  for (const arg of args) {
    if (isStreamSource(arg)) {
      streams.set(nextId(), arg);
    } else {
      plain.push(arg);
    }
  }
  return { args: plain, streams };
}

function isStreamSource(value: unknown): value is StreamSource {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const candidate = value as { subscribe?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof candidate.subscribe === "function" || typeof candidate[Symbol.asyncIterator] === "function";
}

/**
 * The client-to-server streams that are running. Each sends its items in
 * order, then a Completion; `cancelAll` stops them when the connection closes.
 */
export class ClientStreams {
  private readonly running = new Map<string, () => void>();

  /** Starts pumping each stream into the sink. */
  launch(streams: Map<string, StreamSource>, sink: StreamSink, onError: (error: Error) => void): void {
    for (const [streamId, source] of streams) {
      if ("subscribe" in source && typeof source.subscribe === "function") {
        this.launchSubscribable(streamId, source, sink, onError);
      } else {
        this.launchIterable(streamId, source as AsyncIterable<unknown>, sink, onError);
      }
    }
  }

  /** Stops every running stream without sending anything more. */
  cancelAll(): void {
    const stops = valuesOf(this.running);
    this.running.clear();
    for (const stop of stops) {
      stop();
    }
  }

  private launchSubscribable(streamId: string, source: { subscribe(subscriber: any): { dispose(): void } }, sink: StreamSink, onError: (error: Error) => void): void {
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      this.running.delete(streamId);
      sink.end(streamId, error).catch(onError);
    };
    const subscription = source.subscribe({
      next: (item: unknown) => {
        if (!done) sink.item(streamId, item).catch(onError);
      },
      error: (err: unknown) => finish(toError(err).message),
      complete: () => finish(),
    });
    if (done) {
      subscription.dispose();
      return;
    }
    this.running.set(streamId, () => {
      done = true;
      subscription.dispose();
    });
  }

  private launchIterable(streamId: string, source: AsyncIterable<unknown>, sink: StreamSink, onError: (error: Error) => void): void {
    let cancelled = false;
    const iterator = source[Symbol.asyncIterator]();
    this.running.set(streamId, () => {
      cancelled = true;
      void iterator.return?.()?.catch?.(() => undefined);
    });
    const pump = async () => {
      let failure: string | undefined;
      try {
        for (;;) {
          const step = await iterator.next();
          if (cancelled || step.done) break;
          await sink.item(streamId, step.value);
        }
      } catch (error) {
        failure = toError(error).message;
      }
      if (!cancelled) {
        this.running.delete(streamId);
        await sink.end(streamId, failure);
      }
    };
    pump().catch(onError);
  }
}
