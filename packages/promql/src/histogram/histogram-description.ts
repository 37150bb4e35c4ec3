/**
 * The native histogram notation of Prometheus's `.test` files and promtool's rule tests:
 * `{{schema:0 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 1] offset:1 n_buckets:[1] n_offset:0
 * counter_reset_hint:gauge custom_values:[1 2 3]}}`, read as promql/parser reads it (lex.go's histogram
 * states, generated_parser.y's `histogram_desc_map`, parse.go's `buildHistogramFromMap`).
 */
import { PromqlError } from '../errors.ts';
import { parseGoNumber } from '../parser/literals.ts';
import { type CounterResetHint, FloatHistogram } from './float-histogram.ts';

/** A parsed histogram literal. */
export interface HistogramDescription {
  readonly histogram: FloatHistogram;
  /**
   * Whether the literal gave `counter_reset_hint`. promqltest compares the hint of an expected histogram
   * only then; without it, any hint matches.
   */
  readonly counterResetHintSet: boolean;
}

const hints: Readonly<Record<string, CounterResetHint>> = {
  unknown: 'unknown',
  reset: 'counter-reset',
  not_reset: 'not-counter-reset',
  gauge: 'gauge',
};

type KeyKind = 'int' | 'number' | 'unsigned' | 'list' | 'hint';

const keys: Readonly<Record<string, KeyKind>> = {
  schema: 'int',
  sum: 'number',
  count: 'number',
  z_bucket: 'number',
  z_bucket_w: 'unsigned',
  offset: 'int',
  n_offset: 'int',
  buckets: 'list',
  n_buckets: 'list',
  custom_values: 'list',
  counter_reset_hint: 'hint',
};

type DescriptionValue = number | readonly number[] | CounterResetHint;

/** A number as the histogram lexer reads it: digits first (no `.5`, no hex), or `Inf`/`NaN` in any case. */
const numberToken = /^(?:\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d[\d_]*)?|[iI][nN][fF]|[nN][aA][nN])$/;

/**
 * Parses one `{{...}}` literal. Keys are case-insensitive and separated by white space; each may appear once;
 * `buckets` and `n_buckets` are laid out as one span starting at `offset` / `n_offset`.
 * @throws PromqlError `PROMQL_TEST_FILE` naming the literal and what is wrong in it.
 */
export function parseHistogramDescription(text: string): HistogramDescription {
  const fail = (problem: string) =>
    new PromqlError('PROMQL_TEST_FILE', `bad histogram ${JSON.stringify(text)}: ${problem}`);
  if (!text.startsWith('{{') || !text.endsWith('}}') || text.length < 4) {
    throw fail('a histogram is written {{key:value ...}}');
  }
  const inner = text.slice(2, -2);
  const values = new Map<string, DescriptionValue>();
  if (/^\s/.test(inner) && inner.trim() !== '') throw fail('unexpected space after "{{"');
  let rest = inner;
  while (rest.trim() !== '') {
    const key = /^[A-Za-z_]+/.exec(rest)?.[0];
    if (key === undefined)
      throw fail(`unexpected ${JSON.stringify(rest[0])}, expected a key such as buckets:[5 10 7]`);
    const name = key.toLowerCase();
    const kind = keys[name];
    if (kind === undefined) throw fail(`unknown key ${JSON.stringify(key)}`);
    if (rest[key.length] !== ':') throw fail(`missing ":" after ${JSON.stringify(key)}`);
    rest = rest.slice(key.length + 1);
    let token: string;
    if (kind === 'list') {
      const close = rest.startsWith('[') ? rest.indexOf(']') : -1;
      if (close === -1) throw fail(`${key} needs a list such as [1 2 3]`);
      token = rest.slice(0, close + 1);
    } else {
      token = /^[^\s]*/.exec(rest)![0];
    }
    rest = rest.slice(token.length);
    if (rest !== '' && !/^\s/.test(rest)) throw fail(`expected a space after ${key}:${token}`);
    rest = rest.trimStart();
    if (values.has(name)) throw fail(`duplicate key ${JSON.stringify(name)}`);
    values.set(name, parseValue(kind, key, token, fail));
  }
  return buildHistogram(values);
}

function parseValue(
  kind: KeyKind,
  key: string,
  token: string,
  fail: (problem: string) => PromqlError,
): DescriptionValue {
  switch (kind) {
    case 'int': {
      // promql's `int` rule: an optional minus and decimal digits (strconv.ParseUint, base 10).
      if (!/^-?\d+$/.test(token)) throw fail(`${key} needs an integer, got ${JSON.stringify(token)}`);
      const value = Number(token);
      if (!Number.isSafeInteger(value)) throw fail(`${key} ${token} is out of range`);
      return value;
    }
    case 'number':
    case 'unsigned': {
      const negative = kind === 'number' && token.startsWith('-');
      const value = unsignedNumber(negative ? token.slice(1) : token);
      if (value === undefined) throw fail(`${key} needs a number, got ${JSON.stringify(token)}`);
      return negative ? -value : value;
    }
    case 'list': {
      const body = token.slice(1, -1);
      if (body === '' || /^\s/.test(body)) throw fail(`${key} needs numbers such as [1 2 3], got ${token}`);
      return body
        .trimEnd()
        .split(/\s+/)
        .map((item) => {
          // In a list the lexer takes a minus only before digits (`-Inf` is refused there).
          const negative = /^-\d/.test(item);
          const value = unsignedNumber(negative ? item.slice(1) : item);
          if (value === undefined) throw fail(`bad number ${JSON.stringify(item)} in ${key}`);
          return negative ? -value : value;
        });
    }
    case 'hint': {
      const hint = hints[token.toLowerCase()];
      if (hint === undefined) {
        throw fail(
          `counter_reset_hint is one of unknown, reset, not_reset, gauge; got ${JSON.stringify(token)}`,
        );
      }
      return hint;
    }
  }
}

/** A number token without sign, read as promql reads NUMBER (Go integers first, so `010` is octal 8). */
function unsignedNumber(token: string): number | undefined {
  return numberToken.test(token) ? parseGoNumber(token) : undefined;
}

function buildHistogram(values: ReadonlyMap<string, DescriptionValue>): HistogramDescription {
  const number = (key: string) => values.get(key) as number | undefined;
  const list = (key: string) => values.get(key) as readonly number[] | undefined;
  const positive = list('buckets') ?? [];
  const negative = list('n_buckets') ?? [];
  const hint = values.get('counter_reset_hint') as CounterResetHint | undefined;
  const histogram = new FloatHistogram({
    counterResetHint: hint ?? 'unknown',
    schema: number('schema') ?? 0,
    zeroThreshold: number('z_bucket_w') ?? 0,
    zeroCount: number('z_bucket') ?? 0,
    count: number('count') ?? 0,
    sum: number('sum') ?? 0,
    positiveBuckets: positive,
    negativeBuckets: negative,
    positiveSpans: positive.length > 0 ? [{ offset: number('offset') ?? 0, length: positive.length }] : [],
    negativeSpans: negative.length > 0 ? [{ offset: number('n_offset') ?? 0, length: negative.length }] : [],
    customValues: list('custom_values') ?? [],
  });
  return { histogram, counterResetHintSet: hint !== undefined };
}
