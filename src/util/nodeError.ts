/**
 * Base class of every typed error in Weaver. The metadata object carries a stable `code`
 * (`<DOMAIN>_ERROR_<REASON>`) plus whatever context helps a person or a peer-scoring rule decide what to do;
 * callers switch on `err.type.code`, never on the message text.
 */
export class NodeError<T extends { code: string }> extends Error {
  readonly type: T;

  constructor(type: T, message: string) {
    super(message);
    this.type = type;
  }

  get code(): T["code"] {
    return this.type.code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}
