/**
 * The runtime kit under prom-client's names (`metrics.runtime.naming: 'prom-client'`): the default metrics
 * of prom-client 15's `collectDefaultMetrics()`, with its names, types, labels and units, so Grafana
 * dashboards built on a prom-client service keep working after the move to yardstick.
 *
 * Instrument names are the Prometheus names themselves (`nodejs_heap_size_used_bytes`); the OTel→Prometheus
 * translation leaves a name that already ends in its unit alone and adds `_total` to counters only, so
 * `/metrics` shows exactly prom-client's names. As in prom-client, the memory figures from `/proc` and the
 * descriptor counts exist on Linux only.
 *
 * | prom-client name | type | labels |
 * |---|---|---|
 * | `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total`, `process_cpu_seconds_total` | counter | |
 * | `process_start_time_seconds`, `process_resident_memory_bytes` | gauge | |
 * | `process_virtual_memory_bytes`, `process_heap_bytes`, `process_open_fds`, `process_max_fds` (Linux) | gauge | |
 * | `nodejs_eventloop_lag_seconds`, `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds` | gauge | |
 * | `nodejs_active_resources`, `nodejs_active_handles`, `nodejs_active_requests` | gauge | `type` |
 * | `nodejs_active_resources_total`, `nodejs_active_handles_total`, `nodejs_active_requests_total` | gauge | |
 * | `nodejs_heap_size_total_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_external_memory_bytes` | gauge | |
 * | `nodejs_heap_space_size_{total,used,available}_bytes` | gauge | `space` |
 * | `nodejs_version_info` | gauge | `version`, `major`, `minor`, `patch` |
 * | `nodejs_gc_duration_seconds` | histogram (0.001, 0.01, 0.1, 1, 2, 5) | `kind` |
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { createReportOnce } from '../kit-logger.ts';

/** Options of {@link startPromClientRuntimeMetrics}. */
export interface PromClientRuntimeMetricsOptions {
  /** Sampling resolution of the event-loop delay monitor in milliseconds (prom-client's default: 10). */
  readonly resolutionMs?: number;
  /** Reports a failing read once (the kit never throws into the SDK). */
  readonly onError?: (error: unknown) => void;
}

/** A running kit. */
export interface PromClientRuntimeMetrics {
  /** Stops the samplers and removes the instruments' callbacks. Idempotent. */
  stop(): void;
}

const GC_KINDS: Readonly<Record<number, string>> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** prom-client's buckets for `nodejs_gc_duration_seconds`. */
const GC_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

const LAG_STATS = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
const LAG_HELP: Readonly<Record<(typeof LAG_STATS)[number], string>> = {
  min: 'The minimum recorded event loop delay.',
  max: 'The maximum recorded event loop delay.',
  mean: 'The mean of the recorded event loop delays.',
  stddev: 'The standard deviation of the recorded event loop delays.',
  p50: 'The 50th percentile of the recorded event loop delays.',
  p90: 'The 90th percentile of the recorded event loop delays.',
  p99: 'The 99th percentile of the recorded event loop delays.',
};

/** What Node's undocumented handle/request lists hold: objects whose constructor names their type. */
type ActiveList = () => readonly object[];
const internals = process as unknown as { _getActiveHandles?: ActiveList; _getActiveRequests?: ActiveList };

/**
 * Starts the runtime kit under prom-client's default metric names on `meter`.
 *
 * @example
 * ```ts
 * const kit = startPromClientRuntimeMetrics(meterProvider.getMeter('@yardstick/sdk/runtime'));
 * // /metrics now has process_cpu_seconds_total, nodejs_heap_size_used_bytes, nodejs_eventloop_lag_seconds, ...
 * kit.stop();
 * ```
 */
