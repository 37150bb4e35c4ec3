import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type MetricReaderOptions,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../logging/logger.ts';
import { trackDependency } from './track-dependency.ts';

class MemoryReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Point = DataPoint<number | Histogram>;

/** The data points of one collection, by metric name. */
async function collect(reader: MemoryReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
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
function setup(readerOptions?: MetricReaderOptions) {
  const reader = new MemoryReader(readerOptions);
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return { meter: provider.getMeter('health-test'), reader };
}

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((provider) => provider.shutdown()));
});

describe('trackDependency', () => {
  it('checks at start and on every interval; dependency.up follows the outcomes, counted by outcome', async () => {
    const { meter, reader } = setup();
    let healthy = true;
    const check = vi.fn(async () => healthy);
    const redis = trackDependency(meter, {
      name: 'redis',
      attributes: { kind: 'queue' },
      check,
      intervalMs: 1_000,
    });
    await vi.advanceTimersByTimeAsync(0);
    const base = { 'dependency.name': 'redis', kind: 'queue' };
    let points = await collect(reader);
    expect(pointValue(points, 'dependency.up', base)).toBe(1);
    expect(redis.status()).toEqual({ up: true, outcome: 'success' });

    healthy = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(check).toHaveBeenCalledTimes(3);
    points = await collect(reader);
    expect(pointValue(points, 'dependency.up', base)).toBe(0);
    expect(pointValue(points, 'dependency.checks', { ...base, 'dependency.check.outcome': 'success' })).toBe(
      1,
    );
    expect(pointValue(points, 'dependency.checks', { ...base, 'dependency.check.outcome': 'failure' })).toBe(
      2,
    );
    const failures = pointValue(points, 'dependency.check.duration', {
      'dependency.check.outcome': 'failure',
    }) as Histogram;
    expect(failures.count).toBe(2);

    healthy = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(pointValue(await collect(reader), 'dependency.up', base)).toBe(1);
    redis.stop();
  });

  it('never checks and records nothing when disabled', async () => {
    const { meter, reader } = setup();
    let checks = 0;
    const db = trackDependency(meter, {
      name: 'db',
      intervalMs: 1_000,
      enabled: false,
      check: async () => {
        checks++;
      },
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await db.checkNow()).toBeUndefined();
    expect(checks).toBe(0);
    expect(db.status()).toEqual({ up: undefined, outcome: undefined });
    expect((await collect(reader)).size).toBe(0);
    db.stop();
  });

  it('reports nothing for dependency.up before the first check has answered', async () => {
    const { meter, reader } = setup();
    const answer = deferred<boolean>();
    const db = trackDependency(meter, { name: 'db', check: () => answer.promise });
    expect(pointValue(await collect(reader), 'dependency.up', {})).toBeUndefined();
    expect(db.status()).toEqual({ up: undefined, outcome: undefined });
    answer.resolve(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(pointValue(await collect(reader), 'dependency.up', {})).toBe(1);
    db.stop();
  });

  it('turns a thrown error into a failed check whose message reaches the logger and no label', async () => {
    const { meter, reader } = setup();
    const { logger, lines } = recordingLogger();
    let fail = true;
    const pg = trackDependency(meter, {
      name: 'pg',
      logger,
      intervalMs: 1_000,
      check: async () => {
        if (fail) throw new Error('password authentication failed for user "svc"');
      },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    const points = await collect(reader);
    expect(pointValue(points, 'dependency.up', {})).toBe(0);
    expect(pointValue(points, 'dependency.checks', { 'dependency.check.outcome': 'failure' })).toBe(2);
    const labelValues = [...points.values()].flat().flatMap((point) => Object.values(point.attributes));
    expect(labelValues.some((value) => String(value).includes('password'))).toBe(false);
    expect(lines.filter((line) => line.level === 'warn')).toEqual([
      {
        level: 'warn',
        obj: { dependency: 'pg', outcome: 'failure', error: 'password authentication failed for user "svc"' },
        msg: 'dependency check failed',
      },
    ]);

    fail = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'dependency check recovered' });
    pg.stop();
  });

  it('skips a check that falls due while the previous one is still running', async () => {
    const { meter, reader } = setup();
    const answers = [deferred<boolean>(), deferred<boolean>()];
    const check = vi.fn(() => answers[check.mock.calls.length - 1]!.promise);
    const slow = trackDependency(meter, { name: 'slow', check, intervalMs: 1_000, timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(3_500);
    expect(check).toHaveBeenCalledTimes(1);
    expect(await slow.checkNow()).toBeUndefined();

    answers[0]!.resolve(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(check).toHaveBeenCalledTimes(2);
    expect(pointValue(await collect(reader), 'dependency.checks', {})).toBe(1);
    slow.stop();
  });

  it('times out a hanging check, aborts its signal, and keeps checking afterwards', async () => {
    const { meter, reader } = setup();
    const signals: AbortSignal[] = [];
    const check = vi.fn((signal: AbortSignal) => {
      signals.push(signal);
      return new Promise<boolean>(() => {});
    });
    const stuck = trackDependency(meter, { name: 'stuck', check, intervalMs: 5_000, timeoutMs: 2_000 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(signals[0]!.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signals[0]!.aborted).toBe(true);
    let points = await collect(reader);
    expect(pointValue(points, 'dependency.up', {})).toBe(0);
    expect(pointValue(points, 'dependency.checks', { 'dependency.check.outcome': 'timeout' })).toBe(1);
    const duration = pointValue(points, 'dependency.check.duration', {}) as Histogram;
    expect(duration.sum).toBeCloseTo(2, 6);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(check).toHaveBeenCalledTimes(2);
    points = await collect(reader);
    expect(pointValue(points, 'dependency.checks', { 'dependency.check.outcome': 'timeout' })).toBe(2);
    stuck.stop();
  });

  it('stops checking at stop(), records nothing from a check in flight, and drops dependency.up', async () => {
    const { meter, reader } = setup({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
    const answer = deferred<boolean>();
    let calls = 0;
    const check = () => (++calls === 1 ? Promise.resolve(true) : answer.promise);
    const api = trackDependency(meter, { name: 'api', check, intervalMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(pointValue(await collect(reader), 'dependency.up', {})).toBe(1);

    api.stop();
    api.stop();
    answer.resolve(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    expect(await api.checkNow()).toBeUndefined();
    const points = await collect(reader);
    expect(points.get('dependency.up') ?? []).toEqual([]);
    expect(points.get('dependency.checks') ?? []).toEqual([]);
    expect(api.status()).toEqual({ up: true, outcome: 'success' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not keep the process alive with its timers', async () => {
    vi.useRealTimers();
    const { meter } = setup();
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const never = trackDependency(meter, { name: 'never', check: () => new Promise<boolean>(() => {}) });
    // Both the interval and the running check's deadline exist now, and neither holds the event loop.
    expect(timers()).toBe(before);
    never.stop();
  });

  it('falls back to the default interval with a warning when intervalMs is not a positive number', async () => {
    const { meter } = setup();
    const { logger, lines } = recordingLogger();
    const check = vi.fn(async () => true);
    const cache = trackDependency(meter, { name: 'cache', check, intervalMs: 0, timeoutMs: -1, logger });
    await vi.advanceTimersByTimeAsync(14_999);
    expect(check).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(check).toHaveBeenCalledTimes(2);
    expect(lines.map((line) => line.obj)).toEqual([
      { dependency: 'cache', option: 'intervalMs', value: '0', used: 15_000 },
      { dependency: 'cache', option: 'timeoutMs', value: '-1', used: 5_000 },
    ]);
    cache.stop();
  });
});
