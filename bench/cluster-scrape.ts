/**
 * The cluster figures of the multi-process issue, raced in the same process:
 * - `aggregate`: the primary of a real node:cluster whose 4 workers hold 10k series each (disjoint label sets,
 *   so the aggregate has 40k series), `telemetry.prometheus.render('text')` of the primary's
 *   `startTelemetry()`, what its `/metrics` streams: its own collection, the workers' reports combined, the
 *   aggregate's series limits, the serialization;
 * - `single`: one process holding the same 40k series itself, a second `startTelemetry()` in the same primary
 *   with `cluster.mode: 'off'`, rendered the same way.
 * Target: aggregate no more than 2x single.
 *
 * Workload: 20 instruments (18 counters, 2 histograms with the 11 default bounds), 500 series each per worker
 * (labels route/method/status, the route naming the worker), every series touched between rounds in every
 * process; the round waits until every worker has reported its touch and gone quiet, so each aggregate
 * render reads fresh reports. Rounds interleave the two contenders in alternating order with a full GC before each
 * render; a run's figures are medians over its rounds, its ratio the median of per-round ratios
 * (aggregate ms / single ms).
 *
 * IPC: the characters of the report messages a worker sends for one touch (JSON over the IPC channel, one
 * byte per character here), after touching 1% of its series (5 of each instrument's 500) and after touching
 * all.
 *
 * Every run is its own process (fresh JIT and heap); the reported figures are medians over runs.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/cluster-scrape.ts [--runs 3]
 *
 * Writes bench/results/cluster-scrape.json.
 */
import { spawnSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Counter, Histogram } from '@opentelemetry/api';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const WORKERS = 4;
const COUNTERS = 18;
const HISTOGRAMS = 2;
const SERIES_PER_INSTRUMENT = 500;
const SERIES_PER_WORKER = (COUNTERS + HISTOGRAMS) * SERIES_PER_INSTRUMENT;
const ROUNDS = 9;
const IPC_ROUNDS = 5;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const REPORT_INTERVAL_MS = 100;

const gc = (globalThis as { gc?: () => void }).gc;

/** What the primary and the workers say to each other besides yardstick's reports. */
interface BenchMessage {
  readonly bench: 'touch' | 'touched';
  /** Series touched per instrument. */
  readonly perInstrument?: number;
}

function isBenchMessage(message: unknown): message is BenchMessage {
  return typeof message === 'object' && message !== null && 'bench' in message;
}

/** The instruments of one process and a touch of the first `perInstrument` series of each, as `shard`. */
function workload(telemetry: Telemetry, shards: readonly number[]) {
  const meter = telemetry.meter('bench', '1.0.0');
  const counters: Counter[] = [];
  const histograms: Histogram[] = [];
  for (let i = 0; i < COUNTERS; i++) counters.push(meter.createCounter(`bench.requests.${i}`));
  for (let i = 0; i < HISTOGRAMS; i++) {
    histograms.push(meter.createHistogram(`bench.latency.${i}`, { unit: 's' }));
  }
  // One attributes object per series, made once, as an application holding them would.
  const labels = shards.map((shard) =>
    Array.from({ length: SERIES_PER_INSTRUMENT }, (_, i) => ({
      route: `/w${shard}/items/${i}`,
      method: METHODS[i % 4]!,
      status: String(200 + (i % 5)),
    })),
  );
  return (perInstrument: number) => {
    for (const sets of labels) {
      for (let i = 0; i < perInstrument; i++) {
        const attributes = sets[i]!;
        for (const counter of counters) counter.add(1, attributes);
        for (const histogram of histograms) histogram.record((i % 100) / 200, attributes);
      }
    }
  };
}

const baseConfig = {
  env: {},
  configFile: false,
  metrics: { process: false },
  store: { enabled: false },
  registerGlobal: false,
  logger: silentLogger,
  cardinality: { defaultLimit: 5_000 },
} as const;

