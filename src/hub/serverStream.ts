import type { IStreamResult, IStreamSubscriber, ISubscription } from "./stream.js";

type StreamEvent<T> = { kind: "next"; value: T } | { kind: "error"; error: Error } | { kind: "complete" };

/**
 * The result of `HubConnection.stream`. Items that arrive before anyone
 * subscribes are kept and handed to the first subscriber, so none is lost.
 * When the last subscriber disposes before the end, the stream is cancelled.
 */
export class ServerStream<T> implements IStreamResult<T> {
  private readonly subscribers: IStreamSubscriber<T>[] = [];
  private pending: StreamEvent<T>[] | undefined = [];
  private ended = false;

  constructor(private readonly cancel: () => void) {}

  /** Delivers an item. */
  next(value: T): void {
    this.deliver({ kind: "next", value });
  }

  /** Ends the stream with an error. */
  error(error: Error): void {
    this.deliver({ kind: "error", error });
  }

  /** Ends the stream. */
  complete(): void {
    this.deliver({ kind: "complete" });
  }

  subscribe(subscriber: IStreamSubscriber<T>): ISubscription<T> {
    this.subscribers.push(subscriber);
    const backlog = this.pending;
    if (backlog) {
      this.pending = undefined;
      for (const event of backlog) {
        this.send(subscriber, event);
      }
    }
    return {
      dispose: () => {
        const index = this.subscribers.indexOf(subscriber);
        if (index < 0) {
          return;
        }
        this.subscribers.splice(index, 1);
        if (this.subscribers.length === 0 && !this.ended) {
          this.ended = true;
          this.cancel();
        }
      },
    };
  }

  private deliver(event: StreamEvent<T>): void {
    if (this.ended) {
      return;
    }
    if (event.kind !== "next") {
      this.ended = true;
    }
    if (this.pending) {
      this.pending.push(event);
      return;
    }
    for (const subscriber of this.subscribers.slice()) {
      this.send(subscriber, event);
    }
  }

  private send(subscriber: IStreamSubscriber<T>, event: StreamEvent<T>): void {
    if (event.kind === "next") {
      subscriber.next(event.value);
    } else {
      subscriber.closed = true;
      if (event.kind === "error") {
        subscriber.error(event.error);
      } else {
        subscriber.complete();
      }
    }
  }
}
