import { createNoopMeter } from '@opentelemetry/api';
import { createSummary } from '@yardstick/sdk';
import { describe, expect, it } from 'vitest';
import { createProxyMetric, ProxyMetricError, type ProxyMetricInput } from './proxy-metric.ts';
import { ProxyMetricRegistry } from './proxy-metric-registry.ts';

const meter = createNoopMeter();

/** The spec's own example. */
const example: ProxyMetricInput = {
  name: 'proxywhirl_requests_total',
  metric_type: 'counter',
  description: 'Total number of proxy requests',
  labels: ['pool', 'region', 'status'],
  instrument: meter.createCounter('proxywhirl.requests'),
};

function messageOf(input: unknown): string {
  try {
    createProxyMetric(input as ProxyMetricInput);
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyMetricError);
    return (error as Error).message;
  }
  throw new Error('expected the ProxyMetric to be refused');
}

describe('ProxyMetric', () => {
  it("accepts the spec's example, keeps its instrument and stamps created_at", () => {
    const before = Date.now();
    const metric = createProxyMetric(example);
    expect(metric).toMatchObject({
      name: 'proxywhirl_requests_total',
      metric_type: 'counter',
      labels: ['pool', 'region', 'status'],
    });
    expect(metric.instrument).toBe(example.instrument);
    expect(metric.created_at.getTime()).toBeGreaterThanOrEqual(before);
    expect(createProxyMetric({ ...example, labels: undefined }).labels).toEqual([]);
    expect(Object.isFrozen(metric.labels)).toBe(true);
  });

  it('takes each instrument kind for its type, the SDK summary included', () => {
    const gauge = meter.createObservableGauge('g');
    const kinds: ProxyMetricInput[] = [
      { ...example, name: 'a_seconds', metric_type: 'histogram', instrument: meter.createHistogram('h') },
      { ...example, name: 'a_gauge', metric_type: 'gauge', instrument: gauge },
      { ...example, name: 'a_sync_gauge', metric_type: 'gauge', instrument: meter.createGauge('sg') },
      {
        ...example,
        name: 'a_summary_seconds',
        metric_type: 'summary',
        instrument: createSummary(meter, 's', {}, () => {}),
      },
    ];
    for (const input of kinds) expect(createProxyMetric(input).instrument).toBe(input.instrument);
  });

  it.each([
    [
      { name: 'proxywhirl-requests_total' },
      'ProxyMetric proxywhirl-requests_total: name: must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$',
    ],
    [{ name: '9requests_total' }, 'name: must match'],
    [{ metric_type: 'timer' }, 'metric_type: must be one of counter, gauge, histogram, summary'],
    [{ description: 'requests' }, 'description: must be at least 10 characters'],
    [{ labels: ['pool', 'proxy-id'] }, 'labels[1]: must match ^[a-zA-Z_][a-zA-Z0-9_]*$'],
    [{ labels: ['pool', 'pool'] }, 'labels[1]: "pool" is listed twice'],
    [{ labels: ['__name__'] }, 'labels[0]: must not start with __'],
    [{ instrument: undefined }, 'instrument: is required'],
    [{ instrument: { name: 'not an instrument' } }, 'instrument: must be a counter instrument (with add)'],
    [{ instrument: meter.createHistogram('h') }, 'instrument: must be a counter instrument (with add)'],
    [{ name: 'proxywhirl_requests' }, 'name: of a counter must end with _total'],
    [{ created_at: 'yesterday' }, 'created_at:'],
    [
      { unknown_field: 1 },
      'ProxyMetric proxywhirl_requests_total: metric: Unrecognized key: "unknown_field"',
    ],
  ])('refuses %j, naming the field', (change, expected) => {
    expect(messageOf({ ...example, ...change })).toContain(expected);
  });

  it('refuses series names and reserved labels of histograms and summaries', () => {
    const histogram = { ...example, metric_type: 'histogram', instrument: meter.createHistogram('h') };
    expect(messageOf({ ...histogram, name: 'latency_seconds_bucket' })).toContain(
      'name: of a histogram must not end with _bucket, _sum or _count',
    );
    expect(messageOf({ ...histogram, name: 'latency_seconds', labels: ['pool', 'le'] })).toContain(
      'labels[1]: "le" is added by the histogram itself',
    );
    expect(
      messageOf({
        ...example,
        name: 'latency_seconds',
        metric_type: 'summary',
        labels: ['quantile'],
        instrument: createSummary(meter, 's', {}, () => {}),
      }),
    ).toContain('labels[0]: "quantile" is added by the summary itself');
  });

  it('lists every problem at once', () => {
    const message = messageOf({ ...example, description: 'short', labels: ['a b'], instrument: {} });
    expect(message.split('\n')).toEqual([
      'ProxyMetric proxywhirl_requests_total: description: must be at least 10 characters',
      'ProxyMetric proxywhirl_requests_total: labels[0]: must match ^[a-zA-Z_][a-zA-Z0-9_]*$',
      'ProxyMetric proxywhirl_requests_total: instrument: must be a counter instrument (with add)',
    ]);
  });
});

