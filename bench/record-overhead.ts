/**
 * Recording overhead of the yardstick views: `counter.add` and `histogram.record` with three attributes,
 * stock sdk-metrics 3.1 (no views) vs the same MeterProvider with `createYardstickViews()` defaults and its
 * bound provider (series limit, redaction, templating all on). 160 distinct attribute sets, a fresh
 * attribute object per call as application code writes it. Rounds are interleaved, the order alternating
 * every round. The machine is shared, so load drifts between rounds: the reported ratio is the median of
 * the per-round ratios (each pair runs back to back), next to the median ns/op of each contender.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/record-overhead.ts
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

const ROUNDS = 31;
const OPS_PER_ROUND = 100_000;
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
      'http.request.method': METHODS[i & 3],
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
      'http.request.method': METHODS[i & 3],
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
const built = { stock: instruments('stock'), yardstick: instruments('yardstick') };
const samples = {
  counter: { stock: [] as number[], yardstick: [] as number[] },
  histogram: { stock: [] as number[], yardstick: [] as number[] },
};
// Warm-up: every call site reaches its optimized shape before measuring.
for (const contender of contenders) {
  runCounter(built[contender].counter, OPS_PER_ROUND);
  runHistogram(built[contender].histogram, OPS_PER_ROUND);
}
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? contenders : [...contenders].reverse();
  for (const contender of order) {
    gc();
    samples.counter[contender].push(runCounter(built[contender].counter, OPS_PER_ROUND));
  }
  for (const contender of order) {
    gc();
    samples.histogram[contender].push(runHistogram(built[contender].histogram, OPS_PER_ROUND));
  }
}

const results = (['counter', 'histogram'] as const).map((operation) => {
  const stock = median(samples[operation].stock);
  const yardstick = median(samples[operation].yardstick);
  const ratio = median(samples[operation].yardstick.map((y, i) => y / samples[operation].stock[i]!));
  return {
    operation: operation === 'counter' ? 'counter.add' : 'histogram.record',
    medianNsPerOp: { stock: Number(stock.toFixed(1)), yardstick: Number(yardstick.toFixed(1)) },
    ratio: Number(ratio.toFixed(3)),
    overheadPercent: Number(((ratio - 1) * 100).toFixed(1)),
  };
});
for (const r of results) {
  console.log(
    `${r.operation.padEnd(17)} stock ${r.medianNsPerOp.stock} ns/op  yardstick ${r.medianNsPerOp.yardstick} ns/op  ratio ${r.ratio} (${r.overheadPercent}%)`,
  );
}
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(
  join(here, 'results', 'record-overhead.json'),
  `${JSON.stringify(
    {
      benchmark: 'record-overhead',
      command: 'npx node --conditions=yardstick-source --expose-gc bench/record-overhead.ts',
      node: process.version,
      cpus: cpus().length,
      workload: `3 attributes (route x8, method x4, status x5 = 160 sets), fresh attribute object per call; ${ROUNDS} interleaved rounds of ${OPS_PER_ROUND} ops; yardstick = createYardstickViews() defaults + bound provider`,
      targetOverheadPercent: 15,
      results,
    },
    null,
    2,
  )}\n`,
);
