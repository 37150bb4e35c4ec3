/**
 * Label-set helpers with Prometheus semantics: a canonical key per label set, the ordering of
 * `labels.Compare`, the `String()` form used in error messages, and metadata-label removal.
 */
import type { Labels } from '../storage/queryable.ts';

/** The metric name label. */
export const METRIC_NAME = '__name__';

/** Labels that describe the metric rather than the series; arithmetic and most functions remove them. */
const metadataLabels = new Set(['__name__', '__type__', '__unit__']);

const sep = '\xff';

// Keys are asked for the same label objects on every step of a range query; a WeakMap lookup is far
// cheaper than sorting and joining the names again.
const keyCache = new WeakMap<Labels, string>();

/** A string that is equal for two label sets exactly when they hold the same pairs. */
export function labelsKey(labels: Labels): string {
  let key = keyCache.get(labels);
  if (key === undefined) {
    const names = Object.keys(labels).sort();
    key = '';
    for (const name of names) key += name + sep + labels[name] + sep;
    keyCache.set(labels, key);
  }
  return key;
}

/** The key of only the named labels (absent labels read as empty), for `on(...)` and `by(...)`. */
export function keyWith(labels: Labels, sortedNames: readonly string[]): string {
  let key = '';
  for (const name of sortedNames) {
    const value = labels[name];
    if (value !== undefined && value !== '') key += name + sep + value + sep;
  }
  return key;
}

/** The key of every label except the named ones, for `ignoring(...)` and `without(...)`. */
export function keyWithout(labels: Labels, excluded: ReadonlySet<string>): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const name of names) {
    if (!excluded.has(name)) key += name + sep + labels[name] + sep;
  }
  return key;
}

/** Only the named labels that are present and not empty. */
export function pickLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Every label except the named ones. */
export function omitLabels(labels: Labels, excluded: ReadonlySet<string>): Labels {
  const out: Record<string, string> = {};
  for (const name in labels) {
    if (!excluded.has(name)) out[name] = labels[name]!;
  }
  return out;
}

/** The label set without `__name__`, `__type__` and `__unit__`; the same object when none is present. */
export function dropMetadata(labels: Labels): Labels {
  let found = false;
  for (const name in labels) {
    if (metadataLabels.has(name)) {
      found = true;
      break;
    }
  }
  return found ? omitLabels(labels, metadataLabels) : labels;
}

/** A copy with one label set, or removed when `value` is empty (Prometheus drops empty labels). */
export function withLabel(labels: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = { ...labels };
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

/** The ordering of Prometheus's `labels.Compare`: pairwise by sorted name, then value; shorter first. */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i]!;
    const y = bn[i]!;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x]!;
    const yv = b[y]!;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}

/** The `{a="1", b="2"}` form Prometheus prints in messages (Go-quoted values, sorted names). */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((name) => `${name}=${JSON.stringify(labels[name])}`).join(', ')}}`;
}

/**
 * Whether `name` is a valid label name in Prometheus 3 (UTF-8 names): not empty and valid UTF-8. The
 * parser keeps invalid bytes as lone surrogates, which is what this looks for.
 */
export function isValidLabelName(name: string): boolean {
  return name !== '' && !/\p{Cs}/u.test(name);
}
