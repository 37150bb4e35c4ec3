/**
 * Identity of a label set, for maps keyed by series.
 */
import type { Labels } from '@yardstick/promql';

/**
 * A string that is equal for equal label sets. Shaped for speed: sorting names and joining with
 * separators that cannot occur in label names (`\xff`) beats hashing for the few labels alerts carry.
 */
export function labelKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const n of names) key += `${n}\xfe${labels[n]}\xff`;
  return key;
}
