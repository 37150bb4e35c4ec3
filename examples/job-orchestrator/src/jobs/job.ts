/**
 * A job as it sits in Redis: one JSON string per job, moved between lists as a whole (`LREM` finds it again
 * by its exact bytes, so a job's string is never rewritten while it is in a list).
 */
import { randomUUID } from 'node:crypto';

/** One unit of work. */
export interface Job {
  /** Unique id; never used as a metric attribute. */
  readonly id: string;
  /** The queue it belongs to. */
  readonly queue: string;
  /** What kind of work it is; picks the handler. */
  readonly type: string;
  /** The handler's input, any JSON value; never used as a metric attribute. */
  readonly payload: unknown;
  /** Attempts already made (0 for a job never run). */
  readonly attempts: number;
  /** Attempts allowed before the job is dead-lettered. */
  readonly maxAttempts: number;
  /** When a producer first enqueued it (ms since the epoch). */
  readonly enqueuedAt: number;
  /** When it last became ready to run: `enqueuedAt`, or when its retry was due (ms since the epoch). */
  readonly availableAt: number;
  /** Why the last attempt failed; set on retried and dead-lettered jobs, for people reading the lists. */
  readonly lastError?: string;
}

/** Creates a job ready to run now. */
export function createJob(
  queue: string,
  type: string,
  payload: unknown,
  maxAttempts: number,
  now = Date.now(),
): Job {
  return {
    id: randomUUID(),
    queue,
    type,
    payload,
    attempts: 0,
    maxAttempts,
    enqueuedAt: now,
    availableAt: now,
  };
}

/** The job's string form in Redis. */
export function encodeJob(job: Job): string {
  return JSON.stringify(job);
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Reads a job back from its Redis string. Anything else in a list (a hand-written entry, another tool's
 * data) gives `undefined` instead of an exception, so one bad entry cannot stop a worker.
 */
export function decodeJob(raw: string): Job | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const job = value as Record<string, unknown>;
  if (!isName(job.id) || !isName(job.queue) || !isName(job.type)) return undefined;
  if (!isCount(job.attempts) || !isCount(job.maxAttempts) || job.maxAttempts < 1) return undefined;
  if (!isTime(job.enqueuedAt) || !isTime(job.availableAt)) return undefined;
  if (job.lastError !== undefined && typeof job.lastError !== 'string') return undefined;
  return {
    id: job.id,
    queue: job.queue,
    type: job.type,
    payload: job.payload,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    enqueuedAt: job.enqueuedAt,
    availableAt: job.availableAt,
    ...(job.lastError === undefined ? {} : { lastError: job.lastError }),
  };
}
