/**
 * Go's standard-library behaviour that template functions reproduce byte for byte: the html/js escapers,
 * `slice`, comparison kinds, `fmt.Sprint`, `strings.ToUpper/ToLower/Title`. (RE2 regexps, with Go's error
 * wording and `Regexp.Expand` replacements, come from `@yardstick/promql`'s `compileGoRegexp`.)
 */
import { formatGoValue, goTypeName } from './go-format.ts';
import { TemplateStruct } from './template-values.ts';

/** Go's `evalArgs` for `html`, `js` and `urlquery`: a lone string as it is, anything else `fmt.Sprint`ed. */
export function escaperInput(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : goSprint(args);
}

/** Go's `template.HTMLEscapeString`. */
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  '\0': '\uFFFD',
};

export function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => HTML_ESCAPES[c]!);
}

const JS_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '=': '\\u003D',
};

/** Go's `template.JSEscapeString` (as of the Go Prometheus 2.42 was built with: backquotes kept). */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const fixed = JS_ESCAPES[ch];
    if (fixed !== undefined) out += fixed;
    else if (ch < ' ' || !(ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch))) {
      out += `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** Go's `slice` builtin: byte offsets into strings, element offsets into lists. */
export function goSlice(args: unknown[]): unknown {
  const [item, ...idx] = args;
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  const ints = idx.map((i) => {
    if (typeof i !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
    return Number(i);
  });
  if (typeof item === 'string') {
    if (ints.length > 2) throw new Error('cannot 3-index slice a string');
    const bytes = Buffer.from(item);
    const [lo = 0, hi = bytes.length] = ints;
    if (lo < 0 || hi > bytes.length) throw new Error(`index out of range: ${lo < 0 ? lo : hi}`);
    if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
    return bytes.subarray(lo, hi).toString();
  }
  if (Array.isArray(item)) {
    const [lo = 0, hi = item.length] = ints;
    if (lo < 0 || hi > item.length) throw new Error(`index out of range: ${lo < 0 ? lo : hi}`);
    if (lo > hi) throw new Error(`invalid slice index: ${lo} > ${hi}`);
    return item.slice(lo, hi);
  }
  throw new Error(`can't slice item of type ${goTypeName(item)}`);
}

type Kind = 'int' | 'float' | 'string' | 'bool' | 'other';
function kindOf(v: unknown): Kind {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}

export function compare(a: unknown, b: unknown, ordered: boolean): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  // Go's lt/le/gt/ge reject non-basic operands before comparing kinds; eq/ne compare kinds first.
  if (ordered && (ka === 'other' || kb === 'other')) throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'other' || (ordered && ka === 'bool')) throw new Error('invalid type for comparison');
  if (ka === 'bool') return a === b ? 0 : 1;
  const x = a as number | bigint | string;
  const y = b as number | bigint | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function goSprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatGoValue(args[i]);
  }
  return out;
}

export function sampleOf(v: unknown): Readonly<Record<string, unknown>> {
  if (v instanceof TemplateStruct && v.typeName === '*template.sample') return v.fields;
  throw new Error(`expected a sample, got ${formatGoValue(v)}`);
}

/** Go's `strings.isSeparator`: ASCII other than alphanumerics and `_`; beyond ASCII, only spaces. */
function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if (c <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

/**
 * Go maps case rune by rune with Unicode's simple mappings: no `ß` → `SS`, no final sigma. JavaScript's
 * full mappings are used only where they yield one code point.
 */
function simpleCase(ch: string, upper: boolean): string {
  if (!upper && ch === '\u0130') return 'i';
  const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
  return [...mapped].length === 1 ? mapped : ch;
}

/** Title case differs from upper case only for the Latin digraphs (`ǆ` → `ǅ`). */
const TITLE_DIGRAPHS: Readonly<Record<string, string>> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};

/** Go's `strings.ToUpper` / `strings.ToLower`. */
export function goCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) out += simpleCase(ch, upper);
  return out;
}

/** Go's `strings.Title`: title-cases every letter that follows a separator. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? (TITLE_DIGRAPHS[ch] ?? simpleCase(ch, true)) : ch;
    prev = ch;
  }
  return out;
}
