/**
 * yardstick's Summary (`createSummary` on the metrics core) against the summaries of the clients a
 * service moving to yardstick already runs, raced in the same process:
 * - `promClient`: prom-client 15's `Summary` (t-digest per age bucket);
 * - `prometheusIo`: `@prometheus-io/client`'s `Summary`.
 * Every contender has the same window (maxAgeSeconds 600, ageBuckets 5) and prom-client's default
 * percentiles.
 *
 * Figures:
 * - `observe`/`record` of one value with 3 labels, a pre-built labels object per series (160 sets: route x8,
 *   method x4, status x5), values from a fixed list of 4096 log-uniform latencies in [1 ms, 1 s].
 * - Bytes allocated per call: `heapUsed` growth over 10k warm calls right after a full GC, median of 31
 *   batches (a batch a scavenge falls into reads low; the median is robust to those).
 * - A scrape of those 160 series (7 quantiles each): the core's through `telemetry.prometheus.render('text')`
 *   of `startTelemetry()` (scope labels and `target_info` included), the others' `registry.metrics()`.
 * - Accuracy: the largest relative error of any default quantile against the exact quantile of the values
 *   one series holds (rank floor(q * (n - 1))), after the timing.
 *
 * Every run is its own process. Within a run, rounds interleave the contenders in rotating order with a
 * full GC before each sample (~5 ms); a run's ns/op is the median over its rounds and its ratio the median
 * of the per-round ratios; the reported figures are the medians of the runs'. A ratio is the contender's
 * time over the core's: 2 means the core is twice as fast.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/summary-observe.ts [--runs 3]
 *
 * Writes bench/results/summary-observe.json.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Registry as IoRegistry, Summary as IoSummary } from '@prometheus-io/client';
import { DEFAULT_SUMMARY_PERCENTILES, type Summary, startTelemetry } from '@yardstick/sdk';
import { Registry as PromRegistry, Summary as PromSummary } from 'prom-client';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const ROUNDS = 31;
const SCRAPE_ROUNDS = 15;
const SAMPLE_NS = 5e6;
const WINDOW = { maxAgeSeconds: 600, ageBuckets: 5 };
const PERCENTILES = [...DEFAULT_SUMMARY_PERCENTILES];

const ROUTES = ['/', '/login', '/users/:id', '/orders', '/orders/:id', '/cart', '/search', '/health'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 201, 204, 404, 500];
const LABEL_NAMES = ['route', 'method', 'status'] as const;
type LabelName = (typeof LABEL_NAMES)[number];
type Labels = { route: string; method: string; status: number };
const SETS: readonly Labels[] = Array.from({ length: 160 }, (_, i) => ({
  route: ROUTES[i & 7]!,
  method: METHODS[(i >> 3) & 3]!,
  status: STATUSES[i % 5]!,
}));

/** 4096 log-uniform latencies in [0.001, 1] from a fixed seed. */
const VALUES: readonly number[] = (() => {
  let state = 42;
  return Array.from({ length: 4096 }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return 0.001 * 1000 ** (state / 2 ** 31);
  });
})();

const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc === undefined) throw new Error('run with --expose-gc');
const gc: () => void = exposedGc;

const CONTENDERS = ['core', 'promClient', 'prometheusIo'] as const;
type Contender = (typeof CONTENDERS)[number];
type PerContender<T> = Record<Contender, T>;
function perContender<T>(make: (contender: Contender) => T): PerContender<T> {
  return Object.fromEntries(CONTENDERS.map((c) => [c, make(c)])) as PerContender<T>;
}

function nsPerOp(start: number, ops: number): number {
  return ((performance.now() - start) * 1e6) / ops;
}

// One loop per contender, so each call site sees one summary class.
function coreLoop(summary: Summary, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) summary.record(VALUES[i & 4095]!, SETS[i % 160]!);
  return nsPerOp(start, ops);
}
function promLoop(summary: PromSummary<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) summary.observe(SETS[i % 160]!, VALUES[i & 4095]!);
  return nsPerOp(start, ops);
}
function ioLoop(summary: IoSummary<LabelName>, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) summary.observe(SETS[i % 160]!, VALUES[i & 4095]!);
  return nsPerOp(start, ops);
}

