/**
 * The dependency-health kit's metric names. OpenTelemetry's semantic conventions have no metric for "is
 * this dependency answering its health check" (1.45 has `db.client.*`, `http.client.*` for real traffic, and
 * `hw.status` for hardware only), so the names follow the Prometheus habit that alerts already rely on:
 * `up` and blackbox_exporter's `probe_success` are 1/0 gauges, `probe_duration_seconds` the check's time.
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `dependency.up` | async Gauge, 1 (last check succeeded) or 0 | none | `dependency_up` | `dependency.name` |
 * | `dependency.check.duration` | Histogram | `s` | `dependency_check_duration_seconds` | `dependency.name`, `dependency.check.outcome` |
 * | `dependency.checks` | Counter | `{check}` | `dependency_checks_total` | `dependency.name`, `dependency.check.outcome` |
 *
 * `dependency.up` has no unit on purpose: the translation turns a gauge's `1` into a `_ratio` suffix, and a
 * 1/0 status is no ratio. `dependency.check.outcome` is `success`, `failure` or `timeout`; the error of a
 * failed check goes to the logger, never into an attribute (messages are unbounded and may hold secrets).
 * Every series also carries the dependency's constant attributes (`kind`, `region`).
 */
import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';

/** The metric names of the dependency-health kit (see the table above). */
export const DEPENDENCY_METRIC_NAMES = {
  up: 'dependency.up',
  checkDuration: 'dependency.check.duration',
  checks: 'dependency.checks',
} as const;

/** The attribute naming the dependency (`redis`, `postgres-primary`, `model:gpt-4o`). */
export const DEPENDENCY_NAME_ATTRIBUTE = 'dependency.name';

/** The attribute telling how a check ended. */
export const DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE = 'dependency.check.outcome';

/**
 * How a check ended: `success` (resolved to anything but `false`), `failure` (resolved to `false`, threw or
 * rejected) or `timeout` (no answer within `timeoutMs`).
 */
export type DependencyCheckOutcome = 'success' | 'failure' | 'timeout';

/** Bucket boundaries (seconds) of `dependency.check.duration`: a local ping to a 10 s timeout. */
export const DEPENDENCY_CHECK_BUCKETS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The instruments one meter holds for every dependency it checks. */
export interface DependencyInstruments {
  readonly up: ObservableGauge;
  readonly checkDuration: Histogram;
  readonly checks: Counter;
}

/** Creates (or finds again: the SDK returns the existing storage for an identical instrument) the instruments. */
export function createDependencyInstruments(meter: Meter): DependencyInstruments {
  return {
    up: meter.createObservableGauge(DEPENDENCY_METRIC_NAMES.up, {
      description: 'Whether the last health check of the dependency succeeded (1) or not (0).',
    }),
    checkDuration: meter.createHistogram(DEPENDENCY_METRIC_NAMES.checkDuration, {
      description: 'The time a health check of the dependency took, by outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...DEPENDENCY_CHECK_BUCKETS] },
    }),
    checks: meter.createCounter(DEPENDENCY_METRIC_NAMES.checks, {
      description: 'The number of health checks of the dependency, by outcome.',
      unit: '{check}',
    }),
  };
}
