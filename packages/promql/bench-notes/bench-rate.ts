// Scratch benchmark: sum by (route) (rate(x_total[5m])) over 10k series with 1h of 15s samples.
import { evaluateInstant, evaluateRange } from '../src/engine/evaluate.ts';
import { parseExpr } from '../src/parser/parse-expr.ts';
import { SampleStore } from '../src/storage/sample-store.ts';

const store = new SampleStore();
const series = 10_000;
const start = 1_700_000_000_000;
const hour = 3_600_000;
const t0 = performance.now();
for (let s = 0; s < series; s++) {
  const labels = { __name__: 'x_total', route: `/r${s % 50}`, instance: `i${s}` };
  let v = 0;
  for (let t = start; t <= start + hour; t += 15_000) {
    v += (s % 7) + 1;
    store.append(labels, t, v);
  }
}
console.log(`load ${(performance.now() - t0).toFixed(0)} ms`);
const expr = parseExpr('sum by (route) (rate(x_total[5m]))');
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  const r = evaluateInstant(store, expr, start + hour);
  const inst = performance.now() - t;
  t = performance.now();
  const rr = evaluateRange(store, expr, start, start + hour, 15_000);
  const range = performance.now() - t;
  t = performance.now();
  evaluateRange(store, expr, start, start + hour, 60_000);
  const range60 = performance.now() - t;
  console.log(
    `instant ${inst.toFixed(1)} ms (${r.value.type === 'vector' ? r.value.samples.length : 0} groups), ` +
      `range step 15s ${range.toFixed(1)} ms (${rr.value.series.length} series), range step 60s ${range60.toFixed(1)} ms`,
  );
}
