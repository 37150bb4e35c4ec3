import { describe, expect, it } from 'vitest';
import { validateExpr } from './validate-expr.ts';

describe('validateExpr', () => {
  it('returns nothing for an expression Prometheus accepts', () => {
    expect(validateExpr('sum by (job) (rate(http_requests_total[5m])) > 1')).toEqual([]);
  });

  it('lists every type error, not only the first', () => {
    const problems = validateExpr('rate(x) + sum(y[5m])');
    expect(problems.map((p) => p.kind)).toEqual(['PROMQL_TYPE', 'PROMQL_TYPE']);
    expect(problems[0]?.message).toContain('expected type range vector in call to function "rate"');
    expect(problems[1]?.message).toContain('expected type instant vector in aggregation expression');
    expect(problems[1]?.position?.column).toBe(15);
  });

  it('reports a syntax error with its position', () => {
    const [problem] = validateExpr('sum(x');
    expect(problem).toMatchObject({ severity: 'error', kind: 'PROMQL_PARSE' });
    expect(problem?.position?.column).toBe(6);
  });

  it('warns about metric names outside the known set', () => {
    const problems = validateExpr('up + http_requests_total{job="a"}', { knownMetrics: ['up'] });
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'unknown-metric',
        message: 'unknown metric "http_requests_total"',
      }),
    ]);
  });

  it('warns about a metric name regex that matches no known metric', () => {
    const known = { knownMetrics: ['http_requests_total', 'up'] };
    expect(validateExpr('{__name__=~"http_.+"}', known)).toEqual([]);
    expect(validateExpr('sum({__name__=~"grpc_.+", job="a"})', known)).toEqual([
      expect.objectContaining({
        severity: 'warning',
        kind: 'unknown-metric',
        message: 'no known metric matches __name__=~"grpc_.+"',
      }),
    ]);
  });

  it('rejects experimental functions by default, as Prometheus does without the feature flag', () => {
    expect(validateExpr('sum(sort_by_label(x, "a"))')).toEqual([
      expect.objectContaining({
        severity: 'error',
        kind: 'PROMQL_PARSE',
        message: '1:5: parse error: function "sort_by_label" is not enabled',
      }),
    ]);
  });

  it('flags experimental functions and aggregations as warnings when they are enabled', () => {
    const kinds = validateExpr('limitk(1, sort_by_label(x, "a"))', { experimentalFunctions: true }).map(
      (p) => `${p.severity}:${p.kind}`,
    );
    expect(kinds).toEqual(['warning:experimental', 'warning:experimental']);
  });
});
