/**
 * The figures of the metrics-core issue: yardstick's recording core (`@yardstick/metrics-core`) against the
 * clients an application would otherwise record with, raced in the same process:
 * - `stock`: `@opentelemetry/sdk-metrics` 3.1.0 from its own copy (the `sdk-metrics-stock` npm alias), so it
 *   shares no sdk-metrics instance with anything yardstick loads;
 * - `promClient`: `prom-client` 15;
 * - `prometheusIo`: `@prometheus-io/client`.
 *
 * Figures:
 * - `counter.add` and `histogram.record` with 3 attributes in both mixes applications write: one pre-built
 *   attributes object per series, and an object literal per call; 160 distinct sets (route x8, method x4,
 *   status x5), the same keys and values for every contender. Histograms have the 11 Prometheus default
 *   buckets everywhere (OTel advice for the two OTel contenders).
 * - Bytes allocated per call: `heapUsed` growth over a batch of calls (~256 KiB of allocation) that starts
 *   after a scavenge, less the growth of an empty batch; batches a GC ran inside are left out; 1e6 calls per
 *   figure, on the warm loops of the timing. A histogram value that is not a small integer is a boxed double
 *   (16 bytes) whenever `record` is not inlined into the caller: that is the caller's allocation, not the
 *   client's.
 * - Heap kept per series: 100k distinct sets of one counter (route strings made beforehand, so only what the
 *   client keeps is counted), after recording and again after one collection (the steady state of an app
 *   that is scraped or exports).
 *
 * Every run is its own process (fresh JIT and heap). Within a run each (contender, case) sample lasts about
 * 5 ms; rounds interleave the contenders in rotating order (A B C D, B C D A, ...) so every contender sees the
 * same load on a shared machine, with a full GC before each sample. A run's ns/op is the median over its
 * rounds and its ratio the median of the per-round ratios; the reported figures are the medians of the runs'.
 * A ratio is the contender's ns/op over the core's: 2 means the core is twice as fast.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/recording-core.ts [--runs 3]
 *
 * Writes bench/results/recording-core.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Counter, Histogram } from '@opentelemetry/api';
import {
  Counter as IoCounter,
  Histogram as IoHistogram,
  Registry as IoRegistry,
} from '@prometheus-io/client';
import { CoreMeterProvider } from '@yardstick/metrics-core';
import { Counter as PromCounter, Histogram as PromHistogram, Registry as PromRegistry } from 'prom-client';
import {
  AggregationTemporality,
  MeterProvider as StockMeterProvider,
  MetricReader as StockMetricReader,
} from 'sdk-metrics-stock';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const ROUNDS = 31;
const SAMPLE_NS = 5e6;
const ALLOCATION_CALLS = 1_000_000;
const HEAP_SERIES = 100_000;

const ROUTES = ['/', '/login', '/users/:id', '/orders', '/orders/:id', '/cart', '/search', '/health'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 201, 204, 404, 500];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LABEL_NAMES = ['route', 'method', 'status'] as const;
type LabelName = (typeof LABEL_NAMES)[number];
// A type, not an interface: both OTel's Attributes and prom-client's label types need an index signature.
type Labels = { route: string; method: string; status: number };

// Indexed by i % 160: the pre-built mix visits the same 160 sets as the literal mix.
const SETS: readonly Labels[] = Array.from({ length: 160 }, (_, i) => ({
  route: ROUTES[i & 7]!,
  method: METHODS[(i >> 3) & 3]!,
  status: STATUSES[i % 5]!,
}));

type GcOptions = { type: 'major' | 'minor' };
const exposedGc = (globalThis as { gc?: (options?: GcOptions) => void }).gc;
if (exposedGc === undefined) throw new Error('run with --expose-gc: allocation and heap figures need gc()');
const gc: (options?: GcOptions) => void = exposedGc;

const CONTENDERS = ['core', 'stock', 'promClient', 'prometheusIo'] as const;
type Contender = (typeof CONTENDERS)[number];
const BASELINES = CONTENDERS.filter((c) => c !== 'core');
const CASES = ['counterPrebuilt', 'counterLiteral', 'histogramPrebuilt', 'histogramLiteral'] as const;
type Case = (typeof CASES)[number];
const CASE_TITLES: Record<Case, string> = {
  counterPrebuilt: 'counter.add, pre-built attributes',
  counterLiteral: 'counter.add, literal per call',
  histogramPrebuilt: 'histogram.record, pre-built attributes',
  histogramLiteral: 'histogram.record, literal per call',
};

/** Runs `ops` calls; returns ns per call. */
type Loop = (ops: number) => number;