export function startPromClientRuntimeMetrics(
  meter: Meter,
  options: PromClientRuntimeMetricsOptions = {},
): PromClientRuntimeMetrics {
  const reportOnce = createReportOnce(options.onError);
  const linux = process.platform === 'linux';
  const gauge = (name: string, description: string, unit = '') =>
    meter.createObservableGauge(name, { description, unit });
  const counter = (name: string, description: string) =>
    meter.createObservableCounter(name, { description, unit: 's' });

  const cpuUser = counter('process_cpu_user_seconds', 'Total user CPU time spent in seconds.');
  const cpuSystem = counter('process_cpu_system_seconds', 'Total system CPU time spent in seconds.');
  const cpuTotal = counter('process_cpu_seconds', 'Total user and system CPU time spent in seconds.');
  const startTime = gauge(
    'process_start_time_seconds',
    'Start time of the process since unix epoch in seconds.',
    's',
  );
  const resident = gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', 'By');
  const virtual = gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'By');
  const heapBytes = gauge('process_heap_bytes', 'Process heap size in bytes.', 'By');
  const openFds = gauge('process_open_fds', 'Number of open file descriptors.');
  const maxFds = gauge('process_max_fds', 'Maximum number of open file descriptors.');
  const lag = gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 's');
  const lagStats = Object.fromEntries(
    LAG_STATS.map((stat) => [stat, gauge(`nodejs_eventloop_lag_${stat}_seconds`, LAG_HELP[stat], 's')]),
  ) as Record<(typeof LAG_STATS)[number], Observable>;
  const resources = gauge(
    'nodejs_active_resources',
    'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
  );
  const resourcesTotal = gauge('nodejs_active_resources_total', 'Total number of active resources.');
  const handles = gauge(
    'nodejs_active_handles',
    'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.',
  );
  const handlesTotal = gauge('nodejs_active_handles_total', 'Total number of active handles.');
  const requests = gauge(
    'nodejs_active_requests',
    'Number of active libuv requests grouped by request type. Every request type is C++ class name.',
  );
  const requestsTotal = gauge('nodejs_active_requests_total', 'Total number of active requests.');
  const heapTotal = gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', 'By');
  const heapUsed = gauge(
    'nodejs_heap_size_used_bytes',
    'Process heap size used from Node.js in bytes.',
    'By',
  );
  const external = gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', 'By');
  const spaceTotal = gauge(
    'nodejs_heap_space_size_total_bytes',
    'Process heap space size total from Node.js in bytes.',
    'By',
  );
  const spaceUsed = gauge(
    'nodejs_heap_space_size_used_bytes',
    'Process heap space size used from Node.js in bytes.',
    'By',
  );
  const spaceAvailable = gauge(
    'nodejs_heap_space_size_available_bytes',
    'Process heap space size available from Node.js in bytes.',
    'By',
  );
  const versionInfo = gauge('nodejs_version_info', 'Node.js version info.');
  const gcDuration = meter.createHistogram('nodejs_gc_duration_seconds', {
    description: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    unit: 's',
    advice: { explicitBucketBoundaries: GC_BUCKETS },
  });

  // prom-client resets its delay monitor at every collection; so does this kit.
  const delay = monitorEventLoopDelay({ resolution: options.resolutionMs ?? 10 });
  delay.enable();
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      gcDuration.record(entry.duration / 1000, { kind: GC_KINDS[kind ?? -1] ?? 'unknown' });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const [major = '', minor = '', patch = ''] = process.version.slice(1).split('.');
  const version = { version: process.version, major, minor, patch };
  const started = Math.round(Date.now() / 1000 - process.uptime());

  const observables = [
    cpuUser,
    cpuSystem,
    cpuTotal,
    startTime,
    resident,
    virtual,
    heapBytes,
    openFds,
    maxFds,
    lag,
    ...Object.values(lagStats),
    resources,
    resourcesTotal,
    handles,
    handlesTotal,
    requests,
    requestsTotal,
    heapTotal,
    heapUsed,
    external,
    spaceTotal,
    spaceUsed,
    spaceAvailable,
    versionInfo,
  ];

  const callback = async (result: BatchObservableResult) => {
    // prom-client's lag: how long a setImmediate scheduled at collection waits for the loop.
    const before = process.hrtime.bigint();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const lagSeconds = Number(process.hrtime.bigint() - before) / 1e9;
    try {
      const cpu = process.cpuUsage();
      result.observe(cpuUser, cpu.user / 1e6);
      result.observe(cpuSystem, cpu.system / 1e6);
      result.observe(cpuTotal, (cpu.user + cpu.system) / 1e6);
      result.observe(startTime, started);
      result.observe(lag, lagSeconds);
      if (delay.count > 0) {
        result.observe(lagStats.min, delay.min / 1e9);
        result.observe(lagStats.max, delay.max / 1e9);
        result.observe(lagStats.mean, delay.mean / 1e9);
        result.observe(lagStats.stddev, delay.stddev / 1e9);
        result.observe(lagStats.p50, delay.percentile(50) / 1e9);
        result.observe(lagStats.p90, delay.percentile(90) / 1e9);
        result.observe(lagStats.p99, delay.percentile(99) / 1e9);
      }
      delay.reset();
      observeByType(result, resources, resourcesTotal, process.getActiveResourcesInfo(), (type) => type);
      observeByType(result, handles, handlesTotal, internals._getActiveHandles?.() ?? [], constructorName);
      observeByType(result, requests, requestsTotal, internals._getActiveRequests?.() ?? [], constructorName);
      const memory = process.memoryUsage();
      result.observe(heapTotal, memory.heapTotal);
      result.observe(heapUsed, memory.heapUsed);
      result.observe(external, memory.external);
      for (const space of getHeapSpaceStatistics()) {
        // prom-client's label: `new_space` → `new`
        const attributes = { space: space.space_name.replace(/_space$/, '') };
        result.observe(spaceTotal, space.space_size, attributes);
        result.observe(spaceUsed, space.space_used_size, attributes);
        result.observe(spaceAvailable, space.space_available_size, attributes);
      }
      result.observe(versionInfo, 1, version);
      if (linux) {
        observeLinuxProcess(result, { resident, virtual, heapBytes, openFds, maxFds });
      } else {
        result.observe(resident, memory.rss);
      }
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

function constructorName(item: object): string {
  return item.constructor?.name ?? 'unknown';
}

/** One series per type with its count, plus the total, as prom-client's `nodejs_active_*` gauges. */
function observeByType<T>(
  result: BatchObservableResult,
  byType: Observable,
  total: Observable,
  items: readonly T[],
  typeOf: (item: T) => string,
): void {
  const counts = new Map<string, number>();
  for (const item of items) {
    const type = typeOf(item);
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  for (const [type, count] of counts) result.observe(byType, count, { type });
  result.observe(total, items.length);
}

interface LinuxProcessGauges {
  readonly resident: Observable;
  readonly virtual: Observable;
  readonly heapBytes: Observable;
  readonly openFds: Observable;
  readonly maxFds: Observable;
}

/** `/proc/self/status` (VmRSS, VmSize, VmData in kB), `/proc/self/fd` and `/proc/self/limits`, as prom-client reads them. */
function observeLinuxProcess(result: BatchObservableResult, gauges: LinuxProcessGauges): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kib('VmRSS');
  const size = kib('VmSize');
  const data = kib('VmData');
  if (rss !== undefined) result.observe(gauges.resident, rss);
  if (size !== undefined) result.observe(gauges.virtual, size);
  if (data !== undefined) result.observe(gauges.heapBytes, data);
  // prom-client counts the entries of /proc/self/fd minus the one its own readdir opened
  result.observe(gauges.openFds, readdirSync('/proc/self/fd').length - 1);
  const limit = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (limit) result.observe(gauges.maxFds, Number(limit[1]));
}
