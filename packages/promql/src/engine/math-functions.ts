/**
 * Element-wise functions of an instant vector: math, trigonometry, `round`, `clamp*`, the calendar
 * functions (UTC, as Prometheus) and `timestamp` of a computed vector. Each works series by series;
 * like Prometheus they mark the metric name for removal.
 */
import { checkDeadline, type EvalLimits, STEP_BLOCK } from './context.ts';
import { emptySeries, type StepSeries } from './step-values.ts';

/** A function of one float. */
export type FloatFunction = (v: number) => number;

const sgn: FloatFunction = (v) => (v < 0 ? -1 : v > 0 ? 1 : v);

/** The one-argument math functions by name. */
export const floatFunctions: ReadonlyMap<string, FloatFunction> = new Map<string, FloatFunction>([
  ['abs', Math.abs],
  ['ceil', Math.ceil],
  ['floor', Math.floor],
  ['exp', Math.exp],
  ['sqrt', Math.sqrt],
  ['ln', Math.log],
  ['log2', Math.log2],
  ['log10', Math.log10],
  ['sin', Math.sin],
  ['cos', Math.cos],
  ['tan', Math.tan],
  ['asin', Math.asin],
  ['acos', Math.acos],
  ['atan', Math.atan],
  ['sinh', Math.sinh],
  ['cosh', Math.cosh],
  ['tanh', Math.tanh],
  ['asinh', Math.asinh],
  ['acosh', Math.acosh],
  ['atanh', Math.atanh],
  ['rad', (v) => (v * Math.PI) / 180],
  ['deg', (v) => (v * 180) / Math.PI],
  ['sgn', sgn],
]);

/**
 * Applies `fn` to every value, with the step index (for per-step scalar arguments); `undefined` drops
 * the value. The result series drop their name at the end of the query.
 */
export function mapValues(
  limits: EvalLimits,
  input: readonly StepSeries[],
  fn: (v: number, step: number) => number | undefined,
  includeHistograms = false,
): StepSeries[] {
  const out: StepSeries[] = [];
  for (const s of input) {
    const res = emptySeries(s.labels, true, s.values.length);
    // Float functions skip native histogram samples, as Prometheus's do; `timestamp` keeps them.
    const histograms = includeHistograms ? undefined : s.histograms;
    let any = false;
    for (let from = 0; from < s.values.length; from += STEP_BLOCK) {
      const to = Math.min(s.values.length, from + STEP_BLOCK);
      checkDeadline(limits, to - from);
      for (let i = from; i < to; i++) {
        if (s.present[i] === 0 || (histograms !== undefined && histograms[i] !== undefined)) continue;
        const v = fn(s.values[i]!, i);
        if (v === undefined) continue;
        res.values[i] = v;
        res.present[i] = 1;
        any = true;
      }
    }
    if (any) out.push(res);
  }
  return out;
}

/** `round(v, to_nearest)`: ties round up; the inverse is used as Prometheus does for accuracy. */
export function roundTo(v: number, toNearest: number): number {
  const inverse = 1 / toNearest;
  return Math.floor(v * inverse + 0.5) / inverse;
}

/** `clamp` at one step: nothing when `max < min`. */
export function clampValue(v: number, min: number, max: number): number | undefined {
  if (max < min) return undefined;
  return Math.max(min, Math.min(max, v));
}

function utc(seconds: number): Date {
  // Go's time.Unix(int64(f), 0): the fractional part is truncated toward zero.
  return new Date(Math.trunc(seconds) * 1000);
}

/** Calendar functions of a Unix time in seconds, in UTC. */
export const dateFunctions: ReadonlyMap<string, FloatFunction> = new Map<string, FloatFunction>([
  ['year', (s) => utc(s).getUTCFullYear()],
  ['month', (s) => utc(s).getUTCMonth() + 1],
  ['day_of_month', (s) => utc(s).getUTCDate()],
  ['day_of_week', (s) => utc(s).getUTCDay()],
  [
    'day_of_year',
    (s) => {
      const d = utc(s);
      return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    },
  ],
  ['hour', (s) => utc(s).getUTCHours()],
  ['minute', (s) => utc(s).getUTCMinutes()],
  [
    'days_in_month',
    (s) => {
      const d = utc(s);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    },
  ],
]);
