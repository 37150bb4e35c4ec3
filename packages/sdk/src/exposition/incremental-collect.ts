/**
 * One collection for a reader, done storage by storage with event-loop turns in between.
 *
 * Why this reaches into private state: `@opentelemetry/sdk-metrics` gives a reader one
 * `MetricProducer.collect()` that collects every storage of every meter in one synchronous run (meters are
 * chained by microtasks only), which held the loop for 104–127 ms at 100k series. Nothing public collects
 * one meter or one instrument at a time, so this file walks the SDK's own state
 * (`MetricCollector._sharedState` → meter shared states → metric storages) and does what
 * `MetricCollector.collect()` and `MeterSharedState.collect()` do, in the same order.
 *
 * Written against `@opentelemetry/sdk-metrics` 3.1.0 (pinned exactly through the root `overrides`). Every
 * shape it relies on is checked at runtime; when one is not as expected it falls back to the public
 * `collect()` and says so once through `diag`. It never throws: a failing storage becomes a collection
 * error, as a failing callback does.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { diag, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import type {
  CollectionResult,
  MetricCollectOptions,
  MetricData,
  MetricReader,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/** Options of {@link collectIncrementally}. */
export interface IncrementalCollectOptions {
  /** How long (ms) collecting may hold the event loop before it gives the loop a turn (default 10). */
  readonly maxSliceMs?: number | undefined;
  /** Passed to observable callbacks and extra producers, as `collect({ timeoutMillis })` does. */
  readonly timeoutMillis?: number | undefined;
}

const DEFAULT_MAX_SLICE_MS = 10;

/** `MetricStorage.collect` of sdk-metrics 3.1.0 (sync and async storages alike). */
interface StorageShape {
  collect(collector: unknown, collectionTime: HrTime): MetricData | undefined;
}

/** `MeterSharedState` of sdk-metrics 3.1.0: the parts one collection uses. */
interface MeterShape {
  readonly _instrumentationScope: ScopeMetrics['scope'];
  readonly observableRegistry: { observe(time: HrTime, timeoutMillis?: number): Promise<unknown[]> };
  readonly metricStorageRegistry: { getStorages(collector: unknown): unknown[] };
}

