/**
 * The in-process datasource: `@yardstick/promql`'s engine over any {@link Queryable} (the embedded
 * `SampleStore`, or a test store).
 */
import {
  type EvaluateOptions,
  type Expr,
  evaluateInstant,
  parseExpr,
  type Queryable,
} from '@yardstick/promql';
import type { Datasource, QueryValue } from './datasource.ts';

/** Options of {@link createEmbeddedDatasource}. */
export interface EmbeddedDatasourceOptions extends EvaluateOptions {
  /** Parsed expressions kept for reuse; rules repeat the same few queries every interval. Default 1000. */
  readonly maxCachedExprs?: number;
}

/**
 * A datasource evaluating instant queries with the embedded engine. A matrix or string result rejects
 * (`rule result is not a vector or scalar`), as Prometheus's rule query function does.
 *
 * @example
 * const store = new SampleStore();
 * const ds = createEmbeddedDatasource(store);
 * await ds.query('up == 0', Date.now());
 */
export function createEmbeddedDatasource(
  queryable: Queryable,
  options: EmbeddedDatasourceOptions = {},
): Datasource {
  const maxCached = options.maxCachedExprs ?? 1000;
  // Parsing costs more than evaluating a small rule; rules re-run the same text, so parse once.
  const cache = new Map<string, Expr>();
  return {
    async query(text: string, timeMs: number): Promise<QueryValue> {
      let expr = cache.get(text);
      if (expr === undefined) {
        expr = parseExpr(text);
        if (cache.size >= maxCached) cache.delete(cache.keys().next().value!);
        cache.set(text, expr);
      }
      const { value } = evaluateInstant(queryable, expr, timeMs, options);
      if (value.type === 'vector') return { type: 'vector', samples: value.samples };
      if (value.type === 'scalar') return { type: 'scalar', value: value.value };
      throw new Error('rule result is not a vector or scalar');
    },
  };
}
