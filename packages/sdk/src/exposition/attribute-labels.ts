/**
 * OTel attributes -> Prometheus label pairs, the one mapping both `/metrics` and the embedded store use:
 * names sanitized with `sanitizeLabelName` of `@yardstick/views`, attributes whose names collide after
 * sanitization merged into one label whose values are joined with `;` in sorted attribute-key order (OTel
 * specification), non-string values as the specification asks (arrays as JSON).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { sanitizeLabelName } from '@yardstick/views';

/** Label names the exposition and the store write themselves; attributes mapping to them are dropped. */
export const SCOPE_LABELS: readonly string[] = ['otel_scope_name', 'otel_scope_version'];
const RESERVED = new Set(['__name__', ...SCOPE_LABELS]);

function labelValue(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Label pairs of an attribute set, ordered by label name; values unescaped.
 *
 * @param histogram - also drop an attribute that maps to `le`, which histogram buckets use
 * @param reserved - label names that are written by the caller (default `__name__` and the scope labels)
 */
export function attributeLabelPairs(
  attributes: Attributes,
  histogram: boolean,
  reserved: ReadonlySet<string> = RESERVED,
): Array<[string, string]> {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return [];
  keys.sort(byCodeUnits);
  const pairs: Array<[string, string]> = [];
  for (const key of keys) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const name = sanitizeLabelName(key);
    if ((histogram && name === 'le') || reserved.has(name)) continue;
    const existing = pairs.find((pair) => pair[0] === name);
    if (existing) existing[1] = `${existing[1]};${labelValue(value)}`;
    else pairs.push([name, labelValue(value)]);
  }
  return pairs.sort((a, b) => byCodeUnits(a[0], b[0]));
}

/** The same mapping as a label object, for the embedded store. */
export function attributeLabels(attributes: Attributes, histogram: boolean): Record<string, string> {
  return Object.fromEntries(attributeLabelPairs(attributes, histogram));
}

/** Labels of the `target_info` series: every resource attribute, mapped like any attribute set. */
export function resourceTargetLabels(attributes: Attributes): Record<string, string> {
  return Object.fromEntries(attributeLabelPairs(attributes, false, new Set(['__name__'])));
}
