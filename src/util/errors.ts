/**
 * The base of every error net-net throws on purpose. Each has a stable `code`, spelled
 * `ERR_<COMPONENT>_<WHAT>` and listed in docs/errors.md, so callers decide by code (never by
 * the message's words) and operators can look a code up. Each component's class extends this
 * one and declares its codes in one list beside it; `test/errors.test.ts` checks that every
 * code is unique and documented and that nothing in src/ extends Error directly.
 */
export class NetnetError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An error's message, or the thrown value as text (catch variables are `unknown`). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
