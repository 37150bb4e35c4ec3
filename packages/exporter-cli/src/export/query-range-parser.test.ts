import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQueryRangeBody } from './query-range-parser.ts';

/** What the parser must give: `JSON.parse`'s answer, with each series' points turned into columns. */
function viaJsonParse(text: string): unknown {
  const body = JSON.parse(text) as {
    status?: unknown;
    error?: unknown;
    errorType?: unknown;
    data?: { resultType?: unknown; result?: { metric?: unknown; values?: [number, string][] }[] };
  };
  const envelope: Record<string, unknown> = {};
  for (const key of ['status', 'error', 'errorType'] as const) if (key in body) envelope[key] = body[key];
  if (body.data !== undefined) {
    const data: Record<string, unknown> = {
      result: (body.data.result ?? []).map((series) => ({
        metric: series.metric ?? {},
        timestampsMs: (series.values ?? []).map(([t]) => Math.round(t * 1000)),
        values: (series.values ?? []).map(([, v]) => v),
      })),
    };
    if ('resultType' in body.data) data.resultType = body.data.resultType;
    envelope.data = data;
  }
  return envelope;
}

const timestamp = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800 }),
  fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => ms / 1000),
  fc.double({ min: -1e10, max: 1e10, noNaN: true }),
);
const value = fc.oneof(
  fc.double({ noNaN: true }).map(String),
  fc.constantFrom('NaN', '+Inf', '-Inf', '0', '1e-7'),
  fc.string({ unit: 'binary' }),
);
const series = fc.record({
  metric: fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary' }), {
    maxKeys: 5,
  }),
  values: fc.array(fc.tuple(timestamp, value), { maxLength: 20 }),
});
const answer = fc.record({
  result: fc.array(series, { maxLength: 6 }),
  dataFirst: fc.boolean(),
  extras: fc.boolean(),
  indent: fc.constantFrom(0, 1, 2, '\t'),
});

type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

function bodyText(a: Answer): string {
  const data = {
    resultType: 'matrix',
    result: a.result,
    ...(a.extras ? { stats: { timings: [1, 2] } } : {}),
  };
  const extras = a.extras ? { warnings: ['a "warning"', 'values'], infos: [] } : {};
  const body = a.dataFirst ? { data, ...extras, status: 'success' } : { status: 'success', ...extras, data };
  return JSON.stringify(body, null, a.indent);
}

describe('parseQueryRangeBody', () => {
  it('gives what JSON.parse gives, in columns, for any matrix answer and formatting', () => {
    fc.assert(
      fc.property(answer, (a) => {
        const text = bodyText(a);
        expect(parseQueryRangeBody(text)).toEqual(viaJsonParse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('throws a SyntaxError for any truncated answer, as JSON.parse does', () => {
    fc.assert(
      fc.property(answer, fc.nat(), (a, cut) => {
        const text = bodyText(a);
        const prefix = text.slice(0, cut % text.length);
        expect(() => JSON.parse(prefix)).toThrow(SyntaxError);
        expect(() => parseQueryRangeBody(prefix)).toThrow(SyntaxError);
      }),
      { numRuns: 300 },
    );
  });

  it('reads whole-second timestamps exactly and fractional ones rounded to ms', () => {
    const text =
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},' +
      '"values":[[1767225600,"1"],[1767225600.123,"2"],[0,"3"],[1.5e3,"NaN"],[1767225600.0005,"+Inf"]]}]}}';
    expect(parseQueryRangeBody(text).data?.result[0]).toEqual({
      metric: { __name__: 'up' },
      timestampsMs: [1_767_225_600_000, 1_767_225_600_123, 0, 1_500_000, 1_767_225_600_001],
      values: ['1', '2', '3', 'NaN', '+Inf'],
    });
  });

  it('keeps the error of an error answer and leaves out results that are not a matrix', () => {
    expect(parseQueryRangeBody('{"status":"error","errorType":"bad_data","error":"parse error"}')).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'parse error',
    });
    const vector = '{"status":"success","data":{"resultType":"scalar","result":[1767225600,"1"]}}';
    expect(parseQueryRangeBody(vector)).toEqual({
      status: 'success',
      data: { resultType: 'scalar', result: [] },
    });
  });

  it.each([
    ['a number where a value string belongs', '{"data":{"result":[{"values":[[1,2]]}]}}'],
    ['a leading zero', '{"data":{"result":[{"values":[[01,"2"]]}]}}'],
    ['trailing text', '{"status":"success"} x'],
    ['a bare word', '{"status":success}'],
    ['a raw newline in a string', '{"status":"succ\ness"}'],
  ])('rejects %s with a SyntaxError', (_what, text) => {
    expect(() => parseQueryRangeBody(text)).toThrow(SyntaxError);
  });
});
