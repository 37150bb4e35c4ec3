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
  return renderPairs(attributeLabelPairs(attributes, histogram, reserved));
}

function renderPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  let labels = '';
  for (const [name, value] of pairs)
    labels += `${labels === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  return labels;
}

/** The scope labels a family member's series carry, rendered once per scrape and as pairs. */
export interface ScopeLabels {
  /** `otel_scope_name="...",otel_scope_version="...",...` with values escaped, or `''` when off. */
  readonly text: string;
  /** The same labels as unescaped name/value pairs. */
  readonly pairs: ReadonlyArray<readonly [string, string]>;
}

/** Only `__name__` is off limits: attributes mapping to a scope label are joined with it, not dropped. */
const NAME_ONLY: ReadonlySet<string> = new Set(['__name__']);

/**
 * The labels of one series: its attributes (as {@link renderLabels}) followed by its scope labels. An
 * attribute that maps to a scope label name (`otel.scope.name`) is joined with the scope label's value
 * with `;`, ordered by original key, as the OTel specification's "Metric Attributes" section asks for
 * labels added by the translation.
 *
 * @param histogram - also drop an attribute mapping to `le`, which histogram buckets use
 */
/** A series' rendered labels, remembered per attribute set with what they were rendered for. */
interface RenderedLabels {
  readonly scopeText: string;
  readonly histogram: boolean;
  readonly labels: string;
}

/**
 * Rendered labels by attribute set. The metrics core hands every collection the same frozen attributes
 * object per series, so each series' labels are sanitized, sorted and escaped once, not on every scrape;
 * the entry goes when the series does. Measured (bench/metrics-endpoint-core.ts, 1k series 10:1, a render
 * after a full GC): 1.96 ms before, 1.3-1.75 ms with it (two runs on the shared machine).
 */
const rendered = new WeakMap<Attributes, RenderedLabels>();

export function renderSeriesLabels(attributes: Attributes, histogram: boolean, scope: ScopeLabels): string {
  const known = rendered.get(attributes);
  if (known !== undefined && known.scopeText === scope.text && known.histogram === histogram)
    return known.labels;
  const labels = renderSeriesLabelsNow(attributes, histogram, scope);
  // Only frozen sets can be cached: a mutable one may change between scrapes under the same identity.
  if (Object.isFrozen(attributes)) rendered.set(attributes, { scopeText: scope.text, histogram, labels });
  return labels;
}

function renderSeriesLabelsNow(attributes: Attributes, histogram: boolean, scope: ScopeLabels): string {
  if (scope.pairs.length === 0) return renderLabels(attributes, histogram, NAME_ONLY);
  const own = attributeLabelPairs(attributes, histogram, NAME_ONLY);
  // Common case: no attribute maps to a scope label, so the scope text rendered once per scrape is appended.
  if (!own.some(([name]) => scope.pairs.some((pair) => pair[0] === name))) {
    const labels = renderPairs(own);
    return labels === '' ? scope.text : `${labels},${scope.text}`;
  }
  return renderPairs(attributeLabelPairs(attributes, histogram, NAME_ONLY, scope.pairs));
}
