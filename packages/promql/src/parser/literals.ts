/**
 * Number, duration and string literals with the exact rules of Prometheus's Go lexer: numbers go through
 * Go's `strconv.ParseInt(s, 0, 64)` and then `strconv.ParseFloat`, durations through
 * `model.ParseDuration`, strings through Prometheus's `strutil.Unquote`.
 */

const durationUnitsMs: Readonly<Record<string, number>> = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

const durationPattern = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const unitOrder = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

/**
 * Milliseconds of a Prometheus duration such as `1h30m` or `0`; `undefined` when `text` is not one.
 * Units must come in descending order and each at most once, as `model.ParseDuration` requires.
 */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const match = durationPattern.exec(text);
  if (match === null) return undefined;
  let ms = 0;
  for (let i = 0; i < unitOrder.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * (durationUnitsMs[unitOrder[i]!] ?? 0);
  }
  return ms;
}

/**
 * A duration as Prometheus prints it (`model.Duration.String`): `1h30m`, `90d`, `0s`. Years and weeks
 * are used only when nothing is left over, so 8 days print as `8d`, not `1w1d`. Negative values get a `-`.
 */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDurationMs(-ms)}`;
  let rest = ms;
  let out = '';
  for (const unit of unitOrder) {
    const size = durationUnitsMs[unit]!;
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const maxInt64 = 2n ** 63n - 1n;
const goIntPattern = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/;
const goFloatPattern = /^[+-]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?$/;
const infPattern = /^([+-]?)(?:inf|infinity)$/i;

/** Go accepts an underscore only between digits (or right after a base prefix). */
function underscoresValid(body: string): boolean {
  return !/(^_|_$|__|_\.|\._|_[eE]|[eE]_)/.test(body.replace(/^0[xXoObB]/, '0'));
}

/**
 * The value of a number token as Prometheus reads it: integers in Go syntax (`0x1f`, `0o17`, `017` octal,
 * `1_000`), then floats (`.5`, `2.`, `1e3`), `Inf`/`NaN` in any case. `undefined` when it is neither.
 */
export function parseGoNumber(text: string): number | undefined {
  const int = goIntPattern.exec(text);
  if (int !== null && underscoresValid(int[2]!)) {
    const digits = int[2]!.replace(/_/g, '');
    let literal = digits;
    // A leading 0 means octal in Go's base-0 integer syntax; BigInt wants the explicit 0o prefix.
    if (/^0[0-7]+$/.test(digits)) literal = `0o${digits.slice(1)}`;
    const big = BigInt(literal);
    // Beyond int64, ParseInt fails and Go falls back to ParseFloat, which takes only decimal digits.
    if (big <= maxInt64) return int[1] === '-' ? -Number(big) : Number(big);
    if (!/^[0-9]+$/.test(digits)) return undefined;
  }
  if (goFloatPattern.test(text) && underscoresValid(text.replace(/^[+-]/, ''))) {
    const value = Number(text.replace(/_/g, ''));
    // ParseFloat reports a finite literal that overflows as out of range.
    return Number.isFinite(value) ? value : undefined;
  }
  const inf = infPattern.exec(text);
  if (inf !== null) return inf[1] === '-' ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return Number.NaN;
  return undefined;
}

/** The code point of the UTF-8 sequence at `i`, and its length; `undefined` when it is not valid UTF-8. */
function utf8At(bytes: readonly number[], i: number): [number, number] | undefined {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return [b0, 1];
  const length = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc2 && b0 < 0xe0 ? 2 : 0;
  if (length === 0 || (length === 3 && b0 >= 0xf0) || i + length > bytes.length) return undefined;
  let code = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k]!;
    if ((b & 0xc0) !== 0x80) return undefined;
    code = (code << 6) | (b & 0x3f);
  }
  const min = [0, 0, 0x80, 0x800, 0x10000][length]!;
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code < 0xe000)) return undefined;
  return [code, length];
}

/**
 * Bytes from `\x` and octal escapes as a string. Go strings may hold invalid UTF-8 (`"\xff"`), which
 * Prometheus then rejects as a label name; each invalid byte becomes a lone surrogate U+DC80..U+DCFF (as
 * Python's `surrogateescape` does), so `/\p{Cs}/u.test(value)` tells that the string was not valid UTF-8.
 */
export function decodeGoBytes(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const decoded = utf8At(bytes, i);
    if (decoded === undefined) {
      out += String.fromCharCode(0xdc00 + bytes[i]!);
      i++;
    } else {
      out += String.fromCodePoint(decoded[0]);
      i += decoded[1];
    }
  }
  return out;
}

const simpleEscapes: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** Thrown text of a string literal that Go would not unquote. */
export class InvalidStringLiteral extends Error {
  override readonly name = 'InvalidStringLiteral';
}

/**
 * The value of a quoted string in PromQL: `"..."` and `'...'` with Go escapes (`\n`, `\x41`, `\101`,
 * `\u00e9`, `\U0001F600`, the own quote), or a raw `` `...` `` string.
 * @throws InvalidStringLiteral when the literal is unterminated or has an invalid escape.
 */
export function unquoteString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) {
    throw new InvalidStringLiteral('unterminated quoted string');
  }
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new InvalidStringLiteral('invalid syntax');
    return body;
  }
  if (quote !== '"' && quote !== "'") throw new InvalidStringLiteral('invalid syntax');
  let out = '';
  let bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      out += decodeGoBytes(bytes);
      bytes = [];
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === quote || c === '\n') throw new InvalidStringLiteral('invalid syntax');
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new InvalidStringLiteral('invalid syntax');
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      flushBytes();
      out += simple;
    } else if (e === quote) {
      flushBytes();
      out += e;
    } else if (e === 'x' || (e >= '0' && e <= '7')) {
      // \xHH and \OOO are raw bytes in Go; consecutive ones may form one UTF-8 character.
      const hex = e === 'x';
      const digits = hex ? body.slice(i + 1, i + 3) : body.slice(i, i + 3);
      const pattern = hex ? /^[0-9a-fA-F]{2}$/ : /^[0-7]{3}$/;
      if (!pattern.test(digits)) throw new InvalidStringLiteral('invalid syntax');
      const byte = Number.parseInt(digits, hex ? 16 : 8);
      if (byte > 255) throw new InvalidStringLiteral('invalid syntax');
      bytes.push(byte);
      i += hex ? 2 : 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw new InvalidStringLiteral('invalid syntax');
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000))
        throw new InvalidStringLiteral('invalid syntax');
      flushBytes();
      out += String.fromCodePoint(code);
      i += n;
    } else {
      throw new InvalidStringLiteral('invalid syntax');
    }
  }
  flushBytes();
  return out;
}

/** A digit run ending in a dot that Go reads as a float (`2.`, `2.e3`) but lezer's number token does not. */
const trailingDotNumber = /(?<![\w.:])(\d[\d_]*)\.(?![\d_])([eE][+-]?\d+)?/g;

/**
 * Rewrites `2.` to `2 ` and `2.e3` to `2e3 ` outside strings and comments. The text keeps its length, so
 * every position lezer reports still points into the user's text.
 */
export function normalizeTrailingDots(text: string): string {
  if (!text.includes('.')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    let end = i + 1;
    if (c === '"' || c === "'" || c === '`') {
      while (end < text.length && text[end] !== c && text[end] !== '\n')
        end += c !== '`' && text[end] === '\\' ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '#') {
      while (end < text.length && text[end] !== '\n') end++;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    while (end < text.length && !'"\'`#'.includes(text[end]!)) end++;
    out += text
      .slice(i, end)
      .replace(trailingDotNumber, (_m, digits: string, exp: string | undefined) => `${digits}${exp ?? ''} `);
    i = end;
  }
  return out;
}
