/** Receives the items of a stream. */
export interface IStreamSubscriber<T> {
  /** Set by hubwire to true once the stream has ended. */
  closed?: boolean;
  /** Called with each item. */
  next(value: T): void;
  /** Called once if the stream fails; nothing follows. */
  error(err: any): void;
  /** Called once when the stream ends; nothing follows. */
  complete(): void;
}

/** A subscription to a stream. */
export interface ISubscription<_T> {
  /** Stops receiving items; the last subscriber's dispose cancels the stream on the server. */
  dispose(): void;
}

/** A stream of items: what `HubConnection.stream` returns, and what a `Subject` is. */
export interface IStreamResult<T> {
  /** Starts receiving items; items that arrived before the first subscriber are delivered to it. */
  subscribe(subscriber: IStreamSubscriber<T>): ISubscription<T>;
}

/** One step of a {@link StreamReader}: an item, or the end. */
export type StreamReadResult<T> = { done: false; value: T } | { done: true; value: undefined };

/**
 * Reads a stream one item at a time: what `for await` uses (an AsyncIterator, spelled out so
 * that TypeScript libs older than ES2018 still compile hubwire's declarations).
 */
export interface StreamReader<T> {
  /** The next item, or the end; rejects with the stream's error. */
  next(): Promise<StreamReadResult<T>>;
  /** Stops reading: disposes the reader's subscription. */
  return(): Promise<StreamReadResult<T>>;
}

/** `Symbol.asyncIterator`'s type where the compiler's lib has it (ES2018 and later), else never. */
type AsyncIteratorKey = SymbolConstructor extends { readonly asyncIterator: infer K } ? K & symbol : never;

/**
 * What `HubConnection.stream` returns: subscribe to it, or read it with
 * `for await (const item of connection.stream(…))` (hubwire only). The loop subscribes at once;
 * the stream's error is thrown by the loop, and leaving the loop early cancels the stream as
 * disposing a subscription does. With a TypeScript lib older than ES2018 it types as an IStreamResult.
 */
export type StreamResult<T> = IStreamResult<T> & { [K in AsyncIteratorKey]: () => StreamReader<T> };

/**
 * Reads a stream with `for await`: items wait in a queue until asked for, the stream's error is
 * thrown by the `next()` that reaches it, and leaving the loop early (`return()`) disposes the
 * subscription, which cancels the stream on the server when nobody else reads it.
 */
export function iterate<T>(stream: IStreamResult<T>): StreamReader<T> {
  type Settle = (resolve: (result: StreamReadResult<T>) => void, reject: (error: unknown) => void) => void;
  /** What arrived and was not asked for yet: items, then the end. */
  const events: Settle[] = [];
  /** The `next()` calls waiting for something to arrive. */
  const waiting: Parameters<Settle>[] = [];
  let over = false;
  const done = (resolve: (result: StreamReadResult<T>) => void) => resolve({ done: true, value: undefined });
  const push = (event: Settle) => {
    const asked = waiting.shift();
    asked ? event(asked[0], asked[1]) : events.push(event);
  };
  const subscription = stream.subscribe({
    next: (value) => push((resolve) => resolve({ done: false, value })),
    error: (error) =>
      push((_, reject) => {
        over = true;
        reject(error);
      }),
    complete: () =>
      push((resolve) => {
        over = true;
        done(resolve);
      }),
  });
  return {
    next: () =>
      new Promise((resolve, reject) => {
        const event = events.shift();
        event ? event(resolve, reject) : over ? done(resolve) : waiting.push([resolve, reject]);
      }),
    return: () => {
      over = true;
      events.length = 0;
      subscription.dispose();
      waiting.splice(0).forEach(([resolve]) => done(resolve));
      return new Promise(done);
    },
  };
}
