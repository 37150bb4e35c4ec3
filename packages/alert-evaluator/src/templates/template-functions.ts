/**
 * The functions alert templates can call: Go's `text/template` builtins plus Prometheus's
 * (`template/template.go`): humanizers, `printf`, `reReplaceAll`, `match`, `title`, `query` with
 * `first`/`label`/`value`/`sortByLabel`/`strvalue`, and friends.
 */
import { compileGoRegexp } from '@yardstick/promql';
import { parseDuration } from '../rules/duration.ts';
import {
  compare,
  escaperInput,
  goCase,
  goSlice,
  goSprint,
  goTitle,
  htmlEscape,
  jsEscape,
  sampleOf,
} from './go-builtins.ts';
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
    // Go's regexp.MatchString: a compile error is the function's error.
    const re = compileGoRegexp(toStr(a[0]));
    if (typeof re === 'string') throw new Error(re);
    return re.matchString(toStr(a[1]));
  },
  reReplaceAll: (_c, a) => {
    arity('reReplaceAll', a, 3);
    const pattern = toStr(a[0]);
    const re = compileGoRegexp(pattern);
    // Prometheus compiles with regexp.MustCompile, whose panic message names the pattern.
    if (typeof re === 'string') throw new Error(`regexp: Compile(\`${pattern}\`): ${re}`);
    return re.replaceAllString(toStr(a[2]), toStr(a[1]));
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
