import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProxy, startFakeProxy } from '../demo/fake-proxy.ts';
import { ProxyPool } from './proxy-pool.ts';
import type { ProxyPoolError } from './proxy-pool-error.ts';

let telemetry: Telemetry;
let proxy: FakeProxy;
const pools: ProxyPool[] = [];

beforeAll(async () => {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    store: { enabled: false },
    metrics: { process: false },
  });
  proxy = await startFakeProxy({ name: 'only', credentials: 'bob:right' });
});

afterAll(async () => {
  for (const pool of pools) pool.close();
  await proxy.stop();
  await telemetry.shutdown();
});

function pool(name: string, overrides: Partial<ConstructorParameters<typeof ProxyPool>[0]> = {}): ProxyPool {
  const created = new ProxyPool({
    name,
    region: 'eu-west',
    meter: telemetry.meter('proxy-rotation-unit'),
    proxies: [{ id: 'only', url: `http://bob:right@127.0.0.1:${proxy.port}` }],
    maxInFlightPerProxy: 1,
    acquireTimeoutMs: 300,
    health: { intervalMs: 100, timeoutMs: 300, unhealthyAfter: 1, healthyAfter: 1 },
    ...overrides,
  });
  pools.push(created);
  return created;
}

async function metricLine(prefix: string): Promise<string | undefined> {
  const body = await (await fetch(`${telemetry.url}/metrics`)).text();
  return body.split('\n').find((line) => line.startsWith(prefix));
}

describe('ProxyPool', () => {
  it('queues an acquire while every proxy is busy, serves it on release, and times it out otherwise', async () => {
    // a generous wait here: the /metrics read below must not outlast the queued acquire on a busy machine
    const busy = pool('queueing', { acquireTimeoutMs: 30_000 });
    const first = await busy.acquire();
    const waiting = busy.acquire();
    expect(await metricLine('pool_pending_requests{pool_name="queueing"')).toMatch(/ 1$/);
    first.release({ ok: true, latencyMs: 12 });
    first.release({ ok: false }); // a second release is ignored
    const second = await waiting;
    expect(busy.status()).toEqual([{ id: 'only', healthy: true, inFlight: 1, uses: 2 }]);

    second.release({ ok: true, latencyMs: Number.NaN });
    expect(await metricLine('proxy_requests_total{outcome="success",pool_name="queueing"')).toMatch(/ 2$/);
    // the NaN latency was dropped, the 12 ms one kept
    expect(
      await metricLine('proxy_request_duration_seconds_count{outcome="success",pool_name="queueing"'),
    ).toMatch(/ 1$/);

    // with every proxy busy past the 300 ms acquire timeout, an acquire fails and is counted
    const short = pool('queueing-timeout');
    const held = await short.acquire();
    const error = (await short.acquire().catch((e: unknown) => e)) as ProxyPoolError;
    expect(error.code).toBe('POOL_EXHAUSTED');
    expect(await metricLine('pool_timeouts_total{pool_name="queueing-timeout"')).toMatch(/ 1$/);
    held.release({ ok: true });
  });

  it('rejects waiting and new acquires once closed', async () => {
    const closing = pool('closing');
    const held = await closing.acquire();
    const waiting = closing.acquire().then(
      () => undefined,
      (e: unknown) => e as ProxyPoolError,
    );
    closing.close();
    expect((await waiting)?.code).toBe('POOL_CLOSED');
    expect(((await closing.acquire().catch((e: unknown) => e)) as ProxyPoolError).code).toBe('POOL_CLOSED');
    held.release({ ok: true });
  });

  it('takes a proxy out when its CONNECT probe is refused for bad credentials, and keeps a TCP-probed one', async () => {
    const wrong = pool('wrong-credentials', {
      proxies: [{ id: 'only', url: `http://bob:wrong@127.0.0.1:${proxy.port}` }],
    });
    const tcp = pool('tcp-probe', {
      proxies: [{ id: 'only', url: `http://bob:wrong@127.0.0.1:${proxy.port}` }],
      health: { intervalMs: 100, timeoutMs: 300, unhealthyAfter: 1, healthyAfter: 1, probe: 'tcp' },
    });
    // Checks run every 100 ms from construction; a bounded wait for the first failed one.
    const deadline = Date.now() + 3_000;
    while (wrong.status()[0]!.healthy && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await tcp.checkNow();
    expect(wrong.status()[0]!.healthy).toBe(false);
    expect(tcp.status()[0]!.healthy).toBe(true);
    const error = (await wrong.acquire().catch((e: unknown) => e)) as ProxyPoolError;
    expect(error.code).toBe('POOL_EXHAUSTED');
  });

  it('refuses duplicate proxy ids', () => {
    expect(() =>
      pool('duplicates', {
        proxies: [
          { id: 'a', url: 'http://127.0.0.1:1' },
          { id: 'a', url: 'http://127.0.0.1:2' },
        ],
      }),
    ).toThrow(expect.objectContaining({ code: 'PROXY_SPEC_INVALID' }));
  });
});
