import { describe, expect, it } from 'vitest';
import { forEachPointInTimeOrder, toChunkSeries } from './chunk-rows.ts';

describe('forEachPointInTimeOrder', () => {
  it('visits points by timestamp, then by series, across series with gaps', () => {
    const seen: string[] = [];
    forEachPointInTimeOrder(
      {
        chunk: { index: 0, start: 60_000, end: 180_000, points: 3 },
        step: 60_000,
        series: [
          {
            metric: 'a',
            labels: {},
            timestampsMs: [60_000, 180_000],
            values: ['1', '3'],
          },
          {
            metric: 'b',
            labels: {},
            timestampsMs: [120_000, 180_000],
            values: ['20', '30'],
          },
        ],
      },
      (t, s, v) => seen.push(`${t / 1000}:${s}:${v}`),
    );
    expect(seen).toEqual(['60:0:1', '120:1:20', '180:0:3', '180:1:30']);
  });

  it('skips a point off the step grid instead of losing the rest of the series', () => {
    const seen: string[] = [];
    forEachPointInTimeOrder(
      {
        chunk: { index: 0, start: 0, end: 120_000, points: 3 },
        step: 60_000,
        series: [
          {
            metric: 'a',
            labels: {},
            timestampsMs: [0, 90_000, 120_000],
            values: ['0', 'off', '2'],
          },
        ],
      },
      (t, _s, v) => seen.push(`${t / 1000}:${v}`),
    );
    expect(seen).toEqual(['0:0', '120:2']);
  });
});

describe('toChunkSeries', () => {
  it('moves __name__ to metric and names nameless results after the query', () => {
    const series = toChunkSeries(
      [
        { metric: { __name__: 'up', job: 'a' }, timestampsMs: [], values: [] },
        { metric: { job: 'b' }, timestampsMs: [], values: [] },
      ],
      'sum by (job) (up)',
    );
    expect(series.map((s) => [s.metric, s.labels])).toEqual([
      ['up', { job: 'a' }],
      ['sum by (job) (up)', { job: 'b' }],
    ]);
  });
});
