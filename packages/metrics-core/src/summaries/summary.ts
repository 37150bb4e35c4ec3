/**
 * The Summary instrument, a yardstick extension to the OTel meter API (which has no summary): client-side
 * quantiles over a sliding time window, exposed on `/metrics` as a Prometheus summary. For services moving
 * from prom-client that need its `Summary`; a histogram is the OTel way and aggregates across processes.
 */
import { type Attributes, diag, type Meter } from '@opentelemetry/api';
import type { SeriesTable } from '../series/series-table.ts';
import type { SummaryOptions } from './summary-options.ts';
import type { SummaryCell } from './summary-stream.ts';

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** A summary: records values, reports their count, sum and quantiles over a sliding window. */
export interface Summary {
  /**
   * Records one value (any finite number). Never throws: anything else is dropped with one warning per
   * summary. Reads the monotonic clock once (the window moves with it). Measured (heapUsed over 10k warm
   * calls, 3 labels, pre-built object): 16 bytes per call, the value boxed on its way down, as for
   * `histogram.record` when it is not inlined into the caller.
   */
  record(value: number, attributes?: Attributes): void;
  /**
   * Starts a timer; the function returned records the seconds elapsed (give the summary the unit `s`) with
   * `attributes` and the end's own, and returns them, as prom-client's `startTimer()` does.
   */
  startTimer(attributes?: Attributes): (endAttributes?: Attributes) => number;
}

/** A summary of the metrics core. */
export class CoreSummary implements Summary {
  readonly name: string;
  readonly #table: SeriesTable<SummaryCell>;
  readonly #report: (value: unknown, why: string) => void;
  #warned = false;

  constructor(name: string, table: SeriesTable<SummaryCell>, report: (value: unknown, why: string) => void) {
    this.name = name;
    this.#table = table;
    this.#report = report;
  }

  record(value: number, attributes?: Attributes): void {
    // Number.isFinite is false for anything that is not a number, strings included.
    if (!Number.isFinite(value)) {
      this.#invalid(value);
      return;
    }
    const cell = this.#table.series(attributes ?? NO_ATTRIBUTES);
    cell.record(value);
    cell.updates++;
  }

  /** Reports the first invalid value; out of line, the path is cold. */
  #invalid(value: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#report(value, 'summary values must be finite numbers');
  }

  startTimer(attributes?: Attributes): (endAttributes?: Attributes) => number {
    const start = performance.now();
    return (endAttributes) => {
      const seconds = (performance.now() - start) / 1000;
      this.record(seconds, endAttributes === undefined ? attributes : { ...attributes, ...endAttributes });
      return seconds;
    };
  }
}

/** A summary that records nothing, for meters that are not the core's. */
class NoopSummary implements Summary {
  record(): void {}
  startTimer(): () => number {
    const start = performance.now();
    return () => (performance.now() - start) / 1000;
  }
}

const NOOP_SUMMARY: Summary = new NoopSummary();

/** What a meter that can create summaries offers (the core's meters do). */
interface SummaryMeter extends Meter {
  createSummary(name: string, options?: SummaryOptions): Summary;
}

function canCreateSummaries(meter: Meter): meter is SummaryMeter {
  return typeof (meter as Partial<SummaryMeter>).createSummary === 'function';
}

/**
 * Creates a summary on `meter`, which must be a meter of the metrics core (`startTelemetry`'s
 * `telemetry.meter()` is); on any other meter (sdk-metrics', the no-op one) it returns a summary that
 * records nothing, with a warning through `warn` (default OTel's `diag`). Summaries are not an OTel instrument: they appear on the
 * Prometheus exposition (`/metrics`) only, not in OTLP exports, the embedded store or views.
 *
 * @example
 * ```ts
 * const latency = createSummary(telemetry.meter('checkout'), 'checkout.duration', { unit: 's' });
 * latency.record(0.042, { route: '/pay' }); // checkout_duration_seconds{quantile="0.5",route="/pay"} ...
 * ```
 */
export function createSummary(
  meter: Meter,
  name: string,
  options?: SummaryOptions,
  warn: (message: string) => void = (message) => diag.warn(message),
): Summary {
  if (canCreateSummaries(meter)) return meter.createSummary(name, options);
  warn(`summary ${name}: the meter is not one of the yardstick metrics core; the summary records nothing`);
  return NOOP_SUMMARY;
}

/** The summary a core meter returns for an invalid name. */
export function noopSummary(): Summary {
  return NOOP_SUMMARY;
}
