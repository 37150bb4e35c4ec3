/**
 * The embedded store's persistence to node:sqlite (`store.path`), at 10k series collected every 15 s:
 *
 * 1. Collection cost with persistence on vs off: two `StoreReader`s of one provider, each with its own
 *    `SampleStore`, one with a `StorePersistence` sink, collect the same data in alternating order for two
 *    seal cycles (2 x 120 collections), so the sealing into XOR chunks is in the figures. Baseline
 *    `memoryOnly`: the reader without persistence. Target: persistent / memoryOnly <= 1.5.
 * 2. Bytes per sample on disk once 10M samples are persisted (1000 collections of 10k series), against the
 *    16 bytes of a raw (timestamp, value) pair and the in-memory store's own bytes per sample. The
 *    collections after the race go to the persistence sink directly (the calls the reader makes, same
 *    series and value model) without the SDK collection around them, so that 10M samples take minutes.
 * 3. Restart time: `StorePersistence.open()` + `restoreInto()` of those 10M samples into an empty store,
 *    raced against baseline `appendFloor`: the same samples appended to an empty store from arrays in memory
 *    (what any restore pays before reading a byte from disk).
 *
 * Workload: 10 counters and 10 gauges of 500 series each (labels route/method), as a service's metrics
 * move: counters step by 0..4 per collection, gauges (one decimal) change every 8th collection (2 min).
 *
 *   npx node --conditions=yardstick-source --expose-gc bench/store-persistence.ts
 *
 * Writes bench/results/store-persistence.json.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';
import { type Labels, SampleStore } from '@yardstick/promql';
import { StorePersistence, StoreReader, silentLogger } from '@yardstick/sdk';

const INSTRUMENTS = 10;
const SERIES_PER_INSTRUMENT = 500;
const SERIES = 2 * INSTRUMENTS * SERIES_PER_INSTRUMENT;
const INTERVAL_MS = 15_000;
/** Two seal cycles of the persistence (it seals every 120 collections). */
const RACED_COLLECTIONS = 240;
const TARGET_SAMPLES = 10_000_000;
const RESTORES = 3;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Counter increment of series `i` at collection `n`. */
function step(i: number, n: number): number {
  return (i + n) % 5;
}

