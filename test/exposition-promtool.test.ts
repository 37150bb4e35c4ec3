/**
 * `promtool check metrics` (Prometheus 2.42) on the exposition: parse + lint must report nothing.
 * promtool 2.42 reads only the text format 0.0.4 (it rejects OpenMetrics' `info` type, `# EOF` and exemplars),
 * so the OpenMetrics output is checked by a real Prometheus scrape in exposition-prometheus-scrape.test.ts
 * (exemplars in exemplars-prometheus.test.ts).
 */
import { spawn } from 'node:child_process';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusReader, renderExposition } from '@yardstick/sdk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peer } from './support/peers.ts';

const promtool = peer('promtool');

interface CheckResult {
  readonly code: number | null;
  readonly output: string;
}

/** Pipes `text` into `promtool check metrics` on stdin; bounded by a 20 s kill timer. */
function checkMetrics(path: string, text: string): Promise<CheckResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(text);
  });
}

function recordEverything(provider: MeterProvider): void {
  const meter = provider.getMeter('checkout.api', '2.1.0');
  const requests = meter.createCounter('http.server.requests', {
    unit: '{request}',
    description: 'Requests "served", by route\nand method.',
  });
  requests.add(3, { 'http.route': '/cart', 'http.request.method': 'GET' });
  requests.add(1, { 'http.route': '/pay\\now', 'http.request.method': 'POST' });
  meter
    .createCounter('network.io', { unit: 'By', description: 'Bytes moved.' })
    .add(1.5e9, { direction: 'tx' });
  meter
    .createUpDownCounter('db.connections', { unit: '{connection}', description: 'Open connections.' })
    .add(-2);
  meter.createGauge('cpu.utilization', { unit: '1', description: 'CPU in use.' }).record(0.42);
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Request duration.',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  for (const value of [0.003, 0.02, 0.2, 0.2, 7, 30]) duration.record(value, { 'http.route': '/cart' });
  meter
    .createObservableCounter('process.cpu.time', { unit: 's', description: 'CPU time.' })
    .addCallback((result) => result.observe(12.5, { 'cpu.mode': 'user' }));
  meter
    .createObservableUpDownCounter('process.threads', { unit: '{thread}', description: 'Threads.' })
    .addCallback((result) => result.observe(9));
  meter
    .createObservableGauge('process.memory.usage', { unit: 'By', description: 'Resident memory.' })
    .addCallback((result) => result.observe(123_456_789));
}

