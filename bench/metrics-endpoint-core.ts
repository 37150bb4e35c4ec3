/**
 * The `/metrics` figures of the metrics-core issue: yardstick rendering through its own recording core,
 * wired exactly as `startTelemetry()` wires it (`CoreMeterProvider` -> `connectReaders` -> `PrometheusReader`;
 * `connectReaders` is not a public export, so the bench starts yardstick with `startTelemetry()` and times
 * `telemetry.prometheus.render('text')`, what `/metrics` streams), raced in the same process against:
 * - `promClient`: `prom-client` 15, `registry.metrics()` (a registry of its own, same as `register.metrics()`);
 * - `prometheusIo`: `@prometheus-io/client`, `registry.metrics()`;
 * - `otelStock`: `@opentelemetry/exporter-prometheus` 0.301 (its `collect()` + `PrometheusSerializer`, what its
 *   request handler does) on a `MeterProvider` of the stock `sdk-metrics-stock` copy. exporter-prometheus
 *   itself imports the shared `@opentelemetry/sdk-metrics` copy, so its reader's base class comes from there;
 *   the collection (storages, aggregation, conversion) runs in the stock copy's provider, which nothing else
 *   in the process uses. Its collection and its serialization are also timed apart (`stockCollect`).
 *
 * Workload: counters and histograms (the 11 Prometheus default bounds; +Inf makes 12 bucket lines) in two
 * mixes, 10 counters : 1 histogram and 1:1, at 1k and 10k series (series = label sets summed over all
 * instruments; at most 1000 per instrument, three labels route/method/status, one attributes object per
 * series made once, as an app holding them would). Every series of every contender is touched between
 * rounds, as traffic would between scrapes; rounds interleave the contenders in rotating order with a full GC
 * before each render. At 100k series (both mixes) it measures the longest event-loop block of one render with
 * a setImmediate ticker, in wall time and in this thread's CPU time (the wall time also counts time a busy
 * machine did not run the process at all).
 *
 * Every run is its own process (fresh JIT and heap); a run's figures are medians over its rounds, a run's
 * ratio the median of its per-round ratios (baseline ms / yardstick ms), and the reported figures the medians
 * over runs.
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/metrics-endpoint-core.ts [--runs 3]
 *
 * Writes bench/results/metrics-endpoint-core.json.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  Counter as IoCounter,
  Histogram as IoHistogram,
  Registry as IoRegistry,
} from '@prometheus-io/client';
import { silentLogger, startTelemetry } from '@yardstick/sdk';
import { Counter as PromCounter, Histogram as PromHistogram, Registry as PromRegistry } from 'prom-client';
import {
  MeterProvider as StockMeterProvider,
  type MetricReader as StockMetricReader,
} from 'sdk-metrics-stock';

const args = process.argv.slice(2);
const RUNS = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const MAX_SERIES_PER_INSTRUMENT = 1_000;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const LABEL_NAMES = ['route', 'method', 'status'] as const;
type Labels = { route: string; method: string; status: string };

const MIXES = [
  { name: '10:1', counters: 10, histograms: 1 },
  { name: '1:1', counters: 1, histograms: 1 },
] as const;
type Mix = (typeof MIXES)[number];
const SIZES = [
  { series: 1_000, rounds: 15 },
  { series: 10_000, rounds: 9 },
] as const;
const BLOCK_SERIES = 100_000;

const CONTENDERS = ['yardstick', 'promClient', 'prometheusIo', 'otelStock'] as const;
type Contender = (typeof CONTENDERS)[number];
const BASELINES = CONTENDERS.filter((c) => c !== 'yardstick');
type PerContender<T> = Record<Contender, T>;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc: every render starts after a full GC');

/** Instruments of a mix for `series` label sets: groups of (counters + histograms), each with the same sets. */
function layout(series: number, mix: Mix): { groups: number; perInstrument: number; total: number } {
  const perGroup = mix.counters + mix.histograms;
  const groups = Math.ceil(series / (perGroup * MAX_SERIES_PER_INSTRUMENT));
  const perInstrument = Math.round(series / (perGroup * groups));
  return { groups, perInstrument, total: groups * perGroup * perInstrument };
}

function labelsFor(i: number): Labels {
  return { route: `/api/v${i % 7}/items/${i}`, method: METHODS[i % 4]!, status: String(200 + (i % 5)) };
}

/** What one render gave: its size, and for the stock exporter the part of the time its collection took. */
interface Rendered {
  readonly bytes: number;
  readonly collectMs?: number;
}

