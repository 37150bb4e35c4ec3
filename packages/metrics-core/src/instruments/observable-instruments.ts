/**
 * Observable instruments: callbacks that the collector calls at each collection, each observation going
 * into the instrument's streams.
 */
import type {
  Attributes,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableResult,
  ObservableUpDownCounter,
} from '@opentelemetry/api';
import type { ObservableMetricStream } from '../collection/observable-stream.ts';
import type { InstrumentKind } from '../model/metric-data.ts';

/** What an observable instrument needs from the provider. */
export interface ObservableHost {
  reportInvalid(instrument: string, value: unknown, why: string): void;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** An observable counter, up-down counter or gauge. */
export class ObservableInstrument implements ObservableCounter, ObservableUpDownCounter, ObservableGauge {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly streams: readonly ObservableMetricStream[];
  readonly callbacks = new Set<ObservableCallback>();
  readonly #integer: boolean;
  readonly #host: ObservableHost;
  #warned = false;

  constructor(
    name: string,
    kind: InstrumentKind,
    streams: readonly ObservableMetricStream[],
    integer: boolean,
    host: ObservableHost,
  ) {
    this.name = name;
    this.kind = kind;
    this.streams = streams;
    this.#integer = integer;
    this.#host = host;
  }

  addCallback(callback: ObservableCallback): void {
    this.callbacks.add(callback);
  }

  removeCallback(callback: ObservableCallback): void {
    this.callbacks.delete(callback);
  }

  /** Records one observation of collection `collectionId`; never throws. */
  observe(value: number, attributes: Attributes | undefined, collectionId: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      if (!this.#warned) {
        this.#warned = true;
        this.#host.reportInvalid(this.name, value, 'observed values must be finite numbers');
      }
      return;
    }
    if (this.#integer && !Number.isInteger(value)) value = Math.trunc(value);
    for (const stream of this.streams) stream.observe(value, attributes ?? NO_ATTRIBUTES, collectionId);
  }

  /** The `ObservableResult` handed to this instrument's own callbacks in collection `collectionId`. */
  resultFor(collectionId: number): ObservableResult {
    return { observe: (value, attributes) => this.observe(value, attributes, collectionId) };
  }
}