async function runWorker(): Promise<void> {
  const telemetry = await startTelemetry({
    ...baseConfig,
    cluster: { reportIntervalMs: REPORT_INTERVAL_MS },
  });
  const touch = workload(telemetry, [Number(process.env.BENCH_SHARD)]);
  touch(SERIES_PER_INSTRUMENT);
  process.on('message', (message: unknown) => {
    if (!isBenchMessage(message) || message.bench !== 'touch') return;
    touch(message.perInstrument ?? 0);
    process.send?.({ bench: 'touched' } satisfies BenchMessage);
  });
  process.send?.({ bench: 'touched' } satisfies BenchMessage);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** A render timed, and its sample lines counted (comments left out). */
async function render(telemetry: Telemetry): Promise<{ ms: number; samples: number }> {
  gc?.();
  const started = performance.now();
  let text = '';
  for await (const chunk of await telemetry.prometheus.render('text')) text += chunk;
  const ms = performance.now() - started;
  let samples = 0;
  for (const line of text.split('\n'))
    if (line !== '' && !line.startsWith('#') && line.startsWith('bench_')) samples++;
  return { ms, samples };
}

interface RunResult {
  readonly aggregateMs: number;
  readonly singleMs: number;
  /** Median of per-round aggregate ms / single ms. */
  readonly ratio: number;
  readonly samples: number;
  readonly reportChars: { readonly onePercent: number; readonly all: number };
}

async function runPrimary(): Promise<RunResult> {
  const aggregated = await startTelemetry({
    ...baseConfig,
    server: { port: 0 },
    cluster: { reportIntervalMs: REPORT_INTERVAL_MS },
  });
  const single = await startTelemetry({ ...baseConfig, server: { port: 0 }, cluster: { mode: 'off' } });
  const touchSingle = workload(
    single,
    Array.from({ length: WORKERS }, (_, shard) => shard),
  );
  touchSingle(SERIES_PER_INSTRUMENT);

  /** Report sizes per worker since the last touch, and how many reports followed it. */
  const reports = new Map<Worker, number[]>();
  let lastReportAt = performance.now();
  cluster.on('message', (worker, message: unknown) => {
    if (isBenchMessage(message)) {
      if (message.bench === 'touched') reports.set(worker, []);
      return;
    }
    reports.get(worker)?.push(JSON.stringify(message).length);
    lastReportAt = performance.now();
  });
  const workers = Array.from({ length: WORKERS }, (_, shard) => cluster.fork({ BENCH_SHARD: String(shard) }));
  /**
   * Touches `perInstrument` series of each instrument in every worker; resolves once each has reported and
   * no report came for 3 intervals (a worker sends nothing when nothing changed), with the characters each
   * worker sent for the touch.
   */
  const touchWorkers = async (perInstrument: number): Promise<number[]> => {
    reports.clear();
    lastReportAt = performance.now();
    for (const worker of workers) worker.send({ bench: 'touch', perInstrument } satisfies BenchMessage);
    const deadline = Date.now() + 60_000;
    while (
      workers.some((worker) => (reports.get(worker)?.length ?? 0) < (perInstrument > 0 ? 1 : 0)) ||
      performance.now() - lastReportAt < 3 * REPORT_INTERVAL_MS
    ) {
      if (Date.now() > deadline) throw new Error('workers did not report within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return workers.map((worker) => (reports.get(worker) ?? []).reduce((sum, chars) => sum + chars, 0));
  };
  await touchWorkers(0);

  const aggregateMs: number[] = [];
  const singleMs: number[] = [];
  const ratios: number[] = [];
  let samples = 0;
  for (let r = 0; r < ROUNDS; r++) {
    await touchWorkers(SERIES_PER_INSTRUMENT);
    touchSingle(SERIES_PER_INSTRUMENT);
    const order = r % 2 === 0 ? ([aggregated, single] as const) : ([single, aggregated] as const);
    const first = await render(order[0]);
    const second = await render(order[1]);
    const [a, s] = r % 2 === 0 ? [first, second] : [second, first];
    if (a.samples !== s.samples) {
      throw new Error(`the aggregate has ${a.samples} sample lines, the single process ${s.samples}`);
    }
    samples = a.samples;
    aggregateMs.push(a.ms);
    singleMs.push(s.ms);
    ratios.push(a.ms / s.ms);
  }

  const onePercent: number[] = [];
  const all: number[] = [];
  for (let r = 0; r < IPC_ROUNDS; r++) {
    onePercent.push(...(await touchWorkers(SERIES_PER_INSTRUMENT / 100)));
    all.push(...(await touchWorkers(SERIES_PER_INSTRUMENT)));
  }
  for (const worker of workers) worker.process.kill('SIGKILL');
  await aggregated.shutdown();
  await single.shutdown();
  return {
    aggregateMs: round(median(aggregateMs)),
    singleMs: round(median(singleMs)),
    ratio: round(median(ratios)),
    samples,
    reportChars: { onePercent: median(onePercent), all: median(all) },
  };
}

if (cluster.isWorker) {
  await runWorker();
} else if (args.includes('--child')) {
  if (gc === undefined) throw new Error('run with --expose-gc: every render starts after a full GC');
  process.stdout.write(`${JSON.stringify(await runPrimary())}\n`);
  process.exit(0);
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  const loadAtStart = loadavg().map((l) => round(l));
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    // A process per run (the primary of its own cluster): a cold JIT and an empty heap each time.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`run ${r + 1} exited with ${child.status}`);
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunResult;
    runs.push(run);
    console.log(
      `run ${r + 1}/${RUNS}: ${JSON.stringify(run)}, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
  const loadAtEnd = loadavg().map((l) => round(l));
  const ratio = round(median(runs.map((run) => run.ratio)));
  const onePercent = median(runs.map((run) => run.reportChars.onePercent));
  const allChanged = median(runs.map((run) => run.reportChars.all));
  const result = {
    aggregateMs: round(median(runs.map((run) => run.aggregateMs))),
    singleMs: round(median(runs.map((run) => run.singleMs))),
    ratio,
    sampleLines: runs[0]!.samples,
    reportCharsPerWorker: {
      onePercentChanged: onePercent,
      allChanged,
      share: round(onePercent / allChanged, 4),
    },
  };
  console.log('');
  console.log(
    `aggregated scrape of ${WORKERS} workers x ${SERIES_PER_WORKER} series: ${result.aggregateMs} ms; single process, ${WORKERS * SERIES_PER_WORKER} series: ${result.singleMs} ms`,
  );
  console.log(
    `${ratio <= 2 ? 'met    ' : 'MISSED '} aggregate / single: x${ratio} (target <= 2, median of ${RUNS} runs)`,
  );
  console.log(
    `report per worker: ${onePercent} chars with 1% of series changed, ${allChanged} with all changed (${(result.reportCharsPerWorker.share * 100).toFixed(2)}%)`,
  );
  writeFileSync(
    join(here, 'results', 'cluster-scrape.json'),
    `${JSON.stringify(
      {
        benchmark: 'cluster-scrape',
        command: `npx node --conditions=yardstick-source --expose-gc bench/cluster-scrape.ts --runs ${RUNS}`,
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadAtEnd,
        contenders: {
          aggregate: `primary of a node:cluster with ${WORKERS} workers x ${SERIES_PER_WORKER} series (disjoint), telemetry.prometheus.render('text')`,
          single: `startTelemetry() with cluster.mode 'off' in the same process, ${WORKERS * SERIES_PER_WORKER} series, telemetry.prometheus.render('text')`,
        },
        workload: `${COUNTERS} counters and ${HISTOGRAMS} histograms (11 default bounds), ${SERIES_PER_INSTRUMENT} series each per worker, labels route/method/status; every series touched between rounds; full GC before every render; ${ROUNDS} rounds alternating the order; report interval ${REPORT_INTERVAL_MS} ms`,
        result,
        runs,
        target: { figure: 'aggregate / single render time', max: 2, met: ratio <= 2 },
      },
      null,
      2,
    )}\n`,
  );
}
