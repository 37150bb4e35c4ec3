import { describe, expect, it } from 'vitest';
import { runPromqlTestFile } from '../conformance/run-test-file.ts';

/**
 * Hand-checked cases in Prometheus's `.test` language. The runner also re-runs every instant eval
 * pinned with `@` at other times and as a range query, so each case checks all three paths.
 */
const cases: Record<string, string> = {
  'extrapolated rates': `
load 1m
  c_total 0 60 120 180 240 300
  r_total 10 20 5 15

eval instant at 5m rate(c_total[5m])
  {} 1

eval instant at 5m increase(c_total[5m])
  {} 300

eval instant at 3m increase(r_total[3m])
  {} 22.5

eval instant at 3m irate(r_total[3m])
  {} 0.16666666666666666

eval instant at 3m resets(r_total[5m])
  {} 1
`,
  'staleness and lookback': `
load 1m
  flaky 1 2 stale 4

eval instant at 2m30s flaky

eval instant at 3m flaky
  flaky 4

eval range from 0 to 4m step 1m flaky
  flaky 1 2 _ 4 4

eval instant at 2m count_over_time(flaky[5m])
  {} 2
`,
  'subqueries aligned to absolute time': `
load 10s
  metric 1 2 3 4 5 6 7 8 9 10

eval instant at 90s sum_over_time(metric[30s:10s])
  {} 27

eval instant at 95s sum_over_time(metric[30s:10s])
  {} 27

eval instant at 90s max_over_time(rate(metric[20s])[30s:10s])
  {} 0.1
`,
  'vector matching': `
load 1m
  a{x="1", y="p"} 10
  a{x="2", y="q"} 20
  b{x="1"} 2
  b{x="2"} 4

eval instant at 0m a / on(x) b
  {x="1"} 5
  {x="2"} 5

eval instant at 0m a > bool ignoring(y) (b * 4)
  {x="1"} 1
  {x="2"} 1

eval instant at 0m a + on() b
  expect fail msg: found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="b", x="1"}, {__name__="b", x="2"}];many-to-many matching not allowed: matching labels must be unique on one side
`,
  'aggregations and name dropping': `
load 5m
  metric_total{env="1"} 0 60 120
  another_metric_total{env="1"} 60 120 180

eval instant at 10m sum by (__name__, env) (metric_total)
  metric_total{env="1"} 120

eval instant at 10m sum(rate({env="1"}[10m])) by (env)
  {env="1"} 0.4

eval instant at 10m sum by (__name__) (rate({env="1"}[10m]))
  expect fail

eval instant at 10m topk(1, {env="1"})
  expect ordered
  another_metric_total{env="1"} 180
`,
  'info() joins target_info on instance and job': `
load 1m
  http_requests_total{instance="a", job="api"} 1 2 3
  target_info{instance="a", job="api", k8s_cluster="prod", region="eu"} 1 1 1

eval instant at 2m info(http_requests_total)
  http_requests_total{instance="a", job="api", k8s_cluster="prod", region="eu"} 3

eval instant at 2m info(http_requests_total, {region=~".+"})
  http_requests_total{instance="a", job="api", region="eu"} 3

eval instant at 2m info(http_requests_total, {zone=~".+"})
`,
  'classic histograms': `
load 1m
  lat_bucket{le="0.1"} 0+1x5
  lat_bucket{le="0.5"} 0+3x5
  lat_bucket{le="+Inf"} 0+4x5

eval instant at 5m histogram_quantile(0.5, rate(lat_bucket[5m]))
  {} 0.3

eval instant at 5m histogram_fraction(0, 0.5, rate(lat_bucket[5m]))
  {} 0.75
`,
};

describe('the engine against hand-checked .test cases', () => {
  it.each(Object.entries(cases))('passes %s, also pinned with @ and as range queries', (_, text) => {
    const result = runPromqlTestFile(text, { runExperimental: true });
    expect(result.results.filter((r) => r.status !== 'passed')).toEqual([]);
    expect(result.passed).toBeGreaterThan(0);
  });
});