interface Setup {
  readonly series: number;
  readonly render: PerContender<() => Promise<Rendered>>;
  /** The whole body once per contender (for the sample-line counts). */
  text(contender: Contender): Promise<string>;
  /** One observation on every series of every contender. */
  touch(): void;
  /** yardstick's render with the split between its collection and its serialization (see yardstickPhases). */
  renderIterable(): Promise<AsyncIterable<string>>;
  close(): Promise<void>;
}

async function setup(series: number, mix: Mix): Promise<Setup> {
  const telemetry = await startTelemetry({
    env: {},
    configFile: false,
    server: { port: 0 },
    store: { enabled: false },
    metrics: { process: false },
    registerGlobal: false,
    logger: silentLogger,
  });
  const meter = telemetry.meter('bench', '1.0.0');

  const exporter = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  // The exporter's reader class comes from the shared sdk-metrics copy; the provider from the stock copy.
  const stockProvider = new StockMeterProvider({
    readers: [exporter as unknown as StockMetricReader],
    views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }],
  });
  const stockMeter = stockProvider.getMeter('bench', '1.0.0');
  const promRegistry = new PromRegistry();
  const ioRegistry = new IoRegistry();

  const { groups, perInstrument, total } = layout(series, mix);
  const touchers: Array<(round: number) => void> = [];
  for (let g = 0; g < groups; g++) {
    // Attribute objects are created once per series, as an application holding them would do.
    const attributes = Array.from({ length: perInstrument }, (_, i) => labelsFor(g * perInstrument + i));
    for (let c = 0; c < mix.counters; c++) {
      const otel = meter.createCounter(`app.requests.${g}.${c}`, { description: 'Requests handled.' });
      const stock = stockMeter.createCounter(`app.requests.${g}.${c}`, { description: 'Requests handled.' });
      const prom = new PromCounter({
        name: `app_requests_${g}_${c}_total`,
        help: 'Requests handled.',
        labelNames: LABEL_NAMES,
        registers: [promRegistry],
      });
      const io = new IoCounter({
        name: `app_requests_${g}_${c}_total`,
        help: 'Requests handled.',
        labelNames: LABEL_NAMES,
        registers: [ioRegistry],
      });
      touchers.push(() => {
        for (let i = 0; i < attributes.length; i++) {
          const a = attributes[i]!;
          otel.add(1, a);
          stock.add(1, a);
          prom.inc(a, 1);
          io.inc(a, 1);
        }
      });
    }
    for (let h = 0; h < mix.histograms; h++) {
      const options = {
        unit: 's',
        description: 'Request duration.',
        advice: { explicitBucketBoundaries: BUCKETS },
      };
      const otel = meter.createHistogram(`app.duration.${g}.${h}`, options);
      const stock = stockMeter.createHistogram(`app.duration.${g}.${h}`, options);
      const prom = new PromHistogram({
        name: `app_duration_${g}_${h}_seconds`,
        help: 'Request duration.',
        labelNames: LABEL_NAMES,
        buckets: BUCKETS,
        registers: [promRegistry],
      });
      const io = new IoHistogram({
        name: `app_duration_${g}_${h}_seconds`,
        help: 'Request duration.',
        labelNames: LABEL_NAMES,
        buckets: BUCKETS,
        registers: [ioRegistry],
      });
      touchers.push((round) => {
        for (let i = 0; i < attributes.length; i++) {
          const a = attributes[i]!;
          const value = ((i * 7 + round) % 1000) / 100;
          otel.record(value, a);
          stock.record(value, a);
          prom.observe(a, value);
          io.observe(a, value);
        }
      });
    }
  }
  let touches = 0;
  const touch = () => {
    touches++;
    for (const toucher of touchers) toucher(touches);
  };
  touch();

  const yardstickText = async () => {
    let text = '';
    for await (const chunk of await telemetry.prometheus.render('text')) text += chunk;
    return text;
  };
  const otelText = async () => serializer.serialize((await exporter.collect()).resourceMetrics);
  return {
    series: total,
    touch,
    renderIterable: () => telemetry.prometheus.render('text'),
    render: {
      async yardstick() {
        let bytes = 0;
        for await (const chunk of await telemetry.prometheus.render('text'))
          bytes += Buffer.byteLength(chunk);
        return { bytes };
      },
      promClient: async () => ({ bytes: Buffer.byteLength(await promRegistry.metrics()) }),
      prometheusIo: async () => ({ bytes: Buffer.byteLength(await ioRegistry.metrics()) }),
      async otelStock() {
        const start = performance.now();
        const { resourceMetrics } = await exporter.collect();
        const collectMs = performance.now() - start;
        return { bytes: Buffer.byteLength(serializer.serialize(resourceMetrics)), collectMs };
      },
    },
    text: (contender) =>
      contender === 'yardstick'
        ? yardstickText()
        : contender === 'promClient'
          ? promRegistry.metrics()
          : contender === 'prometheusIo'
            ? ioRegistry.metrics()
            : otelText(),
    async close() {
      await telemetry.shutdown();
      await stockProvider.shutdown();
    },
  };
}

