/**
 * OTel attributes -> Prometheus label pairs, the one mapping both `/metrics` and the embedded store use:
 * names sanitized with `sanitizeLabelName` of `@yardstick/views`, attributes whose names collide after
 * sanitization merged into one label whose values are joined with `;` in sorted attribute-key order (OTel
 * specification), non-string values as the specification asks (arrays as JSON).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { sanitizeLabelName } from '@yardstick/views';

/** Label names the store writes itself; by default attributes mapping to them are dropped. */
export const SCOPE_LABELS: readonly string[] = ['otel_scope_name', 'otel_scope_version'];
const RESERVED = new Set(['__name__', ...SCOPE_LABELS]);
const NO_ADDED: ReadonlyArray<readonly [string, string]> = [];

function labelValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One label source before merging: the key it is ordered by, the label name, the value. */
type Entry = readonly [key: string, name: string, value: string];

/**
 * Label pairs of an attribute set, ordered by label name; values unescaped.
 *
 * @param histogram - also drop an attribute that maps to `le`, which histogram buckets use
 * @param reserved - label names that are written by the caller (default `__name__` and the scope labels)
 * @param added - labels the caller adds to every series (the exposition's scope labels). The OTel
 *   specification ("Metric Attributes") asks that an attribute mapping to the same label as one of them is
 *   not lost: the values are joined with `;` in the lexicographical order of the original keys, an added
 *   label's key being its own name (and coming first on a tie).
 */
export function attributeLabelPairs(
  attributes: Attributes,
  histogram: boolean,
  reserved: ReadonlySet<string> = RESERVED,
  added: ReadonlyArray<readonly [string, string]> = NO_ADDED,
): Array<[string, string]> {
  const keys = Object.keys(attributes);
  if (keys.length === 0 && added.length === 0) return [];
  const entries: Entry[] = [];
  for (const [name, value] of added) entries.push([name, name, value]);
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const name = sanitizeLabelName(key);
    if ((histogram && name === 'le') || reserved.has(name)) continue;
    entries.push([key, name, labelValue(value)]);
  }
  // Stable sort: an added label stays ahead of an attribute with the very same key.
  entries.sort((a, b) => byCodeUnits(a[0], b[0]));
  const pairs: Array<[string, string]> = [];
  for (const [, name, value] of entries) {
    const existing = pairs.find((pair) => pair[0] === name);
    if (existing) existing[1] = `${existing[1]};${value}`;
    else pairs.push([name, value]);
  }
  return pairs.sort((a, b) => byCodeUnits(a[0], b[0]));
}

/**
 * The scope labels the OTel specification ("Instrumentation Scope") asks for on every point:
 * `otel_scope_name`, `otel_scope_schema_url`, `otel_scope_version`, each only when set (an empty label
 * value is no label in Prometheus). The JS meter API has no scope attributes, so no `otel_scope_<key>`.
 */
export function scopeLabelPairs(scope: InstrumentationScope): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (scope.name !== '') pairs.push(['otel_scope_name', scope.name]);
  if (scope.schemaUrl) pairs.push(['otel_scope_schema_url', scope.schemaUrl]);
  if (scope.version) pairs.push(['otel_scope_version', scope.version]);
  return pairs;
}

/** Labels of the `target_info` series: every resource attribute, mapped like any attribute set. */
export function resourceTargetLabels(attributes: Attributes): Record<string, string> {
  return Object.fromEntries(attributeLabelPairs(attributes, false, new Set(['__name__'])));
}
