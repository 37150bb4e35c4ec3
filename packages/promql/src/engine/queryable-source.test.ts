import { describe, expect, it } from 'vitest';
import { parseExpr } from '../parser/parse-expr.ts';
import type { LabelMatcher, Queryable, SeriesSamples } from '../storage/queryable.ts';
import { SampleStore } from '../storage/sample-store.ts';
import { evaluateInstant, evaluateRange } from './evaluate.ts';

const m = 60_000;

function filledStore(): SampleStore {
  const store = new SampleStore();
  for (let k = 0; k <= 60; k++) {
    store.append({ __name__: 'requests_total', job: 'api' }, k * 15_000, k * 2);
    store.append({ __name__: 'requests_total', job: 'web' }, k * 15_000, (k % 20) * 5);
    if (k !== 30) store.append({ __name__: 'temperature', room: 'a' }, k * 15_000, 20 + Math.sin(k));
    else store.appendStaleMarker({ __name__: 'temperature', room: 'a' }, k * 15_000);
  }
  return store;
}

/**
 * A source other than the store, as a remote Prometheus API would be: it answers every select with all the
 * samples it has, ignoring the window, which the `Queryable` contract allows.
 */
class WholeHistorySource implements Queryable {
  readonly selects: Array<[number, number]> = [];
  readonly #store: SampleStore;

  constructor(store: SampleStore) {
    this.#store = store;
  }

  select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples> {
    this.selects.push([minT, maxT]);
    return this.#store.select(matchers, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }
}

describe('the engine over any Queryable', () => {
  const store = filledStore();
  const queries = [
    'sum by (job) (rate(requests_total[5m]))',
    'temperature',
    'max_over_time(temperature[2m])',
    'requests_total offset 3m > 50',
    'avg_over_time(rate(requests_total[1m])[5m:30s])',
  ];

  it('gives the same instant and range results from a source that returns samples outside the window', () => {
    const source = new WholeHistorySource(store);
    for (const query of queries) {
      const expr = parseExpr(query);
      for (const at of [2 * m, 7.5 * m, 8 * m, 14 * m]) {
        expect(evaluateInstant(source, expr, at), `${query} @ ${at}`).toEqual(
          evaluateInstant(store, expr, at),
        );
      }
      expect(evaluateRange(source, expr, 0, 15 * m, 45_000), query).toEqual(
        evaluateRange(store, expr, 0, 15 * m, 45_000),
      );
    }
    expect(source.selects.length).toBeGreaterThan(0);
  });
});
