/**
 * The runtime kit: process, V8 and event-loop metrics under the OTel semantic-convention names, read at
 * collection time (nothing runs between scrapes but Node's own event-loop delay sampler and the GC
 * observer).
 *
 * | OTel name                               | kind           | unit   | attributes             | on /metrics                                  |
 * |-----------------------------------------|----------------|--------|------------------------|----------------------------------------------|
 * | `process.cpu.time`                      | counter        | s      | `cpu.mode`             | `process_cpu_time_seconds_total`             |
 * | `process.memory.usage`                  | up-down        | By     |                        | `process_memory_usage_bytes`                 |
 * | `process.uptime`                        | gauge          | s      |                        | `process_uptime_seconds`                     |
 * | `process.open_file_descriptors` [1]     | up-down        | {file_descriptor} | (Linux only) | `process_open_file_descriptors`           |
 * | `v8js.memory.heap.used`                 | up-down        | By     | `v8js.heap.space.name` | `v8js_memory_heap_used_bytes`                |
 * | `v8js.memory.heap.limit`                | up-down        | By     | `v8js.heap.space.name` | `v8js_memory_heap_limit_bytes`               |
 * | `v8js.memory.heap.space.available_size` | up-down        | By     | `v8js.heap.space.name` | `v8js_memory_heap_space_available_size_bytes` |
 * | `v8js.memory.heap.space.physical_size`  | up-down        | By     | `v8js.heap.space.name` | `v8js_memory_heap_space_physical_size_bytes` |
 * | `v8js.gc.duration`                      | histogram      | s      | `v8js.gc.type`         | `v8js_gc_duration_seconds_*`                 |
 * | `nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99}` | gauge | s |                 | `nodejs_eventloop_delay_p99_seconds` ...     |
 * | `nodejs.eventloop.utilization`          | gauge          | 1      |                        | `nodejs_eventloop_utilization_ratio`         |
 * | `nodejs.eventloop.time`                 | counter        | s      | `nodejs.eventloop.state` | `nodejs_eventloop_time_seconds_total`      |
 *
 * [1] The conventions call it `process.open_file_descriptor.count`; on Prometheus that ends in `_count`, a
 * histogram suffix that `promtool check metrics` flags, so the kit drops the `.count`.
 *
 * Event-loop delay and utilization describe a window: the statistics of the last complete window of at
 * least `windowMs` are reported, so readers collecting at different cadences (the Prometheus endpoint, the
 * embedded store, OTLP) all see the same numbers instead of each resetting the others' window.
 */
import { readdirSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { createReportOnce } from '../kit-logger.ts';

/** Options of {@link startRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /** `false` registers nothing (how the `metrics.process` switch turns the kit off). Default `true`. */
  readonly enabled?: boolean;
  /** Length of the event-loop window in milliseconds. Default 10,000. */
  readonly windowMs?: number;
  /** Sampling resolution of the event-loop delay monitor in milliseconds. Default 20. */
  readonly resolutionMs?: number;
  /** Reports a failing read once (the kit never throws into the SDK). */
  readonly onError?: (error: unknown) => void;
}

/** A running runtime kit. */
export interface RuntimeMetrics {
  /** Stops the samplers and removes the instruments' callbacks. Idempotent. */
  stop(): void;
}

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;

const GC_TYPES: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

const DELAY_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
type DelayStat = (typeof DELAY_STATS)[number];

/** Statistics of one event-loop window, in seconds (utilization as a fraction). */
type LoopWindow = Record<DelayStat, number> & { utilization: number };

/**
 * Starts the runtime kit on `meter`.
 *
 * @example
 * ```ts
 * const runtime = startRuntimeMetrics(meterProvider.getMeter('@yardstick/sdk'));
 * // ... on shutdown
 * runtime.stop();
 * ```
 */
