/**
 * The Redis kit: `instrumentRedis()` times every command an ioredis client sends and exports whether its
 * connection is up.
 *
 * | OTel name (default) | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `db.client.operation.duration` | Histogram | `s` | `db_client_operation_duration_seconds` | `db.system.name`, `db.operation.name`, `error.type` (failed commands) |
 * | `redis.client.connection.up` | async Gauge, 1 (ready) or 0 | none | `redis_client_connection_up` | the constant attributes |
 *
 * The duration follows the OTel database-client conventions (`db.client.operation.duration`, their advised
 * buckets, the command name as `db.operation.name`). The conventions have no "connection is up" metric, so
 * that one is named under `redis.client` rather than claiming a `db.client` name. Names, the operation
 * attribute and its case are options, so a service whose dashboards expect other names (`asdlc_redis_*`)
 * gets them from the same timing. Keys, arguments, values and server addresses never become attributes:
 * the operation is the command's name alone, bounded to `maxOperations` distinct names.
 */
import type { Attributes, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import type { Logger } from '../../logging/logger.ts';
import { createReportOnce, diagLogger, errorMessage } from '../kit-logger.ts';

/**
 * What the kit needs of a command: ioredis's `Command` (its lowercase `name` and the `resolve`/`reject`
 * callbacks its reply parser calls).
 */
export interface RedisCommandLike {
  readonly name: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * What the kit needs of a client: ioredis's `Redis` (every command, pipelined or not, goes through
 * `sendCommand`; `status` is what its connection events set: `ready`, `reconnecting`, `close`, `end`, ...).
 */
export interface RedisClientLike {
  sendCommand(command: RedisCommandLike, ...rest: never[]): unknown;
  readonly status: string;
}

/** Options of {@link instrumentRedis}. */
export interface InstrumentRedisOptions {
  /** The duration histogram's name (unit `s`); default `db.client.operation.duration`. */
  readonly durationMetric?: string;
  /** The connection gauge's name; default `redis.client.connection.up`. */
  readonly connectionUpMetric?: string;
  /** The attribute holding the command's name; default `db.operation.name`. */
  readonly operationAttribute?: string;
  /** How the command's name is written: `upper` (`GET`, the conventions' form, the default) or `lower`. */
  readonly operationCase?: 'upper' | 'lower';
  /**
   * The attribute naming why a command failed (the error's class name: `ReplyError`, or `Error` for a
   * timeout or closed connection); default `error.type`, `false` for none.
   */
  readonly errorTypeAttribute?: string | false;
  /** Constant attributes on every series; default `{ 'db.system.name': 'redis' }`. Few and bounded. */
  readonly attributes?: Attributes;
  /** Histogram bucket boundaries (s); default the conventions' advice {@link REDIS_DURATION_BUCKETS}. */
  readonly buckets?: readonly number[];
  /** Distinct command names kept as they are; later ones are recorded as `_OTHER`. Default 128. */
  readonly maxOperations?: number;
  /**
   * Which commands to time (by lowercase name); default all. A blocking command (`blmove`, `xread ...
   * block`) measures how long it waited for data, not Redis's speed: leave it out here, or instrument only
   * the connections that do not block.
   */
  readonly commands?: (name: string) => boolean;
  /** Told about the first failure while recording; default a warning through OTel's `diag`. */
  readonly logger?: Logger;
}

/** An instrumented client; `stop()` removes the timing and the gauge's callback. */
export interface InstrumentedRedis {
  stop(): void;
}

/** The duration histogram's buckets (s): the OTel database-client conventions' advice. */
export const REDIS_DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** The kit's default metric names. */
export const REDIS_METRIC_NAMES = {
  duration: 'db.client.operation.duration',
  connectionUp: 'redis.client.connection.up',
} as const;

const OTHER = '_OTHER';
const COMMAND_NAME = /^[a-z][a-z0-9_.|-]{0,63}$/i;
const ERROR_NAME = /^[A-Za-z_][\w.]{0,63}$/;
/** Error class names kept per instrumentation; a code base has few, so more means something is off. */
const MAX_ERROR_TYPES = 32;

type CommandListener = (name: string, seconds: number, error: Error | undefined) => void;

interface Patch {
  readonly listeners: Set<CommandListener>;
  /** Restores the client's own `sendCommand`. */
  readonly restore: () => void;
}

// One patch per client however many instrumentations it has: each command is timed once and every
// instrumentation hears about it.
const patches = new WeakMap<object, Patch>();
// Commands already timed: ioredis sends a command again after a reconnect; its time runs from the first send.
const timed = new WeakSet<object>();

function patchClient(client: RedisClientLike): Patch {
  const existing = patches.get(client);
  if (existing) return existing;
  const hadOwn = Object.hasOwn(client, 'sendCommand');
  const ownValue = hadOwn ? client.sendCommand : undefined;
  const original = client.sendCommand;
  const listeners = new Set<CommandListener>();
  const mutable = client as { sendCommand: RedisClientLike['sendCommand'] };
  mutable.sendCommand = function (this: unknown, command: RedisCommandLike, ...rest: never[]): unknown {
    if (listeners.size > 0 && typeof command === 'object' && command !== null && !timed.has(command)) {
      timed.add(command);
      time(command, listeners);
    }
    return original.call(this, command, ...rest);
  };
  const patch: Patch = {
    listeners,
    restore() {
      patches.delete(client);
      if (hadOwn) mutable.sendCommand = ownValue!;
      else delete (mutable as { sendCommand?: unknown }).sendCommand;
    },
  };
  patches.set(client, patch);
  return patch;
}

/** Wraps the command's reply callbacks (not its promise, so a rejection nobody handles still surfaces). */
function time(command: RedisCommandLike, listeners: ReadonlySet<CommandListener>): void {
  const start = performance.now();
  const { resolve, reject } = command;
  let settled = false;
  const settle = (error: Error | undefined): void => {
    if (settled) return;
    settled = true;
    const seconds = (performance.now() - start) / 1000;
    for (const listener of listeners) listener(command.name, seconds, error);
  };
  command.resolve = (value) => {
    settle(undefined);
    resolve.call(command, value);
  };
  command.reject = (error) => {
    settle(error instanceof Error ? error : new Error(String(error)));
    reject.call(command, error);
  };
}

/**
 * Times every command `client` sends (pipelined and transaction commands included, each on its own) into a
 * histogram with the command's name as the operation, and observes whether the connection is ready. Call it
 * more than once on a client to record the same timings under other names. Recording never throws into
 * the command path.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { instrumentRedis, startTelemetry } from '@yardstick/sdk';
 * const telemetry = await startTelemetry({ serviceName: 'jobs' });
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const redisMetrics = instrumentRedis(telemetry.meter('jobs'), redis);
 * await redis.get('greeting'); // db_client_operation_duration_seconds{db_operation_name="GET",...}
 * // on shutdown
 * redisMetrics.stop();
 * ```
 */
export function instrumentRedis(
  meter: Meter,
  client: RedisClientLike,
  options: InstrumentRedisOptions = {},
): InstrumentedRedis {
  const logger = options.logger ?? diagLogger;
  if (typeof client?.sendCommand !== 'function') {
    logger.warn({}, 'instrumentRedis: the client has no sendCommand(); nothing is recorded');
    return { stop() {} };
  }
  const constant: Attributes = options.attributes ?? { 'db.system.name': 'redis' };
  const operationAttribute = options.operationAttribute ?? 'db.operation.name';
  const errorAttribute = options.errorTypeAttribute ?? 'error.type';
  const upper = (options.operationCase ?? 'upper') === 'upper';
  const maxOperations = options.maxOperations ?? 128;
  const include = options.commands;
  const report = createReportOnce((error) =>
    logger.warn({ err: errorMessage(error) }, 'instrumentRedis: a command could not be recorded'),
  );
  const duration: Histogram = meter.createHistogram(options.durationMetric ?? REDIS_METRIC_NAMES.duration, {
    description: 'Duration of Redis commands, from sending to the reply.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...(options.buckets ?? REDIS_DURATION_BUCKETS)] },
  });
  const up: ObservableGauge = meter.createObservableGauge(
    options.connectionUpMetric ?? REDIS_METRIC_NAMES.connectionUp,
    { description: 'Whether the Redis connection is ready (1) or not (0).' },
  );

  // Attribute objects per operation (and per operation and error type), built once and reused by every
  // command: the hot path only looks them up.
  const other: Attributes = { ...constant, [operationAttribute]: OTHER };
  const byOperation = new Map<string, Attributes>();
  const byError = new Map<string, Attributes>();
  const errorTypes = new Set<string>();
  const operationOf = (name: string): Attributes => {
    const known = byOperation.get(name);
    if (known !== undefined) return known;
    if (byOperation.size >= maxOperations || !COMMAND_NAME.test(name)) return other;
    const attributes = { ...constant, [operationAttribute]: upper ? name.toUpperCase() : name.toLowerCase() };
    byOperation.set(name, attributes);
    return attributes;
  };
  const failedOf = (name: string, error: Error): Attributes => {
    const base = operationOf(name);
    if (errorAttribute === false) return base;
    let type = error.name;
    if (!errorTypes.has(type)) {
      if (errorTypes.size < MAX_ERROR_TYPES && ERROR_NAME.test(type)) errorTypes.add(type);
      else type = OTHER;
    }
    const key = `${String(base[operationAttribute])}\u0000${type}`;
    let attributes = byError.get(key);
    if (attributes === undefined) {
      attributes = { ...base, [errorAttribute]: type };
      byError.set(key, attributes);
    }
    return attributes;
  };

  const listener: CommandListener = (name, seconds, error) => {
    try {
      if (include !== undefined && !include(name)) return;
      duration.record(seconds, error === undefined ? operationOf(name) : failedOf(name, error));
    } catch (failure) {
      report(failure);
    }
  };
  const observeUp = (result: ObservableResult): void => {
    result.observe(client.status === 'ready' ? 1 : 0, constant);
  };

  const patch = patchClient(client);
  patch.listeners.add(listener);
  up.addCallback(observeUp);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      up.removeCallback(observeUp);
      patch.listeners.delete(listener);
      if (patch.listeners.size === 0) patch.restore();
    },
  };
}
