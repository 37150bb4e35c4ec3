import { CoreMeterProvider, DataPointType, type ScopeMetrics, Temporality } from '@yardstick/metrics-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_REPORT_TAG,
  CLUSTER_REPORT_VERSION,
  decodeClusterReport,
  encodeClusterReport,
  isClusterReportMessage,
  MAX_REPORT_CHARS,
} from './cluster-report.ts';

async function collected(): Promise<ScopeMetrics[]> {
  // Every measurement an exemplar, so that the report is seen to leave them out.
  const core = new CoreMeterProvider({ exemplarFilter: 'always_on' } as ConstructorParameters<
    typeof CoreMeterProvider
  >[0]);
  const reader = core.addReader();
  const meter = core.getMeter('checkout', '1.2.0');
  meter.createCounter('orders').add(3, { method: 'card', tags: ['a', 'b'] });
  meter.createUpDownCounter('queue').add(-2);
  meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [1, 10] } }).record(4);
  meter.createGauge('temperature').record(Number.POSITIVE_INFINITY);
  return (await reader.collect()).scopeMetrics;
}

function withoutExemplars(scopeMetrics: ScopeMetrics[]): ScopeMetrics[] {
  return scopeMetrics.map(({ scope, metrics }) => ({
    scope,
    metrics: metrics.map((metric) => ({
      ...metric,
      dataPoints: (metric.dataPoints as { exemplars?: unknown }[]).map(({ exemplars: _, ...point }) => point),
    })),
  })) as ScopeMetrics[];
}

describe('cluster reports', () => {
  it('round-trip a collection of every kind through the envelope, without exemplars', async () => {
    const scopeMetrics = await collected();
    const message = encodeClusterReport({
      collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
      sequence: 1,
      full: true,
    });
    expect(message).toMatchObject({ yardstick: CLUSTER_REPORT_TAG, version: CLUSTER_REPORT_VERSION });
    expect(isClusterReportMessage(structuredClone(message))).toBe(true);
    const decoded = decodeClusterReport(JSON.parse(JSON.stringify(message)));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const [collection] = decoded.report.collections;
    expect(collection?.histogramAggregation).toBe('explicit');
    expect(collection?.scopeMetrics).toEqual(withoutExemplars(scopeMetrics));
  });

  it('carry values JSON cannot hold', () => {
    const scopeMetrics: ScopeMetrics[] = [
      {
        scope: { name: 's' },
        metrics: [
          {
            descriptor: { name: 'g', description: '', unit: '', valueType: 1 },
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: [
              { attributes: {}, startTime: [1, 0], endTime: [2, 0], value: Number.NEGATIVE_INFINITY },
            ],
          },
        ],
      },
    ];
    const decoded = decodeClusterReport(
      encodeClusterReport({
        collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
        sequence: 1,
        full: true,
      }),
    );
    expect(
      decoded.ok && decoded.report.collections[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.value,
    ).toBe(Number.NEGATIVE_INFINITY);
  });

  it('decode an attribute named __proto__ as an attribute, into a frozen set', () => {
    const scopeMetrics: ScopeMetrics[] = [
      {
        scope: { name: 's' },
        metrics: [
          {
            descriptor: { name: 'g', description: '', unit: '', valueType: 1 },
            aggregationTemporality: Temporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: [
              {
                attributes: JSON.parse('{"__proto__":"x","a":1}'),
                startTime: [1, 0],
                endTime: [2, 0],
                value: 1,
              },
            ],
          },
        ],
      },
    ];
    const decoded = decodeClusterReport(
      encodeClusterReport({
        collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
        sequence: 1,
        full: true,
      }),
    );
    const attributes = decoded.ok
      ? decoded.report.collections[0]?.scopeMetrics[0]?.metrics[0]?.dataPoints[0]?.attributes
      : undefined;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.entries(attributes ?? {})).toEqual([
      ['__proto__', 'x'],
      ['a', 1],
    ]);
    expect(Object.isFrozen(attributes)).toBe(true);
  });

  it('leave messages without the tag to the application', () => {
    for (const message of [undefined, null, 'text', { cmd: 'NODE_CLUSTER' }, { yardstick: 'other' }]) {
      expect(isClusterReportMessage(message)).toBe(false);
    }
  });

  it('are refused, with the reason, when a field is wrong, the version unknown or the body too long', async () => {
    const scopeMetrics = await collected();
    const good = encodeClusterReport({
      collections: [{ histogramAggregation: 'explicit', scopeMetrics }],
      sequence: 1,
      full: true,
    });
    const body = JSON.parse(good.body);
    // biome-ignore lint/suspicious/noExplicitAny: a decoded report body, edited field by field to break it
    const refuse = (change: (body: any) => void) => {
      const copy = structuredClone(body);
      change(copy);
      const decoded = decodeClusterReport({ ...good, body: JSON.stringify(copy) });
      return decoded.ok ? 'accepted' : decoded.problem;
    };
    expect(refuse(() => undefined)).toBe('accepted');
    expect(refuse((b) => (b.collections[0].histogramAggregation = 'linear'))).toMatch(/histogramAggregation/);
    expect(refuse((b) => (b.collections[0].scopeMetrics[0].metrics[0].aggregationTemporality = 0))).toMatch(
      /not cumulative/,
    );
    expect(
      refuse((b) => (b.collections[0].scopeMetrics[0].metrics[0].dataPoints[0].attributes.x = { a: 1 })),
    ).toBe(
      'report.collections[0].scopeMetrics[0].metrics[0].dataPoints[0].attributes.x is not an attribute value',
    );
    expect(refuse((b) => (b.collections[0].scopeMetrics[0].metrics[2].dataPoints[0].value.count = -1))).toBe(
      'report.collections[0].scopeMetrics[0].metrics[2].dataPoints[0].value.count is not a count',
    );
    expect(
      refuse(
        (b) => (b.collections[0].scopeMetrics[0].metrics[2].dataPoints[0].value.buckets.counts[1] = 0.5),
      ),
    ).toBe(
      'report.collections[0].scopeMetrics[0].metrics[2].dataPoints[0].value.buckets.counts[1] is not a count',
    );
    expect(
      refuse((b) => b.collections[0].scopeMetrics[0].metrics[2].dataPoints[0].value.buckets.counts.pop()),
    ).toMatch(/one more count/);
    expect(refuse((b) => b.collections.push(b.collections[0]))).toMatch(/repeats/);
    expect(refuse((b) => (b.sequence = 0))).toMatch(/sequence/);
    expect(refuse((b) => delete b.full)).toMatch(/full/);
    // Version 1 had no partial reports: its primaries and this one's workers never mix.
    expect(decodeClusterReport({ ...good, version: 1 })).toMatchObject({ ok: false });
    expect(decodeClusterReport({ ...good, body: ' '.repeat(MAX_REPORT_CHARS + 1) })).toMatchObject({
      ok: false,
    });
    expect(decodeClusterReport({ ...good, body: '{' })).toMatchObject({ ok: false });
  });

  it('never throw on any JSON body (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeClusterReport({
          yardstick: CLUSTER_REPORT_TAG,
          version: CLUSTER_REPORT_VERSION,
          body: JSON.stringify(value),
        });
        expect(typeof decoded.ok).toBe('boolean');
      }),
    );
  });
});
