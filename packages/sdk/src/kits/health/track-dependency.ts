/**
 * `trackDependency()`: checks a dependency (a database, a queue, a proxy, a model backend) on a timer and
 * exports whether it is up, how long checks take and how they end. Metric names: see `dependency-metrics.ts`.
 */
import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';
import type { Logger } from '../../logging/logger.ts';
import { diagLogger } from '../kit-logger.ts';
import {
  createDependencyInstruments,
  DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE,
  DEPENDENCY_NAME_ATTRIBUTE,
  type DependencyCheckOutcome,
} from './dependency-metrics.ts';
import { type CheckResult, type DependencyCheck, runCheck } from './run-check.ts';

/** Options of `trackDependency()`. */
export interface TrackDependencyOptions {
  /** `dependency.name`: unique within the process. */
  readonly name: string;
  /** The health check; it receives an `AbortSignal` that fires at `timeoutMs` and should stop then. */
  readonly check: DependencyCheck;
  /** Time between the starts of two checks; 15 000 ms when absent or not a positive number. */
  readonly intervalMs?: number;
  /** How long a check may take before it counts as `timeout`; 5 000 ms when absent or not positive. */
  readonly timeoutMs?: number;
  /** Constant attributes on every series of this dependency (`kind`, `region`); few and bounded. */
  readonly attributes?: Attributes;
  /** Where check failures and recoveries are logged; OTel's `diag` when absent. */
  readonly logger?: Logger;
  /**
   * `false` gives a dependency object that never checks and records nothing (how `startTelemetry` turns
   * the kit off when yardstick is disabled). Default `true`.
   */
  readonly enabled?: boolean;
}

/** The latest known state of a tracked dependency. */
export interface DependencyStatus {
  /** `true` after a successful check, `false` after a failed or timed-out one, `undefined` before the first. */
  readonly up: boolean | undefined;
  /** How the last finished check ended. */
  readonly outcome: DependencyCheckOutcome | undefined;
}

/** A dependency being checked. */
export interface TrackedDependency {
  /** The dependency's `dependency.name`. */
  readonly name: string;
  /** The latest known state (for a readiness endpoint, say). */
  status(): DependencyStatus;
  /**
   * Runs a check now, outside the timer; resolves with its outcome, or `undefined` when a check is already
   * running (overlapping checks are skipped) or the tracker is stopped. Never rejects.
   */
  checkNow(): Promise<DependencyCheckOutcome | undefined>;
  /**
   * Stops the timer and the `dependency.up` callback; a check in flight records nothing. Under cumulative
   * temporality sdk-metrics 3.1.0 keeps exporting the last `dependency.up` value (open-telemetry-js#4096);
   * it is not zeroed, since 0 would claim the dependency is down.
   */
  stop(): void;
}

const DEFAULT_INTERVAL_MS = 15_000;
const DEFAULT_TIMEOUT_MS = 5_000;
/** Node's timers fire at once for delays above 2^31 - 1 ms, so longer settings fall back to the default. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Starts checking a dependency: one check right away, then one every `intervalMs` on an unref'd timer (it
 * never keeps the process alive). A check still running when the next is due makes that one skipped. Never
 * throws: a check that throws or rejects is a failed check, and its message goes to the logger.
 *
 * @example
 * ```ts
 * const redisHealth = trackDependency(meter, {
 *   name: 'redis', attributes: { kind: 'queue' }, intervalMs: 10_000, timeoutMs: 2_000,
 *   check: async () => (await redis.ping()) === 'PONG',
 * });
 * // on shutdown
 * redisHealth.stop();
 * ```
 */
export function trackDependency(meter: Meter, options: TrackDependencyOptions): TrackedDependency {
  if (options.enabled === false) {
    return {
      name: options.name,
      status: () => ({ up: undefined, outcome: undefined }),
      checkNow: async () => undefined,
      stop() {},
    };
  }
  const logger = options.logger ?? diagLogger;
  const intervalMs = positiveOr(options.intervalMs, DEFAULT_INTERVAL_MS, 'intervalMs', options.name, logger);
  const timeoutMs = positiveOr(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs', options.name, logger);
  const instruments = createDependencyInstruments(meter);
  const attributes: Attributes = { ...options.attributes, [DEPENDENCY_NAME_ATTRIBUTE]: options.name };
  // One attribute object per outcome, built once, so a check records without building attribute objects.
  const outcomeAttributes: Record<DependencyCheckOutcome, Attributes> = {
    success: { ...attributes, [DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE]: 'success' },
    failure: { ...attributes, [DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE]: 'failure' },
    timeout: { ...attributes, [DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE]: 'timeout' },
  };
  let outcome: DependencyCheckOutcome | undefined;
  let running = false;
  let stopped = false;

  const observeUp = (result: ObservableResult): void => {
    if (outcome !== undefined) result.observe(outcome === 'success' ? 1 : 0, attributes);
  };
  instruments.up.addCallback(observeUp);

  const report = (result: CheckResult): void => {
    const previous = outcome;
    outcome = result.outcome;
    instruments.checks.add(1, outcomeAttributes[result.outcome]);
    instruments.checkDuration.record(result.durationSeconds, outcomeAttributes[result.outcome]);
    const context = { dependency: options.name, outcome: result.outcome, error: result.reason };
    if (result.outcome === 'success') {
      if (previous !== undefined && previous !== 'success')
        logger.info(context, 'dependency check recovered');
    } else if (previous === 'success' || previous === undefined) {
      logger.warn(context, 'dependency check failed');
    } else {
      // Still down: one warning per outage is enough; the rest stay at debug.
      logger.debug(context, 'dependency check failed again');
    }
  };

  const checkNow = async (): Promise<DependencyCheckOutcome | undefined> => {
    if (stopped) return undefined;
    if (running) {
      logger.debug(
        { dependency: options.name },
        'dependency check skipped: the previous one is still running',
      );
      return undefined;
    }
    running = true;
    try {
      const result = await runCheck(options.check, timeoutMs);
      if (stopped) return undefined;
      report(result);
      return result.outcome;
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void checkNow(), intervalMs);
  timer.unref?.();
  void checkNow();

  return {
    name: options.name,
    status: () => ({ up: outcome === undefined ? undefined : outcome === 'success', outcome }),
    checkNow,
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      instruments.up.removeCallback(observeUp);
    },
  };
}

function positiveOr(
  value: number | undefined,
  fallback: number,
  option: string,
  name: string,
  logger: Logger,
): number {
  if (value === undefined) return fallback;
  if (Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS) return value;
  logger.warn(
    { dependency: name, option, value: String(value), used: fallback },
    `dependency ${name}: ${option} must be a positive number of milliseconds up to ${MAX_TIMER_MS}; using ${fallback}`,
  );
  return fallback;
}
