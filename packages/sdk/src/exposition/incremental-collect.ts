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
 * `collect()` and says so once through `diag`. It never throws on its own: a failing storage becomes a
 * collection error, as a failing callback does.
 */
import { performance } from 'node:perf_hooks';
import { diag, type HrTime } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type CollectionResult,
  type InstrumentType,
  type MetricCollectOptions,
  type MetricData,
  type MetricReader,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { LoopSlice } from '@yardstick/metrics-core';

/** Options of {@link collectIncrementally}. */
export interface IncrementalCollectOptions {
  /** How long (ms) collecting may hold the event loop before it gives the loop a turn (default 10). */
  readonly maxSliceMs?: number | undefined;
  /** Passed to observable callbacks and extra producers, as `collect({ timeoutMillis })` does. */
  readonly timeoutMillis?: number | undefined;
  /**
   * A cumulative storage holding at least this many series is collected in slices with turns in between
   * (default 4096); smaller ones are collected by the SDK's own `collect()` in one call.
   */
  readonly splitStoragesFrom?: number | undefined;
}

const DEFAULT_MAX_SLICE_MS = 10;
const DEFAULT_SPLIT_STORAGES_FROM = 4_096;
/**
 * Points converted per `toMetricData()` call. The SDK collected a 50k-series histogram storage in 87–109 ms
 * here (all steps, ~2 µs a series), so 4096 points stay well inside a slice with few calls per storage.
 */
const POINTS_PER_CONVERSION = 4_096;
/** Entries handled between two clock reads: at ~2 µs an entry a slice overruns by well under 1 ms. */
const ENTRIES_PER_CLOCK_READ = 256;

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

/** `InstrumentDescriptor` of sdk-metrics 3.1.0: the public descriptor with the instrument's type. */
type Descriptor = MetricData['descriptor'] & { readonly type: InstrumentType };

/** `AttributeHashMap` of sdk-metrics 3.1.0: attributes → accumulation, keyed by the attributes' hash. */
interface HashMapShape {
  readonly size: number;
  entries(): Iterable<[unknown, unknown, string]>;
  has(key: unknown, hash: string): boolean;
  get(key: unknown, hash: string): unknown;
  set(key: unknown, value: unknown, hash: string): void;
}

/** One reader's last report of a storage (`TemporalMetricProcessor._reportHistory` values). */
interface ReportShape {
  readonly accumulations: HashMapShape;
  readonly collectionTime: HrTime;
  readonly aggregationTemporality: AggregationTemporality;
}

/** `SyncMetricStorage` / `AsyncMetricStorage` of sdk-metrics 3.1.0, down to the per-reader history. */
interface SplittableStorage {
  readonly _instrumentDescriptor: Descriptor;
  readonly _deltaMetricStorage: { readonly _activeCollectionStorage: HashMapShape; collect(): HashMapShape };
  readonly _temporalMetricStorage: {
    readonly _aggregator: {
      merge(previous: unknown, delta: unknown): unknown;
      toMetricData(
        descriptor: Descriptor,
        temporality: AggregationTemporality,
        records: Array<[unknown, unknown, string]>,
        endTime: HrTime,
      ): MetricData | undefined;
    };
    readonly _unreportedAccumulations: Map<unknown, HashMapShape[]>;
    readonly _reportHistory: Map<unknown, ReportShape>;
    _stashAccumulations(current: HashMapShape): void;
  };
}