describe.skipIf(promtool.skipReason !== undefined)('promtool check metrics', () => {
  const path = promtool.path ?? 'promtool';

  it('finds nothing in a registry of every instrument kind (text 0.0.4)', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({
      readers: [reader],
      resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '2.1.0' }),
    });
    recordEverything(provider);
    let text = '';
    for await (const chunk of await reader.render('text')) text += chunk;
    expect(text).toContain('http_server_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_time_seconds_total');
    const result = await checkMetrics(path, text);
    expect(result, result.output).toEqual({ code: 0, output: '' });
  });

  it('finds nothing in the text 0.0.4 of points that carry exemplars (they are written in OpenMetrics only)', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes({}) });
    recordEverything(provider);
    const { resourceMetrics } = await reader.collect();
    // The metrics core attaches exemplars to its points this way (sdk-metrics has none of its own).
    const exemplar = {
      value: 0.2,
      timeUnixMs: 1_700_000_000_123,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      filteredAttributes: {},
    };
    for (const { metrics } of resourceMetrics.scopeMetrics)
      for (const metric of metrics)
        for (const point of metric.dataPoints) Object.assign(point, { exemplars: [exemplar] });
    expect(renderExposition(resourceMetrics, 'openmetrics')).toContain(
      `le="0.25"} 4 # {trace_id="${exemplar.traceId}",span_id="${exemplar.spanId}"} 0.2 1700000000.123`,
    );
    const text = renderExposition(resourceMetrics, 'text');
    expect(text).not.toContain('trace_id');
    const result = await checkMetrics(path, text);
    expect(result, result.output).toEqual({ code: 0, output: '' });
  });

  it('finds nothing in exponential histograms written as classic ones, negative and zero buckets included', async () => {
    const reader = new PrometheusReader();
    const exponential = { type: AggregationType.EXPONENTIAL_HISTOGRAM } as const;
    const provider = new MeterProvider({
      readers: [reader],
      views: [
        { instrumentName: 'rpc.latency', aggregation: exponential },
        { instrumentName: 'clock.offset', aggregation: exponential },
      ],
    });
    const meter = provider.getMeter('exponential', '1.0.0');
    const latency = meter.createHistogram('rpc.latency', { unit: 's', description: 'RPC latency.' });
    for (const value of [0, 0.0003, 0.02, 0.02, 1.5, 7, 1e6]) latency.record(value, { 'rpc.method': 'get' });
    // A gauge may record negative values: its classic buckets start below zero.
    const offset = meter.createGauge('clock.offset', { unit: 's', description: 'Clock offset.' });
    for (const value of [-2, -0.5, 0, 0.25, 3]) offset.record(value);
    let text = '';
    for await (const chunk of await reader.render('text')) text += chunk;
    expect(text).toMatch(/^rpc_latency_seconds_bucket\{rpc_method="get",.*le="0"\} 1$/m);
    expect(text).toMatch(/^clock_offset_seconds_bucket\{.*le="-1\.\d+"\} 1$/m);
    const result = await checkMetrics(path, text);
    expect(result, result.output).toEqual({ code: 0, output: '' });
  });

  it('finds nothing when OTel names and attributes collide after translation', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('collide', '1.0.0');
    meter.createHistogram('db.query', { unit: 's', description: 'Query time.' }).record(0.2);
    // `db_query_seconds_count` is a sample of the histogram above: a gauge of that name is dropped.
    meter.createGauge('db.query.seconds.count', { description: 'Queries.' }).record(3);
    const hits = meter.createCounter('hits', { description: 'Hits.' });
    hits.add(1, { 'a.b': 'x' });
    hits.add(2, { a_b: 'x' });
    // Same name through the unit suffix, same type: one family, one TYPE line.
    meter.createCounter('io', { unit: 'By', description: 'Bytes.' }).add(5, { dir: 'rx' });
    meter.createCounter('io_bytes', { description: 'Bytes.' }).add(7, { dir: 'tx' });
    let text = '';
    for await (const chunk of await reader.render('text')) text += chunk;
    expect(text).toContain('io_bytes_total{dir="tx"');
    const result = await checkMetrics(path, text);
    expect(result, result.output).toEqual({ code: 0, output: '' });
  });

  it('accepts an le or quantile attribute on a counter as a style finding only', async () => {
    const reader = new PrometheusReader();
    const provider = new MeterProvider({ readers: [reader] });
    const meter = provider.getMeter('prop');
    meter.createCounter('prop.events', { description: 'Events.' }).add(1, { le: 0, quantile: 'x' });
    meter.createHistogram('prop.duration', { unit: 's', description: 'Duration.' }).record(0.1, { le: 0 });
    const { resourceMetrics } = await reader.collect();
    const text = renderExposition(resourceMetrics, 'text');
    // The histogram's buckets keep their own `le`; the attribute is dropped there, kept on the counter.
    expect(text).toMatch(/^prop_events_total\{le="0",quantile="x",otel_scope_name="prop"\} 1$/m);
    expect(text).toMatch(/^prop_duration_seconds_bucket\{otel_scope_name="prop",le="5"\} 1$/m);
    const result = await checkMetrics(path, text);
    expect(result.code, result.output).toBe(3);
    expect(
      result.output
        .split('\n')
        .filter((l) => l !== '')
        .sort(),
    ).toEqual([
      'prop_events_total non-histogram metrics should not have "le" label',
      'prop_events_total non-summary metrics should not have "quantile" label',
    ]);
  });

  it('parses arbitrary attribute keys and values with no finding but naming style (property, text 0.0.4)', async () => {
    const attributes: fc.Arbitrary<Attributes> = fc.dictionary(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
      fc.oneof(fc.string({ unit: 'grapheme' }), fc.double(), fc.boolean()),
      { maxKeys: 5 },
    );
    await fc.assert(
      fc.asyncProperty(attributes, fc.string({ maxLength: 30 }), async (attrs, help) => {
        const reader = new PrometheusReader();
        const provider = new MeterProvider({ readers: [reader], resource: resourceFromAttributes(attrs) });
        const meter = provider.getMeter('prop');
        meter.createCounter('prop.events', { description: `Events ${help}` }).add(1, attrs);
        meter
          .createHistogram('prop.duration', { unit: 's', description: `Duration ${help}` })
          .record(0.1, attrs);
        const { resourceMetrics } = await reader.collect();
        const result = await checkMetrics(path, renderExposition(resourceMetrics, 'text'));
        // promtool exits 1 on a parse error and 3 on lint findings. Arbitrary keys may be camelCase, or be
        // `le`/`quantile` on a counter (a random key did hit `le`), which promlint flags as style; the
        // exposition keeps attribute names as the OTel spec asks, so those findings (and only those) are
        // accepted here. On histograms an `le` attribute is dropped, as the bucket label must win.
        const findings = result.output.split('\n').filter((line) => line !== '');
        const unexpected = findings.filter(
          (line) =>
            !line.endsWith("label names should be written in 'snake_case' not 'camelCase'") &&
            !line.endsWith('non-histogram metrics should not have "le" label') &&
            !line.endsWith('non-summary metrics should not have "quantile" label'),
        );
        expect(unexpected, result.output).toEqual([]);
        expect(result.code === 0 || (result.code === 3 && findings.length > 0), result.output).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
