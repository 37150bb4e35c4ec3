import { describe, expect, it } from 'vitest';
import { compileGoRegexp, type GoRegexp, goExpand } from './re2-regex.ts';

const go = (source: string) => compileGoRegexp(source) as GoRegexp;

describe('compileGoRegexp', () => {
  it('replaces as Go does: no empty match right after a match, one code point at a time', () => {
    expect(go('a*').replaceAllString('baaac', '-')).toBe('-b-c-');
    expect(go('x*').replaceAllString('日本😀', '-')).toBe('-日-本-😀-');
    expect(go('b').replaceAllString('abcb', '[$0]')).toBe('a[b]c[b]');
  });

  it('matches anywhere, with RE2 syntax and flags', () => {
    expect(go('b').matchString('abc')).toBe(true);
    expect(go('^b').matchString('abc')).toBe(false);
    expect(go('a(?i)b').matchString('xaBy')).toBe(true);
    expect(go('\\pL+\\d').matchString('..é1')).toBe(true);
  });

  it("returns Go's compile error instead of a regex", () => {
    expect(compileGoRegexp('a**')).toBe('error parsing regexp: invalid nested repetition operator: `**`');
    expect(compileGoRegexp('(')).toBe('error parsing regexp: missing closing ): `(`');
  });
});

describe('goExpand', () => {
  const groups: Record<string | number, string> = { 0: 'whole', 1: 'one', 10: 'ten', name: 'named' };
  const expand = (template: string) => goExpand(template, (ref) => groups[ref]);

  it("reads names as Go's Regexp.Expand does", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's ${1} replacement syntax, not a JS template
    expect(expand('$1|${1}x|$1x|$10|$01|$name|${name}!|$$|$')).toBe('one|onex||ten||named|named!|$|$');
    expect(expand('${unclosed|$-')).toBe('${unclosed|$-');
  });
});