function nsPerOp(start: number, ops: number): number {
  return ops === 0 ? 0 : ((performance.now() - start) * 1e6) / ops;
}

// One copy of each loop per contender: a loop shared by all four would see four instrument classes at its
// call site and go polymorphic, charging every contender for the others' presence.
function coreCounterPrebuilt(counter: Counter, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) counter.add(1, SETS[i % 160]!);
  return nsPerOp(start, ops);
}
function coreCounterLiteral(counter: Counter, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    counter.add(1, { route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! });
  }
  return nsPerOp(start, ops);
}
function coreHistogramPrebuilt(histogram: Histogram, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) histogram.record((i % 1000) / 1000, SETS[i % 160]!);
  return nsPerOp(start, ops);
}
function coreHistogramLiteral(histogram: Histogram, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    histogram.record((i % 1000) / 1000, {
      route: ROUTES[i & 7]!,
      method: METHODS[(i >> 3) & 3]!,
      status: STATUSES[i % 5]!,
    });
  }
  return nsPerOp(start, ops);
}

function stockCounterPrebuilt(counter: Counter, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) counter.add(1, SETS[i % 160]!);
  return nsPerOp(start, ops);
}
function stockCounterLiteral(counter: Counter, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    counter.add(1, { route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! });
  }
  return nsPerOp(start, ops);
}
function stockHistogramPrebuilt(histogram: Histogram, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) histogram.record((i % 1000) / 1000, SETS[i % 160]!);
  return nsPerOp(start, ops);
}
function stockHistogramLiteral(histogram: Histogram, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    histogram.record((i % 1000) / 1000, {
      route: ROUTES[i & 7]!,
      method: METHODS[(i >> 3) & 3]!,
      status: STATUSES[i % 5]!,
    });
  }
  return nsPerOp(start, ops);
}

function promCounterPrebuilt(counter: PromCounter<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) counter.inc(SETS[i % 160]!, 1);
  return nsPerOp(start, ops);
}
function promCounterLiteral(counter: PromCounter<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    counter.inc({ route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! }, 1);
  }
  return nsPerOp(start, ops);
}
function promHistogramPrebuilt(histogram: PromHistogram<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) histogram.observe(SETS[i % 160]!, (i % 1000) / 1000);
  return nsPerOp(start, ops);
}
function promHistogramLiteral(histogram: PromHistogram<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    histogram.observe(
      { route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! },
      (i % 1000) / 1000,
    );
  }
  return nsPerOp(start, ops);
}

function ioCounterPrebuilt(counter: IoCounter<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) counter.inc(SETS[i % 160]!, 1);
  return nsPerOp(start, ops);
}
function ioCounterLiteral(counter: IoCounter<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    counter.inc({ route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! }, 1);
  }
  return nsPerOp(start, ops);
}
function ioHistogramPrebuilt(histogram: IoHistogram<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) histogram.observe(SETS[i % 160]!, (i % 1000) / 1000);
  return nsPerOp(start, ops);
}
function ioHistogramLiteral(histogram: IoHistogram<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    histogram.observe(
      { route: ROUTES[i & 7]!, method: METHODS[(i >> 3) & 3]!, status: STATUSES[i % 5]! },
      (i % 1000) / 1000,
    );
  }
  return nsPerOp(start, ops);
}

/** A cumulative reader of the stock SDK that collects on demand. */
class StockReader extends StockMetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * A contender's instruments: the loops of every case, one untimed counter increment (to fill series for the
 * heap figure), and a collection as its reader or scrape makes it.
 */
interface Instruments {
  readonly loops: Record<Case, Loop>;
  addOne(labels: Labels): void;
  collect(): Promise<unknown>;
}

