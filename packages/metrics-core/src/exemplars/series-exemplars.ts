/**
 * The exemplar reservoirs of one stream's series. They live beside the cells, in a WeakMap, rather than in
 * a cell field: measured (bench/recording-core.ts, 100k series) every cell field costs 8 bytes per series,
 * and most series never get an exemplar. An evicted series' reservoir goes with it.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Exemplar } from '../model/metric-data.ts';
import type { SeriesCell } from '../series/series-cell.ts';
import type { ExemplarReservoir } from './exemplar-reservoir.ts';

/** The reservoirs of one stream, created the first time a series is offered a sampled measurement. */
export class SeriesExemplars {
  readonly #create: () => ExemplarReservoir;
  readonly #reservoirs = new WeakMap<SeriesCell, ExemplarReservoir>();
  /** No reservoir yet: collection skips the per-series lookup. */
  #empty = true;

  constructor(create: () => ExemplarReservoir) {
    this.#create = create;
  }

  /** Offers a sampled measurement recorded into `cell`. */
  offer(cell: SeriesCell, value: number, span: SpanContext): void {
    let reservoir = this.#reservoirs.get(cell);
    if (reservoir === undefined) {
      reservoir = this.#create();
      this.#reservoirs.set(cell, reservoir);
      this.#empty = false;
    }
    reservoir.offer(value, span);
  }

  /** The exemplars of `cell` recorded at or after `sinceMs`, or undefined when it has none. */
  collect(cell: SeriesCell, sinceMs: number): Exemplar[] | undefined {
    if (this.#empty) return undefined;
    const exemplars = this.#reservoirs.get(cell)?.collect(sinceMs);
    return exemplars === undefined || exemplars.length === 0 ? undefined : exemplars;
  }
}
