/**
 * The unit part of the OTel -> Prometheus name translation (OTel specification, "Prometheus and OpenMetrics
 * Compatibility", Metric Metadata): UCUM abbreviations become full words, `{...}` annotations are dropped,
 * `x/y` becomes `x_per_y`, and `1` becomes `ratio` for gauges only. The unit words are the specification's
 * table (Prometheus -> OTLP, Metric Metadata); the `per` words come from the Collector's translator.
 */

/** UCUM unit -> Prometheus unit word. `1` maps to nothing here; gauges special-case it to `ratio`. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  // The specification's table says `tebibytes` (the Collector's old table misspelt it `tibibytes`).
  TiBy: 'tebibytes',
  // UCUM's kilo prefix is `k` (the specification's table); `KBy` is kept for the Collector's old table.
  kBy: 'kilobytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** The denominator of `x/y`, singular: `By/s` -> `bytes_per_second`. */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const ANNOTATIONS = /\{[^}]*\}/g;
const NOT_NAME_CHARS = /[^a-zA-Z0-9]+/g;
const EDGE_UNDERSCORES = /^_+|_+$/g;

function word(unit: string, table: Readonly<Record<string, string>>): string {
  const trimmed = unit.trim();
  const known = Object.hasOwn(table, trimmed) ? table[trimmed] : undefined;
  // Units outside the table are kept as written, made name-safe (`widget` -> `_widget`).
  return known ?? trimmed.replace(NOT_NAME_CHARS, '_').replace(EDGE_UNDERSCORES, '');
}

/**
 * The Prometheus unit word for an OTel unit, or `''` when the unit adds no suffix.
 *
 * @param unit - the instrument's UCUM unit (`s`, `By`, `{request}`, `By/s`, `1`)
 * @param isGauge - whether the metric is exposed as a gauge: only gauges turn `1` into `ratio`
 *
 * @example
 * ```ts
 * prometheusUnit('ms', false); // 'milliseconds'
 * prometheusUnit('{packet}/s', false); // 'per_second'
 * prometheusUnit('1', true); // 'ratio'
 * ```
 */
export function prometheusUnit(unit: string, isGauge: boolean): string {
  const stripped = unit.includes('{') ? unit.replace(ANNOTATIONS, '') : unit;
  const trimmed = stripped.trim();
  if (trimmed === '') return '';
  if (trimmed === '1') return isGauge ? 'ratio' : '';
  const slash = trimmed.indexOf('/');
  if (slash < 0) return word(trimmed, UNIT_WORDS);
  const main = word(trimmed.slice(0, slash), UNIT_WORDS);
  const per = word(trimmed.slice(slash + 1), PER_UNIT_WORDS);
  if (per === '') return main;
  return main === '' ? `per_${per}` : `${main}_per_${per}`;
}
