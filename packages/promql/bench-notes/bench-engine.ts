// Scratch: engine cost alone, over an in-memory Queryable that hands out prepared arrays.
import { evaluateInstant, evaluateRange } from '../src/engine/evaluate.ts';
import { parseExpr } from '../src/parser/parse-expr.ts';
import type { Queryable, SeriesSamples } from '../src/storage/queryable.ts';

const start = 1_700_000_000_000;
const hour = 3_600_000;
const data: SeriesSamples[] = [];
for (let s = 0; s < 10_000; s++) {
  const n = hour / 15_000 + 1;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    v += (s % 7) + 1;
    timestamps[i] = start + i * 15_000;
    values[i] = v;
  }
  data.push({ labels: { __name__: 'x_total', route: `/r${s % 50}`, instance: `i${s}` }, timestamps, values });
}
const queryable: Queryable = {
  *select(_m, minT, maxT) {
    for (const s of data) {
      let lo = 0;
      while (lo < s.timestamps.length && s.timestamps[lo]! < minT) lo++;
      let hi = s.timestamps.length;
      while (hi > lo && s.timestamps[hi - 1]! > maxT) hi--;
      yield {
        labels: s.labels,
        timestamps: s.timestamps.subarray(lo, hi),
        values: s.values.subarray(lo, hi),
      };
    }
  },
};
const q = process.argv[2] ?? 'sum by (route) (rate(x_total[5m]))';
const expr = parseExpr(q);
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  evaluateInstant(queryable, expr, start + hour);
  const inst = performance.now() - t;
  t = performance.now();
  evaluateRange(queryable, expr, start, start + hour, 15_000);
  const r15 = performance.now() - t;
  t = performance.now();
  evaluateRange(queryable, expr, start, start + hour, 60_000);
  console.log(
    `instant ${inst.toFixed(1)} ms, range 15s ${r15.toFixed(1)} ms, range 60s ${(performance.now() - t).toFixed(1)} ms`,
  );
}