/** Sample lines of an exposition (lines that are not comments), and those of the bench's own metrics. */
function sampleLines(text: string): { all: number; app: number } {
  let all = 0;
  let app = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    all++;
    if (line.startsWith('app_')) app++;
  }
  return { all, app };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function perContender<T>(make: (contender: Contender) => T): PerContender<T> {
  return Object.fromEntries(CONTENDERS.map((c) => [c, make(c)])) as PerContender<T>;
}

/**
 * Records the gaps between turns of a setImmediate ticker: each gap is one stretch the loop was held, in wall
 * time and in this thread's CPU time, as bench/store-collection.ts does.
 */
function tickerGaps(): { stop(): Promise<Array<{ wallMs: number; cpuMs: number; end: number }>> } {
  const gaps: Array<{ wallMs: number; cpuMs: number; end: number }> = [];
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let running = true;
  const tick = () => {
    const now = performance.now();
    const used = process.threadCpuUsage(lastCpu);
    gaps.push({ wallMs: now - last, cpuMs: (used.user + used.system) / 1_000, end: now });
    last = now;
    lastCpu = process.threadCpuUsage();
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    async stop() {
      running = false;
      await new Promise((resolve) => setImmediate(resolve));
      return gaps;
    },
  };
}

/** One run's render figures for one mix at one size. */
interface RenderRow {
  readonly mix: string;
  readonly series: number;
  readonly rounds: number;
  readonly medianMs: PerContender<number>;
  /** Median of the per-round ratios baseline ms / yardstick ms. */
  readonly speedup: Record<Exclude<Contender, 'yardstick'>, number>;
  readonly stockCollectMedianMs: number;
  readonly bytes: PerContender<number>;
  readonly sampleLines: PerContender<{ all: number; app: number }>;
}

async function measureRender(mix: Mix, series: number, rounds: number): Promise<RenderRow> {
  const bench = await setup(series, mix);
  // The first scrape renders every label string; later scrapes reuse them (the steady state).
  const lines = perContender(() => ({ all: 0, app: 0 }));
  for (const contender of CONTENDERS) lines[contender] = sampleLines(await bench.text(contender));
  const samples = perContender(() => [] as number[]);
  const ratios = Object.fromEntries(BASELINES.map((b) => [b, [] as number[]])) as Record<
    Exclude<Contender, 'yardstick'>,
    number[]
  >;
  const stockCollect: number[] = [];
  const bytes = perContender(() => 0);
  for (let r = 0; r < rounds; r++) {
    bench.touch();
    const thisRound = perContender(() => 0);
    for (let k = 0; k < CONTENDERS.length; k++) {
      const contender = CONTENDERS[(r + k) % CONTENDERS.length]!;
      gc!();
      const start = performance.now();
      const rendered = await bench.render[contender]();
      thisRound[contender] = performance.now() - start;
      bytes[contender] = rendered.bytes;
      if (rendered.collectMs !== undefined) stockCollect.push(rendered.collectMs);
    }
    for (const contender of CONTENDERS) samples[contender].push(thisRound[contender]);
    for (const baseline of BASELINES) ratios[baseline].push(thisRound[baseline] / thisRound.yardstick);
  }
  await bench.close();
  return {
    mix: mix.name,
    series: bench.series,
    rounds,
    medianMs: perContender((c) => round(median(samples[c]))),
    speedup: Object.fromEntries(BASELINES.map((b) => [b, round(median(ratios[b]))])) as RenderRow['speedup'],
    stockCollectMedianMs: round(median(stockCollect)),
    bytes,
    sampleLines: lines,
  };
}

/** One run's event-loop figures for one mix at 100k series. */
interface BlockRow {
  readonly mix: string;
  readonly series: number;
  /** Longest gap between two ticker turns while one render ran, wall and thread CPU (of that same gap). */
  readonly longestBlock: PerContender<{ wallMs: number; cpuMs: number; renderMs: number; turns: number }>;
  /** yardstick's longest block split at the end of its collection: collection, then serialization. */
  readonly yardstickPhases: {
    collectWallMs: number;
    collectCpuMs: number;
    serializeWallMs: number;
    serializeCpuMs: number;
  };
}

