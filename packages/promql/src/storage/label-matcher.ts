/**
 * Label matchers compiled once per query, with Prometheus semantics: regexes are fully anchored, and a
 * label that is absent reads as the empty string (so `{a=""}` matches series without `a`).
 */
import type { LabelMatcher, Labels } from './queryable.ts';

/** A matcher ready to test label values; `matchesEmpty` tells whether series without the label match. */
export interface CompiledMatcher {
  readonly name: string;
  readonly type: LabelMatcher['type'];
  readonly value: string;
  readonly matchesEmpty: boolean;
  matches(value: string): boolean;
}

const regexCacheLimit = 1024;
// Compiling a RegExp costs far more than a Map lookup, and dashboards and rules repeat the same selectors
// on every evaluation, so compiled regexes are kept (bounded, oldest evicted first).
const regexCache = new Map<string, RegExp | null>();

/**
 * The fully anchored RegExp for a PromQL regex, or `null` when the source is not a valid JavaScript
 * regex (such a matcher matches nothing, rather than throwing on the query path).
 */
export function anchoredRegex(source: string): RegExp | null {
  const cached = regexCache.get(source);
  if (cached !== undefined) return cached;
  const compiled = compileAnchored(source, 'su') ?? compileAnchored(source, 's');
  if (regexCache.size >= regexCacheLimit) {
    const oldest = regexCache.keys().next();
    if (!oldest.done) regexCache.delete(oldest.value);
  }
  regexCache.set(source, compiled);
  return compiled;
}

function compileAnchored(source: string, flags: string): RegExp | null {
  try {
    // `s` (dotAll): in RE2, which Prometheus uses, `.` matches `\n` as well. `u` makes `.` match a code
    // point like RE2 does; sources that are valid RE2 but not valid in unicode mode (e.g. `\-` outside a
    // class) fall back to the non-unicode syntax.
    return new RegExp(`^(?:${source})$`, flags);
  } catch {
    return null;
  }
}

/** Compiles one matcher; invalid regexes give a matcher that matches no value. */
export function compileMatcher(matcher: LabelMatcher): CompiledMatcher {
  const { name, type, value } = matcher;
  let matches: (candidate: string) => boolean;
  switch (type) {
    case '=':
      matches = (candidate) => candidate === value;
      break;
    case '!=':
      matches = (candidate) => candidate !== value;
      break;
    case '=~': {
      const regex = anchoredRegex(value);
      matches = regex === null ? () => false : (candidate) => regex.test(candidate);
      break;
    }
    case '!~': {
      const regex = anchoredRegex(value);
      matches = regex === null ? () => true : (candidate) => !regex.test(candidate);
      break;
    }
  }
  return { name, type, value, matchesEmpty: matches(''), matches };
}

/** Whether a label set satisfies every compiled matcher (an absent label reads as `""`). */
export function labelsMatch(labels: Labels, matchers: readonly CompiledMatcher[]): boolean {
  for (const matcher of matchers) {
    if (!matcher.matches(labels[matcher.name] ?? '')) return false;
  }
  return true;
}
