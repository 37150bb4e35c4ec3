/**
 * OTel attributes -> the `name="value",...` part of a series, with the per-series string cached.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { sanitizeLabelName } from '@yardstick/views';
import { escapeLabelValue } from './escape.ts';

function labelValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // Arrays become JSON, as the OTel specification asks for non-string attribute values.
  return JSON.stringify(value);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Renders attribute sets as label strings: names sanitized with `sanitizeLabelName` of `@yardstick/views`,
 * values escaped, labels ordered by name, and attributes whose names collide after sanitization merged
 * into one label whose values are joined with `;` in sorted attribute-key order (OTel specification).
 *
 * Why the cache is safe: for cumulative temporality the SDK keeps, per series, the attributes object it
 * first saw and hashed at record time, so the same object comes back on every collection and its content
 * cannot change without already breaking the SDK's own series identity.
 */
export class LabelRenderer {
  // measured: rendering the label string is most of the cost of a counter line; a WeakMap keyed by the
  // SDK's attributes object turns it into one lookup per series per scrape and frees entries with the series.
  readonly #plain = new WeakMap<Attributes, string>();
  readonly #histogram = new WeakMap<Attributes, string>();
  readonly #reserved: ReadonlySet<string>;

  /**
   * @param reserved - label names the exposition adds to every series (the scope labels); attributes that
   *   sanitize to one of them are dropped so no series carries a label twice
   */
  constructor(reserved: Iterable<string>) {
    this.#reserved = new Set(reserved);
  }

  /**
   * The label string of an attribute set, `''` when it has no labels.
   *
   * @param histogram - also drop an attribute named `le`, which histogram buckets use
   */
  render(attributes: Attributes, histogram: boolean): string {
    const cache = histogram ? this.#histogram : this.#plain;
    let labels = cache.get(attributes);
    if (labels === undefined) {
      labels = this.#build(attributes, histogram ? 'le' : undefined);
      cache.set(attributes, labels);
    }
    return labels;
  }

  #build(attributes: Attributes, alsoReserved: string | undefined): string {
    const keys = Object.keys(attributes);
    if (keys.length === 0) return '';
    keys.sort(byCodeUnits);
    const names: string[] = [];
    const values: string[] = [];
    for (const key of keys) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      const name = sanitizeLabelName(key);
      if (name === alsoReserved || this.#reserved.has(name)) continue;
      const at = names.indexOf(name);
      if (at < 0) {
        names.push(name);
        values.push(labelValue(value));
      } else {
        values[at] = `${values[at]};${labelValue(value)}`;
      }
    }
    const order = names.map((_, i) => i).sort((a, b) => byCodeUnits(names[a] ?? '', names[b] ?? ''));
    let labels = '';
    for (const i of order) {
      labels += `${labels === '' ? '' : ','}${names[i]}="${escapeLabelValue(values[i] ?? '')}"`;
    }
    return labels;
  }
}