function longest(gaps: ReadonlyArray<{ wallMs: number; cpuMs: number }>): { wallMs: number; cpuMs: number } {
  let worst = { wallMs: 0, cpuMs: 0 };
  for (const gap of gaps) if (gap.wallMs > worst.wallMs) worst = gap;
  return { wallMs: round(worst.wallMs), cpuMs: round(worst.cpuMs) };
}

async function measureBlocks(mix: Mix): Promise<BlockRow> {
  const bench = await setup(BLOCK_SERIES, mix);
  // One warm render each (label strings, the SDK's per-reader state), then one measured render each.
  for (const contender of CONTENDERS) await bench.render[contender]();
  bench.touch();
  const longestBlock = perContender(() => ({ wallMs: 0, cpuMs: 0, renderMs: 0, turns: 0 }));
  for (const contender of CONTENDERS) {
    gc!();
    const gaps = tickerGaps();
    const start = performance.now();
    await bench.render[contender]();
    const renderMs = performance.now() - start;
    const all = await gaps.stop();
    longestBlock[contender] = { ...longest(all), renderMs: round(renderMs), turns: all.length };
  }
  bench.touch();
  gc!();
  const gaps = tickerGaps();
  const iterable = await bench.renderIterable();
  // One turn so the gap that holds the end of the collection is closed before serialization starts.
  await new Promise((resolve) => setImmediate(resolve));
  const collected = performance.now();
  for await (const chunk of iterable) Buffer.byteLength(chunk);
  const all = await gaps.stop();
  const collect = longest(all.filter((g) => g.end <= collected));
  const serialize = longest(all.filter((g) => g.end > collected));
  await bench.close();
  return {
    mix: mix.name,
    series: layout(BLOCK_SERIES, mix).total,
    longestBlock,
    yardstickPhases: {
      collectWallMs: collect.wallMs,
      collectCpuMs: collect.cpuMs,
      serializeWallMs: serialize.wallMs,
      serializeCpuMs: serialize.cpuMs,
    },
  };
}

interface RunResult {
  readonly renders: RenderRow[];
  readonly blocks: BlockRow[];
}

async function measureRun(): Promise<RunResult> {
  const renders: RenderRow[] = [];
  for (const mix of MIXES) {
    for (const { series, rounds } of SIZES) {
      const row = await measureRender(mix, series, rounds);
      process.stderr.write(`${JSON.stringify(row)}\n`);
      renders.push(row);
    }
  }
  const blocks: BlockRow[] = [];
  for (const mix of MIXES) {
    const row = await measureBlocks(mix);
    process.stderr.write(`${JSON.stringify(row)}\n`);
    blocks.push(row);
  }
  return { renders, blocks };
}

