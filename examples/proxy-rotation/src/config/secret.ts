/**
 * A string that never shows itself: the `SecretStr` of ProxyWhirl's spec (data model, `basic_auth_password`;
 * seed 000 T115). Logging, `JSON.stringify`, `util.inspect` and string conversion all give a mask; only
 * {@link Secret.reveal} gives the value, at the one place that needs it (the server's basic auth).
 */
import { inspect } from 'node:util';

const MASK = '**********';

/** A secret value with a masked representation everywhere but {@link Secret.reveal}. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself; call only where it is used, never to log or print. */
  reveal(): string {
    return this.#value;
  }

  /** Whether two secrets hold the same value (for change detection on reload). */
  equals(other: Secret | undefined): boolean {
    return other !== undefined && other.#value === this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}
