/**
 * Instrument-name patterns with `*` wildcards, as in OTel view selectors (`http.server.*`, `*`).
 * Unlike sdk-metrics 3.x's own predicate, every `*` is a wildcard, not only the first.
 */

/** A compiled name pattern. */
export interface NamePattern {
  /** The pattern as written. */
  readonly source: string;
  /** How specific the pattern is: exact names beat any wildcard, then more literal characters win. */
  readonly specificity: number;
  /** Whether `name` matches the whole pattern. */
  matches(name: string): boolean;
}

const REGEXP_SPECIALS = /[\\^$.+?()[\]{}|]/g;

/** Compiles `pattern`: `*` matches any run of characters (also none), everything else matches itself. */
export function compileNamePattern(pattern: string): NamePattern {
  if (!pattern.includes('*')) {
    return { source: pattern, specificity: Number.POSITIVE_INFINITY, matches: (name) => name === pattern };
  }
  if (/^\*+$/.test(pattern)) return { source: pattern, specificity: 0, matches: () => true };
  const regexp = new RegExp(`^${pattern.replace(REGEXP_SPECIALS, '\\$&').replaceAll('*', '.*')}$`, 's');
  return {
    source: pattern,
    specificity: pattern.replaceAll('*', '').length,
    matches: (name) => regexp.test(name),
  };
}

/**
 * The value of the most specific pattern matching `name` (an exact name, else the wildcard pattern with the
 * most literal characters, else the first listed), or `undefined` when none matches.
 */
export function mostSpecificMatch<T>(
  entries: ReadonlyArray<readonly [NamePattern, T]>,
  name: string,
): T | undefined {
  let best: readonly [NamePattern, T] | undefined;
  for (const entry of entries) {
    if (entry[0].matches(name) && (best === undefined || entry[0].specificity > best[0].specificity)) {
      best = entry;
    }
  }
  return best?.[1];
}