if (args.includes('--child')) {
  process.stdout.write(`${JSON.stringify(await measureRun())}\n`);
} else {
  const here = dirname(fileURLToPath(import.meta.url));
  const loadAtStart = loadavg().map((l) => round(l));
  const runs: RunResult[] = [];
  for (let r = 0; r < RUNS; r++) {
    // A process per run: each run starts from a cold JIT and an empty heap, as a fresh application does.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`run ${r + 1} exited with ${child.status}`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as RunResult);
    console.log(
      `run ${r + 1}/${RUNS} done, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  }
  const loadAtEnd = loadavg().map((l) => round(l));

  const renders = runs[0]!.renders.map((first, i) => {
    const rows = runs.map((run) => run.renders[i]!);
    return {
      mix: first.mix,
      series: first.series,
      roundsPerRun: first.rounds,
      medianMs: perContender((c) => round(median(rows.map((row) => row.medianMs[c])))),
      speedup: Object.fromEntries(
        BASELINES.map((b) => [b, round(median(rows.map((row) => row.speedup[b])))]),
      ) as RenderRow['speedup'],
      runSpeedups: Object.fromEntries(BASELINES.map((b) => [b, rows.map((row) => row.speedup[b])])),
      stockCollectMedianMs: round(median(rows.map((row) => row.stockCollectMedianMs))),
      bytes: first.bytes,
      sampleLines: first.sampleLines,
    };
  });
  const blocks = runs[0]!.blocks.map((first, i) => {
    const rows = runs.map((run) => run.blocks[i]!);
    return {
      mix: first.mix,
      series: first.series,
      longestBlockMedian: perContender((c) => ({
        wallMs: round(median(rows.map((row) => row.longestBlock[c].wallMs))),
        cpuMs: round(median(rows.map((row) => row.longestBlock[c].cpuMs))),
        renderMs: round(median(rows.map((row) => row.longestBlock[c].renderMs))),
      })),
      yardstickPhasesMedian: {
        collectWallMs: round(median(rows.map((row) => row.yardstickPhases.collectWallMs))),
        collectCpuMs: round(median(rows.map((row) => row.yardstickPhases.collectCpuMs))),
        serializeWallMs: round(median(rows.map((row) => row.yardstickPhases.serializeWallMs))),
        serializeCpuMs: round(median(rows.map((row) => row.yardstickPhases.serializeCpuMs))),
      },
      yardstickRunWallMs: rows.map((row) => row.longestBlock.yardstick.wallMs),
      yardstickRunCpuMs: rows.map((row) => row.longestBlock.yardstick.cpuMs),
    };
  });
  const targets = [
    ...renders.flatMap((row) => [
      {
        figure: `/metrics ${row.mix} at ${row.series} series: prom-client ms / yardstick ms`,
        target: '>= 3',
        value: row.speedup.promClient,
        met: row.speedup.promClient >= 3,
      },
      {
        figure: `/metrics ${row.mix} at ${row.series} series: @prometheus-io/client ms / yardstick ms`,
        target: '>= 2',
        value: row.speedup.prometheusIo,
        met: row.speedup.prometheusIo >= 2,
      },
    ]),
    ...blocks.map((row) => ({
      figure: `/metrics ${row.mix} at ${row.series} series: yardstick's longest event-loop block, wall ms (thread CPU ${row.longestBlockMedian.yardstick.cpuMs} ms)`,
      target: '<= 50',
      value: row.longestBlockMedian.yardstick.wallMs,
      met: row.longestBlockMedian.yardstick.wallMs <= 50,
    })),
  ];

  const cell = (text: string) => text.padStart(22);
  console.log(`\n${'ms (x = baseline / yardstick)'.padEnd(22)}${CONTENDERS.map((c) => cell(c)).join('')}`);
  for (const row of renders) {
    console.log(
      `${`${row.mix} ${row.series}`.padEnd(22)}${CONTENDERS.map((c) =>
        cell(c === 'yardstick' ? `${row.medianMs[c]}` : `${row.medianMs[c]} x${row.speedup[c]}`),
      ).join('')}`,
    );
  }
  console.log(`\n${'longest block wall/cpu'.padEnd(22)}${CONTENDERS.map((c) => cell(c)).join('')}`);
  for (const row of blocks) {
    console.log(
      `${`${row.mix} ${row.series}`.padEnd(22)}${CONTENDERS.map((c) =>
        cell(`${row.longestBlockMedian[c].wallMs}/${row.longestBlockMedian[c].cpuMs}`),
      ).join('')}`,
    );
  }
  console.log('');
  for (const t of targets)
    console.log(`${t.met ? 'met    ' : 'MISSED '} ${t.figure}: ${t.value} (target ${t.target})`);

  writeFileSync(
    join(here, 'results', 'metrics-endpoint-core.json'),
    `${JSON.stringify(
      {
        benchmark: 'metrics-endpoint-core',
        command: `npx node --conditions=yardstick-source --expose-gc bench/metrics-endpoint-core.ts --runs ${RUNS}`,
        node: process.version,
        cpus: cpus().length,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadAtEnd,
        contenders: {
          yardstick:
            "startTelemetry() (metrics core, PrometheusReader bound through connectReaders), telemetry.prometheus.render('text'), scope labels on (the default)",
          promClient: 'prom-client 15 Registry.metrics()',
          prometheusIo: '@prometheus-io/client Registry.metrics()',
          otelStock:
            '@opentelemetry/exporter-prometheus 0.301 collect() + PrometheusSerializer on a MeterProvider of sdk-metrics-stock (the exporter reader class itself is from the shared sdk-metrics copy)',
        },
        workload:
          'mixes 10 counters : 1 histogram and 1:1 (histograms: 11 default bounds + +Inf); series = label sets over all instruments, <= 1000 per instrument, labels route/method/status; every series touched between rounds; text format 0.0.4; time includes collection and UTF-8 byte counting; full GC before every render; rounds rotate the order',
        renders,
        longestEventLoopBlock: blocks,
        targets,
      },
      null,
      2,
    )}\n`,
  );
}
