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

/** A stream of items from the server, as `HubConnection.stream` returns it. */
export interface IStreamResult<T> {
  /** Starts receiving items; items that arrived before the first subscriber are delivered to it. */
  subscribe(subscriber: IStreamSubscriber<T>): ISubscription<T>;
}
