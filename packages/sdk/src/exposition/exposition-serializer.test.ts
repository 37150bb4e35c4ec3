import { type DiagLogger, DiagLogLevel, diag, ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  type ExponentialHistogram,
  MeterProvider,
  type ResourceMetrics,
  type ViewOptions,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpositionSerializer, renderExposition } from './exposition-serializer.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { PrometheusReader, type PrometheusReaderOptions } from './prometheus-reader.ts';

function setup(options: PrometheusReaderOptions = {}, views: ViewOptions[] = []) {
  const reader = new PrometheusReader(options);
  const provider = new MeterProvider({
    readers: [reader],
    views,
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.instance.id': 'i-1',
      'host.name': 'h1',
    }),
  });
  return { reader, provider, meter: provider.getMeter('test.scope', '1.0.0') };
}

async function scrape(reader: PrometheusReader, format: ExpositionFormat = 'text'): Promise<string> {
  let text = '';
  for await (const chunk of await reader.render(format)) text += chunk;
  return text;
}

const SCOPE = 'otel_scope_name="test.scope",otel_scope_version="1.0.0"';

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

afterEach(() => {
  diag.disable();
});

/** A collection holding one exponential histogram point, `delta` in scope `s`, with no attributes. */
function exponentialCollection(value: ExponentialHistogram): ResourceMetrics {
  return {
    resource: resourceFromAttributes({}),
    scopeMetrics: [
      {
        scope: { name: 's' },
        metrics: [
          {
            descriptor: { name: 'delta', description: '', unit: '', valueType: ValueType.DOUBLE },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
            dataPoints: [{ attributes: {}, startTime: [0, 0], endTime: [1, 0], value }],
          },
        ],
      },
    ],
  };
}

/**
 * At scale 0 (base 2): negative buckets 1 and 2 hold the values [-4, -2) and [-8, -4); the zero bucket 5
 * zeros; positive buckets 0 and 2 hold (1, 2] and (4, 8].
 */
const SIGNED_POINT: ExponentialHistogram = {
  count: 15,
  sum: -10.5,
  scale: 0,
  zeroCount: 5,
  positive: { offset: 0, bucketCounts: [2, 0, 3] },
  negative: { offset: 1, bucketCounts: [1, 4] },
  min: -7,
  max: 8,
};

/** The `le` values of the `_bucket` lines, in order, and the `+Inf` bucket's and `_count`'s values. */
function classicOf(text: string, name: string) {
  const les: number[] = [];
  const cumulative: number[] = [];
  for (const line of lines(text, `${name}_bucket`)) {
    const match = /le="([^"]+)"\} (\S+)$/.exec(line);
    if (!match) throw new Error(`no le in ${line}`);
    les.push(match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]));
    cumulative.push(Number(match[2]));
  }
  const count = Number(lines(text, `${name}_count`)[0]?.split(' ')[1]);
  return { les, cumulative, count };
}

