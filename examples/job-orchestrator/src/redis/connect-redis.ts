/**
 * Redis connections for the orchestrator: fail fast while Redis is away (no offline queue, so a health
 * check or a queue-depth read answers at once instead of waiting for a reconnect), reconnect forever with a
 * capped delay, and never print a password.
 */

import type { Logger } from '@yardstick/sdk';
import { Redis } from 'ioredis';
import { OrchestratorError } from '../errors.ts';

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** A name for the connection, shown by `CLIENT LIST` and in log lines. */
  readonly name: string;
  /** How long the first connection may take (ms). */
  readonly connectTimeoutMs: number;
  /** A reply deadline for every command (ms); leave unset on a connection that runs blocking commands. */
  readonly commandTimeoutMs?: number;
  /**
   * For a connection that runs blocking takes: a take gives up client-side this long (ms) after its own
   * timeout, so a half-open TCP connection (a partition, a host gone without a FIN) cannot hang a worker.
   */
  readonly blockingGraceMs?: number;
  /** The longest pause between two reconnection attempts (ms). */
  readonly maxReconnectDelayMs: number;
  readonly logger: Logger;
}

/**
 * `redis://user:secret@host:6379/0` as `redis://host:6379/0`: what log lines and messages may show.
 * An unparsable URL is shown as `(invalid Redis URL)`, since it may still hold a password.
 */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid Redis URL)';
  }
}

/**
 * Opens a connection and waits until it is ready.
 *
 * @throws OrchestratorError `REDIS_UNAVAILABLE` when Redis cannot be reached within `connectTimeoutMs`
 */
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<Redis> {
  const where = describeRedisUrl(url);
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      connectionName: options.name,
      connectTimeout: options.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
      // ioredis applies blockingTimeout only to commands blocking forever; a finite take gets its own
      // timeout plus the grace.
      ...(options.blockingGraceMs === undefined
        ? {}
        : { blockingTimeout: 60_000, blockingTimeoutGrace: options.blockingGraceMs }),
      retryStrategy: (attempt) => Math.min(100 * attempt, options.maxReconnectDelayMs),
    });
  } catch (error) {
    throw new OrchestratorError('REDIS_UNAVAILABLE', `invalid Redis URL ${where}`, { cause: error });
  }
  // ioredis emits 'error' on every failed reconnection; without a listener Node would throw it. Outages are
  // reported by the dependency check (a warning per outage), so each socket error stays at debug.
  redis.on('error', (error: Error) => {
    options.logger.debug({ redis: where, connection: options.name, err: error.message }, 'redis error');
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new OrchestratorError('REDIS_UNAVAILABLE', `cannot reach Redis at ${where}: ${reason}`, {
      cause: error,
    });
  }
}
