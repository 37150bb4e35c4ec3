/**
 * The orchestrator's own metrics, named by the OTel conventions (dotted names, UCUM units; the Prometheus
 * names follow the OTel-to-Prometheus translation).
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `jobs.enqueued` | Counter | `{job}` | `jobs_enqueued_total` | `job.queue`, `job.type` |
 * | `jobs.completed` | Counter | `{job}` | `jobs_completed_total` | `job.queue`, `job.type` |
 * | `jobs.failed` | Counter (failed attempts) | `{job}` | `jobs_failed_total` | `job.queue`, `job.type`, `error.type` |
 * | `jobs.retried` | Counter | `{job}` | `jobs_retried_total` | `job.queue`, `job.type` |
 * | `jobs.dead_lettered` | Counter | `{job}` | `jobs_dead_lettered_total` | `job.queue`, `job.type` |
 * | `jobs.duration` | Histogram (one per attempt) | `s` | `jobs_duration_seconds` | `job.queue`, `job.type`, `job.outcome` |
 * | `jobs.wait_time` | Histogram (ready to taken) | `s` | `jobs_wait_time_seconds` | `job.queue`, `job.type` |
 * | `jobs.queue.depth` | async UpDownCounter | `{job}` | `jobs_queue_depth` | `job.queue`, `job.state` |
 * | `jobs.queue.oldest_age` | async Gauge | `s` | `jobs_queue_oldest_age_seconds` | `job.queue` |
 *
 * Every attempt ends as exactly one of `completed` or `failed`; every failed attempt as exactly one of
 * `retried` or `dead_lettered`. Job ids, payloads and error messages never become attributes (unbounded,
 * and may hold personal data); `job.type` is a registered handler's type or `_OTHER`.
 */
import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** The attribute naming the queue. */
export const QUEUE_ATTRIBUTE = 'job.queue';
/** The attribute naming the job type. */
export const TYPE_ATTRIBUTE = 'job.type';
/** How an attempt ended: `success`, `failure` or `timeout`. */
export const OUTCOME_ATTRIBUTE = 'job.outcome';
/** Which part of the queue a depth counts: `ready`, `running`, `delayed` or `dead`. */
export const STATE_ATTRIBUTE = 'job.state';
/** Why an attempt failed: `timeout`, `unknown_type`, or the thrown error's class name (OTel `error.type`). */
export const ERROR_TYPE_ATTRIBUTE = 'error.type';

/** How one attempt ended. */
export type AttemptOutcome = 'success' | 'failure' | 'timeout';

/**
 * Bucket boundaries (s) for job durations and waits: a 5 ms job to a 10-minute report, and a queue that
 * hands jobs over at once to one backed up for half an hour.
 */
export const JOB_TIME_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
];

/** The recording instruments of the orchestrator. */
export interface JobMetrics {
  readonly enqueued: Counter;
  readonly completed: Counter;
  readonly failed: Counter;
  readonly retried: Counter;
  readonly deadLettered: Counter;
  readonly duration: Histogram;
  readonly waitTime: Histogram;
}

/** Creates the recording instruments on `meter`. */
export function createJobMetrics(meter: Meter): JobMetrics {
  const counter = (name: string, description: string) =>
    meter.createCounter(name, { description, unit: '{job}' });
  const advice = { explicitBucketBoundaries: [...JOB_TIME_BUCKETS] };
  return {
    enqueued: counter('jobs.enqueued', 'Jobs added to a queue by producers.'),
    completed: counter('jobs.completed', 'Job attempts that succeeded.'),
    failed: counter('jobs.failed', 'Job attempts that failed or timed out.'),
    retried: counter('jobs.retried', 'Failed jobs scheduled for another attempt.'),
    deadLettered: counter(
      'jobs.dead_lettered',
      'Jobs moved to the dead-letter list after their last attempt.',
    ),
    duration: meter.createHistogram('jobs.duration', {
      description: 'Time one attempt of a job took on a worker, by outcome.',
      unit: 's',
      advice,
    }),
    waitTime: meter.createHistogram('jobs.wait_time', {
      description: 'Time a job spent ready in its queue before a worker took it.',
      unit: 's',
      advice,
    }),
  };
}
