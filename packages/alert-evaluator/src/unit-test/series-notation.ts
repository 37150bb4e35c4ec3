/**
 * promtool's input-series notation: a series selector (`metric{label="v"}`) and expanding values
 * (`1+2x3` → 1 3 5 7, `5x2` → 5 5 5, `_` and `_x3` for missing samples, `stale`), with Go numbers
 * (`Inf`, `NaN`, `1e3`). `a+bxn` accumulates as Prometheus does (k += b), so float rounding matches.
 * The values are read by `@yardstick/promql`'s series-description parser, as promtool and Prometheus's
 * `.test` runner share one.
 */
import { isStaleNaN, type Labels, PromqlError, parseExpr, parseSeriesValues } from '@yardstick/promql';

/**
 * One position of a series: a value, a staleness marker, or nothing. `stale` is a word, not the NaN:
 * V8 canonicalizes NaN payloads stored in double arrays, which would turn the marker into a plain NaN.
 */
export type SeriesPoint = number | 'stale' | undefined;

/**
 * Expands a values string with the parser `.test` files use (one notation in Prometheus too); throws a
 * `PromqlError` naming the bad item, or one that would expand past `MAX_SEQUENCE_VALUES`.
 */
export function expandSeriesValues(text: string): SeriesPoint[] {
  return parseSeriesValues(text).map((v) => {
    if (v.kind === 'omitted') return undefined;
    if (v.kind === 'histogram') {
      throw new PromqlError(
        'PROMQL_UNSUPPORTED',
        `native histogram series values are not supported: ${v.text}`,
      );
    }
    return isStaleNaN(v.value) ? 'stale' : v.value;
  });
}

/** Labels of a series written as a selector with only `=` matchers (`up{job="api"}`). */
export function parseSeriesLabels(text: string): Labels {
  const expr = parseExpr(text);
  if (expr.type !== 'vectorSelector' || expr.offsetMs !== 0 || expr.at !== undefined) {
    throw new Error(`${JSON.stringify(text)} is not a series`);
  }
  const labels: Record<string, string> = {};
  for (const m of expr.matchers) {
    if (m.type !== '=') throw new Error(`${JSON.stringify(text)}: series labels must use "="`);
    labels[m.name] = m.value;
  }
  return labels;
}
