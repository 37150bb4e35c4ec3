import { describe, expect, it } from 'vitest';
import type { InstantValue, MatrixValue, QueryResult } from '../engine/types.ts';
import { PromqlError } from '../errors.ts';
import { type ConformanceEngine, runPromqlTestFile } from './run-test-file.ts';

/** A test file from lines, so the tab/space layout of `.test` files stays visible. */
const file = (...lines: string[]) => `${lines.join('\n')}\n`;

const counters = file(
  'load 1m',
  '  http_requests{job="api"} 0+10x10',
  '  http_requests{job="web"} 0+20x10',
  '',
);

describe('runPromqlTestFile against the engine', () => {
  it('passes instant, range, scalar and string evals whose expectations hold', () => {
    const result = runPromqlTestFile(
      file(
        counters,
        'eval instant at 5m http_requests',
        '  http_requests{job="api"} 50',
        '  http_requests{job="web"} 100',
        '',
        'eval range from 0 to 2m step 1m sum(http_requests)',
        '  {} 0 30 60',
        '',
        'eval instant at 0 1 + 1',
        '  2',
        '',
        'eval instant at 0 "a"',
        '  expect string "a"',
      ),
    );
    expect(result.results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect([result.passed, result.failed, result.skipped]).toEqual([4, 0, 0]);
  });

  it('fails an eval whose value is off by more than the relative tolerance, with expected and got', () => {
    const result = runPromqlTestFile(
      file(
        counters,
        'eval instant at 5m http_requests{job="api"}',
        '  http_requests{job="api"} 50.001',
        '',
        'eval instant at 5m http_requests{job="api"}',
        '  http_requests{job="api"} 50.00000001',
      ),
    );
    const [off, close] = result.results;
    expect(off).toMatchObject({ status: 'failed', line: 6 });
    expect(off?.message).toContain('expected 50.001 for http_requests{job="api"} but got 50');
    expect(off?.expected).toBe('http_requests{job="api"} 50.001');
    expect(off?.got).toBe('http_requests{job="api"} 50');
    expect(close?.status).toBe('passed');
  });

  it('fails on a missing or an unexpected series', () => {
    const result = runPromqlTestFile(
      file(
        counters,
        'eval instant at 5m http_requests',
        '  http_requests{job="api"} 50',
        '',
        'eval instant at 5m http_requests{job="api"}',
        '  http_requests{job="api"} 50',
        '  http_requests{job="db"} 1',
      ),
    );
    expect(result.results[0]?.message).toMatch(/unexpected metric http_requests\{job="web"\}/);
    expect(result.results[1]?.message).toMatch(/expected metric http_requests\{job="db"\} not found/);
  });

  it('checks the order only when the eval says ordered', () => {
    const sorted = (mode: string, first: string, second: string) =>
      runPromqlTestFile(
        file(counters, `eval${mode} instant at 5m sort_desc(http_requests)`, `  ${first}`, `  ${second}`),
      ).results[0]?.status;
    const api = 'http_requests{job="api"} 50';
    const web = 'http_requests{job="web"} 100';
    expect(sorted('_ordered', web, api)).toBe('passed');
    expect(sorted('_ordered', api, web)).toBe('failed');
    expect(sorted('', api, web)).toBe('passed');
  });

  it('passes expected failures only when the message matches', () => {
    const results = runPromqlTestFile(
      file(
        counters,
        'eval instant at 5m rate(http_requests)',
        '  expect fail',
        '',
        'eval instant at 5m rate(http_requests)',
        '  expect fail regex: expected type range vector',
        '',
        'eval instant at 5m rate(http_requests)',
        '  expect fail msg: something else',
        '',
        'eval_fail instant at 5m http_requests',
      ),
    ).results;
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed', 'failed', 'failed']);
    expect(results[3]?.message).toContain('expected error evaluating query but got none');
  });

  it('drops all data on clear', () => {
    const result = runPromqlTestFile(file(counters, 'clear', '', 'eval instant at 5m http_requests'));
    expect(result.results[0]?.status).toBe('passed');
  });

  it('treats an expected label with an empty value as absent, as the store does', () => {
    const result = runPromqlTestFile(
      file(
        'load 1m',
        '  x{__unit__="", job="a"} 1',
        '',
        'eval instant at 0 x',
        '  x{__unit__="", job="a"} 1',
        '',
        'eval instant at 0 x',
        '  x{job="a"} 1',
        '',
        'eval instant at 0 x',
        '  x{job="a", other=""} 2',
      ),
    );
    expect(result.results.map((r) => r.status)).toEqual(['passed', 'passed', 'failed']);
    expect(result.results[2]?.message).toContain('expected 2 for x{job="a"} but got 1');
  });

  it('runs native histogram evals, and skips experimental functions and feature-flagged syntax', () => {
    const result = runPromqlTestFile(
      file(
        'load 1m',
        '  hist {{schema:0 sum:1 count:1 buckets:[1]}}x3',
        '  plain 1 2 3',
        '',
        'eval instant at 1m hist',
        '  hist {{schema:0 sum:1 count:1 buckets:[1]}}',
        '',
        'eval instant at 1m histogram_count(hist)',
        '  {} 1',
        '',
        'eval instant at 1m sort_by_label(plain, "job")',
        '  plain 2',
        '',
        'eval instant at 1m rate(plain[5m] anchored)',
        '',
        'eval instant at 1m plain',
        '  plain 2',
      ),
    );
    expect(result.results.map((r) => r.skipReason ?? r.status)).toEqual([
      'passed',
      'passed',
      'experimental function',
      'feature-flagged syntax',
      'passed',
    ]);
    expect(
      runPromqlTestFile(
        file('load 1m', '  plain 1 2 3', '', 'eval instant at 1m sort_by_label(plain, "job")', '  plain 2'),
        { runExperimental: true },
      ).passed,
    ).toBe(1);
  });

  it('throws PROMQL_TEST_FILE with the line number for a malformed file', () => {
    expect(() => runPromqlTestFile('load 1m\n  up{ 1\n')).toThrow(/line 2/);
    expect(() => runPromqlTestFile('frobnicate\n')).toThrow(PromqlError);
    expect(() => runPromqlTestFile('eval instant at 1m up\n  up 1 2\n')).toThrow(/expecting multiple values/);
  });
});

/** A fake engine: every query returns `value` with the given annotations. */
function fakeEngine(value: InstantValue, warnings: string[] = [], infos: string[] = []): ConformanceEngine {
  const samples = value.type === 'vector' ? value.samples : [];
  return {
    instant: (_q, _e, t): QueryResult<InstantValue> => ({
      value: value.type === 'vector' ? { ...value, timestampMs: t } : value,
      warnings,
      infos,
    }),
    // The runner re-runs instant evals as a range query centred on the eval time; answer at that centre.
    range: (_q, _e, start, _end, step): QueryResult<MatrixValue> => ({
      value: {
        type: 'matrix',
        series: samples.map((s) => ({
          labels: s.labels,
          timestamps: Float64Array.of(start + step),
          values: Float64Array.of(s.value),
        })),
      },
      warnings,
      infos,
    }),
  };
}

describe('runPromqlTestFile annotation checks', () => {
  const oneSample: InstantValue = {
    type: 'vector',
    timestampMs: 0,
    samples: [{ labels: { a: 'b' }, value: 1 }],
  };
  const run = (expectLines: string[], engine: ConformanceEngine) =>
    runPromqlTestFile(file('eval instant at 0 x', ...expectLines.map((l) => `  ${l}`), '  {a="b"} 1'), {
      engine,
    }).results[0];

  it('matches warn and info messages exactly, or by regex', () => {
    const engine = fakeEngine(oneSample, ['PromQL warning: w (1:1)'], ['PromQL info: i']);
    expect(run(['expect warn msg: PromQL warning: w (1:1)', 'expect info'], engine)?.status).toBe('passed');
    expect(run(['expect warn msg: PromQL warning: w'], engine)?.status).toBe('failed');
    expect(run(['expect warn regex: ^PromQL warning'], engine)?.status).toBe('passed');
    expect(run(['expect warn msg: PromQL warning: other'], engine)?.status).toBe('failed');
  });

  it('fails on annotations an eval rules out, and on missing ones it requires', () => {
    const quiet = fakeEngine(oneSample);
    const noisy = fakeEngine(oneSample, ['PromQL warning: w'], ['PromQL info: i']);
    expect(run(['expect no_warn'], noisy)?.message).toContain('unexpected warning annotations');
    expect(run(['expect no_info'], noisy)?.message).toContain('unexpected info annotations');
    expect(run(['expect info'], quiet)?.message).toContain('expected info annotations but none were found');
    expect(run([], noisy)?.status).toBe('passed');
  });
});