/** What the reader must hold for an incremental collection. */
interface CollectionPlan {
  readonly collector: unknown;
  readonly resource: CollectionResult['resourceMetrics']['resource'];
  readonly meters: readonly MeterShape[];
  readonly producers: readonly { collect(options?: MetricCollectOptions): Promise<CollectionResult> }[];
  readonly recordCollection: ((seconds: number, errorType?: string) => void) | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasMethod(value: unknown, name: string): boolean {
  return isObject(value) && typeof value[name] === 'function';
}

function isMeter(value: unknown): value is MeterShape {
  return (
    isObject(value) &&
    isObject(value._instrumentationScope) &&
    hasMethod(value.observableRegistry, 'observe') &&
    hasMethod(value.metricStorageRegistry, 'getStorages')
  );
}

function isStorage(value: unknown): value is StorageShape {
  return hasMethod(value, 'collect');
}

/**
 * The private state one collection needs, or why it cannot be used. `undefined` with no reason means the
 * reader is unbound or shut down: the public `collect()` then rejects with the SDK's own error.
 */
function planFor(reader: MetricReader): CollectionPlan | { readonly reason?: string } {
  const fields = reader as unknown as Record<string, unknown>;
  // MetricReader keeps these as own fields in 3.1.0 (class fields, not `#private`).
  if (!('_sdkMetricProducer' in reader) || !('_shutdown' in reader)) {
    return { reason: 'MetricReader has no _sdkMetricProducer/_shutdown fields' };
  }
  const collector = fields._sdkMetricProducer;
  if (collector === undefined || fields._shutdown === true) return {};
  const producers = fields._metricProducers;
  if (!isObject(collector) || !Array.isArray(producers) || !producers.every((p) => hasMethod(p, 'collect'))) {
    return { reason: 'MetricReader._sdkMetricProducer or _metricProducers has an unexpected shape' };
  }
  const shared = collector._sharedState;
  if (!isObject(shared) || !(shared.meterSharedStates instanceof Map) || !isObject(shared.resource)) {
    return { reason: 'MetricCollector._sharedState has an unexpected shape' };
  }
  const meters = [...shared.meterSharedStates.values()];
  if (!meters.every(isMeter)) return { reason: 'MeterSharedState has an unexpected shape' };
  const selfMetrics = fields._selfObsMetrics;
  const recordCollection =
    isObject(selfMetrics) && typeof selfMetrics.recordCollection === 'function'
      ? (selfMetrics.recordCollection as (seconds: number, errorType?: string) => void).bind(selfMetrics)
      : undefined;
  return {
    collector,
    resource: shared.resource as unknown as CollectionPlan['resource'],
    meters,
    producers: producers as CollectionPlan['producers'],
    recordCollection,
  };
}

/** Readers already warned about, so a fallback is reported once per reader and not on every scrape. */
const warned = new WeakSet<MetricReader>();

/** The collection in progress per reader: a second one waits, so two never interleave storage by storage. */
const inProgress = new WeakMap<MetricReader, Promise<void>>();

function errorName(error: unknown): string {
  return isObject(error) && typeof error.name === 'string' ? error.name : 'collect_error';
}

async function collectPlan(
  plan: CollectionPlan,
  options: IncrementalCollectOptions,
): Promise<CollectionResult> {
  const started = performance.now();
  const maxSliceMs = options.maxSliceMs ?? DEFAULT_MAX_SLICE_MS;
  const timeout = options.timeoutMillis === undefined ? {} : { timeoutMillis: options.timeoutMillis };
  // Extra producers run alongside the SDK's collection, as in MetricReader.collect().
  const produced = Promise.all(plan.producers.map((producer) => producer.collect(timeout)));
  // One collection time for every meter, as MetricCollector.collect() takes it.
  const collectionTime = millisToHrTime(Date.now());
  // All callbacks first, every meter's concurrently; the meters' storages are then collected in the order
  // their callbacks settled, the order in which MetricCollector.collect() pushes their scope metrics.
  const observed: Array<{ meter: MeterShape; errors: unknown[] }> = [];
  await Promise.all(
    plan.meters.map(async (meter) => {
      const errors = await meter.observableRegistry.observe(collectionTime, options.timeoutMillis);
      observed.push({ meter, errors });
    }),
  );
  const scopeMetrics: ScopeMetrics[] = [];
  const errors: unknown[] = [];
  let sliceStart = performance.now();
  for (const { meter, errors: callbackErrors } of observed) {
    const storages = meter.metricStorageRegistry.getStorages(plan.collector);
    // MeterSharedState.collect() returns null for a meter without storages, dropping its callback errors.
    if (storages.length === 0) continue;
    const metrics: MetricData[] = [];
    for (const storage of storages) {
      // The turn is taken between storages: one storage's collect() is a single synchronous SDK call.
      if (performance.now() - sliceStart >= maxSliceMs) {
        // setImmediate, not a resolved promise: it lets timers and I/O run.
        await nextTurn();
        sliceStart = performance.now();
      }
      if (!isStorage(storage)) {
        errors.push(new Error('Prometheus exposition: a metric storage has no collect()'));
        continue;
      }
      try {
        const data = storage.collect(plan.collector, collectionTime);
        if (data != null) metrics.push(data);
      } catch (error) {
        errors.push(error);
      }
    }
    if (metrics.length > 0) scopeMetrics.push({ scope: meter._instrumentationScope, metrics });
    errors.push(...callbackErrors);
  }
  const extra = await produced.catch((error: unknown) => {
    errors.push(error);
    return [];
  });
  for (const result of extra) errors.push(...result.errors);
  plan.recordCollection?.(
    (performance.now() - started) / 1_000,
    errors.length > 0 ? errorName(errors[0]) : undefined,
  );
  return {
    resourceMetrics: {
      resource: plan.resource,
      scopeMetrics: scopeMetrics.concat(extra.flatMap((result) => result.resourceMetrics.scopeMetrics)),
    },
    errors,
  };
}

function warnOnce(reader: MetricReader, reason: string): void {
  if (warned.has(reader)) return;
  warned.add(reader);
  diag.warn(
    `Prometheus exposition: collecting in one synchronous step (${reason}); incremental collection was written against @opentelemetry/sdk-metrics 3.1.0`,
  );
}

async function collectNow(
  reader: MetricReader,
  options: IncrementalCollectOptions,
): Promise<CollectionResult> {
  const publicOptions = options.timeoutMillis === undefined ? {} : { timeoutMillis: options.timeoutMillis };
  let plan: ReturnType<typeof planFor>;
  try {
    plan = planFor(reader);
  } catch (error) {
    plan = { reason: `reading the SDK's state failed: ${String(error)}` };
  }
  if (!('collector' in plan)) {
    if (plan.reason !== undefined) warnOnce(reader, plan.reason);
    return reader.collect(publicOptions);
  }
  try {
    return await collectPlan(plan, options);
  } catch (error) {
    // Temporality is cumulative, so what the storages collected so far is still in the SDK's per-reader
    // history: the public collect() reports it again in full.
    warnOnce(reader, `the incremental collection failed: ${String(error)}`);
    return reader.collect(publicOptions);
  }
}

/**
 * Collects for `reader` what `reader.collect()` would, giving the event loop a `setImmediate` turn between
 * two metric storages once collecting has held it for `maxSliceMs`. Falls back to `reader.collect()` (with
 * one `diag` warning per reader) when the SDK's private state is not shaped as in sdk-metrics 3.1.0; like
 * `collect()`, it rejects only when the reader is unbound or shut down. Collections of one reader run one
 * after the other, never interleaved storage by storage.
 */
export function collectIncrementally(
  reader: MetricReader,
  options: IncrementalCollectOptions = {},
): Promise<CollectionResult> {
  const previous = inProgress.get(reader);
  const run =
    previous === undefined ? collectNow(reader, options) : previous.then(() => collectNow(reader, options));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  inProgress.set(reader, settled);
  void settled.then(() => {
    if (inProgress.get(reader) === settled) inProgress.delete(reader);
  });
  return run;
}
