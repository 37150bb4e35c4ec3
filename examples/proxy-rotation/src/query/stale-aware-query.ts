/**
 * Dashboard-side queries that survive a Prometheus outage (seed 000 T101 stale-data indicators, T102 graceful
 * degradation; plan: "Dashboard must handle Prometheus unavailability gracefully (stale data indicators)").
 *
 * Each instant query goes to the sources in order (Prometheus first, then e.g. yardstick's embedded
 * `/api/v1`, which holds the recent past of this process). When none answers, the last good answer is served
 * marked `stale` with its age; with none, `unavailable`. Nothing throws: a dashboard shows what it has and
 * says how old it is. Every request has a timeout and a response size limit; the cache is bounded.
 */

/** A Prometheus-compatible query API. */
export interface QuerySource {
  /** Shown in answers (`prometheus`, `embedded`); never a URL, which could carry credentials. */
  readonly name: string;
  /** Base URL (`http://prometheus:9090`). */
  readonly url: string;
}

/** One sample of an instant vector. */
export interface VectorSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

/**
 * `fresh`: from the first source; `degraded`: from a fallback source (the first is down); `stale`: no
 * source answered, this is the last good answer; `unavailable`: no source answered and nothing is cached.
 */
export type AnswerStatus = 'fresh' | 'degraded' | 'stale' | 'unavailable';

/** What a dashboard panel gets. */
export interface QueryAnswer {
  readonly status: AnswerStatus;
  readonly result: readonly VectorSample[];
  /** The source that gave `result` (for `stale`, the one that gave it then). */
  readonly source: string | undefined;
  /** When `result` was fetched (ISO 8601). */
  readonly fetched_at: string | undefined;
  /** Seconds since `fetched_at`: 0 for live answers. */
  readonly age_seconds: number | undefined;
  /** Why the sources before the one that answered (or all of them) failed, one `name: reason` each. */
  readonly errors: readonly string[];
}

/** Options of {@link StaleAwareQuery}. */
export interface StaleAwareQueryOptions {
  /** Tried in order; at least one. */
  readonly sources: readonly QuerySource[];
  /** Per request; default 5 000 ms. */
  readonly timeoutMs?: number;
  /** Largest response body read; default 4 MiB. */
  readonly maxResponseBytes?: number;
  /** Distinct queries whose last answer is kept; default 200 (least recently used go first). */
  readonly maxCachedQueries?: number;
  /** Clock for ages; default `Date.now`. */
  readonly now?: () => number;
}

interface Cached {
  readonly result: readonly VectorSample[];
  readonly source: string;
  readonly fetchedAt: number;
}

/**
 * Instant queries with fallback and a stale cache.
 *
 * @example
 * ```ts
 * const query = new StaleAwareQuery({ sources: [
 *   { name: 'prometheus', url: process.env.PROMETHEUS_URL! }, { name: 'embedded', url: telemetry.url! },
 * ] });
 * const answer = await query.instant('sum by (pool) (rate(proxywhirl_requests_total[5m]))');
 * if (answer.status === 'stale') banner(`data from ${answer.age_seconds}s ago: Prometheus unavailable`);
 * ```
 */
export class StaleAwareQuery {
  readonly #sources: readonly QuerySource[];
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #maxCached: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, Cached>();

  constructor(options: StaleAwareQueryOptions) {
    if (options.sources.length === 0) throw new TypeError('StaleAwareQuery needs at least one source');
    this.#sources = options.sources;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#maxBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    this.#maxCached = options.maxCachedQueries ?? 200;
    this.#now = options.now ?? Date.now;
  }

  /** Evaluates `expr` now; never rejects. */
  async instant(expr: string): Promise<QueryAnswer> {
    const errors: string[] = [];
    for (const [index, source] of this.#sources.entries()) {
      try {
        const result = await this.#fetch(source, expr);
        const fetchedAt = this.#now();
        this.#remember(expr, { result, source: source.name, fetchedAt });
        return {
          status: index === 0 ? 'fresh' : 'degraded',
          result,
          source: source.name,
          fetched_at: new Date(fetchedAt).toISOString(),
          age_seconds: 0,
          errors,
        };
      } catch (error) {
        errors.push(`${source.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const cached = this.#cache.get(expr);
    if (cached === undefined) {
      return {
        status: 'unavailable',
        result: [],
        source: undefined,
        fetched_at: undefined,
        age_seconds: undefined,
        errors,
      };
    }
    return {
      status: 'stale',
      result: cached.result,
      source: cached.source,
      fetched_at: new Date(cached.fetchedAt).toISOString(),
      age_seconds: Math.max(0, Math.round((this.#now() - cached.fetchedAt) / 1000)),
      errors,
    };
  }

  #remember(expr: string, entry: Cached): void {
    // Re-inserting moves the query to the end: the Map's order is least recently answered first.
    this.#cache.delete(expr);
    this.#cache.set(expr, entry);
    while (this.#cache.size > this.#maxCached) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }

  async #fetch(source: QuerySource, expr: string): Promise<VectorSample[]> {
    const url = `${source.url.replace(/\/$/, '')}/api/v1/query?${new URLSearchParams({ query: expr })}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      if ((error as Error).name === 'TimeoutError') throw new Error(`no answer within ${this.#timeoutMs} ms`);
      throw new Error(`unreachable (${cause ?? (error as Error).message})`);
    }
    const body = await readLimited(response, this.#maxBytes);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const parsed = JSON.parse(body) as {
      status?: string;
      error?: string;
      data?: { resultType?: string; result?: unknown };
    };
    if (parsed.status !== 'success') throw new Error(`query failed: ${parsed.error ?? 'unknown error'}`);
    if (parsed.data?.resultType !== 'vector' || !Array.isArray(parsed.data.result)) {
      throw new Error(`expected an instant vector, got ${parsed.data?.resultType ?? 'nothing'}`);
    }
    return parsed.data.result as VectorSample[];
  }
}

/** The body as text, refusing one larger than `limit` bytes without reading it all. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`response of ${declared} bytes exceeds the ${limit}-byte limit`);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`response exceeds the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
