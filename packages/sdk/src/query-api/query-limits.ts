/**
 * The limits of the Prometheus query API and their defaults, shared by `createQueryApi` and the `query`
 * section of the configuration.
 */

/** Limits of the query API; see the `query` section of the configuration. */
export interface QueryLimits {
  /** Longest a query may take, from arrival to the last byte serialized; a client `timeout` can only lower it. */
  readonly timeoutMs: number;
  /** Most samples a query may hold at once (Prometheus's `--query.max-samples`). */
  readonly maxSamples: number;
  /** Queries evaluated at once (Prometheus's `--query.max-concurrency`); more wait up to their timeout. */
  readonly maxConcurrent: number;
  /** Largest JSON body of one answer. */
  readonly maxResponseBytes: number;
  /** Heap limit of each query worker thread. */
  readonly workerHeapBytes: number;
}

/** The defaults of {@link QueryLimits}, sized for a process that is not a database. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  timeoutMs: 10_000,
  maxSamples: 5_000_000,
  maxConcurrent: 2,
  maxResponseBytes: 64 * 1024 * 1024,
  workerHeapBytes: 256 * 1024 * 1024,
};
