/**
 * The views' output as Prometheus sees it: the overflow series and the self-metrics rendered by the OTel
 * Prometheus exporter carry the names the docs promise, and `promtool check metrics` accepts the page.
 */
import { spawnSync } from 'node:child_process';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createYardstickViews } from '@yardstick/views';
import { describe, expect, it } from 'vitest';
import { peer } from './support/peers.ts';

async function exposition(): Promise<string> {
  const yardstick = createYardstickViews({
    limits: { 'http.*': 2 },
    attributeBudgets: [{ instrument: 'http.*', key: 'tenant', maxValues: 1 }],
  });
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter], views: yardstick.views });
  const bound = yardstick.bindMeterProvider(provider);
  yardstick.bindSelfMetrics(bound.getMeter('yardstick'));
  const counter = bound.getMeter('app').createCounter('http.requests', { description: 'Requests.' });
  for (let i = 0; i < 5; i++) counter.add(1, { 'http.route': `/r${i}`, tenant: `t${i % 2}` });
  const { resourceMetrics } = await exporter.collect();
  await provider.shutdown();
  return new PrometheusSerializer().serialize(resourceMetrics);
}

describe('views exposition', () => {
  it('renders the overflow series and the self-metrics under their Prometheus names', async () => {
    const text = await exposition();
    expect(text).toMatch(/^http_requests_total\{otel_metric_overflow="true",otel_scope_name="app"\} 3$/m);
    expect(text).toMatch(
      /^http_requests_total\{http_route="\/r1",tenant="__other__",otel_scope_name="app"\} 1$/m,
    );
    expect(text).toMatch(
      /^yardstick_cardinality_overflow_measurements_total\{metric="http.requests",[^}]*\} 3$/m,
    );
    expect(text).toMatch(/^yardstick_cardinality_series\{metric="http.requests",[^}]*\} 2$/m);
    expect(text).toMatch(
      /^yardstick_attribute_values_capped_total\{key="tenant",metric="http.requests",[^}]*\} 2$/m,
    );
    expect(text).not.toMatch(/metric="yardstick\./);
  });

  const promtool = peer('promtool');
  it.skipIf(promtool.skipReason !== undefined)('passes promtool check metrics', async () => {
    const text = await exposition();
    const result = spawnSync(promtool.path!, ['check', 'metrics'], {
      input: text,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
    expect(result.status).toBe(0);
  });
});
