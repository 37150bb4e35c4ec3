/**
 * Label matchers compiled once per query, with Prometheus semantics: regexes are fully anchored and `.`
 * matches a newline (Prometheus compiles `^(?s:re)$` with RE2), and a label that is absent reads as the
 * empty string (so `{a=""}` matches series without `a`).
 */
import type { LabelMatcher } from './queryable.ts';
import { re2ToJavaScript } from './re2-syntax.ts';

/** A matcher ready to test label values. */
export interface CompiledMatcher {
  readonly name: string;
  readonly type: LabelMatcher['type'];
  readonly value: string;
  /** Whether the empty string matches, i.e. whether series without the label match. */
  readonly matchesEmpty: boolean;
  /**
   * The exact values an `=`/`=~` matcher accepts, or a `!=`/`!~` matcher rejects, when they are a finite
   * list (an equality, or a regex that is an alternation of literals such as `api|web`): the index then
   * looks them up instead of testing every value of the label.
   */
  readonly exactValues: readonly string[] | undefined;
  matches(value: string): boolean;
}

const regexCacheLimit = 1024;
// Compiling a RegExp costs far more than a Map lookup, and dashboards and rules repeat the same selectors
// on every evaluation, so compiled regexes are kept (bounded, oldest evicted first).
const regexCache = new Map<string, RegExp | null>();

/**
 * The fully anchored RegExp for a PromQL (RE2) regex, or `null` when it cannot be compiled as a
 * JavaScript regex (such a matcher matches nothing, rather than throwing on the query path).
 */
export function anchoredRegex(source: string): RegExp | null {
  const cached = regexCache.get(source);
  if (cached !== undefined) return cached;
  const translated = inlineFlagsAsGroups(re2ToJavaScript(source));
  const compiled = compileAnchored(translated, 'su') ?? compileAnchored(translated, 's');
  if (regexCache.size >= regexCacheLimit) {
    const oldest = regexCache.keys().next();
    if (!oldest.done) regexCache.delete(oldest.value);
  }
  regexCache.set(source, compiled);
  return compiled;
}

/**
 * RE2's flag groups `(?i)` apply from where they stand to the end of the enclosing group (or pattern);
 * JavaScript only has the scoped form `(?i:...)`. So `a((?i)b)c` becomes `a((?i:b))c` and `(?i)prod.*`
 * becomes `(?i:prod.*)`. RE2's `U` (ungreedy) has no JavaScript equivalent and is left to fail to compile.
 */
export function inlineFlagsAsGroups(source: string): string {
  if (!source.includes('(?')) return source;
  let out = '';
  // per open group: how many `(?flags:` groups opened inside it must close with it
  const pending: number[] = [0];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') out += source[++i];
    } else if (c === '(') {
      const flags = /^\(\?([imsU]+(?:-[imsU]+)?|-[imsU]+)\)/.exec(source.slice(i, i + 16));
      if (flags) {
        out += `(?${flags[1]}:`;
        pending[pending.length - 1]!++;
        i += flags[0].length - 1;
      } else {
        pending.push(0);
        out += c;
      }
    } else if (c === ')') {
      out += ')'.repeat(pending.length > 1 ? pending.pop()! : 0) + c;
    } else {
      out += c;
    }
  }
  return out + ')'.repeat(pending[0]!);
}

/**
 * Why `source` cannot be used as a label matcher regex (JavaScript's reason, lower case), or `undefined`
 * when {@link anchoredRegex} compiles it. For the parser, which refuses such selectors as Prometheus refuses
 * regexes RE2 cannot parse.
 */
export function regexSyntaxError(source: string): string | undefined {
  if (anchoredRegex(source) !== null) return undefined;
  try {
    new RegExp(`^(?:${inlineFlagsAsGroups(re2ToJavaScript(source))})$`, 'su');
    return 'invalid regular expression';
  } catch (e) {
    const reason = e instanceof Error ? (/: ([^:]+)$/.exec(e.message)?.[1] ?? e.message) : String(e);
    return reason.charAt(0).toLowerCase() + reason.slice(1);
  }
}

function compileAnchored(source: string, flags: string): RegExp | null {
  try {
    // `u` makes `.` match a code point as RE2 does; sources that are valid RE2 but not valid in unicode
    // mode (e.g. `\-` outside a class) fall back to the non-unicode syntax.
    return new RegExp(`^(?:${source})$`, flags);
  } catch {
    return null;
  }
}

/**
 * The literal strings of a regex that is only an alternation of literals (`a|b\.c`), or `undefined`.
 * Escaped punctuation counts as a literal; any other regex syntax does not.
 */
export function literalAlternatives(source: string): string[] | undefined {
  const alternatives: string[] = [];
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '|') {
      alternatives.push(current);
      current = '';
    } else if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined || /[\p{L}\p{N}_\s]/u.test(next)) return undefined;
      current += next;
      i++;
    } else if ('.*+?^$()[]{}'.includes(char)) {
      return undefined;
    } else {
      current += char;
    }
  }
  alternatives.push(current);
  return alternatives;
}

/** Compiles one matcher; an invalid regex gives a matcher that matches no value. */
export function compileMatcher(matcher: LabelMatcher): CompiledMatcher {
  const { name, type, value } = matcher;
  let matches: (candidate: string) => boolean;
  let exactValues: readonly string[] | undefined;
  switch (type) {
    case '=':
      exactValues = [value];
      matches = (candidate) => candidate === value;
      break;
    case '!=':
      exactValues = [value];
      matches = (candidate) => candidate !== value;
      break;
    case '=~':
    case '!~': {
      exactValues = literalAlternatives(value);
      const accepted = regexTest(value, exactValues);
      matches = type === '=~' ? accepted : (candidate) => !accepted(candidate);
      break;
    }
  }
  return { name, type, value, matchesEmpty: matches(''), exactValues, matches };
}

function regexTest(source: string, literals: readonly string[] | undefined): (candidate: string) => boolean {
  // A set lookup answers a literal alternation without running a regex.
  if (literals !== undefined) {
    const set = new Set(literals);
    return (candidate) => set.has(candidate);
  }
  const regex = anchoredRegex(source);
  return regex === null ? () => false : (candidate) => regex.test(candidate);
}
