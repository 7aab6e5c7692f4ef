/** What the keep-alive timers do when they fire. */
export interface KeepAliveActions {
  /** Nothing was sent for a keep-alive interval: send a Ping. */
  sendPing(): void;
  /** Nothing arrived for the server timeout: the connection is dead. */
  serverTimedOut(): void;
}

/**
 * Keep-alive pings and the server timeout. Activity only records a timestamp;
 * each timer checks the timestamps when it fires and re-arms for the rest of
 * the interval, so busy connections do not reset timers on every message.
 * Received messages also check whether a ping is due, because browsers
 * throttle timers in background tabs but still deliver network events.
 */
export class KeepAlive {
  private lastSent = 0;
  private lastReceived = 0;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private timeoutTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly actions: KeepAliveActions,
    private readonly intervals: () => { keepAliveMs: number; serverTimeoutMs: number },
  ) {}

  /** Starts the server timeout (it also covers the handshake wait). */
  startTimeout(): void {
    this.stop();
    this.running = true;
    this.lastReceived = this.lastSent = Date.now();
    this.armTimeout(this.intervals().serverTimeoutMs);
  }

  /** Starts pinging, once the handshake is done. */
  startPings(): void {
    if (this.running) {
      this.lastSent = Date.now();
      this.armPing(this.intervals().keepAliveMs);
    }
  }

  /** Records that something was sent. */
  sent(): void {
    this.lastSent = Date.now();
  }

  /** Records that something arrived. */
  received(): void {
    const now = Date.now();
    this.lastReceived = now;
    if (this.pingTimer !== undefined && now - this.lastSent >= this.intervals().keepAliveMs) {
      this.actions.sendPing();
    }
  }

  /** Clears both timers. */
  stop(): void {
    this.running = false;
    clearTimeout(this.pingTimer);
    clearTimeout(this.timeoutTimer);
    this.pingTimer = this.timeoutTimer = undefined;
  }

  private armPing(delay: number): void {
    this.pingTimer = setTimeout(() => {
      if (!this.running) return;
      const interval = this.intervals().keepAliveMs;
      const idle = Date.now() - this.lastSent;
      if (idle >= interval) {
        this.actions.sendPing();
        this.armPing(interval);
      } else {
        this.armPing(interval - idle);
      }
    }, delay);
  }

  private armTimeout(delay: number): void {
    this.timeoutTimer = setTimeout(() => {
      if (!this.running) return;
      const timeout = this.intervals().serverTimeoutMs;
      const silent = Date.now() - this.lastReceived;
      if (silent >= timeout) {
        this.stop();
        this.actions.serverTimedOut();
      } else {
        this.armTimeout(timeout - silent);
      }
    }, delay);
  }
}