function build(contender: Contender, cardinalityLimit: number): Instruments {
  switch (contender) {
    case 'core': {
      const provider = new CoreMeterProvider({ cardinalityLimit });
      const reader = provider.addReader();
      const meter = provider.getMeter('bench');
      const counter = meter.createCounter('http.requests');
      const histogram = meter.createHistogram('http.duration', {
        advice: { explicitBucketBoundaries: BUCKETS },
      });
      return {
        loops: {
          counterPrebuilt: (ops) => coreCounterPrebuilt(counter, ops),
          counterLiteral: (ops) => coreCounterLiteral(counter, ops),
          histogramPrebuilt: (ops) => coreHistogramPrebuilt(histogram, ops),
          histogramLiteral: (ops) => coreHistogramLiteral(histogram, ops),
        },
        addOne: (labels) => counter.add(1, labels),
        collect: () => reader.collect(),
      };
    }
    case 'stock': {
      const reader = new StockReader();
      const provider = new StockMeterProvider({
        readers: [reader],
        views: [{ instrumentName: '*', aggregationCardinalityLimit: cardinalityLimit }],
      });
      const meter = provider.getMeter('bench');
      const counter = meter.createCounter('http.requests');
      const histogram = meter.createHistogram('http.duration', {
        advice: { explicitBucketBoundaries: BUCKETS },
      });
      return {
        loops: {
          counterPrebuilt: (ops) => stockCounterPrebuilt(counter, ops),
          counterLiteral: (ops) => stockCounterLiteral(counter, ops),
          histogramPrebuilt: (ops) => stockHistogramPrebuilt(histogram, ops),
          histogramLiteral: (ops) => stockHistogramLiteral(histogram, ops),
        },
        addOne: (labels) => counter.add(1, labels),
        collect: () => reader.collect(),
      };
    }
    case 'promClient': {
      const registry = new PromRegistry();
      const labelNames = LABEL_NAMES;
      const counter = new PromCounter({
        name: 'http_requests',
        help: 'h',
        labelNames,
        registers: [registry],
      });
      const histogram = new PromHistogram({
        name: 'http_duration',
        help: 'h',
        labelNames,
        buckets: BUCKETS,
        registers: [registry],
      });
      return {
        loops: {
          counterPrebuilt: (ops) => promCounterPrebuilt(counter, ops),
          counterLiteral: (ops) => promCounterLiteral(counter, ops),
          histogramPrebuilt: (ops) => promHistogramPrebuilt(histogram, ops),
          histogramLiteral: (ops) => promHistogramLiteral(histogram, ops),
        },
        addOne: (labels) => counter.inc(labels, 1),
        collect: () => registry.metrics(),
      };
    }
    case 'prometheusIo': {
      const registry = new IoRegistry();
      const labelNames = LABEL_NAMES;
      const counter = new IoCounter({ name: 'http_requests', help: 'h', labelNames, registers: [registry] });
      const histogram = new IoHistogram({
        name: 'http_duration',
        help: 'h',
        labelNames,
        buckets: BUCKETS,
        registers: [registry],
      });
      return {
        loops: {
          counterPrebuilt: (ops) => ioCounterPrebuilt(counter, ops),
          counterLiteral: (ops) => ioCounterLiteral(counter, ops),
          histogramPrebuilt: (ops) => ioHistogramPrebuilt(histogram, ops),
          histogramLiteral: (ops) => ioHistogramLiteral(histogram, ops),
        },
        addOne: (labels) => counter.inc(labels, 1),
        collect: () => registry.metrics(),
      };
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

type PerContender<T> = Record<Contender, T>;
type PerCase<T> = Record<Case, T>;
function perContender<T>(make: (contender: Contender) => T): PerContender<T> {
  return Object.fromEntries(CONTENDERS.map((c) => [c, make(c)])) as PerContender<T>;
}
function perCase<T>(make: (c: Case) => T): PerCase<T> {
  return Object.fromEntries(CASES.map((c) => [c, make(c)])) as PerCase<T>;
}

/** What one run (one process) measured. */
interface RunResult {
  readonly nsPerOp: PerCase<PerContender<number>>;
  /** Contender ns/op over the core's, median of the per-round ratios (core: 1). */
  readonly ratio: PerCase<PerContender<number>>;
  readonly bytesPerCall: PerCase<PerContender<number>>;
  /** Allocation batches a GC ran inside: left out of the bytes/call mean. */
  readonly allocationBatchesDropped: number;
  readonly heapBytesPerSeries: {
    afterRecording: PerContender<number>;
    afterCollection: PerContender<number>;
  };
}

function measureSpeed(built: PerContender<Instruments>): Pick<RunResult, 'nsPerOp' | 'ratio'> {
  // Warm-up until every call site is optimized, then size each sample to ~SAMPLE_NS from the last pass.
  const ops = perCase(() => perContender(() => 0));
  for (const c of CASES) {
    for (const contender of CONTENDERS) {
      const loop = built[contender].loops[c];
      for (let pass = 0; pass < 5; pass++) loop(20_000);
      const ns = loop(20_000);
      ops[c][contender] = Math.min(1_000_000, Math.max(1_000, Math.round(SAMPLE_NS / ns)));
    }
  }
  const samples = perCase(() => perContender((): number[] => []));
  for (let round = 0; round < ROUNDS; round++) {
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    for (const c of CASES) {
      for (const contender of order) {
        gc();
        samples[c][contender].push(built[contender].loops[c](ops[c][contender]));
      }
    }
  }
  return {
    nsPerOp: perCase((c) => perContender((contender) => median(samples[c][contender]))),
    ratio: perCase((c) =>
      perContender((contender) => median(samples[c][contender].map((ns, i) => ns / samples[c].core[i]!))),
    ),
  };
}

// Start times of every collection V8 runs, ours included: a batch that one falls into is left out.
const gcStarts: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
}).observe({ entryTypes: ['gc'] });

/** Mean bytes allocated per call of `loop` (which must be warm), and how many batches were left out. */
async function measureAllocation(loop: Loop): Promise<{ bytesPerCall: number; dropped: number }> {
  const batch = (calls: number): { bytes: number; start: number; end: number } => {
    // After a scavenge the young generation is empty, so the batch's allocations all show in heapUsed.
    gc({ type: 'minor' });
    const start = performance.now();
    const before = process.memoryUsage().heapUsed;
    loop(calls);
    const bytes = process.memoryUsage().heapUsed - before;
    return { bytes, start, end: performance.now() };
  };
  // What the measurement itself allocates (the memoryUsage() results, the loop's timestamps).
  const overhead = median(Array.from({ length: 200 }, () => batch(0).bytes));
  // About 256 KiB per batch, far below a young-generation semi-space, so V8 seldom scavenges inside one;
  // a client that allocates nothing gets long batches, which resolve a fraction of a byte per call.
  const probe = Math.max(1, (batch(1_000).bytes - overhead) / 1_000);
  const calls = Math.min(50_000, Math.max(100, Math.floor(262_144 / probe)));
  const batches = Array.from({ length: Math.ceil(ALLOCATION_CALLS / calls) }, () => batch(calls));
  // PerformanceObserver delivers gc entries on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const clean = batches.filter((b) => !gcStarts.some((t) => t > b.start && t < b.end));
  gcStarts.length = 0;
  const bytes = clean.reduce((sum, b) => sum + b.bytes - overhead, 0);
  return {
    bytesPerCall: clean.length === 0 ? Number.NaN : bytes / (clean.length * calls),
    dropped: batches.length - clean.length,
  };
}

/** Bytes of heap per series kept by one counter with HEAP_SERIES distinct sets. */
async function measureHeapPerSeries(
  contender: Contender,
): Promise<{ afterRecording: number; afterCollection: number }> {
  // Made before the baseline: the application holds its route strings anyway, so they are not the client's.
  const routes = Array.from({ length: 2_500 }, (_, i) => `/items/${i}`);
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  const instruments = build(contender, 2 * HEAP_SERIES);
  for (let i = 0; i < HEAP_SERIES; i++) {
    // 2,500 routes x 4 methods x 10 statuses: every i a distinct set.
    instruments.addOne({
      route: routes[i % 2_500]!,
      method: METHODS[((i / 2_500) | 0) & 3]!,
      status: 200 + ((i / 10_000) | 0),
    });
  }
  const afterRecording = (heap() - before) / HEAP_SERIES;
  await collectAndDrop(instruments);
  const afterCollection = (heap() - before) / HEAP_SERIES;
  // Both must still be reachable when the heap is read above.
  retained.push(instruments, routes);
  retained.length = 0;
  return { afterRecording, afterCollection };
}
const retained: unknown[] = [];

// Its own function so that the collection's result dies with its frame: a result left in the measuring
// function's frame would be counted as heap the client keeps.
async function collectAndDrop(instruments: Instruments): Promise<void> {
  await instruments.collect();
}

/** One run, in this process: speed, then allocations (on the same warm loops), then heap per series. */
async function measureRun(): Promise<RunResult> {
  const built = perContender((contender) => build(contender, 2_000));
  const speed = measureSpeed(built);
  let dropped = 0;
  const bytesPerCall = perCase(() => perContender(() => 0));
  for (const c of CASES) {
    for (const contender of CONTENDERS) {
      const allocation = await measureAllocation(built[contender].loops[c]);
      bytesPerCall[c][contender] = allocation.bytesPerCall;
      dropped += allocation.dropped;
    }
  }
  const afterRecording = perContender(() => 0);
  const afterCollection = perContender(() => 0);
  for (const contender of CONTENDERS) {
    const heap = await measureHeapPerSeries(contender);
    afterRecording[contender] = heap.afterRecording;
    afterCollection[contender] = heap.afterCollection;
  }
  return {
    ...speed,
    bytesPerCall,
    allocationBatchesDropped: dropped,
    heapBytesPerSeries: { afterRecording, afterCollection },
  };
}

/** The version of an installed package, read from the package.json above its entry point. */
function versionOf(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  while (!existsSync(join(dir, 'package.json')) || !('version' in readJson(join(dir, 'package.json')))) {
    dir = dirname(dir);
  }
  return String(readJson(join(dir, 'package.json')).version);
}
function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

if (args.includes('--child')) {
  process.stdout.write(`${JSON.stringify(await measureRun())}\n`);
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  const loadAtStart = loadavg()[0]!;
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    // A process per run: each run starts from a cold JIT and an empty heap, as a fresh application does.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    if (child.status !== 0) throw new Error(`run ${r + 1} exited with ${child.status}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunResult;
    runs.push(run);
    console.log(
      `run ${r + 1}/${RUNS}: core ns/op ${CASES.map((c) => run.nsPerOp[c].core.toFixed(1)).join(' / ')}; ` +
        `prom-client ratio ${CASES.map((c) => run.ratio[c].promClient.toFixed(2)).join(' / ')}`,
    );
  }

  const medianOf = (pick: (run: RunResult) => number): number => median(runs.map(pick));
  const recording = CASES.map((c) => ({
    case: CASE_TITLES[c],
    nsPerOp: perContender((contender) =>
      round(
        medianOf((r) => r.nsPerOp[c][contender]),
        1,
      ),
    ),
    ratioToCore: perContender((contender) =>
      round(
        medianOf((r) => r.ratio[c][contender]),
        2,
      ),
    ),
    bytesPerCall: perContender((contender) =>
      round(
        medianOf((r) => r.bytesPerCall[c][contender]),
        1,
      ),
    ),
    runRatios: Object.fromEntries(
      BASELINES.map((baseline) => [baseline, runs.map((r) => round(r.ratio[c][baseline], 2))]),
    ),
  }));
  const heapPerSeries = {
    series: HEAP_SERIES,
    afterRecording: perContender((contender) =>
      Math.round(medianOf((r) => r.heapBytesPerSeries.afterRecording[contender])),
    ),
    afterCollection: perContender((contender) =>
      Math.round(medianOf((r) => r.heapBytesPerSeries.afterCollection[contender])),
    ),
  };

  const byCase = Object.fromEntries(CASES.map((c, i) => [c, recording[i]!])) as PerCase<
    (typeof recording)[number]
  >;
  const targets = [
    ...CASES.flatMap((c) =>
      (['promClient', 'prometheusIo'] as const).map((baseline) => {
        const target = c.startsWith('counter') ? 2 : 1.5;
        const value = byCase[c].ratioToCore[baseline];
        return {
          figure: `${CASE_TITLES[c]}: ${baseline} ns/op over core ns/op`,
          target: `>= ${target}`,
          value,
          met: value >= target,
        };
      }),
    ),
    {
      figure: `${CASE_TITLES.counterPrebuilt}: core bytes allocated per call`,
      target: '0',
      value: byCase.counterPrebuilt.bytesPerCall.core,
      met: byCase.counterPrebuilt.bytesPerCall.core < 0.5,
    },
    ...(['afterRecording', 'afterCollection'] as const).map((when) => ({
      figure: `heap bytes per series at ${HEAP_SERIES} series (${when}): core vs promClient`,
      target: `<= ${heapPerSeries[when].promClient}`,
      value: heapPerSeries[when].core,
      met: heapPerSeries[when].core <= heapPerSeries[when].promClient,
    })),
  ];

  const NAMES: PerContender<string> = {
    core: 'core',
    stock: 'stock sdk',
    promClient: 'prom-client',
    prometheusIo: '@prometheus-io',
  };
  const cell = (text: string) => text.padStart(20);
  console.log(`\n${'ns/op (x = ratio to core)'.padEnd(40)}${CONTENDERS.map((c) => cell(NAMES[c])).join('')}`);
  for (const r of recording) {
    console.log(
      `${r.case.padEnd(40)}${CONTENDERS.map((c) => cell(c === 'core' ? `${r.nsPerOp[c]}` : `${r.nsPerOp[c]} x${r.ratioToCore[c]}`)).join('')}`,
    );
  }
  console.log(`\n${'bytes allocated per call'.padEnd(40)}${CONTENDERS.map((c) => cell(NAMES[c])).join('')}`);
  for (const r of recording) {
    console.log(`${r.case.padEnd(40)}${CONTENDERS.map((c) => cell(`${r.bytesPerCall[c]}`)).join('')}`);
  }
  console.log(
    `\n${`heap bytes per series, ${HEAP_SERIES} series`.padEnd(40)}${CONTENDERS.map((c) => cell(NAMES[c])).join('')}`,
  );
  for (const when of ['afterRecording', 'afterCollection'] as const) {
    console.log(`${when.padEnd(40)}${CONTENDERS.map((c) => cell(`${heapPerSeries[when][c]}`)).join('')}`);
  }
  console.log('');
  for (const t of targets)
    console.log(`${t.met ? 'met    ' : 'MISSED '} ${t.figure}: ${t.value} (target ${t.target})`);

  writeFileSync(
    join(here, 'results', 'recording-core.json'),
    `${JSON.stringify(
      {
        benchmark: 'recording-core',
        command: `npx node --conditions=yardstick-source --expose-gc bench/recording-core.ts --runs ${RUNS}`,
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: round(loadAtStart, 2),
        contenders: {
          core: `@yardstick/metrics-core ${versionOf('@yardstick/metrics-core')}`,
          stock: `@opentelemetry/sdk-metrics ${versionOf('sdk-metrics-stock')} (own copy, npm alias sdk-metrics-stock)`,
          promClient: `prom-client ${versionOf('prom-client')}`,
          prometheusIo: `@prometheus-io/client ${versionOf('@prometheus-io/client')}`,
        },
        workload:
          `3 attributes (route x8, method x4, status x5 = 160 sets), same keys and values for every contender; ` +
          `histograms with the 11 Prometheus default buckets; ${RUNS} runs (one process each) of ${ROUNDS} rounds ` +
          `interleaving the contenders in rotating order, ~${SAMPLE_NS / 1e6} ms per sample, full GC before each; ` +
          `figures are medians over runs of each run's median; ratioToCore = contender ns/op / core ns/op ` +
          `(median of per-round ratios); bytesPerCall = heapUsed growth over ${ALLOCATION_CALLS} calls in batches of ~256 KiB, ` +
          `each after a scavenge, less an empty batch's, batches with a GC inside left out; heap per series = heapUsed ` +
          `growth (after full GCs) for ${HEAP_SERIES} distinct sets of one counter, before and after one collection`,
        recording,
        heapPerSeries,
        allocationBatchesDropped: runs.map((r) => r.allocationBatchesDropped),
        targets,
      },
      null,
      2,
    )}\n`,
  );
}