/** Gauge value of series `i` at collection `n`: one decimal, a new value every 8th collection. */
function gaugeValue(i: number, n: number): number {
  return ((i * 31 + Math.floor(n / 8) * 7) % 1000) / 10;
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

async function timed(run: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

function directoryBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

const retention = { retentionMs: 365 * 86_400_000, maxBytes: Number.POSITIVE_INFINITY };
const dir = mkdtempSync(join(tmpdir(), 'yardstick-bench-persistence-'));
let now = 1_700_000_000_000;
const clock = () => now;

const memoryStore = new SampleStore({ ...retention, now: clock });
const persistentStore = new SampleStore({ ...retention, now: clock });
const persistence = StorePersistence.open({ path: dir, ...retention, logger: silentLogger, now: clock });
// An interval far beyond the run: every collection here is an explicit scrape() at the bench's clock.
const readerOptions = { intervalMs: 3_600_000, logger: silentLogger, now: clock };
const memoryOnly = new StoreReader({ ...readerOptions, store: memoryStore });
const persistent = new StoreReader({ ...readerOptions, store: persistentStore, sinks: [persistence] });
const provider = new MeterProvider({
  readers: [memoryOnly, persistent],
  views: [{ instrumentName: '*', aggregationCardinalityLimit: 1_000_000 }],
});
const meter = provider.getMeter('bench', '1.0.0');
const touchers: Array<(round: number) => void> = [];
for (let m = 0; m < INSTRUMENTS; m++) {
  const counter = meter.createCounter(`app.requests.${m}`);
  const gauge = meter.createGauge(`app.queue.depth.${m}`);
  const attributes = Array.from({ length: SERIES_PER_INSTRUMENT }, (_, i) => ({
    route: `/api/v${i % 7}/items/${i}`,
    method: METHODS[i % 4] ?? 'GET',
  }));
  touchers.push((round) => {
    for (let i = 0; i < attributes.length; i++) {
      counter.add(step(i, round), attributes[i]);
      gauge.record(gaugeValue(i, round), attributes[i]);
    }
  });
}
const touch = (round: number) => {
  for (const toucher of touchers) toucher(round);
};

const loadAtStart = loadavg()[0];

// 1. Collection cost, persistence on vs off.
touch(0);
await memoryOnly.scrape();
await persistent.scrape();
const memoryMs: number[] = [];
const persistentMs: number[] = [];
// The longest the event loop waited during the race (both readers): a seal must not hold it much past a slice.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
for (let round = 1; round <= RACED_COLLECTIONS; round++) {
  touch(round);
  now += INTERVAL_MS;
  // Alternate which one runs first, so neither always meets a freshly collected SDK state.
  if (round % 2) {
    memoryMs.push(await timed(() => memoryOnly.scrape()));
    persistentMs.push(await timed(() => persistent.scrape()));
  } else {
    persistentMs.push(await timed(() => persistent.scrape()));
    memoryMs.push(await timed(() => memoryOnly.scrape()));
  }
}
loopDelay.disable();
const collection = {
  collections: RACED_COLLECTIONS,
  longestLoopDelayMs: round(loopDelay.max / 1e6),
  storeSeries: persistentStore.stats().series,
  memoryOnly: { medianMs: round(median(memoryMs)), meanMs: round(mean(memoryMs)) },
  persistent: {
    medianMs: round(median(persistentMs)),
    meanMs: round(mean(persistentMs)),
    maxMs: round(Math.max(...persistentMs)),
    ...persistence.timings,
  },
  medianVsMemoryOnly: round(median(persistentMs) / median(memoryMs), 3),
  meanVsMemoryOnly: round(mean(persistentMs) / mean(memoryMs), 3),
};
console.log(JSON.stringify({ collection }));

// 2. Up to 10M samples on disk; bytes per sample.
await provider.shutdown();
// Every stored series with its last value and how it moves: counters and gauges by the index in their route,
// the reader's own series (`up`, `target_info`) constant.
const moving = [...persistentStore.select([{ type: '=~', name: '__name__', value: '.+' }], 0, now)].map(
  (series) => {
    const name = series.labels.__name__ ?? '';
    const i = Number(/items\/(\d+)$/.exec(series.labels.route ?? '')?.[1] ?? 0);
    const kind = name.startsWith('app_requests')
      ? 'counter'
      : name.startsWith('app_queue')
        ? 'gauge'
        : 'constant';
    return { labels: series.labels as Labels, i, kind, value: series.values.at(-1) ?? 0 };
  },
);
const collections = Math.ceil(TARGET_SAMPLES / moving.length);
// The persistence does not read the collection's metrics; the reader hands them to every sink.
const resourceMetrics = { scopeMetrics: [] } as unknown as ResourceMetrics;
for (let n = RACED_COLLECTIONS + 1; n < collections; n++) {
  now += INTERVAL_MS;
  for (const series of moving) {
    if (series.kind === 'counter') series.value += step(series.i, n);
    else if (series.kind === 'gauge') series.value = gaugeValue(series.i, n);
    persistence.add(series.labels, series.value);
  }
  await persistence.collected(now, resourceMetrics, new LoopSlice(5));
}
persistence.close();
const diskBytes = directoryBytes(dir);

// 3. Restart: restore the 10M samples, against appending them from memory.
const restoreMs: number[] = [];
let restored: { samples: number; series: number; rejected: number } | undefined;
for (let i = 0; i < RESTORES; i++) {
  gc();
  const store = new SampleStore({ ...retention, now: clock });
  const started = performance.now();
  const reopened = StorePersistence.open({ path: dir, ...retention, logger: silentLogger, now: clock });
  restored = reopened.restoreInto(store);
  restoreMs.push(performance.now() - started);
  reopened.close();
}
let inMemoryBytes = 0;
const copies: Array<{ labels: Record<string, string>; timestamps: number[]; values: number[] }> = [];
{
  const source = new SampleStore({ ...retention, now: clock });
  const reopened = StorePersistence.open({ path: dir, ...retention, logger: silentLogger, now: clock });
  reopened.restoreInto(source);
  reopened.close();
  inMemoryBytes = source.stats().bytes;
  for (const series of source.select([{ type: '=~', name: '__name__', value: '.+' }], 0, now)) {
    copies.push({ labels: series.labels, timestamps: [...series.timestamps], values: [...series.values] });
  }
}
const floorMs: number[] = [];
for (let i = 0; i < RESTORES; i++) {
  gc();
  const store = new SampleStore({ ...retention, now: clock });
  floorMs.push(
    await timed(() => {
      for (const { labels, timestamps, values } of copies) {
        for (let j = 0; j < timestamps.length; j++) store.append(labels, timestamps[j]!, values[j]!);
      }
    }),
  );
}
const disk = {
  samples: restored?.samples ?? 0,
  series: restored?.series ?? 0,
  bytes: diskBytes,
  bytesPerSample: round(diskBytes / (restored?.samples ?? 1), 3),
  rawBytesPerSample: 16,
  inMemoryStoreBytesPerSample: round(inMemoryBytes / (restored?.samples ?? 1), 3),
};
console.log(JSON.stringify({ disk }));
const restart = {
  samples: restored?.samples,
  series: restored?.series,
  rejected: restored?.rejected,
  restoreMedianMs: round(median(restoreMs)),
  restoreRuns: restoreMs.map((ms) => round(ms)),
  appendFloorMedianMs: round(median(floorMs)),
  restoreVsAppendFloor: round(median(restoreMs) / median(floorMs), 3),
  samplesPerSecond: Math.round(((restored?.samples ?? 0) / median(restoreMs)) * 1000),
};
console.log(JSON.stringify({ restart }));
rmSync(dir, { recursive: true, force: true });

const output = {
  benchmark: 'store-persistence',
  command: 'npx node --conditions=yardstick-source --expose-gc bench/store-persistence.ts',
  node: process.version,
  loadAverageAtStart: loadAtStart,
  cpus: cpus().length,
  workload: `${SERIES} series (10 counters, 10 gauges, 500 series each; labels route/method); counters step 0..4 per collection, gauges (one decimal) change every 8th collection; one collection per ${INTERVAL_MS / 1000} s of store time; collections after the race written through the persistence sink directly`,
  collection,
  disk,
  restart,
};
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'results', 'store-persistence.json'), `${JSON.stringify(output, null, 2)}\n`);
