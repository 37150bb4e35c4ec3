/**
 * instrumentRedis on a client shaped like ioredis's (commands settle through their resolve/reject callbacks
 * after sendCommand returns). The same kit against a real redis-server and ioredis is tested in
 * examples/job-orchestrator/src/metrics/redis-kit.test.ts.
 */
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../logging/logger.ts';
import { instrumentRedis, type RedisCommandLike } from './instrument-redis.ts';

class MemoryReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

type Point = DataPoint<number | Histogram>;

async function collect(reader: MemoryReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics } = await reader.collect();
  const points = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) points.set(metric.descriptor.name, metric.dataPoints as Point[]);
  return points;
}

/** A command as ioredis builds it: a promise settled by the reply parser through resolve/reject. */
function command(
  name: string,
  ...args: string[]
): RedisCommandLike & { promise: Promise<unknown>; args: string[] } {
  let resolve!: (value: unknown) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { name, args, promise, resolve, reject };
}

class ReplyError extends Error {
  override name = 'ReplyError';
}

/** Replies on the next tick: OK, or a ReplyError for `fail`. */
class FakeRedis {
  status = 'ready';
  sent: string[] = [];
  sendCommand(cmd: RedisCommandLike & { promise: Promise<unknown> }): Promise<unknown> {
    this.sent.push(cmd.name);
    setImmediate(() => (cmd.name === 'fail' ? cmd.reject(new ReplyError('ERR no')) : cmd.resolve('OK')));
    return cmd.promise;
  }
}

function setup() {
  const reader = new MemoryReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { meter: provider.getMeter('redis-test'), reader };
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('instrumentRedis', () => {
  it('records each command once by name, never its arguments, with error.type on failures', async () => {
    const { meter, reader } = setup();
    const redis = new FakeRedis();
    instrumentRedis(meter, redis, { logger: silent });
    await redis.sendCommand(command('get', 'user:42:secret-token'));
    await redis.sendCommand(command('get', 'user:43'));
    await redis.sendCommand(command('set', 'k', 'hunter2'));
    await expect(redis.sendCommand(command('fail'))).rejects.toThrow('ERR no');
    const points = (await collect(reader)).get('db.client.operation.duration')!;
    const summary = points.map((p) => [p.attributes, (p.value as Histogram).count]);
    expect(summary).toEqual(
      expect.arrayContaining([
        [{ 'db.system.name': 'redis', 'db.operation.name': 'GET' }, 2],
        [{ 'db.system.name': 'redis', 'db.operation.name': 'SET' }, 1],
        [{ 'db.system.name': 'redis', 'db.operation.name': 'FAIL', 'error.type': 'ReplyError' }, 1],
      ]),
    );
    expect(points).toHaveLength(3);
    expect(JSON.stringify(points)).not.toMatch(/secret|hunter2|user:/);
  });

  it('admits maxOperations names, then records _OTHER; a name that is no command is _OTHER', async () => {
    const { meter, reader } = setup();
    const redis = new FakeRedis();
    instrumentRedis(meter, redis, { maxOperations: 2, operationCase: 'lower', logger: silent });
    for (const name of ['get', 'set', 'hget', 'get', 'bad name {x}']) await redis.sendCommand(command(name));
    const ops = (await collect(reader))
      .get('db.client.operation.duration')!
      .map((p) => [p.attributes['db.operation.name'], (p.value as Histogram).count]);
    expect(ops).toEqual(
      expect.arrayContaining([
        ['get', 2],
        ['set', 1],
        ['_OTHER', 2],
      ]),
    );
    expect(ops).toHaveLength(3);
  });

  it('lets two instrumentations record the same commands under their own names, and stop() restores the client', async () => {
    const { meter, reader } = setup();
    const redis = new FakeRedis();
    const standard = instrumentRedis(meter, redis, { logger: silent });
    const custom = instrumentRedis(meter, redis, {
      durationMetric: 'asdlc.redis.latency',
      connectionUpMetric: 'asdlc.redis.connection_up',
      operationAttribute: 'operation',
      operationCase: 'lower',
      errorTypeAttribute: false,
      attributes: { service: 'workers' },
      logger: silent,
    });
    await redis.sendCommand(command('ping'));
    await expect(redis.sendCommand(command('fail'))).rejects.toThrow();
    let points = await collect(reader);
    expect(points.get('asdlc.redis.latency')!.map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { service: 'workers', operation: 'ping' },
        { service: 'workers', operation: 'fail' },
      ]),
    );
    expect(points.get('asdlc.redis.connection_up')!.map((p) => [p.attributes, p.value])).toEqual([
      [{ service: 'workers' }, 1],
    ]);
    expect(points.get('db.client.operation.duration')).toHaveLength(2);

    standard.stop();
    custom.stop();
    expect(Object.hasOwn(redis, 'sendCommand')).toBe(false);
    await redis.sendCommand(command('ping'));
    points = await collect(reader);
    const ping = points.get('asdlc.redis.latency')!.find((p) => p.attributes.operation === 'ping')!
      .value as Histogram;
    expect(ping.count).toBe(1);
  });

  it('reports the connection as 0 while the client is not ready', async () => {
    const { meter, reader } = setup();
    const redis = new FakeRedis();
    redis.status = 'reconnecting';
    instrumentRedis(meter, redis, { logger: silent });
    const up = (await collect(reader)).get('redis.client.connection.up')!;
    expect(up.map((p) => p.value)).toEqual([0]);
  });

  it('times a command sent again after a reconnect once, from its first send', async () => {
    const { meter, reader } = setup();
    const redis = new FakeRedis();
    instrumentRedis(meter, redis, { logger: silent });
    const cmd = command('get');
    const first = redis.sendCommand(cmd);
    redis.sendCommand(cmd);
    await first;
    const count = ((await collect(reader)).get('db.client.operation.duration')![0]!.value as Histogram).count;
    expect(count).toBe(1);
    expect(redis.sent).toEqual(['get', 'get']);
  });

  it('warns and records nothing for something that is not a client', () => {
    const { meter } = setup();
    const warnings: string[] = [];
    const logger: Logger = { ...silent, warn: (_obj, msg) => warnings.push(msg ?? '') };
    instrumentRedis(meter, {} as FakeRedis, { logger }).stop();
    expect(warnings).toEqual(['instrumentRedis: the client has no sendCommand(); nothing is recorded']);
  });
});
