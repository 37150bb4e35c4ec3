/**
 * A cardinality attack through `startTelemetry` defaults: 1,000,000 distinct attribute sets on one counter.
 * The OTel cardinality-limit spec: the first `limit` sets are kept, the rest go to the overflow series,
 * and no measurement is lost or counted twice.
 */
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, describe, expect, it } from 'vitest';

const ATTACK = 1_000_000;
const DEFAULT_LIMIT = 2000;

let telemetry: Telemetry | undefined;
afterAll(async () => {
  await telemetry?.shutdown();
});

describe('cardinality attack through startTelemetry defaults', () => {
  it('keeps memory and /metrics bounded and puts the exact remainder on the overflow series', async () => {
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      server: { port: 0 },
      registerGlobal: false,
      logger: silentLogger,
    });
    const counter = telemetry.meter('attack').createCounter('logins');
    counter.add(1, { tenant: 'warm-up' }); // the first set, so the baseline includes the instrument's state
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it) to measure retained memory');
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < ATTACK; i++) counter.add(1, { tenant: `t-${i}` });
    await telemetry.forceFlush();
    gc();
    const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;

    const response = await fetch(`${telemetry.url}/metrics`);
    const body = await response.text();
    const series = body.split('\n').filter((line) => line.startsWith('logins_total{'));
    const values = series.map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
    const overflow = series.find((line) => line.includes('otel_metric_overflow="true"'));

    console.log(
      `cardinality attack: ${ATTACK} sets, retained heap growth ${growthMb.toFixed(1)} MiB, /metrics ${(body.length / 1024).toFixed(0)} KiB, ${series.length} series`,
    );
    expect(series).toHaveLength(DEFAULT_LIMIT + 1);
    expect(values.reduce((a, b) => a + b, 0)).toBe(ATTACK + 1);
    expect(Number(overflow?.slice(overflow.lastIndexOf(' ') + 1))).toBe(ATTACK + 1 - DEFAULT_LIMIT);
    expect(body.length).toBeLessThan(1024 * 1024);
    // generous: retaining even 50 bytes per attribute set would be ~48 MiB
    expect(growthMb).toBeLessThan(32);

    // the embedded store holds the same bounded set
    const query = await fetch(
      `${telemetry.url}/api/v1/query?query=${encodeURIComponent('count(logins_total)')}`,
    );
    const json = (await query.json()) as { data: { result: Array<{ value: [number, string] }> } };
    expect(json.data.result[0]?.value[1]).toBe(String(DEFAULT_LIMIT + 1));
  }, 120_000);
});
