import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileMatcher, regexSyntaxError } from './label-matcher.ts';
import type { LabelMatcher } from './queryable.ts';
import { compileLabelRegex, type LabelRegex, literalAlternatives } from './re2-regex.ts';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('label matchers', () => {
  it('anchor regexes at both ends, for any literal and candidate', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (literal, candidate) => {
        const matcher = compileMatcher({ type: '=~', name: 'l', value: escapeRegex(literal) });
        expect(matcher.matches(candidate)).toBe(candidate === literal);
        expect(matcher.matches(`x${literal}`)).toBe(false);
      }),
    );
  });

  it('negate exactly: != and !~ accept what = and =~ reject, and matchesEmpty tells about ""', () => {
    const patterns = fc.oneof(fc.string(), fc.constantFrom('.*', '.+', 'a|b', '(a', 'a\\-b', '[a-z]*'));
    fc.assert(
      fc.property(patterns, fc.string(), (value, candidate) => {
        for (const [positive, negative] of [
          ['=', '!='],
          ['=~', '!~'],
        ] as const) {
          const yes = compileMatcher({ type: positive, name: 'l', value });
          const no = compileMatcher({ type: negative, name: 'l', value });
          expect(no.matches(candidate)).toBe(!yes.matches(candidate));
          expect(yes.matchesEmpty).toBe(yes.matches(''));
        }
      }),
    );
  });

  it('follow RE2 where it differs from JavaScript defaults', () => {
    const match = (value: string, candidate: string): boolean =>
      compileMatcher({ type: '=~', name: 'l', value } satisfies LabelMatcher).matches(candidate);
    // `.` matches a newline, as in RE2 (Prometheus compiles with the s flag).
    expect(match('a.b', 'a\nb')).toBe(true);
    // `.` matches one code point, not half of a surrogate pair.
    expect(match('.', '😀')).toBe(true);
    // Escapes RE2 accepts but unicode-mode JavaScript rejects still compile.
    expect(match('a\\-b', 'a-b')).toBe(true);
    expect(match('a|b', 'ab')).toBe(false);
    // RE2's leading flag group, e.g. case-insensitive matching.
    expect(match('(?i)api|web', 'API')).toBe(true);
    expect(match('(?i)api|web', 'Web')).toBe(true);
    expect(match('(?i)api', 'apix')).toBe(false);
  });

  it('read RE2 syntax that JavaScript spells differently', () => {
    const matching = (value: string, candidates: readonly string[]): string[] => {
      const matcher = compileMatcher({ type: '=~', name: 'l', value });
      return candidates.filter((c) => matcher.matches(c));
    };
    const values = ['abc', 'ABC', 'a.b', 'a1', 'é', ']', 'z', ''];
    expect(matching('(?P<first>a)bc', values)).toEqual(['abc']);
    expect(matching('[[:alpha:]]+', values)).toEqual(['abc', 'ABC', 'z']);
    expect(matching('[[:lower:][:digit:]]+', values)).toEqual(['abc', 'a1', 'z']);
    expect(matching('[[:punct:]]', values)).toEqual([']']);
    expect(matching('\\pL', values)).toEqual(['é', 'z']);
    expect(matching('\\PL', values)).toEqual([']']);
    expect(matching('\\Qa.b\\E', values)).toEqual(['a.b']);
    expect(matching('a\\Q.\\E[b1]', values)).toEqual(['a.b']);
    expect(matching('[]a]', values)).toEqual([']']);
    expect(matching('\\Aabc\\z', values)).toEqual(['abc']);
    expect(matching('z\\z', values)).toEqual(['z']);
    expect(matching('\\x{e9}|\\x{5D}', values)).toEqual(['é', ']']);
  });

  it('match any literal quoted with \\Q...\\E exactly', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (literal, other) => {
        fc.pre(!literal.includes('\\E'));
        const matcher = compileMatcher({ type: '=~', name: 'l', value: `\\Q${literal}\\E` });
        expect(matcher.matches(literal)).toBe(true);
        expect(matcher.matches(other)).toBe(other === literal);
      }),
    );
  });

  it('recognise an alternation of literals, for any literals, and agree with the regex engine on it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 5 }),
        fc.string(),
        (literals, candidate) => {
          const source = literals.map(escapeRegex).join('|');
          expect(literalAlternatives(source)).toEqual(literals);
          const viaSet = compileMatcher({ type: '=~', name: 'l', value: source });
          const engine = RE2JS.compile(source, RE2JS.DOTALL);
          for (const probe of [candidate, ...literals])
            expect(viaSet.matches(probe)).toBe(engine.matches(probe));
        },
      ),
    );
    expect(literalAlternatives('a.b|c')).toBeUndefined();
    // `\\` is an escaped backslash (a literal); `\d` is a digit class.
    expect(literalAlternatives('a\\\\d')).toEqual(['a\\d']);
    expect(literalAlternatives('a\\d')).toBeUndefined();
  });

  it('answer prefix, suffix and contains shapes without the engine, exactly as the engine would', () => {
    const shapes = fc.tuple(
      fc.constantFrom('', '.*'),
      fc.string({ maxLength: 4 }).map(escapeRegex),
      fc.constantFrom('', '.*'),
    );
    fc.assert(
      fc.property(shapes, fc.string({ maxLength: 8 }), ([lead, text, trail], candidate) => {
        const source = lead + text + trail;
        const regex = compileLabelRegex(source) as LabelRegex;
        const engine = RE2JS.compile(source, RE2JS.DOTALL);
        for (const probe of [candidate, `${candidate}${text}`, `${text}${candidate}`, `\n${text}\n`]) {
          expect(regex.test(probe), `${source} on ${JSON.stringify(probe)}`).toBe(engine.matches(probe));
        }
      }),
    );
  });

  it('treat an uncompilable regex as matching nothing and reuse compiled regexes', () => {
    expect(typeof compileLabelRegex('(')).toBe('string');
    expect(compileMatcher({ type: '=~', name: 'l', value: '(' }).matches('(')).toBe(false);
    expect(compileMatcher({ type: '!~', name: 'l', value: '(' }).matches('(')).toBe(true);
    expect(compileLabelRegex('api|web')).toBe(compileLabelRegex('api|web'));
  });

  it('word syntax errors as Go does, quoting the pattern as written', () => {
    expect(regexSyntaxError('(')).toBe('error parsing regexp: missing closing ): `(`');
    expect(regexSyntaxError('*a')).toBe('error parsing regexp: missing argument to repetition operator: `*`');
    expect(regexSyntaxError('a**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    // Perl features RE2 leaves out are errors, not silently different matches.
    expect(regexSyntaxError('(?<=a)b')).toMatch(/^error parsing regexp: /);
    expect(regexSyntaxError('(a)\\1')).toMatch(/^error parsing regexp: invalid escape sequence/);
    expect(regexSyntaxError('a+|b')).toBeUndefined();
  });

  it('match in time linear in the value, whatever the pattern', () => {
    // Each of these takes a backtracking engine (JavaScript's RegExp) longer than the age of the universe
    // on a value this long; RE2 answers at once. The bound is only a hang detector, not a timing claim.
    const value = `${'a'.repeat(5_000)}!`;
    for (const source of ['(a+)+b', '(a|a)*b', '(a*)*b', '.*a.*a.*a.*a.*b', '(a|aa)+$x']) {
      const started = performance.now();
      expect(compileMatcher({ type: '=~', name: 'l', value: source }).matches(value), source).toBe(false);
      expect(performance.now() - started, source).toBeLessThan(10_000);
    }
  });
});

describe('RE2 inline flags', () => {
  it('scope a flag group to the rest of its enclosing group (Prometheus selectors.test)', () => {
    for (const re of ['((?i)PRO).*', '.*((?i)DUC).*', '.*((?i)TION)', '(?i)PRODUCTION']) {
      expect(compileMatcher({ type: '=~', name: 'l', value: re }).matches('production'), re).toBe(true);
    }
    expect(compileMatcher({ type: '=~', name: 'l', value: '((?i)PRO)X' }).matches('prox')).toBe(false);
    expect(compileMatcher({ type: '=~', name: 'l', value: '(?U)a+' }).matches('aaa')).toBe(true);
  });
});