interface Built {
  loop(ops: number): number;
  scrape(): Promise<string>;
  /** The quantiles of the series of SETS[0], in PERCENTILES order. */
  quantilesOfFirst(): Promise<number[]>;
}

/** The value of `name{...,quantile="q"}` for the first series' labels in an exposition. */
function quantilesFromText(text: string, name: string): number[] {
  const first = SETS[0]!;
  return PERCENTILES.map((q) => {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith(`${name}{`) &&
          l.includes(`route="${first.route}"`) &&
          l.includes(`method="${first.method}"`) &&
          l.includes(`status="${first.status}"`) &&
          l.includes(`quantile="${q}"`),
      );
    return Number(line?.split(' ').at(-1));
  });
}

async function build(contender: Contender): Promise<Built> {
  switch (contender) {
    case 'core': {
      // As an application has it: startTelemetry's core and Prometheus reader (no server, store or runtime).
      const quiet = () => undefined;
      const telemetry = await startTelemetry({
        env: {},
        configFile: false,
        registerGlobal: false,
        server: { enabled: false },
        store: { enabled: false },
        metrics: { process: false },
        logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
      });
      const summary = telemetry.summary('http.duration', { ...WINDOW, unit: 's' });
      const scrape = async () => {
        let text = '';
        for await (const chunk of await telemetry.prometheus.render('text')) text += chunk;
        return text;
      };
      return {
        loop: (ops) => coreLoop(summary, ops),
        scrape,
        quantilesOfFirst: async () => quantilesFromText(await scrape(), 'http_duration_seconds'),
      };
    }
    case 'promClient': {
      const registry = new PromRegistry();
      const summary = new PromSummary({
        name: 'http_duration_seconds',
        help: 'h',
        labelNames: LABEL_NAMES,
        percentiles: PERCENTILES,
        ...WINDOW,
        registers: [registry],
      });
      return {
        loop: (ops) => promLoop(summary, ops),
        scrape: () => registry.metrics(),
        quantilesOfFirst: async () => quantilesFromText(await registry.metrics(), 'http_duration_seconds'),
      };
    }
    case 'prometheusIo': {
      const registry = new IoRegistry();
      const summary = new IoSummary({
        name: 'http_duration_seconds',
        help: 'h',
        labelNames: LABEL_NAMES,
        percentiles: PERCENTILES,
        ...WINDOW,
        registers: [registry],
      });
      return {
        loop: (ops) => ioLoop(summary, ops),
        scrape: () => registry.metrics(),
        quantilesOfFirst: async () => quantilesFromText(await registry.metrics(), 'http_duration_seconds'),
      };
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface RunResult {
  readonly observeNs: PerContender<number>;
  readonly bytesPerCall: PerContender<number>;
  readonly observeRatio: PerContender<number>;
  readonly scrapeMs: PerContender<number>;
  readonly scrapeRatio: PerContender<number>;
  readonly maxRelativeError: PerContender<number>;
}

async function measureRun(): Promise<RunResult> {
  const built = {
    core: await build('core'),
    promClient: await build('promClient'),
    prometheusIo: await build('prometheusIo'),
  };
  const ops = perContender(() => 0);
  for (const contender of CONTENDERS) {
    for (let pass = 0; pass < 5; pass++) built[contender].loop(20_000);
    const ns = built[contender].loop(20_000);
    ops[contender] = Math.min(1_000_000, Math.max(1_000, Math.round(SAMPLE_NS / ns)));
  }
  const observe = perContender((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      const contender = CONTENDERS[(i + round) % CONTENDERS.length]!;
      gc();
      observe[contender].push(built[contender].loop(ops[contender]));
    }
  }
  const bytes = perContender((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const contender of CONTENDERS) {
      gc();
      const before = process.memoryUsage().heapUsed;
      built[contender].loop(10_000);
      bytes[contender].push((process.memoryUsage().heapUsed - before) / 10_000);
    }
  }
  const scrape = perContender((): number[] => []);
  for (let round = 0; round < SCRAPE_ROUNDS; round++) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      const contender = CONTENDERS[(i + round) % CONTENDERS.length]!;
      gc();
      const start = performance.now();
      await built[contender].scrape();
      scrape[contender].push(performance.now() - start);
    }
  }
  // Each contender's first series holds VALUES[i & 4095] for every call i % 160 == 0 of every loop run.
  const maxRelativeError = perContender(() => 0);
  for (const contender of CONTENDERS) {
    const held: number[] = [];
    const loops = [
      ...Array(6).fill(20_000),
      ...Array(ROUNDS).fill(ops[contender]),
      ...Array(ROUNDS).fill(10_000),
    ];
    for (const calls of loops) {
      for (let i = 0; i < calls; i += 160) held.push(VALUES[i & 4095]!);
    }
    held.sort((a, b) => a - b);
    const estimates = await built[contender].quantilesOfFirst();
    for (const [k, q] of PERCENTILES.entries()) {
      const exact = held[Math.floor(q * (held.length - 1))]!;
      const error = Math.abs(estimates[k]! - exact) / exact;
      maxRelativeError[contender] = Math.max(maxRelativeError[contender], error);
    }
  }
  const ratio = (samples: PerContender<number[]>) =>
    perContender((c) => median(samples[c].map((value, i) => value / samples.core[i]!)));
  return {
    observeNs: perContender((c) => median(observe[c])),
    bytesPerCall: perContender((c) => median(bytes[c])),
    observeRatio: ratio(observe),
    scrapeMs: perContender((c) => median(scrape[c])),
    scrapeRatio: ratio(scrape),
    maxRelativeError,
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

if (args.includes('--child')) {
  process.stdout.write(`${JSON.stringify(await measureRun())}\n`);
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  const loadAtStart = loadavg()[0]!;
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (child.status !== 0) throw new Error(`run ${r + 1} exited with ${child.status}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunResult;
    runs.push(run);
    console.log(
      `run ${r + 1}/${RUNS}: observe ns ${CONTENDERS.map((c) => run.observeNs[c].toFixed(1)).join(' / ')}; ` +
        `scrape ms ${CONTENDERS.map((c) => run.scrapeMs[c].toFixed(2)).join(' / ')} (${CONTENDERS.join(' / ')})`,
    );
  }
  const medianOf = (pick: (run: RunResult) => number): number => median(runs.map(pick));
  const result = {
    benchmark: 'summary-observe',
    node: process.version,
    cpus: cpus().length,
    loadAverageAtStart: round(loadAtStart, 2),
    runs: RUNS,
    window: WINDOW,
    percentiles: PERCENTILES,
    observe: {
      case: 'observe one value, 3 labels, pre-built labels object, 160 series',
      nsPerOp: perContender((c) =>
        round(
          medianOf((r) => r.observeNs[c]),
          1,
        ),
      ),
      ratioToCore: perContender((c) =>
        round(
          medianOf((r) => r.observeRatio[c]),
          2,
        ),
      ),
      runRatios: perContender((c) => runs.map((r) => round(r.observeRatio[c], 2))),
      bytesPerCall: perContender((c) =>
        round(
          medianOf((r) => r.bytesPerCall[c]),
          1,
        ),
      ),
    },
    scrape: {
      case: 'text exposition of the 160 series, 7 quantiles each',
      ms: perContender((c) =>
        round(
          medianOf((r) => r.scrapeMs[c]),
          2,
        ),
      ),
      ratioToCore: perContender((c) =>
        round(
          medianOf((r) => r.scrapeRatio[c]),
          2,
        ),
      ),
    },
    maxRelativeErrorOfQuantiles: perContender((c) =>
      round(
        medianOf((r) => r.maxRelativeError[c]),
        4,
      ),
    ),
  };
  writeFileSync(join(here, 'results', 'summary-observe.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}
