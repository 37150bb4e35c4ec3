/**
 * The embedded store's collection (`StoreReader.scrape()`: the SDK collection plus the appends to the
 * `SampleStore`) at 10k and 100k series: how long one collection takes and the longest event-loop block while
 * it runs, for the first collection (every series is created in the store) and for later ones (appends to
 * existing series). Raced against a named baseline in the same run: `sdkCollect`, the SDK's public
 * `MetricReader.collect()` alone on a second reader of the same provider, which holds the loop for the whole
 * collection (what any synchronous pass does, before a single sample is appended).
 * Workload as in metrics-endpoint.ts: half counters, half histograms with the 11 Prometheus default bounds,
 * 1000 series per instrument, three labels per series; every series is touched between collections.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/store-collection.ts
 *
 * Writes bench/results/store-collection.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { SampleStore } from '@yardstick/promql';
import { StoreReader, silentLogger } from '@yardstick/sdk';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SERIES_PER_INSTRUMENT = 1_000;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const LATER_COLLECTIONS = 3;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** A bare cumulative reader: the baseline collects through the SDK's public `collect()`. */
class PlainReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * Records the gaps between turns of a setImmediate ticker: each gap is one stretch the loop was held, in wall
 * time and in this thread's CPU time (the wall time also counts the time a busy machine did not run the
 * process at all; the CPU time is what the collection itself held the loop for).
 */
function tickerGaps(): { stop(): Promise<{ wall: number[]; cpu: number[] }> } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let running = true;
  const tick = () => {
    const now = performance.now();
    const used = process.threadCpuUsage(lastCpu);
    wall.push(now - last);
    cpu.push((used.user + used.system) / 1_000);
    last = now;
    lastCpu = process.threadCpuUsage();
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    async stop() {
      running = false;
      await new Promise((resolve) => setImmediate(resolve));
      return { wall, cpu };
    },
  };
}

interface Measured {
  readonly totalMs: number;
  readonly longestBlockMs: number;
  readonly longestBlockCpuMs: number;
  readonly turns: number;
}

async function measure(run: () => Promise<unknown>): Promise<Measured> {
  gc();
  const gaps = tickerGaps();
  const start = performance.now();
  await run();
  const totalMs = performance.now() - start;
  const { wall, cpu } = await gaps.stop();
  return {
    totalMs: round(totalMs),
    longestBlockMs: round(Math.max(0, ...wall)),
    longestBlockCpuMs: round(Math.max(0, ...cpu)),
    turns: wall.length,
  };
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function run(series: number) {
  const store = new SampleStore();
  let now = 1_700_000_000_000;
  // An interval far beyond the run: every collection here is an explicit scrape().
  const reader = new StoreReader({ store, intervalMs: 3_600_000, logger: silentLogger, now: () => now });
  const plain = new PlainReader();
  const provider = new MeterProvider({
    readers: [reader, plain],
    views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }],
  });
  const meter = provider.getMeter('bench', '1.0.0');
  const touchers: Array<(round: number) => void> = [];
  for (let m = 0; m < series / 2 / SERIES_PER_INSTRUMENT; m++) {
    const counter = meter.createCounter(`app.requests.${m}`);
    const histogram = meter.createHistogram(`app.duration.${m}`, {
      unit: 's',
      advice: { explicitBucketBoundaries: BUCKETS },
    });
    const attributes = Array.from({ length: SERIES_PER_INSTRUMENT }, (_, i) => {
      const n = m * SERIES_PER_INSTRUMENT + i;
      return {
        route: `/api/v${n % 7}/items/${n}`,
        method: METHODS[n % 4] ?? 'GET',
        status: String(200 + (n % 5)),
      };
    });
    touchers.push((round) => {
      for (let i = 0; i < attributes.length; i++) {
        counter.add(1, attributes[i]);
        histogram.record(((i * 7 + round) % 1000) / 100, attributes[i]);
      }
    });
  }
  const touch = (round: number) => {
    for (const toucher of touchers) toucher(round);
  };
  touch(0);
  await plain.collect();
  const first = await measure(() => reader.scrape());
  const later: Measured[] = [];
  const baseline: Measured[] = [];
  for (let round = 1; round <= LATER_COLLECTIONS; round++) {
    touch(round);
    now += 15_000;
    // Alternate which one runs first, so neither always meets a freshly collected SDK state.
    if (round % 2) {
      baseline.push(await measure(() => plain.collect()));
      later.push(await measure(() => reader.scrape()));
    } else {
      later.push(await measure(() => reader.scrape()));
      baseline.push(await measure(() => plain.collect()));
    }
  }
  const samples = store.stats();
  await provider.shutdown();
  const laterBlock = median(later.map((m) => m.longestBlockMs));
  const baselineBlock = median(baseline.map((m) => m.longestBlockMs));
  return {
    series,
    storeSeries: samples.series,
    firstCollection: first,
    laterCollectionsMedian: {
      totalMs: round(median(later.map((m) => m.totalMs))),
      longestBlockMs: laterBlock,
      longestBlockCpuMs: median(later.map((m) => m.longestBlockCpuMs)),
      turns: median(later.map((m) => m.turns)),
    },
    sdkCollectMedian: {
      totalMs: round(median(baseline.map((m) => m.totalMs))),
      longestBlockMs: baselineBlock,
      longestBlockCpuMs: median(baseline.map((m) => m.longestBlockCpuMs)),
    },
    longestBlockVsSdkCollect: round(laterBlock / baselineBlock, 3),
  };
}

const loadAtStart = loadavg()[0];
const results = [];
for (const series of [10_000, 100_000]) {
  const row = await run(series);
  results.push(row);
  console.log(JSON.stringify(row));
}
const output = {
  benchmark: 'store-collection',
  command: 'npx node --conditions=yardstick-source --expose-gc bench/store-collection.ts',
  node: process.version,
  loadAverageAtStart: loadAtStart,
  cpus: cpus().length,
  workload:
    'half counters, half histograms (11 bounds + +Inf, so 14 samples a series); 1000 series per instrument; labels route/method/status; every series touched between collections',
  results,
};
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'results', 'store-collection.json'), `${JSON.stringify(output, null, 2)}\n`);