/** What the reader must hold for an incremental collection. */
interface CollectionPlan {
  readonly collector: {
    selectAggregationTemporality(type: InstrumentType): AggregationTemporality;
  };
  readonly resource: CollectionResult['resourceMetrics']['resource'];
  readonly meters: readonly MeterShape[];
  readonly producers: readonly { collect(options?: MetricCollectOptions): Promise<CollectionResult> }[];
  readonly recordCollection: ((seconds: number, errorType?: string) => void) | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function hasMethod(value: unknown, name: string): value is Record<string, unknown> {
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

/** A `MetricProducer` that is not the SDK's `MetricCollector` (which has state and a temporality selector). */
function isPlainProducer(value: unknown): boolean {
  return (
    hasMethod(value, 'collect') &&
    !('_sharedState' in value) &&
    !hasMethod(value, 'selectAggregationTemporality')
  );
}

function isStorage(value: unknown): value is StorageShape {
  return hasMethod(value, 'collect');
}

function isHashMap(value: unknown): value is HashMapShape {
  return (
    isObject(value) &&
    typeof value.size === 'number' &&
    ['entries', 'has', 'get', 'set'].every((name) => hasMethod(value, name))
  );
}

function isSplittable(value: unknown): value is SplittableStorage {
  if (!isObject(value) || !isObject(value._instrumentDescriptor)) return false;
  const delta = value._deltaMetricStorage;
  const temporal = value._temporalMetricStorage;
  return (
    hasMethod(delta, 'collect') &&
    isHashMap(delta._activeCollectionStorage) &&
    isObject(temporal) &&
    hasMethod(temporal, '_stashAccumulations') &&
    temporal._unreportedAccumulations instanceof Map &&
    temporal._reportHistory instanceof Map &&
    hasMethod(temporal._aggregator, 'merge') &&
    hasMethod(temporal._aggregator, 'toMetricData')
  );
}

/** `TemporalMetricProcessor.merge()`: merges `current` into `last` in place, with turns in between. */
async function mergeInSlices(
  last: HashMapShape,
  current: HashMapShape,
  aggregator: SplittableStorage['_temporalMetricStorage']['_aggregator'],
  slice: LoopSlice,
): Promise<HashMapShape> {
  let handled = 0;
  for (const [key, record, hash] of current.entries()) {
    last.set(key, last.has(key, hash) ? aggregator.merge(last.get(key, hash), record) : record, hash);
    if (++handled % ENTRIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
  }
  return last;
}

/**
 * `storage.collect(collector, collectionTime)` for a cumulative storage, i.e. `DeltaMetricProcessor.collect()`
 * then `TemporalMetricProcessor.buildMetrics()` step by step, with turns inside the merges and the
 * conversion to data points. Recordings made during a turn go to the delta processor's fresh map and join
 * the next collection; another reader's collection during a turn stashes into this reader's list, which
 * was already taken, so it joins the next collection too. (A public `collect()` of the same reader during
 * a turn merges into the same history map entry by entry, so values stay right; only the end times of two
 * such overlapping collections may come out of order.)
 */
async function collectInSlices(
  storage: SplittableStorage,
  emptyMap: HashMapShape,
  collector: CollectionPlan['collector'],
  collectionTime: HrTime,
  slice: LoopSlice,
): Promise<MetricData | undefined> {
  const temporal = storage._temporalMetricStorage;
  const aggregator = temporal._aggregator;
  const descriptor = storage._instrumentDescriptor;
  const current = storage._deltaMetricStorage.collect();
  temporal._stashAccumulations(current);
  const stashed = temporal._unreportedAccumulations.get(collector) ?? [];
  temporal._unreportedAccumulations.set(collector, []);
  let result = emptyMap;
  for (const accumulations of stashed) result = await mergeInSlices(result, accumulations, aggregator, slice);
  const last = temporal._reportHistory.get(collector);
  const aggregationTemporality =
    last?.aggregationTemporality ?? collector.selectAggregationTemporality(descriptor.type);
  if (last !== undefined) result = await mergeInSlices(last.accumulations, result, aggregator, slice);
  temporal._reportHistory.set(collector, { accumulations: result, collectionTime, aggregationTemporality });
  const records: Array<[unknown, unknown, string]> = [];
  for (const record of result.entries()) {
    records.push(record);
    if (records.length % ENTRIES_PER_CLOCK_READ === 0 && slice.due) await slice.turn();
  }
  if (records.length === 0) return undefined;
  // The aggregators map each record to one point on its own, so converting in parts and joining the points
  // gives what one call over all records gives.
  const data = aggregator.toMetricData(
    descriptor,
    aggregationTemporality,
    records.slice(0, POINTS_PER_CONVERSION),
    collectionTime,
  );
  if (data === undefined) return undefined;
  const points = data.dataPoints as unknown[];
  for (let from = POINTS_PER_CONVERSION; from < records.length; from += POINTS_PER_CONVERSION) {
    if (slice.due) await slice.turn();
    const part = aggregator.toMetricData(
      descriptor,
      aggregationTemporality,
      records.slice(from, from + POINTS_PER_CONVERSION),
      collectionTime,
    );
    if (part !== undefined) for (const point of part.dataPoints) points.push(point);
  }
  return data;
}

/**
 * The storage with a fresh map of the kind it keeps, when it can be collected in slices for this reader:
 * shaped as in 3.1.0, cumulative (the delta path recalibrates start times, which is not reproduced here)
 * and large enough for slices to matter.
 */
function splitTarget(
  storage: unknown,
  collector: CollectionPlan['collector'],
  splitFrom: number,
): { readonly storage: SplittableStorage; readonly emptyMap: HashMapShape } | undefined {
  if (!isSplittable(storage)) return undefined;
  const last = storage._temporalMetricStorage._reportHistory.get(collector);
  const temporality =
    last?.aggregationTemporality ??
    collector.selectAggregationTemporality(storage._instrumentDescriptor.type);
  if (temporality !== AggregationTemporality.CUMULATIVE) return undefined;
  const active = storage._deltaMetricStorage._activeCollectionStorage;
  if ((last?.accumulations.size ?? 0) + active.size < splitFrom) return undefined;
  // `_getMergedUnreportedAccumulations()` starts from a new AttributeHashMap; this builds the same one.
  const MapClass = active.constructor as new () => unknown;
  const empty = new MapClass();
  return isHashMap(empty) && empty.size === 0 ? { storage, emptyMap: empty } : undefined;
}

/**
 * The private state one collection needs, or why it cannot be used. No plan and no reason means the reader
 * is unbound or shut down: the public `collect()` then rejects with the SDK's own error.
 */
function planFor(reader: MetricReader): CollectionPlan | { readonly reason?: string } {
  const fields = reader as unknown as Record<string, unknown>;
  // MetricReader keeps these as own fields in 3.1.0 (class fields, not `#private`).
  if (!('_sdkMetricProducer' in reader) || !('_shutdown' in reader)) {
    return { reason: 'MetricReader has no _sdkMetricProducer/_shutdown fields' };
  }
  const collector = fields._sdkMetricProducer;
  if (collector === undefined || fields._shutdown === true) return {};
  // A producer bound through the public `setMetricProducer()` (as `startTelemetry()` binds every reader to
  // the metrics core) is not the SDK's MetricCollector: there are no SDK storages to walk, its own collect()
  // is the whole collection, and nothing is out of shape, so there is nothing to warn about.
  if (isPlainProducer(collector)) return {};
  const producers = fields._metricProducers;
  if (
    !hasMethod(collector, 'selectAggregationTemporality') ||
    !Array.isArray(producers) ||
    !producers.every((p) => hasMethod(p, 'collect'))
  ) {
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
    collector: collector as unknown as CollectionPlan['collector'],
    resource: shared.resource as unknown as CollectionPlan['resource'],
    meters,
    producers: producers as unknown as CollectionPlan['producers'],
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
  const splitFrom = options.splitStoragesFrom ?? DEFAULT_SPLIT_STORAGES_FROM;
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
  const slice = new LoopSlice(options.maxSliceMs ?? DEFAULT_MAX_SLICE_MS);
  for (const { meter, errors: callbackErrors } of observed) {
    const storages = meter.metricStorageRegistry.getStorages(plan.collector);
    // MeterSharedState.collect() returns null for a meter without storages, dropping its callback errors.
    if (storages.length === 0) continue;
    const metrics: MetricData[] = [];
    for (const storage of storages) {
      if (slice.due) await slice.turn();
      if (!isStorage(storage)) {
        errors.push(new Error('incremental collection: a metric storage has no collect()'));
        continue;
      }
      try {
        const split = splitTarget(storage, plan.collector, splitFrom);
        // A small storage is one synchronous SDK call; a large one is split so it cannot hold the loop.
        const data =
          split === undefined
            ? storage.collect(plan.collector, collectionTime)
            : await collectInSlices(split.storage, split.emptyMap, plan.collector, collectionTime, slice);
        if (data != null) metrics.push(data);
      } catch (error) {
        errors.push(error);
      }
    }
    if (metrics.length > 0) scopeMetrics.push({ scope: meter._instrumentationScope, metrics });
    errors.push(...callbackErrors);
  }
  // MetricReader.collect() rejects when an extra producer fails; a scrape still serves the SDK's metrics and
  // reports the failure as a collection error.
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
    `incremental collection: collecting in one synchronous step (${reason}); incremental collection was written against @opentelemetry/sdk-metrics 3.1.0`,
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
    // Only observe() or getStorages() can get here (storage errors are caught above), where sdk-metrics's
    // own collect() would reject too. For a cumulative reader such as PrometheusReader what was collected
    // before the failure stays in the SDK's per-reader history, so the public collect() reports it in full.
    warnOnce(reader, `the incremental collection failed: ${String(error)}`);
    return reader.collect(publicOptions);
  }
}

/**
 * Collects for `reader` what `reader.collect()` would, giving the event loop a `setImmediate` turn between
 * two metric storages, and inside a large cumulative one, once collecting has held it for `maxSliceMs`. Falls back to `reader.collect()` (with
 * one `diag` warning per reader) when the SDK's private state is not shaped as in sdk-metrics 3.1.0, and
 * uses it without a warning for a reader bound to another producer (`setMetricProducer()`); like
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