describe('text format 0.0.4', () => {
  it('exposes a counter as <name>_<unit>_total with TYPE counter and escaped HELP', async () => {
    const { reader, meter } = setup();
    meter.createCounter('http.sent', { unit: 'By', description: 'Bytes "sent"\nto \\clients' }).add(2048, {
      'http.route': '/a',
    });
    const text = await scrape(reader);
    expect(text).toContain('# HELP http_sent_bytes_total Bytes "sent"\\nto \\\\clients\n');
    expect(text).toContain('# TYPE http_sent_bytes_total counter\n');
    expect(text).toContain(`http_sent_bytes_total{http_route="/a",${SCOPE}} 2048\n`);
  });

  it('accumulates across scrapes (cumulative temporality)', async () => {
    const { reader, meter } = setup();
    const counter = meter.createCounter('jobs');
    counter.add(1);
    await scrape(reader);
    counter.add(2);
    expect(lines(await scrape(reader), 'jobs_total')).toEqual([`jobs_total{${SCOPE}} 3`]);
  });

  it('exposes up-down counters and gauges as gauges, unit 1 gauges as *_ratio', async () => {
    const { reader, meter } = setup();
    meter.createUpDownCounter('queue.depth', { unit: '{item}' }).add(-3);
    meter.createGauge('cpu.utilization', { unit: '1' }).record(0.25);
    const text = await scrape(reader);
    expect(text).toContain(`# TYPE queue_depth gauge\nqueue_depth{${SCOPE}} -3\n`);
    expect(text).toContain(`# TYPE cpu_utilization_ratio gauge\ncpu_utilization_ratio{${SCOPE}} 0.25\n`);
  });

  it('exposes observable counters, up-down counters and gauges from their callbacks', async () => {
    const { reader, meter } = setup();
    meter.createObservableCounter('process.cpu.time', { unit: 's' }).addCallback((r) => r.observe(1.5));
    meter.createObservableUpDownCounter('process.threads').addCallback((r) => r.observe(7));
    meter
      .createObservableGauge('memory.usage', { unit: 'By' })
      .addCallback((r) => r.observe(1e9, { kind: 'heap' }));
    const text = await scrape(reader);
    expect(text).toContain(
      `# TYPE process_cpu_time_seconds_total counter\nprocess_cpu_time_seconds_total{${SCOPE}} 1.5\n`,
    );
    expect(text).toContain(`# TYPE process_threads gauge\nprocess_threads{${SCOPE}} 7\n`);
    expect(text).toContain(
      `# TYPE memory_usage_bytes gauge\nmemory_usage_bytes{kind="heap",${SCOPE}} 1e+09\n`,
    );
  });

  it('writes classic histograms as cumulative buckets ending in +Inf, then _sum and _count', async () => {
    const { reader, meter } = setup();
    const histogram = meter.createHistogram('rpc.duration', {
      unit: 'ms',
      advice: { explicitBucketBoundaries: [1, 5] },
    });
    for (const value of [0.5, 3, 3, 10]) histogram.record(value, { method: 'get' });
    const text = await scrape(reader);
    const block = `method="get",${SCOPE}`;
    expect(text).toContain(
      [
        '# TYPE rpc_duration_milliseconds histogram',
        `rpc_duration_milliseconds_bucket{${block},le="1"} 1`,
        `rpc_duration_milliseconds_bucket{${block},le="5"} 3`,
        `rpc_duration_milliseconds_bucket{${block},le="+Inf"} 4`,
        `rpc_duration_milliseconds_sum{${block}} 16.5`,
        `rpc_duration_milliseconds_count{${block}} 4`,
        '',
      ].join('\n'),
    );
  });

  it('writes an exponential histogram as a classic one, le at its exact bucket boundaries', () => {
    const text = renderExposition(exponentialCollection(SIGNED_POINT), 'text', { withoutTargetInfo: true });
    // Each negative le is the largest double below the bucket's open upper end (-2, -4), so -2 itself
    // (in [-2, -1)) is not counted under it.
    expect(text).toBe(
      [
        '# TYPE delta histogram',
        'delta_bucket{otel_scope_name="s",le="-4.000000000000001"} 4',
        'delta_bucket{otel_scope_name="s",le="-2.0000000000000004"} 5',
        'delta_bucket{otel_scope_name="s",le="0"} 10',
        'delta_bucket{otel_scope_name="s",le="2"} 12',
        'delta_bucket{otel_scope_name="s",le="8"} 15',
        'delta_bucket{otel_scope_name="s",le="+Inf"} 15',
        'delta_sum{otel_scope_name="s"} -10.5',
        'delta_count{otel_scope_name="s"} 15',
        '',
      ].join('\n'),
    );
    const { les, cumulative, count } = classicOf(text, 'delta');
    for (let i = 1; i < les.length; i++) {
      expect(les[i]).toBeGreaterThan(les[i - 1] as number);
      expect(cumulative[i]).toBeGreaterThanOrEqual(cumulative[i - 1] as number);
    }
    expect(les.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(cumulative.at(-1)).toBe(count);
  });

  it('writes the topmost exponential bucket, whose le would be 2^1024, as the +Inf bucket only', () => {
    const top: ExponentialHistogram = {
      count: 3,
      sum: Number.MAX_VALUE,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 1022, bucketCounts: [2, 1] },
      negative: { offset: 0, bucketCounts: [] },
    };
    const text = renderExposition(exponentialCollection(top), 'text', { withoutTargetInfo: true });
    expect(lines(text, 'delta_bucket')).toEqual([
      'delta_bucket{otel_scope_name="s",le="8.98846567431158e+307"} 2',
      'delta_bucket{otel_scope_name="s",le="+Inf"} 3',
    ]);
  });

  it('writes no _sum for an exponential point without a sum, as for explicit histograms', () => {
    const { sum: _sum, ...withoutSum } = SIGNED_POINT;
    const text = renderExposition(exponentialCollection(withoutSum), 'text', { withoutTargetInfo: true });
    expect(text).not.toContain('delta_sum');
    expect(text).toContain('delta_bucket{otel_scope_name="s",le="+Inf"} 15\n');
    expect(text).toContain('delta_count{otel_scope_name="s"} 15\n');
  });

  it('writes an empty exponential point as a lone +Inf bucket of 0', () => {
    const empty: ExponentialHistogram = {
      count: 0,
      sum: 0,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: [] },
      negative: { offset: 0, bucketCounts: [] },
    };
    const text = renderExposition(exponentialCollection(empty), 'text', { withoutTargetInfo: true });
    expect(lines(text, 'delta_')).toEqual([
      'delta_bucket{otel_scope_name="s",le="+Inf"} 0',
      'delta_sum{otel_scope_name="s"} 0',
      'delta_count{otel_scope_name="s"} 0',
    ]);
  });

  it('writes the same le strings scrape after scrape, also past the le cache size', () => {
    // 5000 series, each with one bucket of its own: more distinct boundaries than the serializer keeps.
    const collection = exponentialCollection(SIGNED_POINT);
    const metric = collection.scopeMetrics[0]?.metrics[0] as { dataPoints: unknown[] };
    metric.dataPoints = Array.from({ length: 5000 }, (_, i) => ({
      attributes: { series: i },
      startTime: [0, 0],
      endTime: [1, 0],
      value: {
        count: 1,
        sum: 1,
        scale: 3,
        zeroCount: 0,
        positive: { offset: i - 2500, bucketCounts: [1] },
        negative: { offset: 0, bucketCounts: [] },
      },
    }));
    const serializer = new ExpositionSerializer({ chunkSize: Number.POSITIVE_INFINITY });
    const first = serializer.render(collection, 'text');
    expect(serializer.render(collection, 'text')).toBe(first);
    expect(first).toBe(renderExposition(collection, 'text'));
    expect(new Set(lines(first, 'delta_bucket').filter((l) => !l.includes('+Inf'))).size).toBe(5000);
  });

  it('exposes histograms an sdk-metrics view makes exponential, without a warning', async () => {
    const warn = vi.fn();
    const logger: DiagLogger = { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const { reader, meter } = setup({}, [
      {
        instrumentName: 'latency',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } },
      },
    ]);
    const latency = meter.createHistogram('latency', { unit: 's' });
    for (const value of [0, 0.25, 0.5, 3]) latency.record(value, { route: '/a' });
    const text = await scrape(reader);
    expect(text).toContain('# TYPE latency_seconds histogram\n');
    const block = `route="/a",${SCOPE}`;
    expect(lines(text, 'latency_seconds_bucket').at(-1)).toBe(`latency_seconds_bucket{${block},le="+Inf"} 4`);
    expect(lines(text, 'latency_seconds_bucket')[0]).toBe(`latency_seconds_bucket{${block},le="0"} 1`);
    expect(text).toContain(`latency_seconds_sum{${block}} 3.75\nlatency_seconds_count{${block}} 4\n`);
    expect(warn).not.toHaveBeenCalled();
  });

  it('exposes the resource once as target_info, and can leave it out', async () => {
    const { reader, meter } = setup();
    meter.createCounter('c').add(1);
    const text = await scrape(reader);
    expect(lines(text, 'target_info')).toEqual([
      'target_info{host_name="h1",service_instance_id="i-1",service_name="checkout"} 1',
    ]);
    expect(text).toContain('# TYPE target_info gauge\n');
    const bare = setup({ withoutTargetInfo: true });
    bare.meter.createCounter('c').add(1);
    expect(await scrape(bare.reader)).not.toContain('target_info');
  });

  it('can leave out the scope labels', async () => {
    const { reader, meter } = setup({ withoutScopeLabels: true });
    meter.createCounter('c').add(1, { a: 'x' });
    meter.createCounter('d').add(1);
    const text = await scrape(reader);
    expect(lines(text, 'c_total')).toEqual(['c_total{a="x"} 1']);
    expect(lines(text, 'd_total')).toEqual(['d_total 1']);
  });

  it('omits HELP for an instrument without description', async () => {
    const { reader, meter } = setup();
    meter.createCounter('quiet').add(1);
    expect(await scrape(reader)).not.toContain('# HELP quiet');
  });

  it('sorts families by name and series by labels, so two scrapes are identical', async () => {
    const { reader, meter } = setup({ withoutTargetInfo: true, withoutScopeLabels: true });
    const zeta = meter.createCounter('zeta');
    for (const route of ['/c', '/a', '/b']) zeta.add(1, { route });
    meter.createGauge('alpha').record(1);
    const text = await scrape(reader);
    expect(text.split('\n').filter((line) => !line.startsWith('#') && line !== '')).toEqual([
      'alpha 1',
      'zeta_total{route="/a"} 1',
      'zeta_total{route="/b"} 1',
      'zeta_total{route="/c"} 1',
    ]);
    expect(await scrape(reader)).toBe(text);
  });

  it('puts series that appear between scrapes in their sorted place, counters and histograms alike', async () => {
    const { reader, meter } = setup({ withoutTargetInfo: true, withoutScopeLabels: true });
    const counter = meter.createCounter('hits');
    const histogram = meter.createHistogram('size', { advice: { explicitBucketBoundaries: [10] } });
    for (const route of ['/m', '/x']) {
      counter.add(1, { route });
      histogram.record(5, { route });
    }
    await scrape(reader);
    counter.add(1, { route: '/a' });
    histogram.record(50, { route: '/a' });
    counter.add(1, { route: '/m' });
    const text = await scrape(reader);
    expect(lines(text, 'hits_total')).toEqual([
      'hits_total{route="/a"} 1',
      'hits_total{route="/m"} 2',
      'hits_total{route="/x"} 1',
    ]);
    expect(lines(text, 'size_count')).toEqual([
      'size_count{route="/a"} 1',
      'size_count{route="/m"} 1',
      'size_count{route="/x"} 1',
    ]);
    expect(lines(text, 'size_bucket{route="/a"')).toEqual([
      'size_bucket{route="/a",le="10"} 0',
      'size_bucket{route="/a",le="+Inf"} 1',
    ]);
  });

  it('merges one name from two scopes into one family told apart by otel_scope_name', async () => {
    const { reader, provider } = setup({ withoutTargetInfo: true });
    provider.getMeter('lib.b').createCounter('hits').add(2);
    provider.getMeter('lib.a').createCounter('hits').add(1);
    const text = await scrape(reader);
    expect(lines(text, '# TYPE hits_total')).toHaveLength(1);
    expect(lines(text, 'hits_total')).toEqual([
      'hits_total{otel_scope_name="lib.a"} 1',
      'hits_total{otel_scope_name="lib.b"} 2',
    ]);
  });

  it('labels series with the scope schema URL when the meter has one', async () => {
    const { reader, provider } = setup({ withoutTargetInfo: true });
    provider
      .getMeter('lib.s', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' })
      .createCounter('calls')
      .add(1, { route: '/a' });
    expect(lines(await scrape(reader), 'calls_total')).toEqual([
      'calls_total{route="/a",otel_scope_name="lib.s",otel_scope_schema_url="https://opentelemetry.io/schemas/1.30.0",otel_scope_version="2.0.0"} 1',
    ]);
  });

  it('joins an attribute that maps to a scope label with the scope value instead of dropping it', async () => {
    const { reader, meter } = setup({ withoutTargetInfo: true });
    meter.createCounter('spoof').add(1, { 'otel.scope.name': 'mine', otel_scope_version: 'v9', a: 'x' });
    meter.createHistogram('spoof.h', { advice: { explicitBucketBoundaries: [1] } }).record(0.5, {
      'otel.scope.name': 'mine',
    });
    const text = await scrape(reader);
    // Ordered by original key: `otel.scope.name` < `otel_scope_name`; on the same key the scope comes first.
    expect(lines(text, 'spoof_total')).toEqual([
      'spoof_total{a="x",otel_scope_name="mine;test.scope",otel_scope_version="1.0.0;v9"} 1',
    ]);
    expect(lines(text, 'spoof_h_count')).toEqual([
      'spoof_h_count{otel_scope_name="mine;test.scope",otel_scope_version="1.0.0"} 1',
    ]);
    expect(lines(text, 'spoof_h_bucket')).toContain(
      'spoof_h_bucket{otel_scope_name="mine;test.scope",otel_scope_version="1.0.0",le="+Inf"} 1',
    );
  });

  it('keeps an attribute named like a scope label when scope labels are off', async () => {
    const { reader, meter } = setup({ withoutTargetInfo: true, withoutScopeLabels: true });
    meter.createCounter('spoof').add(1, { 'otel.scope.name': 'mine' });
    expect(lines(await scrape(reader), 'spoof_total')).toEqual(['spoof_total{otel_scope_name="mine"} 1']);
  });

  it('keeps the first metric when two of different types map to the same name', async () => {
    const warn = vi.fn();
    diag.setLogger(
      { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() },
      DiagLogLevel.WARN,
    );
    const { reader, meter } = setup({ withoutTargetInfo: true });
    meter.createUpDownCounter('pool.size', { unit: 'By' }).add(5);
    meter.createHistogram('pool.size_bytes').record(1);
    const text = await scrape(reader);
    expect(lines(text, '# TYPE')).toEqual(['# TYPE pool_size_bytes gauge']);
    expect(warn).toHaveBeenCalledOnce();
  });
});

