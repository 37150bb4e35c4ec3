/**
 * Floating-point helpers whose exact rounding behaviour PromQL results depend on: Kahan–Neumaier
 * summation (Prometheus's `kahansum.Inc`), the quantile interpolation of `quantile` and
 * `quantile_over_time`, Go's `math.Pow` special cases and Prometheus's `almost.Equal`.
 */

/** Running state of a compensated sum. */
export interface KahanState {
  sum: number;
  c: number;
}

/**
 * Adds `inc` to a compensated sum, as Prometheus's `kahansum.Inc` does (Neumaier's variant; the
 * compensation is reset once the sum overflows).
 */
export function kahanInc(state: KahanState, inc: number): void {
  const sum = state.sum;
  const t = sum + inc;
  if (t === Number.POSITIVE_INFINITY || t === Number.NEGATIVE_INFINITY) {
    state.c = 0;
  } else if (Math.abs(sum) >= Math.abs(inc)) {
    state.c += sum - t + inc;
  } else {
    state.c += inc - t + sum;
  }
  state.sum = t;
}

/** Numeric ascending order with NaN first, Prometheus's `vectorByValueHeap` order. */
function nanFirstAscending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

/**
 * The q-quantile of `values` with Prometheus's interpolation (rank `q * (n - 1)`); sorts `values` in
 * place. NaN for no values or a NaN q; ±Inf for q outside [0, 1].
 */
export function quantileOf(q: number, values: number[] | Float64Array): number {
  const n = values.length;
  if (n === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  values.sort(nanFirstAscending);
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/** Go's `math.Pow` differs from `**` only for `1 ** ±Inf` and `1 ** NaN`, which Go defines as 1. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) return 1;
  return x ** y;
}

const minNormal = 2.2250738585072014e-308;

/** Prometheus's `almost.Equal`: equal, both NaN, or within a relative `epsilon`. */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}
