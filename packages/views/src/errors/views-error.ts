/**
 * The one error class of `@yardstick/views`. Only configuration is ever rejected: the processors on the
 * recording path never throw.
 */

/** What went wrong, as a stable literal. */
export type ViewsErrorCode = 'VIEWS_CONFIG_INVALID';

/**
 * The base error of the package.
 *
 * @example
 * ```ts
 * try { createYardstickViews({ defaultLimit: 5 }) } catch (e) {
 *   if (e instanceof ViewsError && e.code === 'VIEWS_CONFIG_INVALID') console.error(e.message);
 * }
 * ```
 */
export class ViewsError extends Error {
  override readonly name = 'ViewsError';
  readonly code: ViewsErrorCode;

  constructor(code: ViewsErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
