import { createNoopMeter } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoreMeterProvider } from '../provider/core-meter-provider.ts';
import { createSummary } from './summary.ts';
import type { SummaryDataPoint } from './summary-data.ts';

async function points(provider: CoreMeterProvider): Promise<SummaryDataPoint[]> {
  const scopes = await provider.collectSummaries();
  return scopes.flatMap((scope) => scope.metrics.flatMap((metric) => metric.dataPoints));
}

function quantile(point: SummaryDataPoint | undefined, q: number): number | undefined {
  return point?.quantiles.find((entry) => entry.quantile === q)?.value;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createSummary', () => {
  it("reports count, sum and prom-client's default percentiles per attribute set", async () => {
    const provider = new CoreMeterProvider();
    const summary = createSummary(provider.getMeter('checkout'), 'checkout.duration', { unit: 's' });
    for (let i = 1; i <= 100; i++) summary.record(i / 100, { route: '/pay' });
    summary.record(5, { route: '/cart' });
    const [scope] = await provider.collectSummaries();
    expect(scope?.scope.name).toBe('checkout');
    expect(scope?.metrics[0]?.descriptor).toEqual({ name: 'checkout.duration', description: '', unit: 's' });
    const [pay, cart] = scope?.metrics[0]?.dataPoints ?? [];
    expect(pay?.attributes).toEqual({ route: '/pay' });
    expect(pay?.count).toBe(100);
    expect(pay?.sum).toBeCloseTo(50.5, 10);
    expect(pay?.quantiles.map((entry) => entry.quantile)).toEqual([0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]);
    // Rank floor(0.5 * 99) = 49: the value 0.5.
    expect(quantile(pay, 0.5)).toBeGreaterThan(0.5 * (1 - (pay?.relativeError ?? 0)) - 1e-12);
    expect(quantile(pay, 0.5)).toBeLessThan(0.5 * (1 + (pay?.relativeError ?? 0)) + 1e-12);
    expect(cart?.count).toBe(1);
    expect(quantile(cart, 0.99)).toBe(5);
  });

  it('drops values that are not finite numbers with one warning, and never throws', async () => {
    const warnings: string[] = [];
    const provider = new CoreMeterProvider({ warn: (message) => warnings.push(message) });
    const summary = createSummary(provider.getMeter('m'), 'sizes');
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '3' as unknown as number,
      undefined as unknown as number,
    ])
      expect(() => summary.record(bad)).not.toThrow();
    summary.record(2);
    const [point] = await points(provider);
    expect(point?.count).toBe(1);
    expect(warnings.filter((w) => w.includes('sizes'))).toHaveLength(1);
  });

  it('sends attribute sets past the series limit to the overflow series, as other instruments do', async () => {
    const provider = new CoreMeterProvider({ cardinalityLimit: 3 });
    const summary = createSummary(provider.getMeter('m'), 'latency');
    for (let i = 0; i < 10; i++) summary.record(i, { user: `u${i}` });
    const all = await points(provider);
    expect(all).toHaveLength(4);
    const overflow = all.find((p) => p.attributes['otel.metric.overflow'] === true);
    expect(overflow?.count).toBe(7);
    const stats = [...provider.stats()].find((s) => s.instrument === 'latency');
    expect(stats).toMatchObject({ kind: 'SUMMARY', series: 3, overflowMeasurements: 7 });
  });

  it("applies the provider's attribute policy (redaction, budgets) once per attribute set", async () => {
    const provider = new CoreMeterProvider({
      attributePolicy: () => (attributes) => ({ ...attributes, token: '[redacted]' }),
    });
    const summary = createSummary(provider.getMeter('m'), 'latency');
    summary.record(1, { token: 'secret-1' });
    summary.record(2, { token: 'secret-2' });
    const all = await points(provider);
    expect(all.map((p) => p.attributes)).toEqual([{ token: '[redacted]' }]);
    expect(all[0]?.count).toBe(2);
  });

  it('gives the same summary for the same name, and uses defaults for invalid options with a warning', async () => {
    const warnings: string[] = [];
    const provider = new CoreMeterProvider({ warn: (message) => warnings.push(message) });
    const meter = provider.getMeter('m');
    const first = createSummary(meter, 'q', { percentiles: [2, 0.5], ageBuckets: 0 });
    expect(createSummary(meter, 'q', { percentiles: [2, 0.5], ageBuckets: 0 })).toBe(first);
    first.record(1);
    const [point] = await points(provider);
    expect(point?.quantiles).toHaveLength(7);
    expect(warnings.some((w) => w.includes('percentiles must be'))).toBe(true);
    expect(warnings.some((w) => w.includes('ageBuckets must be'))).toBe(true);
  });

  it('records nothing on a meter that is not the core’s, and says so', () => {
    const warn = vi.fn();
    const summary = createSummary(createNoopMeter(), 'x', {}, warn);
    expect(() => summary.record(1)).not.toThrow();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('records nothing'));
  });

  it('forgets values older than maxAgeSeconds while count and sum keep counting', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'performance'] });
    const provider = new CoreMeterProvider();
    const summary = createSummary(provider.getMeter('m'), 'latency', {
      percentiles: [1],
      maxAgeSeconds: 60,
      ageBuckets: 3,
    });
    summary.record(100);
    vi.advanceTimersByTime(30_000);
    summary.record(1);
    expect(quantile((await points(provider))[0], 1)).toBe(100);
    // 60 s after the first value its period is reused: only the value recorded at 30 s is left.
    vi.advanceTimersByTime(30_000);
    let [point] = await points(provider);
    expect(quantile(point, 1)).toBe(1);
    expect(point?.count).toBe(2);
    expect(point?.sum).toBe(101);
    vi.advanceTimersByTime(40_000);
    [point] = await points(provider);
    expect(quantile(point, 1)).toBeNaN();
    expect(point?.count).toBe(2);
  });

  it('times a block in seconds with startTimer', async () => {
    vi.useFakeTimers({ now: 0, toFake: ['performance', 'Date'] });
    const provider = new CoreMeterProvider();
    const summary = createSummary(provider.getMeter('m'), 'job.duration', { unit: 's' });
    const end = summary.startTimer({ job: 'a' });
    vi.advanceTimersByTime(1500);
    expect(end({ status: 'ok' })).toBeCloseTo(1.5, 6);
    const [point] = await points(provider);
    expect(point?.attributes).toEqual({ job: 'a', status: 'ok' });
    expect(point?.sum).toBeCloseTo(1.5, 6);
  });
});