describe('ProxyMetricRegistry', () => {
  const histogram: ProxyMetricInput = {
    name: 'proxywhirl_request_duration_seconds',
    metric_type: 'histogram',
    description: 'Duration of requests sent through a proxy pool.',
    labels: ['pool', 'region'],
    instrument: meter.createHistogram('proxywhirl.request.duration'),
  };

  it('lists what was registered in order and resolves series names to their metric', () => {
    const registry = new ProxyMetricRegistry();
    registry.register(example);
    registry.register(histogram);
    expect(registry.list().map((m) => m.name)).toEqual([
      'proxywhirl_requests_total',
      'proxywhirl_request_duration_seconds',
    ]);
    for (const series of ['_bucket', '_sum', '_count', '']) {
      expect(registry.resolve(`proxywhirl_request_duration_seconds${series}`)?.name).toBe(
        'proxywhirl_request_duration_seconds',
      );
    }
    // A counter serves no _count series, and unknown names resolve to nothing.
    expect(registry.resolve('proxywhirl_requests_total_count')).toBeUndefined();
    expect(registry.resolve('proxy_requests_total')).toBeUndefined();
    expect(registry.get('proxywhirl_requests_total')?.instrument).toBe(example.instrument);
  });

  it('refuses a name that collides with a registered metric or one of its series', () => {
    const registry = new ProxyMetricRegistry();
    registry.register(example);
    registry.register(histogram);
    const duplicate = (input: ProxyMetricInput): ProxyMetricError => {
      try {
        registry.register(input);
      } catch (error) {
        return error as ProxyMetricError;
      }
      throw new Error('expected a collision');
    };
    const same = duplicate({ ...example, description: 'Another description' });
    expect(same.code).toBe('PROXY_METRIC_DUPLICATE');
    expect(same.message).toBe(
      'ProxyMetric proxywhirl_requests_total: name: collides with the registered counter proxywhirl_requests_total',
    );
    const series = duplicate({
      ...example,
      name: 'proxywhirl_request_duration_seconds_count',
      metric_type: 'gauge',
      instrument: meter.createObservableGauge('g'),
    });
    expect(series.message).toContain(
      'collides with the registered histogram proxywhirl_request_duration_seconds',
    );
    const base = new ProxyMetricRegistry();
    base.register({
      ...example,
      name: 'x_seconds_sum',
      metric_type: 'gauge',
      instrument: meter.createGauge('g'),
    });
    expect(() => base.register({ ...histogram, name: 'x_seconds' })).toThrow(
      'collides with the registered gauge x_seconds_sum',
    );
    expect(registry.list()).toHaveLength(2);
  });

  it('admits label combinations across all metrics up to the limit, keeping one per metric for overflow', () => {
    const registry = new ProxyMetricRegistry({ labelCardinalityLimit: 10 });
    registry.register(example);
    registry.register(histogram);
    // 10 - 2 kept for the two overflow series = 8 real combinations, shared by both metrics.
    const admitted: boolean[] = [];
    for (let i = 0; i < 5; i++) admitted.push(registry.admit('proxywhirl_requests_total', `p${i}`));
    for (let i = 0; i < 5; i++) admitted.push(registry.admit('proxywhirl_request_duration_seconds', `p${i}`));
    expect(admitted).toEqual([true, true, true, true, true, true, true, true, false, false]);
    expect(registry.labelCombinations).toBe(8);
    // A combination seen before stays admitted; an unregistered metric never is.
    expect(registry.admit('proxywhirl_requests_total', 'p0')).toBe(true);
    expect(registry.admit('unregistered_total', 'x')).toBe(false);
    expect(new ProxyMetricRegistry().labelCardinalityLimit).toBe(Number.POSITIVE_INFINITY);
  });
});
