import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  autoStepSeconds,
  parseDurationSeconds,
  parseEndSeconds,
  type QueryState,
  readQueryState,
  writeQueryState,
} from './query-url.ts';

describe('query page URL state', () => {
  it('reads an alert generatorURL as Prometheus writes it: the expression in the table view', () => {
    const state = readQueryState('?g0.expr=sum+by+%28pool%29+%28x%29+%3E+0&g0.tab=1');
    expect(state).toEqual({ expr: 'sum by (pool) (x) > 0', tab: 'table', range: '1h', end: '', step: '' });
  });

  it("reads Prometheus's graph links with range, end and resolution", () => {
    const state = readQueryState(
      '?g0.expr=up&g0.tab=0&g0.range_input=30m&g0.end_input=2026-01-31%2012%3A00&g0.step_input=15',
    );
    expect(state).toEqual({ expr: 'up', tab: 'graph', range: '30m', end: '2026-01-31 12:00', step: '15' });
  });

  it('writes what it reads back, for any expression and settings', () => {
    const state = fc.record<QueryState>({
      expr: fc.string(),
      tab: fc.constantFrom('graph', 'table'),
      range: fc.constantFrom('5m', '1h', '1d2h'),
      end: fc.oneof(fc.constant(''), fc.string({ minLength: 1 })),
      step: fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 3600 }).map(String)),
    });
    fc.assert(
      fc.property(state, (s) => {
        expect(readQueryState(writeQueryState(s))).toEqual(s);
      }),
    );
  });

  it('parses PromQL durations and refuses anything else', () => {
    expect(parseDurationSeconds('1h30m')).toBe(5400);
    expect(parseDurationSeconds('250ms')).toBe(0.25);
    expect(parseDurationSeconds('2w')).toBe(1_209_600);
    for (const bad of ['', '1', 'h', '1x', '-5m', '0s', '1h 5m'])
      expect(parseDurationSeconds(bad), bad).toBeUndefined();
  });

  it('takes an empty end as now and refuses an end that is not a date', () => {
    expect(parseEndSeconds('', 1_700_000_000_000)).toBe(1_700_000_000);
    expect(parseEndSeconds('2026-01-31T12:00:00Z', 0)).toBe(Date.parse('2026-01-31T12:00:00Z') / 1000);
    expect(parseEndSeconds('yesterday', 0)).toBeUndefined();
  });

  it('picks about 250 points per range, at least one second apart', () => {
    expect(autoStepSeconds(3600)).toBe(14);
    expect(autoStepSeconds(60)).toBe(1);
  });
});
