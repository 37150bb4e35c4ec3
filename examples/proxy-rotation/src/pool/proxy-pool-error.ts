/** The one error class of the proxy-rotation library. */

/** What went wrong: a bad proxy spec at construction, or an acquire that could not be served. */
export type ProxyPoolErrorCode = 'PROXY_SPEC_INVALID' | 'POOL_EXHAUSTED' | 'POOL_CLOSED';

/** Thrown by `new ProxyPool()` (bad specs) and rejected by `acquire()`; release and metrics never throw. */
export class ProxyPoolError extends Error {
  override readonly name = 'ProxyPoolError';
  readonly code: ProxyPoolErrorCode;

  constructor(code: ProxyPoolErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
