/** A small typed event emitter: `on` returns the function that unsubscribes. */
export class Emitter<Events extends { [name: string]: (...args: any[]) => void }> {
  private readonly listeners: { [K in keyof Events]?: Events[K][] } = {};

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    (this.listeners[event] ??= []).push(listener);
    return () => {
      const list = this.listeners[event];
      const index = list ? list.indexOf(listener) : -1;
      if (index >= 0) {
        list!.splice(index, 1);
      }
    };
  }

  /**
   * Calls every listener with `args`, over a copy so listeners may unsubscribe
   * while it runs. A listener that throws is reported and the others still run.
   */
  emit<K extends keyof Events>(event: K, args: Parameters<Events[K]>, onListenerError: (error: unknown) => void): void {
    const list = this.listeners[event];
    if (!list) {
      return;
    }
    for (const listener of list.slice()) {
      try {
        listener(...args);
      } catch (error) {
        onListenerError(error);
      }
    }
  }
}
