/**
 * Go's `fmt` number formatting, digit for digit: `%g`/`%v` (shortest round-trip digits, exponent when
 * `exp < -4 || exp >= precision`, two-digit exponents), `%e`, `%f`, and `printf` with the verbs templates
 * use. Prometheus renders alert text through these, so `12.35k` must come out exactly as Go prints it.
 * Rounding is on the exact binary value with ties to even, as Go's `strconv` does (JavaScript's
 * `toFixed`/`toPrecision` round ties away from zero instead).
 */
import { goQuote } from '@yardstick/promql';
import { TemplateStruct } from './template-values.ts';

/** Decimal digits of |v|: value = 0.DIGITS × 10^dp, trailing zeros trimmed (`digits` is '' for 0). */
interface Decimal {
  digits: string;
  dp: number;
}

/** Shortest digits that round-trip, as Go's shortest formatting picks them (same as JavaScript's). */
function shortestDigits(abs: number): Decimal {
  if (abs === 0) return { digits: '', dp: 0 };
  const [mant, exp] = abs.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '');
  return { digits, dp: Number(exp) + 1 };
}

/** Exact digits of |v| (enough of them to decide any rounding below 75 digits). */
function exactDigits(abs: number): Decimal {
  if (abs === 0) return { digits: '', dp: 0 };
  if (abs >= 2 ** 53) {
    // Every double this large is an integer, with up to 309 digits that `%f` prints in full.
    const int = BigInt(abs).toString();
    return { digits: int.replace(/0+$/, ''), dp: int.length };
  }
  // toExponential(100) is exact per ECMA-262 (n × 10^(e−f) − x as close to zero as possible).
  const [mant, exp] = abs.toExponential(100).split('e') as [string, string];
  return { digits: mant.replace('.', ''), dp: Number(exp) + 1 };
}

/** Rounds to `n` significant digits with ties to even on the exact value; trims trailing zeros. */
function roundDigits(d: Decimal, n: number): Decimal {
  if (n < 0) return { digits: '', dp: d.dp };
  if (d.digits.length <= n) return { digits: d.digits.replace(/0+$/, ''), dp: d.dp };
  const keep = d.digits.slice(0, n);
  const rest = d.digits.slice(n);
  const first = rest.charCodeAt(0) - 48;
  let up = first > 5 || (first === 5 && /[1-9]/.test(rest.slice(1)));
  if (first === 5 && !up) {
    // Exactly halfway: round to even, like Go's decimal rounding.
    const last = n === 0 ? 0 : keep.charCodeAt(n - 1) - 48;
    up = last % 2 === 1;
  }
  if (!up) return { digits: keep.replace(/0+$/, ''), dp: d.dp };
  const chars = keep.split('');
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === '9') {
    chars[i] = '0';
    i--;
  }
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  chars[i] = String.fromCharCode(chars[i]!.charCodeAt(0) + 1);
  return { digits: chars.join('').replace(/0+$/, ''), dp: d.dp };
}

function digitAt(d: Decimal, i: number): string {
  return i >= 0 && i < d.digits.length ? d.digits[i]! : '0';
}

function fmtE(d: Decimal, prec: number, neg: boolean): string {
  let out = neg ? '-' : '';
  out += d.digits.length === 0 ? '0' : d.digits[0];
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return `${out}e${sign}${e < 10 ? '0' : ''}${e}`;
}

function fmtF(d: Decimal, prec: number, neg: boolean): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.dp + i);
  }
  return out;
}

function special(v: number, plusInf: boolean): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return plusInf ? '+Inf' : 'Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

/**
 * Go's `strconv.FormatFloat(v, fmt, prec, 64)` for `fmt` in `g e f`; `prec` -1 means shortest.
 * Infinities print as `+Inf`/`-Inf`, as `fmt` does.
 */
export function formatGoFloat(v: number, fmt: 'g' | 'e' | 'f', prec: number): string {
  const s = special(v, true);
  if (s !== undefined) return s;
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDigits(abs);
    if (fmt === 'e') prec = Math.max(d.digits.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(d.digits.length - d.dp, 0);
    else prec = d.digits.length;
  } else if (fmt === 'f') {
    const exact = exactDigits(abs);
    d = roundDigits(exact, exact.dp + prec);
  } else {
    if (fmt === 'g' && prec === 0) prec = 1;
    d = roundDigits(exactDigits(abs), fmt === 'e' ? prec + 1 : prec);
  }
  if (fmt === 'e') return fmtE(d, prec, neg);
  if (fmt === 'f') return fmtF(d, prec, neg);
  let eprec = prec;
  const nd = d.digits.length;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (nd > 0 && (exp < -4 || exp >= eprec)) {
    return fmtE(d, Math.min(prec, nd) - 1, neg);
  }
  if (prec > d.dp) prec = nd;
  return fmtF(d, Math.max(prec - d.dp, 0), neg);
}

