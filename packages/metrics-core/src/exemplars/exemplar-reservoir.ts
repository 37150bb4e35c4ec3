/**
 * The exemplar reservoirs of the OTel SDK specification. Each series gets one the first time a sampled
 * measurement reaches it (never before: a series that gets no exemplar keeps no reservoir memory). Slots are
 * written in place, so offering allocates nothing once a slot exists; collection copies them out.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { Exemplar } from '../model/metric-data.ts';

/** Keeps a bounded sample of a series' measurements as exemplars. */
export interface ExemplarReservoir {
  /** Offers a sampled measurement made in `span` (empty ids when there was no valid span). */
  offer(value: number, span: SpanContext): void;
  /**
   * The exemplars kept that were recorded at or after `sinceMs`, oldest first (copies), and starts a new
   * sampling cycle. Exemplars stay in their slots until replaced, so every reader sees them.
   */
  collect(sinceMs: number): Exemplar[];
}

/** A slot, overwritten in place by later measurements. */
interface Slot {
  value: number;
  timeUnixMs: number;
  traceId: string;
  spanId: string;
}

function write(slots: Array<Slot | undefined>, index: number, value: number, span: SpanContext): void {
  const timeUnixMs = Date.now();
  const slot = slots[index];
  if (slot === undefined) {
    slots[index] = { value, timeUnixMs, traceId: span.traceId, spanId: span.spanId };
    return;
  }
  slot.value = value;
  slot.timeUnixMs = timeUnixMs;
  slot.traceId = span.traceId;
  slot.spanId = span.spanId;
}

// The measurement's attributes the series does not keep are not retained: attribute policies (redaction,
// value budgets) run once per distinct set, and what they rewrite must not come back through exemplars.
const NO_FILTERED_ATTRIBUTES = Object.freeze({});

function collectSlots(slots: ReadonlyArray<Slot | undefined>, sinceMs: number): Exemplar[] {
  const exemplars: Exemplar[] = [];
  for (const slot of slots) {
    if (slot === undefined || slot.timeUnixMs < sinceMs) continue;
    exemplars.push(
      slot.traceId === ''
        ? { value: slot.value, timeUnixMs: slot.timeUnixMs, filteredAttributes: NO_FILTERED_ATTRIBUTES }
        : {
            value: slot.value,
            timeUnixMs: slot.timeUnixMs,
            traceId: slot.traceId,
            spanId: slot.spanId,
            filteredAttributes: NO_FILTERED_ATTRIBUTES,
          },
    );
  }
  return exemplars.sort((a, b) => a.timeUnixMs - b.timeUnixMs);
}

/**
 * `SimpleFixedSizeExemplarReservoir`: a uniform sample of `size` measurements per collection cycle (naive
 * reservoir sampling, the count of measurements seen reset at every collection, as the specification asks).
 */
export class SimpleFixedSizeExemplarReservoir implements ExemplarReservoir {
  readonly #size: number;
  readonly #slots: Array<Slot | undefined>;
  #seen = 0;

  constructor(size: number) {
    this.#size = size;
    this.#slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  offer(value: number, span: SpanContext): void {
    const seen = this.#seen++;
    const index = seen < this.#size ? seen : Math.floor(Math.random() * (seen + 1));
    if (index < this.#size) write(this.#slots, index, value, span);
  }

  collect(sinceMs: number): Exemplar[] {
    this.#seen = 0;
    return collectSlots(this.#slots, sinceMs);
  }
}

/**
 * `AlignedHistogramBucketExemplarReservoir`: the last measurement of each explicit bucket
 * `(boundaries[i-1], boundaries[i]]`, the overflow bucket last.
 */
export class AlignedHistogramBucketExemplarReservoir implements ExemplarReservoir {
  readonly #boundaries: Float64Array;
  readonly #slots: Array<Slot | undefined>;

  constructor(boundaries: Float64Array) {
    this.#boundaries = boundaries;
    this.#slots = new Array<Slot | undefined>(boundaries.length + 1).fill(undefined);
  }

  offer(value: number, span: SpanContext): void {
    const boundaries = this.#boundaries;
    let low = 0;
    let high = boundaries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (value > boundaries[mid]!) low = mid + 1;
      else high = mid;
    }
    write(this.#slots, low, value, span);
  }

  collect(sinceMs: number): Exemplar[] {
    return collectSlots(this.#slots, sinceMs);
  }
}
