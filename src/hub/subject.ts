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
    this._each((observer) => observer.next(item));
  }

  /** Ends the stream with an error. */
  error(err: any): void {
    this._each((observer) => observer.error(err));
  }

  /** Ends the stream. */
  complete(): void {
    this._each((observer) => observer.complete());
  }

  subscribe(observer: IStreamSubscriber<T>): ISubscription<T> {
    this.observers.push(observer);
    return {
      dispose: () => {
        const index = this.observers.indexOf(observer);
        if (index >= 0) this.observers.splice(index, 1);
        if (!this.observers.length && this.cancelCallback) this.cancelCallback().catch(() => {});
      },
    };
  }

  /** Over a copy: a subscriber may dispose while it is called. */
  private _each(call: (observer: IStreamSubscriber<T>) => void): void {
    this.observers.slice().forEach(call);
  }
}
