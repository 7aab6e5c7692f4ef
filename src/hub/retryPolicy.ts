import { nothing } from "./constants.js";

/** What a retry policy is told before each reconnect attempt. */
export interface RetryContext {
  /** Attempts made so far in this reconnect (0 before the first). */
  readonly previousRetryCount: number;
  /** Milliseconds since the connection was lost. */
  readonly elapsedMilliseconds: number;
  /** Why the last attempt failed, or why the connection was lost. */
  readonly retryReason: Error;
}

/** Decides whether and when automatic reconnect tries again. */
export interface IRetryPolicy {
  /** Milliseconds to wait before the next attempt, or null to give up. */
  nextRetryDelayInMilliseconds(retryContext: RetryContext): number | null;
}

/** Retries after each delay in a fixed list, then gives up. */
export class DefaultReconnectPolicy implements IRetryPolicy {
  private declare readonly _delays: readonly number[];

  /** @param retryDelays - milliseconds before each attempt; default 0, 2000, 10000, 30000. */
  constructor(retryDelays: readonly number[] = [0, 2000, 10000, 30000]) {
    this._delays = retryDelays.slice();
  }

  nextRetryDelayInMilliseconds(retryContext: RetryContext): number | null {
    const delay = this._delays[retryContext.previousRetryCount];
    return delay === nothing ? null : delay;
  }
}
