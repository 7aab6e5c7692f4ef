/** A client method the server can call. Its return value answers invocations that expect a result. */
export type ClientMethod = (...args: any[]) => any;

/** Client methods by name. Names match case-insensitively, as on the server. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, ClientMethod[]>();

  /** Adds a handler; adding the same function twice for one name has no effect. */
  add(methodName: string, handler: ClientMethod): void {
    const key = methodName.toLowerCase();
    const list = this.handlers.get(key);
    if (!list) {
      this.handlers.set(key, [handler]);
    } else if (!list.includes(handler)) {
      list.push(handler);
    }
  }

  /** Removes one handler, or all handlers of the name when `handler` is omitted. */
  remove(methodName: string, handler?: ClientMethod): void {
    const key = methodName.toLowerCase();
    const list = this.handlers.get(key);
    if (!list) {
      return;
    }
    if (handler) {
      const index = list.indexOf(handler);
      if (index >= 0) {
        list.splice(index, 1);
      }
      if (list.length > 0) {
        return;
      }
    }
    this.handlers.delete(key);
  }

  /** The handlers of a name, as a copy safe to iterate while handlers change. */
  get(methodName: string): ClientMethod[] {
    return this.handlers.get(methodName.toLowerCase())?.slice() ?? [];
  }
}
