/**
 * One queue in Redis, as four keys:
 *
 * | key | type | holds |
 * |---|---|---|
 * | `{prefix}:{queue}:ready` | list | jobs ready to run; producers `LPUSH`, workers take from the right |
 * | `{prefix}:{queue}:running` | list | jobs a worker took (`BLMOVE ready -> running`, one atomic step) |
 * | `{prefix}:{queue}:delayed` | sorted set | jobs waiting for a retry, scored by the time they are due |
 * | `{prefix}:{queue}:dead` | list | jobs that used up their attempts |
 *
 * The handoff is reliable: a job leaves `running` only in the same transaction that puts it in its next
 * place, so a worker process that dies mid-job leaves it in `running`, where {@link JobQueue.requeueRunning}
 * finds it at the next start.
 */
import type { ChainableCommander, Redis } from 'ioredis';

/** What a queue holds, read in one round trip. */
export interface QueueDepth {
  readonly ready: number;
  readonly running: number;
  readonly delayed: number;
  readonly dead: number;
  /** The oldest ready job's string (the next one a worker takes), or null when none is ready. */
  readonly oldestReady: string | null;
}

// Moves due retries to the ready list in one atomic step, so two orchestrators promoting at once cannot
// both move (and so duplicate) one job. At most ARGV[2] per call keeps each call short for Redis.
const PROMOTE_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, job in ipairs(due) do
  redis.call('ZREM', KEYS[1], job)
  redis.call('LPUSH', KEYS[2], job)
end
return #due
`;

// Puts a job back only if it is still in `running`: a worker that finished it at the same moment has
// already removed it, and pushing it again would run it twice.
const GIVE_BACK = `
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
`;

/** The Redis side of one queue. Every method may reject with a Redis error; callers decide what it means. */
export class JobQueue {
  /** The queue's name. */
  readonly name: string;
  /** The queue's Redis keys. */
  readonly keys: {
    readonly ready: string;
    readonly running: string;
    readonly delayed: string;
    readonly dead: string;
  };
  readonly #redis: Redis;

  /**
   * @param redis - a non-blocking connection (blocking takes get their own, see {@link take})
   * @param name - the queue's name
   * @param prefix - the first part of every key
   */
  constructor(redis: Redis, name: string, prefix: string) {
    this.#redis = redis;
    this.name = name;
    const base = `${prefix}:${name}`;
    this.keys = {
      ready: `${base}:ready`,
      running: `${base}:running`,
      delayed: `${base}:delayed`,
      dead: `${base}:dead`,
    };
  }

  /** Adds a job at the back of the queue. */
  async push(raw: string): Promise<void> {
    await this.#redis.lpush(this.keys.ready, raw);
  }

  /**
   * Takes the oldest ready job into `running`, waiting up to `waitSeconds` for one; null when none came.
   * Runs on `blocking`, a connection of its own: a blocking command holds its connection until it returns.
   */
  take(blocking: Redis, waitSeconds: number): Promise<string | null> {
    return blocking.blmove(this.keys.ready, this.keys.running, 'RIGHT', 'LEFT', waitSeconds);
  }

  /** Removes a finished job from `running`. */
  async complete(raw: string): Promise<void> {
    await this.#redis.lrem(this.keys.running, 1, raw);
  }

  /** Moves a failed job from `running` to the retry set as `next`, due at `dueAt` (ms since the epoch). */
  async retryLater(raw: string, next: string, dueAt: number): Promise<void> {
    await execAll(this.#redis.multi().lrem(this.keys.running, 1, raw).zadd(this.keys.delayed, dueAt, next));
  }

  /** Moves a job from `running` to the dead-letter list as `dead`. */
  async deadLetter(raw: string, dead: string): Promise<void> {
    await execAll(this.#redis.multi().lrem(this.keys.running, 1, raw).lpush(this.keys.dead, dead));
  }

  /**
   * Puts a job from `running` back at the front of the ready list (a worker gave it up unfinished); false
   * when it was no longer in `running`.
   */
  async giveBack(raw: string): Promise<boolean> {
    return Number(await this.#redis.eval(GIVE_BACK, 2, this.keys.running, this.keys.ready, raw)) === 1;
  }

  /** Moves up to `limit` retries due by `now` (ms since the epoch) to the ready list; returns how many. */
  async promoteDue(now: number, limit = 100): Promise<number> {
    const moved = await this.#redis.eval(PROMOTE_DUE, 2, this.keys.delayed, this.keys.ready, now, limit);
    return Number(moved);
  }

  /**
   * Puts every job left in `running` back at the front of the ready list (jobs a stopped or crashed worker
   * never finished); returns how many. Only safe while no other process works this queue, which is how the
   * orchestrator runs it: at start, before its own workers begin.
   */
  async requeueRunning(): Promise<number> {
    let moved = 0;
    // Bounded by the list's length at the start, so a producer racing us cannot keep the loop going.
    const length = await this.#redis.llen(this.keys.running);
    for (let i = 0; i < length; i++) {
      const job = await this.#redis.lmove(this.keys.running, this.keys.ready, 'RIGHT', 'RIGHT');
      if (job === null) break;
      moved++;
    }
    return moved;
  }

  /** Reads the four sizes and the oldest ready job in one pipelined round trip. */
  async depth(): Promise<QueueDepth> {
    const values = await execAll(
      this.#redis
        .pipeline()
        .llen(this.keys.ready)
        .llen(this.keys.running)
        .zcard(this.keys.delayed)
        .llen(this.keys.dead)
        .lindex(this.keys.ready, -1),
    );
    return {
      ready: Number(values[0]),
      running: Number(values[1]),
      delayed: Number(values[2]),
      dead: Number(values[3]),
      oldestReady: typeof values[4] === 'string' ? values[4] : null,
    };
  }
}

/** Runs a pipeline or transaction; rejects with the first command's error, as a single command would. */
async function execAll(commands: ChainableCommander): Promise<unknown[]> {
  const replies = await commands.exec();
  if (replies === null) throw new Error('Redis discarded the transaction');
  return replies.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
