// Scratch: time of the store's select alone for the benchmark data.
import { SampleStore } from '../src/storage/sample-store.ts';

const store = new SampleStore();
const start = 1_700_000_000_000;
const hour = 3_600_000;
for (let s = 0; s < 10_000; s++) {
  const labels = { __name__: 'x_total', route: `/r${s % 50}`, instance: `i${s}` };
  let v = 0;
  for (let t = start; t <= start + hour; t += 15_000) {
    v += (s % 7) + 1;
    store.append(labels, t, v);
  }
}
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  let n = 0;
  for (const s of store.select(
    [{ type: '=', name: '__name__', value: 'x_total' }],
    start + hour - 300_000 + 1,
    start + hour,
  ))
    n += s.timestamps.length;
  const a = performance.now() - t;
  t = performance.now();
  n = 0;
  for (const s of store.select(
    [{ type: '=', name: '__name__', value: 'x_total' }],
    start - 300_000,
    start + hour,
  ))
    n += s.timestamps.length;
  console.log(
    `select 5m ${a.toFixed(1)} ms, select 1h ${(performance.now() - t).toFixed(1)} ms (${n} samples)`,
  );
}
