/**
 * promtool's input-series notation: a series selector (`metric{label="v"}`) and expanding values
 * (`1+2x3` → 1 3 5 7, `5x2` → 5 5 5, `_` and `_x3` for missing samples, `stale`), with Go numbers
 * (`Inf`, `NaN`, `1e3`). `a+bxn` accumulates as Prometheus does (k += b), so float rounding matches.
 */
import { type Labels, parseExpr } from '@yardstick/promql';

/**
 * One position of a series: a value, a staleness marker, or nothing. `stale` is a word, not the NaN:
 * V8 canonicalizes NaN payloads stored in double arrays, which would turn the marker into a plain NaN.
 */
export type SeriesPoint = number | 'stale' | undefined;

function goFloat(text: string): number | undefined {
  const t = text.toLowerCase().replace(/^\+/, '');
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  if (t === 'nan' || t === '-nan') return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) && !/^-?0x[0-9a-f]+$/.test(t)) return undefined;
  return Number(t.startsWith('-0x') ? -Number(t.slice(1)) : t);
}

const ITEM =
  /^([+-]?(?:[0-9.]+(?:[eE][+-]?\d+)?|[iI]nf|NaN|nan))(?:([+-])([0-9.]+(?:[eE][+-]?\d+)?|[iI]nf))?x(\d+)$/;

/** Expands a values string; throws an Error naming the bad item. */
export function expandSeriesValues(text: string): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const item of text.trim().split(/\s+/)) {
    if (item === '') continue;
    if (item === '_') {
      out.push(undefined);
      continue;
    }
    if (item === 'stale') {
      out.push('stale');
      continue;
    }
    const blanks = /^_x(\d+)$/.exec(item);
    if (blanks) {
      for (let i = 0; i < Number(blanks[1]); i++) out.push(undefined);
      continue;
    }
    const single = goFloat(item);
    if (single !== undefined) {
      out.push(single);
      continue;
    }
    const m = ITEM.exec(item);
    const start = m ? goFloat(m[1]!) : undefined;
    const step = m?.[3] === undefined ? 0 : goFloat(m[3]);
    if (!m || start === undefined || step === undefined)
      throw new Error(`bad series value ${JSON.stringify(item)}`);
    const delta = m[2] === '-' ? -step : step;
    let k = start;
    for (let i = 0; i <= Number(m[4]); i++) {
      out.push(k);
      k += delta;
    }
  }
  return out;
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
