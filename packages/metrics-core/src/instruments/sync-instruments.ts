/**
 * The synchronous instruments: `add`/`record` walk the attribute trie to the series' cell and update it.
 * No hashing, no allocation per call, no clock read; an invalid value is dropped with one warning per
 * instrument. Recording never throws. A measurement the exemplar filter samples is then offered to the
 * exemplar reservoirs of the series it landed in (the only path that reads the clock).
 */
import type {
  Attributes,
  Context,
  Counter,
  Gauge,
  Histogram,
  SpanContext,
  UpDownCounter,
} from '@opentelemetry/api';
import type { ExemplarSampler } from '../exemplars/exemplar-filter.ts';
import type { SeriesCell } from '../series/series-cell.ts';
import type { SeriesTable } from '../series/series-table.ts';

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** Reports an instrument's first invalid measurement. */
export type InvalidValueReporter = (instrument: string, value: unknown, why: string) => void;

/**
 * The cell interface every synchronous instrument records into: a sum, a last value, explicit or
 * exponential buckets, whichever aggregation the stream's view chose. Each instrument sees one cell class
 * per stream, so V8 inlines `record`: measured (bench/recording-core.ts) the same ns/op as updating the
 * field directly.
 */
export interface RecordingCell extends SeriesCell {
  record(value: number): void;
}

/** What every synchronous instrument shares: its name, its tables and the once-only warning. */
abstract class SyncInstrument<C extends RecordingCell> {
  readonly name: string;
  /** The first (usually only) stream's series; `undefined` when every view drops the instrument. */
  protected readonly first: SeriesTable<C> | undefined;
  /** Further streams, when several views match the instrument. */
  protected readonly rest: readonly SeriesTable<C>[];
  protected readonly integer: boolean;
  /**
   * The exemplar filter; undefined for `always_off`. For speed: the recording methods test this one field,
   * so with exemplars off they run no exemplar code at all.
   */
  protected readonly sampler: ExemplarSampler | undefined;
  readonly #report: InvalidValueReporter;
  #warned = false;

  constructor(
    name: string,
    tables: readonly SeriesTable<C>[],
    integer: boolean,
    report: InvalidValueReporter,
    sampler: ExemplarSampler | undefined,
  ) {
    this.name = name;
    this.first = tables[0];
    this.rest = tables.slice(1);
    this.integer = integer;
    this.#report = report;
    this.sampler = sampler;
  }

  /**
   * Offers a sampled measurement to the exemplar reservoirs of every stream's series; `cell` is the first
   * stream's, already found by the caller. Out of line, and called only for a sampled measurement: measured
   * (bench/recording-core.ts), passing `value` to a call that is not inlined boxes it, 16 bytes on every
   * histogram.record, so the filter is asked first with nothing but the context.
   */
  protected offerExemplar(cell: C, value: number, attributes: Attributes, span: SpanContext): void {
    (this.first as SeriesTable<C>).exemplars?.offer(cell, value, span);
    for (const table of this.rest) table.exemplars?.offer(table.series(attributes), value, span);
  }

  protected invalid(value: unknown, why: string): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#report(this.name, value, why);
  }
}

/**
 * A monotonic counter. Measured (bench/recording-core.ts, 3 attributes, pre-built object): the whole call
 * is the trie walk plus two field updates.
 */
export class CoreCounter extends SyncInstrument<RecordingCell> implements Counter {
  add(value: number, attributes?: Attributes, context?: Context): void {
    // `!(value >= 0)` also catches NaN; the typeof keeps strings ('3' >= 0 holds) out.
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      this.invalid(value, 'counter increments must be non-negative finite numbers');
      return;
    }
    if (this.integer && !Number.isInteger(value)) value = Math.trunc(value);
    const first = this.first;
    if (first === undefined) return;
    const cell = first.series(attributes ?? NO_ATTRIBUTES);
    cell.record(value);
    cell.updates++;
    if (this.rest.length !== 0) recordInRest(this.rest, value, attributes ?? NO_ATTRIBUTES);
    if (this.sampler !== undefined) {
      const span = this.sampler(context);
      if (span !== undefined) this.offerExemplar(cell, value, attributes ?? NO_ATTRIBUTES, span);
    }
  }
}

/** An up-down counter. */
export class CoreUpDownCounter extends SyncInstrument<RecordingCell> implements UpDownCounter {
  add(value: number, attributes?: Attributes, context?: Context): void {
    if (!Number.isFinite(value)) {
      this.invalid(value, 'up-down counter increments must be finite numbers');
      return;
    }
    if (this.integer && !Number.isInteger(value)) value = Math.trunc(value);
    const first = this.first;
    if (first === undefined) return;
    const cell = first.series(attributes ?? NO_ATTRIBUTES);
    cell.record(value);
    cell.updates++;
    if (this.rest.length !== 0) recordInRest(this.rest, value, attributes ?? NO_ATTRIBUTES);
    if (this.sampler !== undefined) {
      const span = this.sampler(context);
      if (span !== undefined) this.offerExemplar(cell, value, attributes ?? NO_ATTRIBUTES, span);
    }
  }
}

function recordInRest(
  tables: readonly SeriesTable<RecordingCell>[],
  value: number,
  attributes: Attributes,
): void {
  for (const table of tables) {
    const cell = table.series(attributes);
    cell.record(value);
    cell.updates++;
  }
}

/** A histogram (explicit or exponential buckets, per its view). */
export class CoreHistogram extends SyncInstrument<RecordingCell> implements Histogram {
  record(value: number, attributes?: Attributes, context?: Context): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      this.invalid(value, 'histogram values must be non-negative finite numbers');
      return;
    }
    if (this.integer && !Number.isInteger(value)) value = Math.trunc(value);
    const first = this.first;
    if (first === undefined) return;
    const cell = first.series(attributes ?? NO_ATTRIBUTES);
    cell.record(value);
    cell.updates++;
    if (this.rest.length !== 0) recordInRest(this.rest, value, attributes ?? NO_ATTRIBUTES);
    if (this.sampler !== undefined) {
      const span = this.sampler(context);
      if (span !== undefined) this.offerExemplar(cell, value, attributes ?? NO_ATTRIBUTES, span);
    }
  }
}

/** A synchronous gauge (last value). */
export class CoreGauge extends SyncInstrument<RecordingCell> implements Gauge {
  record(value: number, attributes?: Attributes, context?: Context): void {
    if (!Number.isFinite(value)) {
      this.invalid(value, 'gauge values must be finite numbers');
      return;
    }
    if (this.integer && !Number.isInteger(value)) value = Math.trunc(value);
    const first = this.first;
    if (first === undefined) return;
    const cell = first.series(attributes ?? NO_ATTRIBUTES);
    cell.record(value);
    cell.updates++;
    if (this.rest.length !== 0) recordInRest(this.rest, value, attributes ?? NO_ATTRIBUTES);
    if (this.sampler !== undefined) {
      const span = this.sampler(context);
      if (span !== undefined) this.offerExemplar(cell, value, attributes ?? NO_ATTRIBUTES, span);
    }
  }
}
