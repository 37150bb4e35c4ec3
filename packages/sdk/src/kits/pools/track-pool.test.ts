import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../logging/logger.ts';
import { trackPool } from './track-pool.ts';

class MemoryReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Point = DataPoint<number | Histogram>;

/** The data points of one collection, by metric name. */
async function collect(reader: MemoryReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return pointsByName(resourceMetrics);
}

function pointsByName(resourceMetrics: ResourceMetrics): Map<string, Point[]> {
  const points = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) points.set(metric.descriptor.name, metric.dataPoints as Point[]);
  }
  return points;
}

/** The value of the one point of `name` whose attributes include `where`. */
function pointValue(
  points: Map<string, Point[]>,
  name: string,
  where: Attributes,
): Point['value'] | undefined {
  const matching = (points.get(name) ?? []).filter((point) =>
    Object.entries(where).every(([key, value]) => point.attributes[key] === value),
  );
  expect(matching.length).toBeLessThanOrEqual(1);
  return matching[0]?.value;
}

const providers: MeterProvider[] = [];
function setup() {
  const reader = new MemoryReader();
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { meter: provider.getMeter('pools-test'), reader };
}

function recordingLogger() {
  const warnings: { obj: object; msg: string | undefined }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (obj, msg) => warnings.push({ obj, msg }),
    error() {},
  };
  return { logger, warnings };
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

