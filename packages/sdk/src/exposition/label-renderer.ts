/**
 * OTel attributes -> the `name="value",...` part of a series, with the per-series string cached.
 */
import type { Attributes } from '@opentelemetry/api';
import { attributeLabelPairs } from './attribute-labels.ts';
import { escapeLabelValue } from './escape.ts';

/**
 * Returns `text` as a flat (sequential) string. A string built by concatenation is a rope in V8; a rope that
 * is kept and written on every scrape is walked node by node each time, a flat one is copied in one go.
 */
export function flatten(text: string): string {
  // measured: ToNumber flattens a rope in place (the trick pino's `flatstr` uses); the result is unused.
  Number(text);
  return text;
}

/** Which labels a rendering may not produce, because the exposition writes them itself. */
export type LabelUse = 'series' | 'histogram' | 'target';

const NOTHING_RESERVED: ReadonlySet<string> = new Set(['__name__']);

/**
 * Renders attribute sets as label strings with the one attribute -> label mapping of `attribute-labels.ts`
 * (names sanitized, colliding names merged with `;`, labels ordered by name), values escaped.
 *
 * Why the cache is safe: for cumulative temporality the SDK keeps, per series, the attributes object it
 * first saw and hashed at record time, so the same object comes back on every collection and its content
 * cannot change without already breaking the SDK's own series identity.
 */
export class LabelRenderer {
  // measured: rendering the label string is most of the cost of a counter line; a WeakMap keyed by the
  // SDK's attributes object turns it into one lookup per series per scrape and frees entries with the series.
  readonly #caches: Record<LabelUse, WeakMap<Attributes, string>> = {
    series: new WeakMap(),
    histogram: new WeakMap(),
    target: new WeakMap(),
  };
  readonly #reserved: ReadonlySet<string>;

  /**
   * @param reserved - label names the exposition adds to every series (the scope labels); attributes that
   *   map to one of them are dropped so no series carries a label twice
   */
  constructor(reserved: Iterable<string>) {
    this.#reserved = new Set(['__name__', ...reserved]);
  }

  /**
   * The label string of an attribute set, `''` when it has no labels.
   *
   * @param use - `histogram` also drops an attribute mapping to `le` (the bucket label); `target` (the
   *   resource on `target_info`, which carries no scope labels) drops nothing
   */
  render(attributes: Attributes, use: LabelUse): string {
    const cache = this.#caches[use];
    let labels = cache.get(attributes);
    if (labels === undefined) {
      labels = this.#build(attributes, use);
      cache.set(attributes, labels);
    }
    return labels;
  }

  #build(attributes: Attributes, use: LabelUse): string {
    const reserved = use === 'target' ? NOTHING_RESERVED : this.#reserved;
    let labels = '';
    for (const [name, value] of attributeLabelPairs(attributes, use === 'histogram', reserved)) {
      labels += `${labels === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
    }
    return flatten(labels);
  }
}
