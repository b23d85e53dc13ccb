/**
 * A strictly typed synchronous event emitter (ARCHITECTURE.md habit 8): the event map fixes each event's payload, so
 * a handler can never be registered with the wrong signature. Handlers run in registration order; a handler that
 * throws does not stop the others, and its error goes to `onHandlerError` (the composition root logs it).
 */
export type EventMap = Record<string, unknown>;
export type Handler<T> = (event: T) => void;

export class TypedEmitter<E extends EventMap> {
  private readonly handlers = new Map<keyof E, Handler<never>[]>();

  constructor(private readonly onHandlerError: (error: unknown, event: keyof E) => void = () => undefined) {}

  /** Registers `handler`; the returned function unregisters it. */
  on<K extends keyof E>(name: K, handler: Handler<E[K]>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler<never>);
    this.handlers.set(name, list);
    return () => this.off(name, handler);
  }

  off<K extends keyof E>(name: K, handler: Handler<E[K]>): void {
    const list = this.handlers.get(name);
    if (list === undefined) return;
    const i = list.indexOf(handler as Handler<never>);
    if (i >= 0) list.splice(i, 1);
  }

  emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.handlers.get(name);
    if (list === undefined || list.length === 0) return;
    for (const h of [...list]) {
      try {
        (h as Handler<E[K]>)(event);
      } catch (e) {
        this.onHandlerError(e, name);
      }
    }
  }

  listenerCount(name: keyof E): number {
    return this.handlers.get(name)?.length ?? 0;
  }
}
