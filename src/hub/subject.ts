import type { IStreamResult, IStreamSubscriber, ISubscription } from "./stream.js";

/**
 * A stream you push items into, to pass as an argument of `send`, `invoke` or
 * `stream`: hubwire sends each `next` item to the server, then `complete` or
 * `error` ends it. Async iterables work as stream arguments too.
 *
 * @example
 * const subject = new Subject<string>();
 * await connection.send("Upload", subject);
 * subject.next("a"); subject.next("b"); subject.complete();
 */
export class Subject<T> implements IStreamResult<T> {
  /** The current subscribers. */
  observers: IStreamSubscriber<T>[] = [];
  /** Called when the last subscriber disposes. */
  cancelCallback?: () => Promise<void>;

  /** Pushes an item to every subscriber. */
  next(item: T): void {
    for (const observer of this.observers.slice()) {
      observer.next(item);
    }
  }

  /** Ends the stream with an error. */
  error(err: any): void {
    for (const observer of this.observers.slice()) {
      observer.error(err);
    }
  }

  /** Ends the stream. */
  complete(): void {
    for (const observer of this.observers.slice()) {
      observer.complete();
    }
  }

  subscribe(observer: IStreamSubscriber<T>): ISubscription<T> {
    this.observers.push(observer);
    return {
      dispose: () => {
        const index = this.observers.indexOf(observer);
        if (index >= 0) {
          this.observers.splice(index, 1);
        }
        if (this.observers.length === 0 && this.cancelCallback) {
          this.cancelCallback().catch(() => undefined);
        }
      },
    };
  }
}
