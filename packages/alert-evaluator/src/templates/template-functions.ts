/**
 * The functions alert templates can call: Go's `text/template` builtins plus Prometheus's
 * (`template/template.go`): humanizers, `printf`, `reReplaceAll`, `match`, `title`, `query` with
 * `first`/`label`/`value`/`sortByLabel`/`strvalue`, and friends.
 */
import { parseDuration } from '../rules/duration.ts';
import { formatGoValue, goSprintf, goTypeName } from './go-format.ts';
import {
  floatToTimeMs,
  goTimeString,
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage,
  humanizeTimestamp,
} from './humanize.ts';
import { isTrue, TemplateStruct, templateSample } from './template-values.ts';

/** What a `query` call inside a template returns: samples with labels and a value. */
export interface TemplateQueryResult {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Per-expansion context: the query hook (when the template may query) and the external URL. */
export interface TemplateContext {
  readonly query: ((expr: string) => Promise<readonly TemplateQueryResult[]>) | undefined;
  readonly externalURL: string;
}

/** A template function. Throwing an `Error` becomes `error calling NAME: message`. */
export type TemplateFunction = (ctx: TemplateContext, args: unknown[]) => unknown;

/** Go's `strconv.ParseFloat` syntax: no surrounding spaces, no underscores or integer base prefixes. */
const GO_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Prometheus's `convertToFloat`: numbers as they are, strings through `strconv.ParseFloat`. */
function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/i.test(v)) return Number.NaN;
    if (!GO_FLOAT.test(v))
      throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  }
  throw new Error(`can't convert ${goTypeName(v)} to float`);
}

function toStr(v: unknown): string {
  return typeof v === 'string' ? v : formatGoValue(v);
}

/** A call with the wrong number of arguments: Go rejects it before calling, so it is not an "error calling". */
export class ArityError extends Error {}

