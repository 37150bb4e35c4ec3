import { describe, expect, it } from 'vitest';
import { ExemplarStore } from './exemplar-store.ts';

const T = 1_700_000_000_000;
const ALL = [[{ name: '__name__', type: '=~' as const, value: '.+' }]];

function exemplar(timeMs: number, traceId = 'a'.repeat(32), value = 1) {
  return { value, timeMs, traceId, spanId: 'b'.repeat(16) };
}

describe('ExemplarStore', () => {
  it('keeps each exemplar once though every collection sees it again, and drops older ones as Prometheus does', () => {
    const store = new ExemplarStore();
    const labels = { __name__: 'orders_total', route: '/a' };
    expect(store.append(labels, exemplar(T))).toBe(true);
    expect(store.append({ route: '/a', __name__: 'orders_total' }, exemplar(T))).toBe(false);
    expect(store.append(labels, exemplar(T - 1, 'c'.repeat(32)))).toBe(false);
    expect(store.append(labels, exemplar(T + 1, 'c'.repeat(32)))).toBe(true);
    expect(store.select(ALL, -Infinity, Infinity)).toEqual([
      { seriesLabels: labels, exemplars: [exemplar(T), exemplar(T + 1, 'c'.repeat(32))] },
    ]);
  });

  it('overwrites the oldest exemplars once full, across series', () => {
    const store = new ExemplarStore(3);
    for (let i = 0; i < 5; i++) store.append({ __name__: 'x', n: String(i % 2) }, exemplar(T + i));
    const found = store.select(ALL, -Infinity, Infinity);
    expect(found.flatMap((s) => s.exemplars.map((e) => e.timeMs)).sort()).toEqual([T + 2, T + 3, T + 4]);
  });

  it('selects series with any of the selectors and exemplars within [start, end]', () => {
    const store = new ExemplarStore();
    store.append({ __name__: 'a_total', job: 'api' }, exemplar(T));
    store.append({ __name__: 'a_total', job: 'web' }, exemplar(T + 10));
    store.append({ __name__: 'b_bucket', le: '1' }, exemplar(T + 20));
    const byJob = store.select(
      [
        [
          { name: '__name__', type: '=', value: 'a_total' },
          { name: 'job', type: '=~', value: 'w.*' },
        ],
      ],
      -Infinity,
      Infinity,
    );
    expect(byJob.map((s) => s.seriesLabels.job)).toEqual(['web']);
    const twoSelectors = store.select(
      [[{ name: '__name__', type: '=', value: 'a_total' }], [{ name: 'le', type: '=', value: '1' }]],
      T + 5,
      T + 20,
    );
    expect(twoSelectors.map((s) => s.seriesLabels.__name__)).toEqual(['a_total', 'b_bucket']);
    // A label the series lacks reads as empty, as in selectors on samples.
    expect(store.select([[{ name: 'job', type: '=', value: '' }]], -Infinity, Infinity)).toHaveLength(1);
  });
});