describe('series and names that collide after translation', () => {
  function captureWarnings() {
    const warn = vi.fn();
    diag.disable();
    diag.setLogger(
      { warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() },
      DiagLogLevel.WARN,
    );
    return warn;
  }

  it('drops a gauge whose name is a sample name of a histogram, in either registration order', async () => {
    for (const histogramFirst of [true, false]) {
      const warn = captureWarnings();
      const { reader, meter } = setup({ withoutTargetInfo: true });
      const histogram = () => meter.createHistogram('db.query').record(1);
      const gauge = () => meter.createGauge('db.query.count').record(7);
      if (histogramFirst) {
        histogram();
        gauge();
      } else {
        gauge();
        histogram();
      }
      const text = await scrape(reader);
      // Both together would read as a second TYPE for db_query, which parsers reject.
      expect(lines(text, '# TYPE')).toEqual([
        histogramFirst ? '# TYPE db_query histogram' : '# TYPE db_query_count gauge',
      ]);
      expect(warn).toHaveBeenCalledOnce();
    }
  });

  it('keeps the points of same-named metrics with other HELP or UNIT, showing the first and warning', async () => {
    const warn = captureWarnings();
    const { reader, provider } = setup({ withoutTargetInfo: true });
    provider.getMeter('lib.a').createCounter('io', { unit: 'By', description: 'Bytes read.' }).add(1);
    provider.getMeter('lib.b').createCounter('io_bytes', { description: 'Bytes moved.' }).add(2);
    const text = await scrape(reader, 'openmetrics');
    expect(lines(text, '# ')).toEqual([
      '# HELP io_bytes Bytes read.',
      '# TYPE io_bytes counter',
      '# UNIT io_bytes bytes',
      '# EOF',
    ]);
    expect(lines(text, 'io_bytes_total')).toEqual([
      'io_bytes_total{otel_scope_name="lib.a"} 1',
      'io_bytes_total{otel_scope_name="lib.b"} 2',
    ]);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('writes a series once when two attribute sets map to the same labels, keeping the first', async () => {
    const warn = captureWarnings();
    const { reader, meter } = setup({ withoutTargetInfo: true });
    const counter = meter.createCounter('hits');
    counter.add(1, { 'a.b': 'x' });
    counter.add(5, { a_b: 'x' });
    counter.add(2, { a_b: 'y' });
    const histogram = meter.createHistogram('lat', { advice: { explicitBucketBoundaries: [1] } });
    histogram.record(0.5, { 'a.b': 'x' });
    histogram.record(3, { a_b: 'x' });
    const text = await scrape(reader);
    expect(lines(text, 'hits_total')).toEqual([
      `hits_total{a_b="x",${SCOPE}} 1`,
      `hits_total{a_b="y",${SCOPE}} 2`,
    ]);
    expect(lines(text, 'lat_count')).toEqual([`lat_count{a_b="x",${SCOPE}} 1`]);
    expect(lines(text, 'lat_bucket')).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('writes a series once when two scopes expose it with scope labels off', async () => {
    captureWarnings();
    const { reader, provider } = setup({ withoutTargetInfo: true, withoutScopeLabels: true });
    provider.getMeter('lib.a').createCounter('jobs').add(1, { q: 'x' });
    provider.getMeter('lib.b').createCounter('jobs').add(4, { q: 'x' });
    expect(lines(await scrape(reader), 'jobs_total')).toEqual(['jobs_total{q="x"} 1']);
  });
});

describe('OpenMetrics 1.0.0', () => {
  it('names counter families without _total, adds UNIT and ends with # EOF', async () => {
    const { reader, meter } = setup();
    meter.createCounter('http.sent', { unit: 'By', description: 'Say "hi"' }).add(5);
    meter.createHistogram('rpc.duration', { unit: 's', advice: { explicitBucketBoundaries: [1] } }).record(2);
    const text = await scrape(reader, 'openmetrics');
    expect(text).toContain(
      `# HELP http_sent_bytes Say \\"hi\\"\n# TYPE http_sent_bytes counter\n# UNIT http_sent_bytes bytes\nhttp_sent_bytes_total{${SCOPE}} 5\n`,
    );
    expect(text).toContain(`# TYPE rpc_duration_seconds histogram\n# UNIT rpc_duration_seconds seconds\n`);
    expect(text).toContain('# TYPE target info\n');
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text.indexOf('# EOF')).toBe(text.length - '# EOF\n'.length);
  });

  it('writes UNIT only when the family name ends with _<unit>', async () => {
    const { reader, meter } = setup({ withoutTargetInfo: true });
    meter.createGauge('seconds', { unit: 's' }).record(1);
    meter.createGauge('uptime', { unit: 's' }).record(2);
    const text = await scrape(reader, 'openmetrics');
    expect(lines(text, '# UNIT')).toEqual(['# UNIT uptime_seconds seconds']);
  });

  it('writes no _sum for a histogram with negative le thresholds, as OpenMetrics requires', async () => {
    const signed = renderExposition(exponentialCollection(SIGNED_POINT), 'openmetrics', {
      withoutTargetInfo: true,
    });
    expect(signed).toBe(
      [
        '# TYPE delta histogram',
        'delta_bucket{otel_scope_name="s",le="-4.000000000000001"} 4',
        'delta_bucket{otel_scope_name="s",le="-2.0000000000000004"} 5',
        'delta_bucket{otel_scope_name="s",le="0"} 10',
        'delta_bucket{otel_scope_name="s",le="2"} 12',
        'delta_bucket{otel_scope_name="s",le="8"} 15',
        'delta_bucket{otel_scope_name="s",le="+Inf"} 15',
        'delta_count{otel_scope_name="s"} 15',
        '# EOF',
        '',
      ].join('\n'),
    );
    const { negative: _negative, ...positiveOnly } = SIGNED_POINT;
    const unsigned = renderExposition(
      exponentialCollection({
        ...positiveOnly,
        negative: { offset: 0, bucketCounts: [] },
        count: 10,
        sum: 22,
      }),
      'openmetrics',
      { withoutTargetInfo: true },
    );
    expect(unsigned).toContain(
      'delta_bucket{otel_scope_name="s",le="+Inf"} 10\ndelta_sum{otel_scope_name="s"} 22\n',
    );
    // The same rule for explicit bounds: a negative bound is a negative threshold even when it holds nothing.
    const { reader, meter } = setup({}, [
      {
        instrumentName: 'offset',
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [-1, 0, 1] } },
      },
    ]);
    meter.createHistogram('offset').record(0.5);
    const explicit = await scrape(reader, 'openmetrics');
    expect(explicit).toContain(`offset_bucket{${SCOPE},le="-1"} 0\n`);
    expect(explicit).not.toContain('offset_sum');
    expect(await scrape(reader, 'text')).toContain(`offset_sum{${SCOPE}} 0.5\n`);
  });

  it('still ends with # EOF when nothing was recorded', async () => {
    const { reader } = setup({ withoutTargetInfo: true });
    expect(await scrape(reader, 'openmetrics')).toBe('# EOF\n');
    expect(await scrape(reader, 'text')).toBe('');
  });
});

describe('renderExposition', () => {
  it('renders the same text as the reader in one string', async () => {
    const { reader, meter } = setup();
    meter.createCounter('c').add(1, { a: 'b' });
    const streamed = await scrape(reader, 'openmetrics');
    const { resourceMetrics } = await reader.collect();
    expect(renderExposition(resourceMetrics, 'openmetrics')).toBe(streamed);
  });
});
