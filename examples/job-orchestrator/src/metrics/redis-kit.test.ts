/**
 * The SDK's Redis kit (`instrumentRedis`) on a real ioredis client and redis-server, read from `/metrics`:
 * every command counted once by name (single, pipelined, MULTI), failures with error.type, no key or value
 * in any label, and the connection gauge following Redis going away and coming back.
 */
import { instrumentRedis, silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, type RunningPeer, tempDir } from '../../../../test/support/peers.ts';
import { waitFor } from '../../../../test/support/wait-for.ts';
import { parseSamples, sampleValue } from '../testing/exposition.ts';
import { redisPeer as redis, startRedisServer } from '../testing/redis-server.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(redis.skipReason !== undefined)('instrumentRedis against a real redis-server', () => {
  it('times every command by name, never keys or values, and follows the connection', async () => {
    const data = tempDir('yardstick-redis-kit-');
    cleanups.push(data.cleanup);
    const port = await freePort();
    let server: RunningPeer = await startRedisServer(port, data.dir);
    cleanups.push(() => server.stop());
    const telemetry: Telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
      store: { enabled: false },
    });
    cleanups.push(() => telemetry.shutdown());
    const client = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 100,
      lazyConnect: true,
    });
    client.on('error', () => undefined);
    cleanups.push(() => client.disconnect());
    await client.connect();
    const instrumented = instrumentRedis(telemetry.meter('redis-kit-test'), client);

    await client.set('session:ada:token', 's3cr3t-value');
    await client.get('session:ada:token');
    await client.pipeline().get('a').get('b').incr('counter').exec();
    await client.multi().set('x', '1').get('x').exec();
    await expect(client.incr('session:ada:token')).rejects.toThrow(/not an integer/);

    const scrape = async () => (await fetch(`${telemetry.url}/metrics`)).text();
    let body = await scrape();
    const count = (operation: string, error?: string) =>
      sampleValue(body, 'db_client_operation_duration_seconds_count', {
        db_system_name: 'redis',
        db_operation_name: operation,
        error_type: error ?? null,
      });
    expect(count('SET')).toBe(2);
    expect(count('GET')).toBe(4);
    expect(count('INCR')).toBe(1);
    expect(count('MULTI')).toBe(1);
    expect(count('EXEC')).toBe(1);
    expect(count('INCR', 'ReplyError')).toBe(1);
    const values = parseSamples(body).flatMap((sample) => Object.values(sample.labels));
    expect(values.filter((value) => /session|ada|s3cr3t|counter|127\.0\.0\.1/.test(value))).toEqual([]);
    expect(sampleValue(body, 'redis_client_connection_up', { db_system_name: 'redis' })).toBe(1);

    await server.stop();
    await waitFor(
      'redis_client_connection_up 0 once redis-server is gone',
      async () => (sampleValue(await scrape(), 'redis_client_connection_up', {}) === 0 ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    await expect(client.get('a')).rejects.toThrow();
    server = await startRedisServer(port, data.dir);
    await waitFor(
      'redis_client_connection_up 1 once redis-server is back',
      async () => (sampleValue(await scrape(), 'redis_client_connection_up', {}) === 1 ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const gets = () =>
      sampleValue(body, 'db_client_operation_duration_seconds_count', { db_operation_name: 'GET' });
    body = await scrape();
    // The GET sent while Redis was away was recorded too, as a failure.
    expect(sampleValue(body, 'db_client_operation_duration_seconds_count', { error_type: 'Error' })).toBe(1);
    const before = gets();
    instrumented.stop();
    await client.get('a');
    body = await scrape();
    expect(gets()).toBe(before);
  }, 60_000);
});
