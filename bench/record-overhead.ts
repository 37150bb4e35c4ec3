/**
 * Recording overhead of the yardstick views: `counter.add` and `histogram.record` with three attributes,
 * stock sdk-metrics 3.1 (no views) vs the same MeterProvider with `createYardstickViews()` defaults and its
 * bound provider (series limit, redaction, templating all on). 160 distinct attribute sets, a fresh
 * attribute object per call as application code writes it. Rounds are short and interleaved, the order
 * alternating every round, so both halves of a pair see the same load on a shared machine. A run's ratio is
 * the median of its per-round ratios; several runs (fresh providers each) are made and the reported ratio
 * is the median of the runs' ratios, next to each run's figure and the median ns/op of each contender.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/record-overhead.ts [--runs N]
 *
 * Writes bench/results/record-overhead.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createYardstickViews } from '@yardstick/views';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 5;
const ROUNDS = 41;
const OPS_PER_ROUND = 20_000;
const ROUTES = ['/', '/login', '/users/:id', '/orders', '/orders/:id', '/cart', '/search', '/health'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = [200, 201, 204, 404, 500];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

class CumulativeReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Contender = 'stock' | 'yardstick';
interface Instruments {
  readonly counter: Counter;
  readonly histogram: Histogram;
}

function instruments(contender: Contender): Instruments {
  if (contender === 'stock') {
    const meter = new MeterProvider({ readers: [new CumulativeReader()] }).getMeter('bench');
    return {
      counter: meter.createCounter('http.requests'),
      histogram: meter.createHistogram('http.duration'),
    };
  }
  const yardstick = createYardstickViews({});
  const provider = new MeterProvider({ readers: [new CumulativeReader()], views: yardstick.views });
  const meter = yardstick.bindMeterProvider(provider).getMeter('bench');
  return { counter: meter.createCounter('http.requests'), histogram: meter.createHistogram('http.duration') };
}

// Plain loops, one per operation, so both contenders run the very same call site shapes.
function runCounter(counter: Counter, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    const attributes: Attributes = {
      'http.route': ROUTES[i & 7],
      'http.request.method': METHODS[(i >> 3) & 3],
      'http.response.status_code': STATUSES[i % 5],
    };
    counter.add(1, attributes);
  }
  return ((performance.now() - start) * 1e6) / ops;
}

function runHistogram(histogram: Histogram, ops: number): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    const attributes: Attributes = {
      'http.route': ROUTES[i & 7],
      'http.request.method': METHODS[(i >> 3) & 3],
      'http.response.status_code': STATUSES[i % 5],
    };
    histogram.record((i % 1000) / 1000, attributes);
  }
  return ((performance.now() - start) * 1e6) / ops;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const contenders: Contender[] = ['stock', 'yardstick'];
const operations = ['counter', 'histogram'] as const;
type Operation = (typeof operations)[number];
const run = {
  counter: (i: Instruments, ops: number) => runCounter(i.counter, ops),
  histogram: (i: Instruments, ops: number) => runHistogram(i.histogram, ops),
};

interface RunResult {
  readonly ratio: number;
  readonly stock: number;
  readonly yardstick: number;
}

function measureRun(): Record<Operation, RunResult> {
  const built = { stock: instruments('stock'), yardstick: instruments('yardstick') };
  const samples = {
    counter: { stock: [] as number[], yardstick: [] as number[] },
    histogram: { stock: [] as number[], yardstick: [] as number[] },
  };
  // Warm-up: every call site reaches its optimized shape before measuring.
  for (const contender of contenders) {
    for (const operation of operations) run[operation](built[contender], 5 * OPS_PER_ROUND);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const operation of operations) {
      for (const contender of order) {
        gc();
        samples[operation][contender].push(run[operation](built[contender], OPS_PER_ROUND));
      }
    }
  }
  const result = (operation: Operation): RunResult => {
    const { stock, yardstick } = samples[operation];
    return {
      ratio: median(yardstick.map((y, i) => y / stock[i]!)),
      stock: median(stock),
      yardstick: median(yardstick),
    };
  };
  return { counter: result('counter'), histogram: result('histogram') };
}

const runs: Array<Record<Operation, RunResult>> = [];
for (let r = 0; r < RUNS; r++) {
  runs.push(measureRun());
  const last = runs.at(-1)!;
  console.log(
    `run ${r + 1}/${RUNS}: counter.add ratio ${last.counter.ratio.toFixed(3)}, histogram.record ratio ${last.histogram.ratio.toFixed(3)}`,
  );
}

const results = operations.map((operation) => {
  const ratio = median(runs.map((r) => r[operation].ratio));
  return {
    operation: operation === 'counter' ? 'counter.add' : 'histogram.record',
    medianNsPerOp: {
      stock: Number(median(runs.map((r) => r[operation].stock)).toFixed(1)),
      yardstick: Number(median(runs.map((r) => r[operation].yardstick)).toFixed(1)),
    },
    ratio: Number(ratio.toFixed(3)),
    overheadPercent: Number(((ratio - 1) * 100).toFixed(1)),
    runRatios: runs.map((r) => Number(r[operation].ratio.toFixed(3))),
  };
});
for (const r of results) {
  console.log(
    `${r.operation.padEnd(17)} stock ${r.medianNsPerOp.stock} ns/op  yardstick ${r.medianNsPerOp.yardstick} ns/op  ratio ${r.ratio} (${r.overheadPercent}%), runs ${r.runRatios.join(' ')}`,
  );
}
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(
  join(here, 'results', 'record-overhead.json'),
  `${JSON.stringify(
    {
      benchmark: 'record-overhead',
      command: `npx node --conditions=yardstick-source --expose-gc bench/record-overhead.ts --runs ${RUNS}`,
      node: process.version,
      cpus: cpus().length,
      workload: `3 attributes (route x8, method x4, status x5 = 160 sets), fresh attribute object per call; ${RUNS} runs of ${ROUNDS} interleaved rounds of ${OPS_PER_ROUND} ops; ratio = median over runs of the median per-round ratio; yardstick = createYardstickViews() defaults + bound provider`,
      targetOverheadPercent: 15,
      results,
    },
    null,
    2,
  )}\n`,
);