describe('trackPool', () => {
  it('reports the callbacks at every collection, by state, with pool.name and the constant attributes', async () => {
    const { meter, reader } = setup();
    const pool = { idle: 3, used: 2, bad: 1, waiting: 4 };
    trackPool(meter, {
      name: 'proxies',
      attributes: { region: 'eu' },
      idle: () => pool.idle,
      inUse: () => pool.used,
      unhealthy: () => pool.bad,
      max: () => 10,
      pending: () => pool.waiting,
    });
    const first = await collect(reader);
    const base = { 'pool.name': 'proxies', region: 'eu' };
    expect(pointValue(first, 'pool.items', { ...base, 'pool.item.state': 'idle' })).toBe(3);
    expect(pointValue(first, 'pool.items', { ...base, 'pool.item.state': 'used' })).toBe(2);
    expect(pointValue(first, 'pool.items', { ...base, 'pool.item.state': 'unhealthy' })).toBe(1);
    expect(pointValue(first, 'pool.limit', base)).toBe(10);
    expect(pointValue(first, 'pool.pending_requests', base)).toBe(4);

    Object.assign(pool, { idle: 0, used: 5, bad: 0, waiting: 7 });
    const second = await collect(reader);
    expect(pointValue(second, 'pool.items', { 'pool.item.state': 'idle' })).toBe(0);
    expect(pointValue(second, 'pool.items', { 'pool.item.state': 'used' })).toBe(5);
    expect(pointValue(second, 'pool.items', { 'pool.item.state': 'unhealthy' })).toBe(0);
    expect(pointValue(second, 'pool.pending_requests', {})).toBe(7);
  });

  it('derives the missing state from size() so the states add up to the size', async () => {
    const { meter, reader } = setup();
    trackPool(meter, { name: 'workers', size: () => 8, idle: () => 3, unhealthy: () => 1 });
    const points = await collect(reader);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'used' })).toBe(4);
    expect(pointValue(points, 'pool.limit', {})).toBeUndefined();
  });

  it('keeps two pools on one meter apart by pool.name', async () => {
    const { meter, reader } = setup();
    trackPool(meter, { name: 'gpt', idle: () => 1 });
    trackPool(meter, { name: 'claude', idle: () => 2 });
    const points = await collect(reader);
    expect(pointValue(points, 'pool.items', { 'pool.name': 'gpt' })).toBe(1);
    expect(pointValue(points, 'pool.items', { 'pool.name': 'claude' })).toBe(2);
  });

  it('still collects the other series and instruments when one callback throws, and warns once', async () => {
    const { meter, reader } = setup();
    const { logger, warnings } = recordingLogger();
    const other = meter.createCounter('jobs');
    other.add(5);
    trackPool(meter, {
      name: 'redis',
      logger,
      idle: () => {
        throw new Error('pool closed under us');
      },
      inUse: () => 2,
      max: () => Number.NaN,
    });
    trackPool(meter, { name: 'http', idle: () => 9 });
    for (let i = 0; i < 3; i++) {
      const points = await collect(reader);
      expect(
        pointValue(points, 'pool.items', { 'pool.name': 'redis', 'pool.item.state': 'idle' }),
      ).toBeUndefined();
      expect(pointValue(points, 'pool.items', { 'pool.name': 'redis', 'pool.item.state': 'used' })).toBe(2);
      expect(pointValue(points, 'pool.limit', { 'pool.name': 'redis' })).toBeUndefined();
      expect(pointValue(points, 'pool.items', { 'pool.name': 'http' })).toBe(9);
      expect(pointValue(points, 'jobs', {})).toBe(5);
    }
    expect(warnings.map((warning) => warning.obj)).toEqual([
      { pool: 'redis', callback: 'idle', error: 'pool closed under us' },
      { pool: 'redis', callback: 'max', value: 'NaN' },
    ]);
  });

  it('records wait and use times of leases in seconds, and counts the leases in flight', async () => {
    vi.useFakeTimers();
    const { meter, reader } = setup();
    const pool = trackPool(meter, { name: 'db', size: () => 4 });
    const lease = pool.acquireStarted();
    const waiting = pool.acquireStarted();
    let points = await collect(reader);
    expect(pointValue(points, 'pool.pending_requests', {})).toBe(2);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'used' })).toBe(0);

    vi.advanceTimersByTime(250);
    lease.acquired();
    vi.advanceTimersByTime(1_500);
    points = await collect(reader);
    expect(pointValue(points, 'pool.pending_requests', {})).toBe(1);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'used' })).toBe(1);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'idle' })).toBe(3);
    lease.released();
    waiting.failed();

    points = await collect(reader);
    const wait = pointValue(points, 'pool.wait_time', { 'pool.name': 'db' }) as Histogram;
    const use = pointValue(points, 'pool.use_time', { 'pool.name': 'db' }) as Histogram;
    expect(wait.count).toBe(1);
    expect(wait.sum).toBeCloseTo(0.25, 6);
    expect(use.count).toBe(1);
    expect(use.sum).toBeCloseTo(1.5, 6);
    expect(pointValue(points, 'pool.pending_requests', {})).toBe(0);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'used' })).toBe(0);
    expect(pointValue(points, 'pool.timeouts', {})).toBeUndefined();
  });

  it('counts timeouts without recording a wait time for them', async () => {
    const { meter, reader } = setup();
    const pool = trackPool(meter, { name: 'llm', attributes: { kind: 'backend' } });
    pool.acquireStarted().timedOut();
    pool.acquireStarted().timedOut();
    const points = await collect(reader);
    expect(pointValue(points, 'pool.timeouts', { 'pool.name': 'llm', kind: 'backend' })).toBe(2);
    expect(pointValue(points, 'pool.wait_time', {})).toBeUndefined();
    expect(pointValue(points, 'pool.pending_requests', {})).toBe(0);
  });

  it('ignores lease calls out of order, warning once, without throwing', async () => {
    const { meter, reader } = setup();
    const { logger, warnings } = recordingLogger();
    const pool = trackPool(meter, { name: 'q', logger });
    const lease = pool.acquireStarted();
    lease.acquired();
    lease.released();
    lease.released();
    lease.acquired();
    lease.released();
    const points = await collect(reader);
    expect((pointValue(points, 'pool.use_time', {}) as Histogram).count).toBe(1);
    expect((pointValue(points, 'pool.wait_time', {}) as Histogram).count).toBe(1);
    expect(pointValue(points, 'pool.items', { 'pool.item.state': 'used' })).toBe(0);
    expect(warnings.map((warning) => warning.obj)).toEqual([
      { pool: 'q', call: 'released' },
      { pool: 'q', call: 'acquired' },
    ]);
  });

  it('stops calling its callbacks at close(), reports its series as 0 and records nothing from leases', async () => {
    const { meter, reader } = setup();
    const idle = vi.fn(() => 1);
    const pool = trackPool(meter, { name: 'gone', idle, max: () => 2, pending: () => 3 });
    const lease = pool.acquireStarted();
    expect(pointValue(await collect(reader), 'pool.items', { 'pool.item.state': 'idle' })).toBe(1);
    const calls = idle.mock.calls.length;
    pool.close();
    pool.close();
    lease.acquired();
    lease.released();
    pool.acquireStarted().timedOut();
    for (let i = 0; i < 2; i++) {
      const points = await collect(reader);
      for (const name of ['pool.items', 'pool.limit', 'pool.pending_requests']) {
        expect((points.get(name) ?? []).map((point) => point.value)).toEqual(
          name === 'pool.items' ? [0, 0] : [0],
        );
      }
      for (const name of ['pool.wait_time', 'pool.use_time', 'pool.timeouts']) {
        expect(points.get(name) ?? []).toEqual([]);
      }
    }
    expect(idle.mock.calls.length).toBe(calls);
  });

  it('zeroes at close() a series whose callback answered once and has thrown since', async () => {
    const { meter, reader } = setup();
    const { logger } = recordingLogger();
    let broken = false;
    const pool = trackPool(meter, {
      name: 'flaky',
      logger,
      max: () => {
        if (broken) throw new Error('gone');
        return 4;
      },
    });
    expect(pointValue(await collect(reader), 'pool.limit', {})).toBe(4);
    broken = true;
    await collect(reader);
    pool.close();
    expect(pointValue(await collect(reader), 'pool.limit', {})).toBe(0);
  });

  it('leaves a delta reader with no series of a closed pool after the closing collection', async () => {
    const reader = new MemoryReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    const provider = new MeterProvider({ readers: [reader] });
    providers.push(provider);
    const meter = provider.getMeter('pools-test');
    const pool = trackPool(meter, { name: 'gone', idle: () => 1 });
    await collect(reader);
    pool.close();
    await collect(reader);
    const points = await collect(reader);
    expect(points.get('pool.items') ?? []).toEqual([]);
  });

  it('records nothing when enabled is false, with the same API', async () => {
    const { meter, reader } = setup();
    const idle = vi.fn(() => 1);
    const pool = trackPool(meter, { name: 'off', enabled: false, idle });
    const lease = pool.acquireStarted();
    lease.acquired();
    lease.released();
    pool.acquireStarted().timedOut();
    pool.close();
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)).toEqual([]);
    expect(idle).not.toHaveBeenCalled();
    expect(pool.name).toBe('off');
  });
});