/** An integer in Go's sense (template literals such as `3`, `len` results): distinct from float64. */
export type GoInt = bigint;

/** How `fmt.Sprint`/`%v` prints a template value. */
export function formatGoValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'number') return formatGoFloat(v, 'g', -1);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(' ')}]`;
  if (v instanceof TemplateStruct) {
    const body = `{${Object.values(v.fields).map(formatGoValue).join(' ')}}`;
    return v.typeName.startsWith('*') ? `&${body}` : body;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, x]) => `${k}:${formatGoValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

/** The Go type name of a template value (`%T`, and type names in execution errors). */
export function goTypeName(v: unknown): string {
  if (v instanceof TemplateStruct) return v.typeName;
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null || v === undefined) return '<nil>';
  // Lists only come from `query` (and functions of its result): Prometheus's queryResult.
  if (Array.isArray(v)) return 'template.queryResult';
  return 'map[string]string';
}

function badVerb(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatGoValue(v)})`;
}

/** The first `n` runes of `s` (Go's precision for strings counts runes). */
function runes(s: string, n: number | undefined): string {
  return n === undefined ? s : Array.from(s).slice(0, n).join('');
}

/** Pads to `width` runes, as Go counts width. */
function pad(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  const length = Array.from(s).length;
  if (width === undefined || length >= width) return s;
  if (left) return s + ' '.repeat(width - length);
  if (zero) {
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + '0'.repeat(width - length) + s.slice(sign.length);
  }
  return ' '.repeat(width - length) + s;
}

function formatOne(verb: string, prec: number | undefined, plus: boolean, v: unknown): string {
  switch (verb) {
    case 'v':
      return formatGoValue(v);
    case 's':
      if (typeof v === 'string') return runes(v, prec);
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v == null) {
        return badVerb(verb, v);
      }
      return formatGoValue(v);
    case 'q':
      return typeof v === 'string' ? goQuote(runes(v, prec), plus) : badVerb(verb, v);
    case 'd':
      if (typeof v !== 'bigint') return badVerb(verb, v);
      return (plus && v >= 0n ? '+' : '') + v.toString();
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      // Go formats an int given to %f as a bad verb, but Prometheus users pass floats almost always.
      if (typeof v !== 'number') return badVerb(verb, v);
      const fmt = verb === 'F' ? 'f' : (verb.toLowerCase() as 'e' | 'g');
      const p = prec ?? (fmt === 'g' ? -1 : 6);
      let s = formatGoFloat(v, fmt, p);
      if (verb === 'E' || verb === 'G') s = s.replace('e', 'E');
      return plus && !s.startsWith('-') && !s.startsWith('+') ? `+${s}` : s;
    }
    case 'x':
    case 'X': {
      let s: string;
      if (typeof v === 'bigint') s = v.toString(16);
      else if (typeof v === 'string') s = Buffer.from(v, 'utf8').toString('hex');
      else return badVerb(verb, v);
      return verb === 'X' ? s.toUpperCase() : s;
    }
    case 'o':
      return typeof v === 'bigint' ? v.toString(8) : badVerb(verb, v);
    case 'b':
      return typeof v === 'bigint' ? v.toString(2) : badVerb(verb, v);
    case 'c':
      return typeof v === 'bigint' ? goRune(v) : badVerb(verb, v);
    case 'U':
      // Go formats the value as uint64: a negative integer shows its two's complement
      return typeof v === 'bigint'
        ? `U+${BigInt.asUintN(64, v).toString(16).toUpperCase().padStart(4, '0')}`
        : badVerb(verb, v);
    case 't':
      return typeof v === 'boolean' ? String(v) : badVerb(verb, v);
    case 'T':
      return goTypeName(v);
    default:
      return badVerb(verb, v);
  }
}

/** Go's `fmt.Sprintf` for the verbs `%v %s %q %d %f %F %e %g %x %t %T %%`, with flags `+ - 0`, width and precision. */
export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  const re = /%([+\-0 #]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const flags = m[1] ?? '';
    const width = m[2] === undefined ? undefined : Number(m[2]);
    const prec = m[3] === undefined ? undefined : m[3] === '' ? 0 : Number(m[3]);
    const verb = m[4]!;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const s = formatOne(verb, prec, flags.includes('+'), args[argi++]);
    out += pad(s, width, flags.includes('-'), flags.includes('0'));
  }
  out += format.slice(last);
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${formatGoValue(a)}`)
      .join(', ')})`;
  }
  return out;
}

/** Go's `%c`: the character of a code point; negative, too large or surrogate values print U+FFFD. */
function goRune(v: bigint): string {
  const invalid = v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn);
  return invalid ? '\ufffd' : String.fromCodePoint(Number(v));
}
