/**
 * A queue for things that happen asynchronously (messages sent, requests made,
 * sockets opened). Every item is kept, so a test that awaits `next()` after
 * the item arrived still gets it: nothing is missed, whatever the timing.
 */
export class AsyncQueue<T> {
  private readonly unread: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  /** Every item ever pushed, in order. */
  readonly all: T[] = [];

  push(item: T): void {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(item);
    } else {
      this.unread.push(item);
    }
  }

  /** The next unread item, waiting for it if needed. */
  next(): Promise<T> {
    if (this.unread.length > 0) {
      return Promise.resolve(this.unread.shift() as T);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Takes every unread item without waiting. */
  drain(): T[] {
    return this.unread.splice(0, this.unread.length);
  }

  /** How many items are unread. */
  get pending(): number {
    return this.unread.length;
  }
}

/** A promise with its resolve and reject functions. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run (a few macrotask-free rounds). */
export async function flushMicrotasks(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await Promise.resolve();
  }
}

/** Captures the outcome of a promise so a test can check it later without an unhandled rejection. */
export function settle<T>(promise: Promise<T>): { readonly done: boolean; readonly value: T | undefined; readonly error: unknown; readonly settled: Promise<void> } {
  const state: { done: boolean; value: T | undefined; error: unknown; settled: Promise<void> } = {
    done: false,
    value: undefined,
    error: undefined,
    settled: Promise.resolve(),
  };
  state.settled = promise.then(
    (value) => {
      state.done = true;
      state.value = value;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}
