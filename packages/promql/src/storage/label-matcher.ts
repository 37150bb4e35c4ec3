/**
 * Label matchers compiled once per query, with Prometheus semantics: regexes are RE2, fully anchored, and
 * `.` matches a newline (see `re2-regex.ts`), and a label that is absent reads as the empty string (so
 * `{a=""}` matches series without `a`).
 */
import type { LabelMatcher } from './queryable.ts';
import { compileLabelRegex } from './re2-regex.ts';

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

/**
 * Why `source` cannot be used as a label matcher regex, worded as Go's `regexp` words it, or `undefined`
 * when it compiles. For the parser, which refuses such selectors as Prometheus does.
 */
export function regexSyntaxError(source: string): string | undefined {
  const compiled = compileLabelRegex(source);
  return typeof compiled === 'string' ? compiled : undefined;
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
      // Compiled once per source (cached): an uncompilable regex matches no value.
      const regex = compileLabelRegex(value);
      exactValues = typeof regex === 'string' ? undefined : regex.literals;
      const accepted = typeof regex === 'string' ? () => false : (candidate: string) => regex.test(candidate);
      matches = type === '=~' ? accepted : (candidate) => !accepted(candidate);
      break;
    }
  }
  return { name, type, value, matchesEmpty: matches(''), exactValues, matches };
}
