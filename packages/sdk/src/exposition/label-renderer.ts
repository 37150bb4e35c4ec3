/**
 * OTel attributes -> the `name="value",...` part of a series.
 */
import type { Attributes } from '@opentelemetry/api';
import { attributeLabelPairs } from './attribute-labels.ts';
import { escapeLabelValue } from './escape.ts';

/**
 * Returns `text` as a flat (sequential) string. A string built by concatenation is a rope in V8; a rope that
 * is kept and written on every scrape is walked node by node each time, a flat one is copied in one go.
 */
export function flatten(text: string): string {
  // For speed: ToNumber flattens a rope in place (the trick pino's `flatstr` uses); the result is unused.
  Number(text);
  return text;
}

/**
 * Renders an attribute set as a label string with the one attribute -> label mapping of
 * `attribute-labels.ts` (names sanitized, colliding names merged with `;`, labels ordered by name), values
 * escaped; `''` when there are no labels.
 *
 * @param histogram - also drop an attribute mapping to `le`, which histogram buckets use
 * @param reserved - label names the exposition writes itself (`__name__`, the scope labels): attributes
 *   mapping to one of them are dropped so no series carries a label twice
 */
export function renderLabels(
  attributes: Attributes,
  histogram: boolean,
  reserved: ReadonlySet<string>,
): string {
  let labels = '';
  for (const [name, value] of attributeLabelPairs(attributes, histogram, reserved)) {
    labels += `${labels === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  }
  return labels;
}
