/**
 * Label regexes with RE2's syntax and guarantees, as Prometheus compiles them (Go's `regexp`, `(?s)` so
 * `.` matches a newline, fully anchored). Matching is linear in the length of the value whatever the
 * pattern: `{a=~"(a+)+b"}` sent to the query API cannot stall the process that embeds yardstick, which a
 * backtracking engine (JavaScript's RegExp) would allow.
 *
 * Common shapes skip the regex engine, as Prometheus's FastRegexMatcher does: literal alternations (a set
 * lookup), `prefix.*`, `.*suffix`, `.*text.*`, `.*` and `.+`. Everything else runs on re2js, a port of
 * RE2 to JavaScript.
 */
import { RE2JS } from 're2js';

/** A compiled label regex. */
export interface LabelRegex {
  readonly source: string;
  /** The values it accepts when it is an alternation of literals (`api|web`), else undefined. */
  readonly literals: readonly string[] | undefined;
  /** Whether the whole value matches. */
  test(value: string): boolean;
  /** The groups of a whole-value match (`$1`, `$name`), or `null` when the value does not match. */
  match(value: string): RegexMatch | null;
}

/** A whole-value match: a group by number or name, `undefined` when it did not take part. */
export type RegexMatch = (group: number | string) => string | undefined;

const cacheLimit = 1024;
// Dashboards and rules repeat the same selectors on every evaluation; compiling costs far more than a
// lookup. Bounded, oldest evicted first. A string entry is the syntax error of that source.
const cache = new Map<string, LabelRegex | string>();

/**
 * The compiled regex for a PromQL label regex, or the RE2 syntax error as Go words it
 * (`error parsing regexp: missing closing ): \`(\``).
 */
export function compileLabelRegex(source: string): LabelRegex | string {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const compiled = compile(source);
  if (cache.size >= cacheLimit) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(source, compiled);
  return compiled;
}

function compile(source: string): LabelRegex | string {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, RE2JS.DOTALL);
  } catch {
    // Recompiled without the flag so that the message quotes the pattern as written, not `(?s)...`.
    try {
      RE2JS.compile(source);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    return `error parsing regexp: invalid pattern: \`${source}\``;
  }
  const match = (value: string): RegexMatch | null => {
    const m = re.matcher(value);
    if (!m.matches()) return null;
    return (group) => {
      try {
        return m.group(group) ?? undefined;
      } catch {
        return undefined; // a group that does not exist expands to nothing, as in Go
      }
    };
  };
  const literals = literalAlternatives(source);
  return { source, literals, test: fastTest(source, literals) ?? ((value) => re.matches(value)), match };
}

/**
 * Go's `Regexp.Expand` of a replacement template: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name is the
 * longest run of letters, digits and `_` (so `$1x` is the group named `1x`, empty when there is none), a
 * number with a leading zero is a name too, and a malformed reference leaves the `$` as text.
 */
export function goExpand(template: string, group: RegexMatch): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar === -1) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const braced = template[i] === '{';
    const nameStart = braced ? i + 1 : i;
    let j = nameStart;
    while (j < template.length && /[\p{L}\p{Nd}_]/u.test(template[j]!)) j++;
    if (j === nameStart || (braced && template[j] !== '}')) {
      out += '$';
      continue;
    }
    const name = template.slice(nameStart, j);
    i = braced ? j + 1 : j;
    const numbered = /^(0|[1-9]\d{0,7})$/.test(name);
    out += group(numbered ? Number(name) : name) ?? '';
  }
  return out;
}

/** An unanchored regex with Go's `regexp` semantics, for template functions. */
export interface GoRegexp {
  /** Go's `MatchString`: whether the regex matches anywhere in `text`. */
  matchString(text: string): boolean;
  /** Go's `ReplaceAllString`: every non-overlapping match replaced by `template` expanded as `Expand` does. */
  replaceAllString(text: string, template: string): string;
}

/** Compiles `source` as Go's `regexp.Compile` would, or returns its error (`error parsing regexp: ...`). */
export function compileGoRegexp(source: string): GoRegexp | string {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return {
    matchString: (text) => re.matcher(text).find(),
    replaceAllString(text, template) {
      const m = re.matcher(text);
      const group: RegexMatch = (ref) => {
        try {
          return m.group(ref) ?? undefined;
        } catch {
          return undefined;
        }
      };
      // Go's replaceAll loop: an empty match right after a match is not replaced, and the search always
      // advances by at least one character.
      let out = '';
      let lastMatchEnd = 0;
      let searchPos = 0;
      while (searchPos <= text.length && m.find(searchPos)) {
        const start = m.start();
        const end = m.end();
        out += text.slice(lastMatchEnd, start);
        if (end > lastMatchEnd || start === 0) out += goExpand(template, group);
        lastMatchEnd = end;
        const code = text.codePointAt(searchPos);
        const width = code === undefined ? 0 : code > 0xffff ? 2 : 1;
        if (searchPos + width > end) searchPos += width;
        else if (searchPos + 1 > end) searchPos++;
        else searchPos = end;
      }
      return out + text.slice(lastMatchEnd);
    },
  };
}

const META = '\\.+*?()|[]{}^$';

/** The literal text of `source` when it has no regex syntax (escaped punctuation allowed), else undefined. */
function literal(source: string): string | undefined {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      // Only escaped punctuation is a literal; `\d`, `\pL`, `\Q` and the like are classes or syntax.
      if (next === undefined || !/[!-/:-@[-`{-~]/.test(next)) return undefined;
      out += next;
      i++;
    } else if (META.includes(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** The literal alternatives of `a|b\.c`, or undefined when any branch is not a literal. */
export function literalAlternatives(source: string): string[] | undefined {
  const branches: string[] = [];
  let start = 0;
  for (let i = 0; i <= source.length; i++) {
    if (i < source.length && source[i] === '\\') {
      i++;
      continue;
    }
    if (i === source.length || source[i] === '|') {
      const text = literal(source.slice(start, i));
      if (text === undefined) return undefined;
      branches.push(text);
      start = i + 1;
    }
  }
  return branches;
}

/** A string test for the shapes that need no regex engine, or undefined. */
function fastTest(
  source: string,
  literals: readonly string[] | undefined,
): ((value: string) => boolean) | undefined {
  if (source === '.*') return () => true;
  if (source === '.+') return (value) => value.length > 0;
  if (literals !== undefined) {
    const set = new Set(literals);
    return (value) => set.has(value);
  }
  const leadingAny = source.startsWith('.*');
  const trailingAny = source.endsWith('.*') && !source.endsWith('\\.*');
  const inner = literal(source.slice(leadingAny ? 2 : 0, trailingAny ? -2 : undefined));
  if (inner === undefined || (!leadingAny && !trailingAny)) return undefined;
  if (leadingAny && trailingAny) return (value) => value.includes(inner);
  if (leadingAny) return (value) => value.endsWith(inner);
  return (value) => value.startsWith(inner);
}
