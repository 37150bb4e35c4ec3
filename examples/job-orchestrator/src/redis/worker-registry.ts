/**
 * Worker services announce themselves in one Redis hash, `{prefix}:workers`: field = worker id, value =
 * `{"slots":N,"at":ms}` rewritten every few seconds. The orchestrator counts the fresh entries for
 * `asdlc_active_workers` and removes entries of workers that stopped answering (a crash leaves one behind).
 * A hash keeps the read to one HGETALL whose size is the number of worker services, not of jobs.
 */
import type { Redis } from 'ioredis';

/** What the orchestrator sees of the worker services. */
export interface LiveWorkers {
  /** Worker services whose last heartbeat is fresh. */
  readonly services: number;
  /** Their worker slots (jobs they can run at once), summed. */
  readonly slots: number;
}

/** The registry of worker services in Redis. */
export class WorkerRegistry {
  readonly #redis: Redis;
  /** The hash's key. */
  readonly key: string;

  /**
   * @param redis - a non-blocking connection
   * @param prefix - the first part of the key (the orchestrator's `keyPrefix`)
   */
  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.key = `${prefix}:workers`;
  }

  /** Records that worker `id` is alive with `slots` worker slots, now. */
  async heartbeat(id: string, slots: number, now = Date.now()): Promise<void> {
    await this.#redis.hset(this.key, id, JSON.stringify({ slots, at: now }));
  }

  /** Removes worker `id` (it is stopping). */
  async remove(id: string): Promise<void> {
    await this.#redis.hdel(this.key, id);
  }

  /** The workers heard from within `freshMs` of `now`; entries older than that are removed. */
  async live(freshMs: number, now = Date.now()): Promise<LiveWorkers> {
    const entries = await this.#redis.hgetall(this.key);
    let services = 0;
    let slots = 0;
    const stale: string[] = [];
    for (const [id, value] of Object.entries(entries)) {
      const beat = parseBeat(value);
      if (beat !== undefined && now - beat.at <= freshMs) {
        services++;
        slots += beat.slots;
      } else stale.push(id);
    }
    if (stale.length > 0) await this.#redis.hdel(this.key, ...stale);
    return { services, slots };
  }
}

function parseBeat(value: string): { slots: number; at: number } | undefined {
  try {
    const parsed = JSON.parse(value) as { slots?: unknown; at?: unknown };
    if (typeof parsed.slots !== 'number' || typeof parsed.at !== 'number') return undefined;
    if (!Number.isSafeInteger(parsed.slots) || parsed.slots < 0) return undefined;
    return { slots: parsed.slots, at: parsed.at };
  } catch {
    return undefined;
  }
}
