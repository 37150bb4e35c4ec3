import type { InstantValue, QueryResult } from '@yardstick/promql';
import { FloatHistogram } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { queryResultBody } from './result-json.ts';

const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
const open = { maxBytes: 1 << 20, deadline: Number.POSITIVE_INFINITY };

function matrix(series: number, points: number): QueryResult<InstantValue> {
  return {
    value: {
      type: 'matrix',
      series: Array.from({ length: series }, (_, s) => ({
        labels: { __name__: 'x', s: String(s), note: 'ünïcode "quoted"' },
        timestamps: Float64Array.from({ length: points }, (_, i) => 1_700_000_000_000 + i * 15_000),
        values: Float64Array.from({ length: points }, (_, i) => (i === 1 ? Number.NaN : i / 3)),
      })),
    },
    warnings: [],
    infos: ['PromQL info: something'],
  };
}

describe('queryResultBody', () => {
  it('writes the JSON Prometheus answers with: float strings, second timestamps, escaped labels', () => {
    const body = decode(queryResultBody(matrix(2, 3), open));
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [0, 1].map((s) => ({
          metric: { __name__: 'x', s: String(s), note: 'ünïcode "quoted"' },
          values: [
            [1_700_000_000, '0'],
            [1_700_000_015, 'NaN'],
            [1_700_000_030, '0.6666666666666666'],
          ],
        })),
      },
      infos: ['PromQL info: something'],
    });
  });

  it('writes vectors, scalars and strings', () => {
    const vector = queryResultBody(
      {
        value: { type: 'vector', timestampMs: 1_500, samples: [{ labels: { a: 'b' }, value: Infinity }] },
        warnings: ['w'],
        infos: [],
      },
      open,
    );
    expect(decode(vector)).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { a: 'b' }, value: [1.5, '+Inf'] }] },
      warnings: ['w'],
    });
    const scalar = queryResultBody(
      { value: { type: 'scalar', timestampMs: 2_000, value: -1e-7 }, warnings: [], infos: [] },
      open,
    );
    expect(decode(scalar).data).toEqual({ resultType: 'scalar', result: [2, '-0.0000001'] });
    const text = queryResultBody(
      { value: { type: 'string', timestampMs: 0, value: 'a"b' }, warnings: [], infos: [] },
      open,
    );
    expect(decode(text).data).toEqual({ resultType: 'string', result: [0, 'a"b'] });
  });

  it('fails with a 422 execution error naming the setting once the body passes maxBytes', () => {
    const small = queryResultBody(matrix(10, 10), open).length;
    let error: unknown;
    try {
      queryResultBody(matrix(10, 10), { ...open, maxBytes: small - 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      type: 'execution',
      message: expect.stringContaining('query.maxResponseBytes'),
    });
  });

  it('stops with a timeout once the deadline has passed while writing', () => {
    expect(() => queryResultBody(matrix(50, 200), { maxBytes: 1 << 30, deadline: Date.now() - 1 })).toThrow(
      expect.objectContaining({ type: 'timeout' }),
    );
  });

  it('writes native histograms as Prometheus does: "histogram" in a vector, "histograms" beside "values" in a matrix', () => {
    const h = new FloatHistogram({
      schema: 0,
      count: 4,
      sum: 5,
      positiveSpans: [{ offset: 0, length: 2 }],
      positiveBuckets: [1, 3],
    });
    const json = {
      count: '4',
      sum: '5',
      buckets: [
        [0, '0.5', '1', '1'],
        [0, '1', '2', '3'],
      ],
    };
    const vector = decode(
      queryResultBody(
        {
          value: {
            type: 'vector',
            timestampMs: 60_000,
            samples: [{ labels: { __name__: 'h' }, value: 0, histogram: h }],
          },
          warnings: [],
          infos: [],
        },
        open,
      ),
    );
    expect(vector.data.result).toEqual([{ metric: { __name__: 'h' }, histogram: [60, json] }]);
    const series = (histograms: (FloatHistogram | undefined)[]) => ({
      labels: { __name__: 'h' },
      timestamps: Float64Array.from(histograms, (_, i) => (i + 1) * 60_000),
      values: new Float64Array(histograms.length).fill(7),
      histograms,
    });
    const mixed = decode(
      queryResultBody(
        { value: { type: 'matrix', series: [series([undefined, h]), series([h])] }, warnings: [], infos: [] },
        open,
      ),
    );
    expect(mixed.data.result).toEqual([
      { metric: { __name__: 'h' }, values: [[60, '7']], histograms: [[120, json]] },
      { metric: { __name__: 'h' }, histograms: [[60, json]] },
    ]);
  });
});