function arity(name: string, args: unknown[], n: number): void {
  if (args.length !== n)
    throw new ArityError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

/** Go's `evalArgs` for `html`, `js` and `urlquery`: a lone string as it is, anything else `fmt.Sprint`ed. */
function escaperInput(args: unknown[]): string {
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

function htmlEscape(s: string): string {
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
function jsEscape(s: string): string {
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
function goSlice(args: unknown[]): unknown {
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

function compare(a: unknown, b: unknown, ordered: boolean): number {
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
function goSprint(args: unknown[]): string {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && typeof args[i] !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatGoValue(args[i]);
  }
  return out;
}

function sampleOf(v: unknown): Readonly<Record<string, unknown>> {
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
function goCase(s: string, upper: boolean): string {
  let out = '';
  for (const ch of s) out += simpleCase(ch, upper);
  return out;
}

/** Go's `strings.Title`: title-cases every letter that follows a separator. */
function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? (TITLE_DIGRAPHS[ch] ?? simpleCase(ch, true)) : ch;
    prev = ch;
  }
  return out;
}

/**
 * Go's `regexp` (RE2) in JavaScript: `(?P<name>` becomes `(?<name>`, and leading flags such as `(?i)`
 * become RegExp flags (`s` and `m` too); JavaScript has no `(?flags)` form.
 */
function goRegExp(pattern: string, flags = ''): RegExp {
  let p = pattern.replace(/\(\?P</g, '(?<');
  let f = flags;
  const lead = /^\(\?([imsU]+)\)/.exec(p);
  if (lead !== null && !lead[1]!.includes('U')) {
    for (const c of lead[1]!) if (!f.includes(c)) f += c;
    p = p.slice(lead[0].length);
  }
  try {
    return new RegExp(p, f);
  } catch (err) {
    throw new Error(`error parsing regexp: ${regexpSyntaxError(pattern, (err as Error).message)}`);
  }
}

/** RE2's wording for the syntax errors JavaScript also detects; JavaScript's own otherwise. */
function regexpSyntaxError(pattern: string, jsMessage: string): string {
  if (/Unterminated group/.test(jsMessage)) return `missing closing ): \`${pattern}\``;
  if (/Unmatched '\)'/.test(jsMessage)) return `unexpected ): \`${pattern}\``;
  if (/Unterminated character class/.test(jsMessage)) {
    return `missing closing ]: \`${pattern.slice(pattern.lastIndexOf('['))}\``;
  }
  return jsMessage;
}

/** Go's `Regexp.Expand` template: `$1`, `${1}`, `$name`, `$$`. */
function expandReplacement(repl: string): string {
  return repl.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$$';
    const name = braced ?? bare ?? '';
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
}

const builtins: Record<string, TemplateFunction> = {
  and: (_c, a) => {
    for (const x of a) if (!isTrue(x)) return x;
    return a[a.length - 1];
  },
  or: (_c, a) => {
    for (const x of a) if (isTrue(x)) return x;
    return a[a.length - 1];
  },
  not: (_c, a) => {
    arity('not', a, 1);
    return !isTrue(a[0]);
  },
  len: (_c, a) => {
    arity('len', a, 1);
    const v = a[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (v !== null && typeof v === 'object' && !(v instanceof TemplateStruct))
      return BigInt(Object.keys(v).length);
    throw new Error(`len of type ${goTypeName(v)}`);
  },
  index: (_c, a) => {
    let v = a[0];
    for (const key of a.slice(1)) {
      if (v === undefined || v === null) throw new Error('index of untyped nil');
      if (typeof v === 'string' || Array.isArray(v)) {
        if (typeof key !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(key)}`);
        // A string indexes by byte, and yields the byte (a uint8), as in Go.
        const items: readonly unknown[] = typeof v === 'string' ? [...Buffer.from(v)].map(BigInt) : v;
        // Go's bounds check lets the length itself through, and reflect then panics.
        if (key === BigInt(items.length)) {
          throw new Error(`reflect: ${typeof v === 'string' ? 'string' : 'slice'} index out of range`);
        }
        if (key < 0n || key > BigInt(items.length)) throw new Error(`index out of range: ${key}`);
        v = items[Number(key)];
      } else if (typeof v === 'object' && !(v instanceof TemplateStruct)) {
        if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
        // Go's index yields the element type's zero value for a missing key.
        v = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : '';
      } else throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
    return v;
  },
  eq: (_c, a) => {
    if (a.length < 2) throw new Error('missing argument for comparison');
    return a.slice(1).some((b) => compare(a[0], b, false) === 0);
  },
  ne: (_c, a) => {
    arity('ne', a, 2);
    return compare(a[0], a[1], false) !== 0;
  },
  lt: (_c, a) => {
    arity('lt', a, 2);
    return compare(a[0], a[1], true) < 0;
  },
  le: (_c, a) => {
    arity('le', a, 2);
    return compare(a[0], a[1], true) <= 0;
  },
  gt: (_c, a) => {
    arity('gt', a, 2);
    return compare(a[0], a[1], true) > 0;
  },
  ge: (_c, a) => {
    arity('ge', a, 2);
    return compare(a[0], a[1], true) >= 0;
  },
  print: (_c, a) => goSprint(a),
  println: (_c, a) => `${a.map(formatGoValue).join(' ')}\n`,
  printf: (_c, a) => {
    if (typeof a[0] !== 'string') throw new Error('printf: format must be a string');
    return goSprintf(a[0], a.slice(1));
  },
  urlquery: (_c, a) => encodeURIComponent(escaperInput(a)).replace(/%20/g, '+'),
  html: (_c, a) => htmlEscape(escaperInput(a)),
  js: (_c, a) => jsEscape(escaperInput(a)),
  slice: (_c, a) => goSlice(a),
};

const prometheus: Record<string, TemplateFunction> = {
  query: async (ctx, a) => {
    arity('query', a, 1);
    if (ctx.query === undefined) throw new Error('query is not available in this template');
    const res = await ctx.query(toStr(a[0]));
    return res.map((s) => templateSample(s.labels, s.value));
  },
  first: (_c, a) => {
    arity('first', a, 1);
    const v = a[0];
    if (!Array.isArray(v) || v.length === 0) throw new Error('first() called on vector with no elements');
    return v[0];
  },
  label: (_c, a) => {
    arity('label', a, 2);
    const labels = sampleOf(a[1]).Labels as Record<string, string>;
    return labels[toStr(a[0])] ?? '';
  },
  value: (_c, a) => {
    arity('value', a, 1);
    return sampleOf(a[0]).Value;
  },
  strvalue: (_c, a) => {
    arity('strvalue', a, 1);
    return (sampleOf(a[0]).Labels as Record<string, string>).__value__ ?? '';
  },
  sortByLabel: (_c, a) => {
    arity('sortByLabel', a, 2);
    const name = toStr(a[0]);
    if (!Array.isArray(a[1])) throw new Error('sortByLabel expects a query result');
    const get = (s: unknown) => (sampleOf(s).Labels as Record<string, string>)[name] ?? '';
    return [...a[1]].sort((x, y) => {
      const gx = get(x);
      const gy = get(y);
      return gx < gy ? -1 : gx > gy ? 1 : 0;
    });
  },
  humanize: (_c, a) => {
    arity('humanize', a, 1);
    return humanize(toFloat(a[0]));
  },
  humanize1024: (_c, a) => {
    arity('humanize1024', a, 1);
    return humanize1024(toFloat(a[0]));
  },
  humanizeDuration: (_c, a) => {
    arity('humanizeDuration', a, 1);
    return humanizeDuration(toFloat(a[0]));
  },
  humanizePercentage: (_c, a) => {
    arity('humanizePercentage', a, 1);
    return humanizePercentage(toFloat(a[0]));
  },
  humanizeTimestamp: (_c, a) => {
    arity('humanizeTimestamp', a, 1);
    return humanizeTimestamp(toFloat(a[0]));
  },
  toUpper: (_c, a) => {
    arity('toUpper', a, 1);
    return goCase(toStr(a[0]), true);
  },
  toLower: (_c, a) => {
    arity('toLower', a, 1);
    return goCase(toStr(a[0]), false);
  },
  title: (_c, a) => {
    arity('title', a, 1);
    return goTitle(toStr(a[0]));
  },
  match: (_c, a) => {
    arity('match', a, 2);
    return goRegExp(toStr(a[0])).test(toStr(a[1]));
  },
  reReplaceAll: (_c, a) => {
    arity('reReplaceAll', a, 3);
    const pattern = toStr(a[0]);
    let re: RegExp;
    try {
      re = goRegExp(pattern, 'g');
    } catch (err) {
      // Prometheus compiles with regexp.MustCompile, whose panic message names the pattern.
      throw new Error(`regexp: Compile(\`${pattern}\`): ${(err as Error).message}`);
    }
    return toStr(a[2]).replace(re, expandReplacement(toStr(a[1])));
  },
  safeHtml: (_c, a) => {
    arity('safeHtml', a, 1);
    return toStr(a[0]);
  },
  stripPort: (_c, a) => {
    arity('stripPort', a, 1);
    const s = toStr(a[0]);
    const m = /^\[([^\]]+)\]:\d+$/.exec(s) ?? /^([^:]+):\d+$/.exec(s);
    return m ? m[1] : s;
  },
  stripDomain: (_c, a) => {
    arity('stripDomain', a, 1);
    const s = toStr(a[0]);
    const port = /:\d+$/.exec(s)?.[0] ?? '';
    const host = s.slice(0, s.length - port.length);
    if (/^[\d.]+$/.test(host) || host.includes(':')) return s;
    return host.split('.')[0] + port;
  },
  toTime: (_c, a) => {
    arity('toTime', a, 1);
    // A *time.Time in Go; templates print it, which is its String() form.
    return goTimeString(floatToTimeMs(toFloat(a[0])));
  },
  args: (_c, a) => Object.fromEntries(a.map((v, i) => [`arg${i}`, v])),
  parseDuration: (_c, a) => {
    arity('parseDuration', a, 1);
    try {
      return parseDuration(toStr(a[0])) / 1000;
    } catch (err) {
      // Not an AlertEvaluatorError here: a template reports it as an "error calling parseDuration".
      throw new Error((err as Error).message);
    }
  },
  externalURL: (ctx) => ctx.externalURL,
  pathPrefix: (ctx) => {
    try {
      return new URL(ctx.externalURL).pathname.replace(/\/$/, '');
    } catch {
      return '';
    }
  },
  graphLink: (_c, a) => `/graph?g0.expr=${encodeURIComponent(toStr(a[0]))}&g0.tab=0`,
  tableLink: (_c, a) => `/graph?g0.expr=${encodeURIComponent(toStr(a[0]))}&g0.tab=1`,
};

/** The Go type of a typed template-function parameter. */
export type TemplateParamType = 'string' | '*template.sample' | 'template.queryResult';

/**
 * Parameter types of the functions whose Go signatures are typed: Go checks the arguments against them
 * before calling (`expected string; found 3`), instead of the function converting them.
 */
export const TEMPLATE_PARAM_TYPES: Readonly<Record<string, readonly TemplateParamType[]>> = {
  // printf(format string, args ...any): only the format is typed.
  printf: ['string'],
  query: ['string'],
  first: ['template.queryResult'],
  label: ['string', '*template.sample'],
  value: ['*template.sample'],
  strvalue: ['*template.sample'],
  sortByLabel: ['string', 'template.queryResult'],
  toUpper: ['string'],
  toLower: ['string'],
  title: ['string'],
  match: ['string', 'string'],
  reReplaceAll: ['string', 'string', 'string'],
  stripPort: ['string'],
  stripDomain: ['string'],
  safeHtml: ['string'],
  graphLink: ['string'],
  tableLink: ['string'],
  parseDuration: ['string'],
};

/** Every function an alert template may call, by name. */
export const TEMPLATE_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = { ...builtins, ...prometheus };

/** The names in {@link TEMPLATE_FUNCTIONS}, for the parser's "function not defined" check. */
export const TEMPLATE_FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(TEMPLATE_FUNCTIONS));
