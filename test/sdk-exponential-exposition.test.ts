/**
 * Exponential histograms as a user of `startTelemetry` sees them on `/metrics`: with
 * `metrics.histogramAggregation: 'exponential'`, text 0.0.4 and OpenMetrics, which cannot carry native
 * histograms, get classic histograms whose `le` are the exponential bucket boundaries, with exact counts.
 */
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

let telemetry: Telemetry;
const warnings: object[] = [];

beforeAll(async () => {
  const quiet = () => undefined;
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    registerGlobal: false,
    server: { port: 0 },
    store: { enabled: false },
    metrics: { process: false, histogramAggregation: 'exponential' },
    logger: {
      debug: quiet,
      info: quiet,
      error: quiet,
      warn: (obj: object, msg?: string) => warnings.push({ ...obj, msg }),
    },
  });
});

afterAll(async () => {
  await telemetry.shutdown();
});

async function scrape(accept?: string): Promise<string> {
  const response = await fetch(`${telemetry.url}/metrics`, accept ? { headers: { accept } } : {});
  expect(response.status).toBe(200);
  return response.text();
}

/** A sample value or `le` as Prometheus parses it (`+Inf` included, which `Number()` does not read). */
function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

interface ClassicHistogram {
  readonly les: number[];
  readonly cumulative: number[];
  readonly sum: number | undefined;
  readonly count: number | undefined;
}

/** The `_bucket`, `_sum` and `_count` samples of the series of `name` whose labels start with `labels`. */
function histogramSeries(body: string, name: string, labels: string): ClassicHistogram {
  const les: number[] = [];
  const cumulative: number[] = [];
  let sum: number | undefined;
  let count: number | undefined;
  for (const line of body.split('\n')) {
    const space = line.lastIndexOf(' ');
    const value = parseValue(line.slice(space + 1));
    if (line.startsWith(`${name}_bucket{${labels},`)) {
      const le = /,le="([^"]+)"\}$/.exec(line.slice(0, space));
      if (!le) throw new Error(`bucket without le: ${line}`);
      les.push(parseValue(le[1] as string));
      cumulative.push(value);
    } else if (line.startsWith(`${name}_sum{${labels},`)) {
      sum = value;
    } else if (line.startsWith(`${name}_count{${labels},`)) {
      count = value;
    }
  }
  return { les, cumulative, sum, count };
}

const MIN_NORMAL = 2 ** -1022;

const value = fc.oneof(
  fc.double({ min: 0, max: 10, noNaN: true }),
  fc.double({ min: 0, max: Number.MAX_VALUE, noNaN: true }),
  fc.double({ min: 0, max: MIN_NORMAL, noNaN: true }),
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: -1074, max: 1023 }).map((e) => 2 ** e),
  fc.constantFrom(0, Number.MAX_VALUE, Number.MIN_VALUE),
);

describe("startTelemetry with metrics.histogramAggregation 'exponential' on /metrics", () => {
  it('puts every recorded value under the first le at or above it, with exact counts, in both formats (property)', async () => {
    const histogram = telemetry.meter('app').createHistogram('app.latency', {
      unit: 's',
      description: 'Latency.',
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 100 }), async (values) => {
        // One series per run: the histogram is cumulative across scrapes.
        const labels = `run="${++run}"`;
        for (const v of values) histogram.record(v, { run });
        for (const accept of [undefined, OPENMETRICS]) {
          const body = await scrape(accept);
          expect(body).toContain('# TYPE app_latency_seconds histogram\n');
          const { les, cumulative, sum, count } = histogramSeries(body, 'app_latency_seconds', labels);
          for (let i = 1; i < les.length; i++) expect(les[i]).toBeGreaterThan(les[i - 1] as number);
          expect(les.at(-1)).toBe(Number.POSITIVE_INFINITY);
          expect(cumulative.at(-1)).toBe(values.length);
          expect(count).toBe(values.length);
          expect(sum).toBe(values.reduce((a, b) => a + b, 0));
          // Exact: bucket i holds the values in (les[i-1], les[i]]; the cumulative count at le is every
          // value at or below it.
          for (const [i, le] of les.entries()) {
            expect(cumulative[i], `le=${le}`).toBe(values.filter((v) => v <= le).length);
          }
        }
      }),
      { numRuns: 60 },
    );
    expect(warnings).toEqual([]);
  });
});
