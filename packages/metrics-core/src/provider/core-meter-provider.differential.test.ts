/**
 * The core against stock `@opentelemetry/sdk-metrics` (no limits): random instruments, attribute sets,
 * values and collection points recorded into both must export the same data (sums, counts, bucket counts,
 * min/max, exponential buckets and scale), cumulative and delta.
 */
import type { Attributes, Meter } from '@opentelemetry/api';
import { AggregationType } from '@opentelemetry/sdk-metrics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Temporality } from '../model/metric-data.ts';
import { atStockScales, normalize, stockSdk } from '../testing/stock-sdk.ts';
import { CoreMeterProvider } from './core-meter-provider.ts';

const KINDS = [
  'counter',
  'upDownCounter',
  'histogram',
  'customHistogram',
  'gauge',
  'exponentialHistogram',
] as const;
type Kind = (typeof KINDS)[number];

const attributeSet = fc.record(
  {
    route: fc.constantFrom('/a', '/b', '/c'),
    status: fc.constantFrom(200, 404, 500),
    ok: fc.boolean(),
  },
  { requiredKeys: [] },
);

const value = fc.oneof(
  fc.integer({ min: 0, max: 1_000 }),
  fc.double({ min: 0, max: 20_000, noNaN: true }),
  fc.constantFrom(0, 5, 10, 25, 0.5),
);

const step = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('record' as const),
      instrument: fc.integer({ min: 0, max: 5 }),
      value,
      attributes: attributeSet,
      negative: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('collect' as const) }) },
);

function instruments(meter: Meter) {
  return [
    meter.createCounter('requests', { unit: '1' }),
    meter.createUpDownCounter('inflight'),
    meter.createHistogram('latency', { unit: 'ms' }),
    meter.createHistogram('size', { advice: { explicitBucketBoundaries: [1, 10, 100, 1000] } }),
    meter.createGauge('temperature'),
    meter.createHistogram('payload', { unit: 'By' }),
  ];
}

function record(
  list: ReturnType<typeof instruments>,
  kind: Kind,
  v: number,
  negative: boolean,
  attributes: Attributes,
): void {
  switch (kind) {
    case 'counter':
      (list[0] as { add(v: number, a: Attributes): void }).add(v, attributes);
      return;
    case 'upDownCounter':
      (list[1] as { add(v: number, a: Attributes): void }).add(negative ? -v : v, attributes);
      return;
    case 'histogram':
      (list[2] as { record(v: number, a: Attributes): void }).record(v, attributes);
      return;
    case 'customHistogram':
      (list[3] as { record(v: number, a: Attributes): void }).record(v, attributes);
      return;
    case 'gauge':
      (list[4] as { record(v: number, a: Attributes): void }).record(negative ? -v : v, attributes);
      return;
    case 'exponentialHistogram':
      (list[5] as { record(v: number, a: Attributes): void }).record(v, attributes);
  }
}

describe('CoreMeterProvider against stock sdk-metrics', () => {
  it('exports the same points, cumulative and delta, at every collection', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 120 }), async (steps) => {
        const core = new CoreMeterProvider({
          warn: () => undefined,
          views: [{ instrumentName: 'payload', aggregation: { type: 'exponentialHistogram', maxSize: 20 } }],
        });
        const coreCumulative = core.addReader();
        const coreDelta = core.addReader(() => Temporality.DELTA);
        const stock = stockSdk([
          {
            instrumentName: 'payload',
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 20 } },
          },
        ]);
        const coreInstruments = instruments(core.getMeter('m'));
        const stockInstruments = instruments(stock.provider.getMeter('m'));
        const compare = async () => {
          const [cc, cd, sc, sd] = await Promise.all([
            coreCumulative.collect(),
            coreDelta.collect(),
            stock.collectCumulative(),
            stock.collectDelta(),
          ]);
          const [cumulative, stockCumulative] = [
            normalize(cc.scopeMetrics.flatMap((s) => s.metrics)),
            normalize(sc),
          ];
          atStockScales(cumulative, stockCumulative);
          expect(cumulative).toEqual(stockCumulative);
          expect(normalize(cd.scopeMetrics.flatMap((s) => s.metrics))).toEqual(normalize(sd));
        };
        for (const s of steps) {
          if (s.op === 'collect') await compare();
          else {
            const kind = KINDS[s.instrument]!;
            record(coreInstruments, kind, s.value, s.negative, s.attributes);
            record(stockInstruments, kind, s.value, s.negative, s.attributes);
          }
        }
        await compare();
      }),
      { numRuns: 150 },
    );
  });
});