export function startRuntimeMetrics(meter: Meter, options: RuntimeMetricsOptions = {}): RuntimeMetrics {
  if (options.enabled === false) return { stop() {} };
  const windowMs = options.windowMs ?? 10_000;
  const reportOnce = createReportOnce(options.onError);

  const cpuTime = meter.createObservableCounter('process.cpu.time', {
    description: 'Total CPU seconds broken down by different CPU modes.',
    unit: 's',
  });
  const memoryUsage = meter.createObservableUpDownCounter('process.memory.usage', {
    description: 'The amount of physical memory in use.',
    unit: 'By',
  });
  const uptime = meter.createObservableGauge('process.uptime', {
    description: 'The time the process has been running.',
    unit: 's',
  });
  const openFds = meter.createObservableUpDownCounter('process.open_file_descriptors', {
    description: 'Number of file descriptors in use by the process.',
    unit: '{file_descriptor}',
  });
  const heapUsed = meter.createObservableUpDownCounter('v8js.memory.heap.used', {
    description: 'Heap Memory size allocated.',
    unit: 'By',
  });
  const heapLimit = meter.createObservableUpDownCounter('v8js.memory.heap.limit', {
    description: 'Total heap memory size pre-allocated.',
    unit: 'By',
  });
  const heapAvailable = meter.createObservableUpDownCounter('v8js.memory.heap.space.available_size', {
    description: 'Heap space available size.',
    unit: 'By',
  });
  const heapPhysical = meter.createObservableUpDownCounter('v8js.memory.heap.space.physical_size', {
    description: 'Committed size of a heap space.',
    unit: 'By',
  });
  const delayGauges = Object.fromEntries(
    DELAY_STATS.map((stat) => [
      stat,
      meter.createObservableGauge(`nodejs.eventloop.delay.${stat}`, {
        description: `Event loop ${stat} delay.`,
        unit: 's',
      }),
    ]),
  ) as Record<DelayStat, Observable>;
  const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', {
    description: 'Event loop utilization.',
    unit: '1',
  });
  const loopTime = meter.createObservableCounter('nodejs.eventloop.time', {
    description: 'Cumulative duration of time the event loop has been in each state.',
    unit: 's',
  });
  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    description: 'Garbage collection duration.',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.01, 0.1, 1, 10] },
  });

  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 20 });
  delay.enable();
  let windowStart = performance.now();
  let eluAtWindowStart = performance.eventLoopUtilization();
  let lastWindow: LoopWindow | undefined;

  /** The last complete window, closing the current one when it is long enough. */
  const loopWindow = (): LoopWindow => {
    const now = performance.now();
    const current = () => readDelay(delay, performance.eventLoopUtilization(eluAtWindowStart).utilization);
    // Before the first window completes, the statistics so far stand in for it.
    if (now - windowStart < windowMs) return lastWindow ?? current();
    lastWindow = current();
    delay.reset();
    windowStart = now;
    eluAtWindowStart = performance.eventLoopUtilization();
    return lastWindow;
  };

  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      gcDuration.record(entry.duration / 1000, { 'v8js.gc.type': GC_TYPES[kind ?? -1] ?? 'unknown' });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const fdDir = process.platform === 'linux' ? '/proc/self/fd' : undefined;
  const observables = [
    cpuTime,
    memoryUsage,
    uptime,
    openFds,
    heapUsed,
    heapLimit,
    heapAvailable,
    heapPhysical,
    utilization,
    loopTime,
    ...Object.values(delayGauges),
  ];
  const callback = (result: BatchObservableResult) => {
    try {
      const cpu = process.cpuUsage();
      result.observe(cpuTime, cpu.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(cpuTime, cpu.system / 1e6, { 'cpu.mode': 'system' });
      result.observe(memoryUsage, process.memoryUsage.rss());
      result.observe(uptime, process.uptime());
      if (fdDir !== undefined) result.observe(openFds, readdirSync(fdDir).length);
      for (const space of getHeapSpaceStatistics()) {
        const attributes = { 'v8js.heap.space.name': space.space_name };
        result.observe(heapUsed, space.space_used_size, attributes);
        result.observe(heapLimit, space.space_size, attributes);
        result.observe(heapAvailable, space.space_available_size, attributes);
        result.observe(heapPhysical, space.physical_space_size, attributes);
      }
      const elu = performance.eventLoopUtilization();
      result.observe(loopTime, elu.active / 1000, { 'nodejs.eventloop.state': 'active' });
      result.observe(loopTime, elu.idle / 1000, { 'nodejs.eventloop.state': 'idle' });
      const window = loopWindow();
      for (const stat of DELAY_STATS) {
        if (Number.isFinite(window[stat])) result.observe(delayGauges[stat], window[stat]);
      }
      if (Number.isFinite(window.utilization)) result.observe(utilization, window.utilization);
    } catch (error) {
      reportOnce(error);
    }
  };
  meter.addBatchObservableCallback(callback, observables);

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      meter.removeBatchObservableCallback(callback, observables);
      gcObserver.disconnect();
      delay.disable();
    },
  };
}

/** The delay monitor's statistics in seconds; NaN while it has no sample yet. */
function readDelay(delay: IntervalHistogram, utilization: number): LoopWindow {
  const empty = delay.count === 0;
  const seconds = (ns: number) => (empty ? Number.NaN : ns / 1e9);
  return {
    min: seconds(delay.min),
    max: seconds(delay.max),
    mean: seconds(delay.mean),
    stddev: seconds(delay.stddev),
    p50: seconds(delay.percentile(50)),
    p90: seconds(delay.percentile(90)),
    p99: seconds(delay.percentile(99)),
    utilization,
  };
}
