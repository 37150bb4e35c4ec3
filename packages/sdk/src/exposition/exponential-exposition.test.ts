/**
 * Exponential histograms recorded through the metrics core (read by the Prometheus reader as
 * `startTelemetry()` connects it) or through a stock sdk-metrics `MeterProvider`, parsed back from the
 * exposition: every recorded value sits under the right `le`.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { CoreMeterProvider } from '@yardstick/metrics-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectReaders } from '../provider/core-readers.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { PrometheusReader } from './prometheus-reader.ts';

interface ParsedHistogram {
  /** `le` of each `_bucket` line, in the order written (`+Inf` as Infinity). */
  readonly les: number[];
  /** Per-bucket counts (the differences of the cumulative counts written). */
  readonly counts: number[];
  readonly cumulative: number[];
  readonly sum: number | undefined;
  readonly count: number;
}

/** A sample value or `le` as Prometheus parses it (`+Inf` included, which `Number()` does not read). */
function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses the samples of histogram `name` (a single series, scope labels off) from an exposition. */
function parseHistogram(text: string, name: string): ParsedHistogram {
  const les: number[] = [];
  const cumulative: number[] = [];
  let sum: number | undefined;
  let count = Number.NaN;
  for (const line of text.split('\n')) {
    const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line);
    if (bucket) {
      les.push(parseValue(bucket[1] as string));
      cumulative.push(parseValue(bucket[2] as string));
    } else if (line.startsWith(`${name}_sum `)) {
      sum = parseValue(line.slice(name.length + 5));
    } else if (line.startsWith(`${name}_count `)) {
      count = parseValue(line.slice(name.length + 7));
    }
  }
  const counts = cumulative.map((c, i) => c - (i === 0 ? 0 : (cumulative[i - 1] as number)));
  return { les, counts, cumulative, sum, count };
}

/** How many of `values` each `le` bucket holds: `(les[i-1], les[i]]`, the first from -Infinity. */
function binned(values: readonly number[], les: readonly number[]): number[] {
  const counts = new Array<number>(les.length).fill(0);
  for (const value of values) {
    const i = les.findIndex((le) => value <= le);
    if (i >= 0) counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}

const READER_OPTIONS = { withoutScopeLabels: true, withoutTargetInfo: true } as const;

/**
 * A core whose `latency` histogram is an exponential histogram, with the Prometheus reader bound to it as
 * `startTelemetry()` binds it.
 */
function coreSetup(maxSize: number, maxScale: number) {
  const core = new CoreMeterProvider({
    views: [{ instrumentName: 'latency', aggregation: { type: 'exponentialHistogram', maxSize, maxScale } }],
    warn: (message) => {
      throw new Error(`unexpected core warning: ${message}`);
    },
  });
  const reader = new PrometheusReader(READER_OPTIONS);
  const connected = connectReaders(core, [reader], resourceFromAttributes({}));
  return { core, reader, connected };
}

/**
 * A stock sdk-metrics provider whose `offset` gauge is an exponential histogram: the core's histograms take
 * no negative values, a gauge's may be, so this is how negative buckets reach the exposition.
 */
function sdkSetup(maxSize: number) {
  const reader = new PrometheusReader(READER_OPTIONS);
  const provider = new MeterProvider({
    readers: [reader],
    views: [
      {
        instrumentName: 'offset',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize } },
      },
    ],
  });
  return { provider, reader };
}

async function scrape(reader: PrometheusReader, format: ExpositionFormat): Promise<string> {
  let text = '';
  for await (const chunk of await reader.render(format)) text += chunk;
  return text;
}

/** Checks the classic histogram `name` in `text` against the values recorded. */
function expectExact(text: string, name: string, values: readonly number[]): ParsedHistogram {
  const parsed = parseHistogram(text, name);
  expect(text).toContain(`# TYPE ${name} histogram\n`);
  for (let i = 1; i < parsed.les.length; i++) {
    expect(parsed.les[i]).toBeGreaterThan(parsed.les[i - 1] as number);
  }
  expect(parsed.les.at(-1)).toBe(Number.POSITIVE_INFINITY);
  expect(parsed.cumulative.at(-1)).toBe(parsed.count);
  expect(parsed.count).toBe(values.length);
  // Exact counts: each bucket holds the recorded values in (previous le, le], no more, no fewer.
  expect(parsed.counts).toEqual(binned(values, parsed.les));
  return parsed;
}

const MIN_NORMAL = 2 ** -1022;

const magnitude = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
  fc.double({ min: 0, max: MIN_NORMAL, noNaN: true }),
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: -1074, max: 1023 }).map((e) => 2 ** e),
  fc.constantFrom(0, Number.MAX_VALUE, Number.MIN_VALUE),
);
const signed = fc.tuple(magnitude, fc.boolean()).map(([m, negative]) => (negative ? -m : m));

describe('exponential histograms in the Prometheus exposition', () => {
  it('puts every value recorded through the core under the first le at or above it, with exact counts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(magnitude, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 2, max: 160 }),
        fc.integer({ min: -10, max: 20 }),
        async (values, maxSize, maxScale) => {
          const { core, reader, connected } = coreSetup(maxSize, maxScale);
          const latency = core.getMeter('t').createHistogram('latency');
          for (const value of values) latency.record(value);
          const text = await scrape(reader, 'text');
          const openMetrics = await scrape(reader, 'openmetrics');
          await connected.shutdown();
          const fromText = expectExact(text, 'latency', values);
          expect(fromText.sum).toBe(values.reduce((a, b) => a + b, 0));
          expect(parseHistogram(openMetrics, 'latency')).toEqual(fromText);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('puts negative values under the right le too (sdk-metrics gauge with an exponential view, property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(signed, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 2, max: 160 }),
        async (values, maxSize) => {
          const { provider, reader } = sdkSetup(maxSize);
          const offset = provider.getMeter('t').createGauge('offset');
          for (const value of values) offset.record(value);
          const text = await scrape(reader, 'text');
          const openMetrics = await scrape(reader, 'openmetrics');
          await provider.shutdown();
          const fromText = expectExact(text, 'offset', values);
          // sdk-metrics keeps no sum for an instrument whose values may be negative.
          expect(fromText.sum).toBeUndefined();
          expect(parseHistogram(openMetrics, 'offset')).toEqual(fromText);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the counts exact across scrapes as the histogram grows and rescales', async () => {
    const { core, reader, connected } = coreSetup(20, 20);
    const latency = core.getMeter('t').createHistogram('latency');
    const recorded: number[] = [];
    // Each round widens the range, so the 20 buckets rescale down between scrapes.
    for (const top of [1.5, 100, 1e9, 1e300]) {
      for (let i = 1; i <= 50; i++) {
        const value = (top * i) / 50;
        latency.record(value);
        recorded.push(value);
      }
      expectExact(await scrape(reader, 'text'), 'latency', recorded);
    }
    await connected.shutdown();
  });
});
