/**
 * Cardinality under churn through `startTelemetry`: a 10k-series limit with idle eviction, and 500 new
 * attribute sets every second for 3 minutes (on a simulated clock). The OTel limit holds at every
 * collection (never more than limit + 1 exported series), nothing recorded is lost or counted twice while
 * a series lives, and the heap stops growing once eviction keeps pace.
 */
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, describe, expect, it } from 'vitest';

const LIMIT = 10_000;
const NEW_SETS_PER_SECOND = 500;
const SECONDS = 180;
const IDLE_MS = 60_000;

let telemetry: Telemetry | undefined;
const realNow = Date.now;
afterAll(async () => {
  Date.now = realNow;
  await telemetry?.shutdown();
});

describe('cardinality under churn with idle eviction', () => {
  it('never exports more than limit + 1 series and keeps the heap flat', async () => {
    let now = Date.now();
    // A plain override, not vi.spyOn: a spy keeps every call it sees, which is itself a leak over 90k sets.
    Date.now = () => now;
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      server: { port: 0 },
      store: { enabled: false },
      registerGlobal: false,
      logger: silentLogger,
      metrics: { process: false },
      cardinality: { defaultLimit: LIMIT, idleEvictionMs: IDLE_MS },
    });
    const counter = telemetry.meter('churn').createCounter('sessions');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it) to measure retained memory');
    const heapAt = new Map<number, number>();
    let maxSeries = 0;
    const admitted = new Set<string>();
    let recorded = 0;
    for (let second = 1; second <= SECONDS; second++) {
      now += 1_000;
      for (let i = 0; i < NEW_SETS_PER_SECOND; i++) {
        counter.add(1, { session: `s-${second}-${i}`, region: `r${i % 4}` });
        recorded++;
      }
      const { resourceMetrics } = await telemetry.prometheus.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((m) => m.descriptor.name === 'sessions');
      const points = metric?.dataPoints ?? [];
      const series = points.length;
      maxSeries = Math.max(maxSeries, series);
      expect(series).toBeLessThanOrEqual(LIMIT + 1);
      for (const point of points) {
        const session = point.attributes.session;
        if (typeof session !== 'string') continue;
        // Each set was recorded once: while its series lives it holds exactly that measurement.
        expect(point.value).toBe(1);
        admitted.add(session);
      }
      if (second % 60 === 0) {
        gc();
        heapAt.set(second, process.memoryUsage().heapUsed);
      }
    }
    const growthMb = (heapAt.get(180)! - heapAt.get(120)!) / 1024 / 1024;
    console.log(
      `churn: ${recorded} sets in ${SECONDS} s, ${admitted.size} had a series of their own at some point, at most ${maxSeries} series exported at once; heap at 60/120/180 s: ${[
        60, 120, 180,
      ]
        .map((s) => (heapAt.get(s)! / 1024 / 1024).toFixed(1))
        .join(' / ')} MiB`,
    );
    expect(maxSeries).toBe(LIMIT + 1);
    // Without eviction only the first 10k sets would ever have had a series of their own.
    expect(admitted.size).toBeGreaterThanOrEqual(3 * LIMIT);
    // A retained set would cost at least ~100 bytes: 30k sets retained over the last minute would be ~3 MiB.
    expect(growthMb).toBeLessThan(3);
  }, 180_000);
});
