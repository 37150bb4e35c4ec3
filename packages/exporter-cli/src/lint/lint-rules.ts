/**
 * The lint rules for an exposition: naming (snake_case, `_total` only on counters, base units), metadata
 * (HELP, TYPE), label names, cardinality (id-like values, too many distinct values) and duplicate series.
 * Errors break scraping or querying; warnings are conventions from the Prometheus naming guide and the OTel
 * Prometheus compatibility spec.
 */
import { familyOf, type ParsedExposition } from './exposition-parser.ts';
import { checkHistogramsAndUnits } from './histogram-rules.ts';

/** How bad a finding is: `error` makes `yardstick lint` exit 1. */
export type LintSeverity = 'error' | 'warning';

/** One problem found. */
export interface LintFinding {
  readonly rule: string;
  readonly severity: LintSeverity;
  /** 1-based line in the exposition. */
  readonly line: number;
  /** The metric (family or sample) concerned, or `''` for a line that did not parse. */
  readonly metric: string;
  readonly message: string;
}

/** Tuning of the rules. */
export interface LintOptions {
  /** Distinct values of one label in one family above which it is reported (default 100). */
  readonly maxLabelValues?: number;
  /** Application prefixes every metric name must start with (`checkout` accepts `checkout_orders_total`). */
  readonly prefixes?: readonly string[];
}

// "Use base units" from the Prometheus naming guide: seconds, bytes, ratios.
const NON_BASE_UNITS: ReadonlyArray<readonly [RegExp, string]> = [
  [/_(milliseconds|microseconds|nanoseconds|millis|ms)(_|$)/, '_seconds'],
  [/_(minutes|hours|days)(_|$)/, '_seconds'],
  [/_(kilobytes|megabytes|gigabytes|kibibytes|mebibytes|gibibytes|kb|mb|gb)(_|$)/, '_bytes'],
  [/_percent(age)?(_|$)/, '_ratio (0-1)'],
];

// Values that are unique per request or entity: each one makes a new series forever.
const ID_LIKE: ReadonlyArray<readonly [RegExp, string]> = [
  [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID'],
  [/^(\d{1,3}\.){3}\d{1,3}(:\d+)?$/, 'an IP address'],
  [/^[0-9a-f]*:[0-9a-f:]*:[0-9a-f:]*$/i, 'an IPv6 address'],
  [/^[0-9a-f]{16,}$/i, 'a hex id'],
  [/^\d{6,}$/, 'a numeric id'],
  [/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, 'an e-mail address'],
  [
    /\/(\d+|[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{16,})(\/|$)/i,
    'a path with an id in it (template it: /users/{id})',
  ],
];

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function add(findings: LintFinding[], finding: LintFinding): void {
  findings.push(finding);
}

function checkFamilies(parsed: ParsedExposition, findings: LintFinding[]): void {
  const sampleFamilies = new Set(parsed.samples.map((s) => familyOf(s.name, parsed.families)));
  for (const family of parsed.families.values()) {
    const { name, line } = family;
    if (family.typeDeclarations > 1) {
      add(findings, {
        rule: 'duplicate-type',
        severity: 'error',
        line,
        metric: name,
        message: 'TYPE declared more than once',
      });
    }
    if (family.type === undefined && sampleFamilies.has(name)) {
      add(findings, {
        rule: 'missing-type',
        severity: 'warning',
        line,
        metric: name,
        message: 'no # TYPE line; the metric is untyped',
      });
    }
    if (family.help === undefined && sampleFamilies.has(name)) {
      add(findings, {
        rule: 'missing-help',
        severity: 'warning',
        line,
        metric: name,
        message: 'no # HELP line',
      });
    }
    const counter = family.type === 'counter';
    if (name.endsWith('_total') && family.type !== undefined && !counter) {
      add(findings, {
        rule: 'total-on-non-counter',
        severity: 'error',
        line,
        metric: name,
        message: `_total is reserved for counters, but this is a ${family.type}`,
      });
    }
    if (counter && parsed.format === 'text' && !name.endsWith('_total')) {
      add(findings, {
        rule: 'counter-without-total',
        severity: 'warning',
        line,
        metric: name,
        message: `counters end in _total: ${name}_total`,
      });
    }
  }
  for (const name of sampleFamilies) {
    if (!parsed.families.has(name)) {
      const first = parsed.samples.find((s) => familyOf(s.name, parsed.families) === name)!;
      add(findings, {
        rule: 'missing-type',
        severity: 'warning',
        line: first.line,
        metric: name,
        message: 'no # TYPE line; the metric is untyped',
      });
      add(findings, {
        rule: 'missing-help',
        severity: 'warning',
        line: first.line,
        metric: name,
        message: 'no # HELP line',
      });
    }
  }
}

/**
 * "A metric name should have a (single-word) application prefix relevant to the domain the metric belongs
 * to" (Prometheus naming guide). Only the caller knows its prefixes, so the rule runs when given some. Info
 * metrics (`target_info`, `otel_scope_info`) and recording-rule names (with colons) follow their own
 * conventions.
 */
function checkPrefix(name: string, line: number, prefixes: readonly string[], findings: LintFinding[]): void {
  if (prefixes.length === 0 || name.endsWith('_info') || name.includes(':')) return;
  if (prefixes.some((prefix) => name.startsWith(`${prefix}_`))) return;
  add(findings, {
    rule: 'missing-prefix',
    severity: 'warning',
    line,
    metric: name,
    message: `does not start with an application prefix (${prefixes.map((p) => `${p}_`).join(', ')})`,
  });
}

function checkName(name: string, line: number, prefixes: readonly string[], findings: LintFinding[]): void {
  checkPrefix(name, line, prefixes, findings);
  if (/[A-Z]/.test(name)) {
    const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    add(findings, {
      rule: 'not-snake-case',
      severity: 'warning',
      line,
      metric: name,
      message: `use snake_case: ${snake}`,
    });
  }
  if (name.includes(':')) {
    add(findings, {
      rule: 'colon-in-name',
      severity: 'warning',
      line,
      metric: name,
      message: 'colons are reserved for recording rules',
    });
  }
  for (const [pattern, base] of NON_BASE_UNITS) {
    const match = pattern.exec(name);
    if (match) {
      add(findings, {
        rule: 'non-base-unit',
        severity: 'warning',
        line,
        metric: name,
        message: `_${match[1]} is not a base unit; use ${base} and scale the value`,
      });
    }
  }
}

/**
 * Runs every rule over a parsed exposition. Findings are ordered by line; a rule that fires for every sample
 * of a family (a bad name, an id-like label) is reported once, at its first line.
 */
export function lintExposition(parsed: ParsedExposition, options: LintOptions = {}): LintFinding[] {
  const maxLabelValues = options.maxLabelValues ?? 100;
  const prefixes = options.prefixes ?? [];
  const findings: LintFinding[] = parsed.problems.map((p) => ({
    rule: 'parse-error',
    severity: 'error' as const,
    line: p.line,
    metric: '',
    message: p.message,
  }));
  checkFamilies(parsed, findings);
  for (const finding of checkHistogramsAndUnits(parsed)) findings.push(finding);
  const namesChecked = new Set<string>();
  for (const family of parsed.families.values()) {
    namesChecked.add(family.name);
    checkName(family.name, family.line, prefixes, findings);
  }
  const seen = new Map<string, number>();
  const reported = new Set<string>();
  const distinct = new Map<string, Set<string>>();
  for (const sample of parsed.samples) {
    const family = familyOf(sample.name, parsed.families);
    if (!namesChecked.has(family)) {
      namesChecked.add(family);
      checkName(family, sample.line, prefixes, findings);
    }
    const key =
      sample.name + JSON.stringify([...sample.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const firstLine = seen.get(key);
    if (firstLine !== undefined) {
      add(findings, {
        rule: 'duplicate-series',
        severity: 'error',
        line: sample.line,
        metric: sample.name,
        message: `same name and labels as line ${firstLine}`,
      });
    } else seen.set(key, sample.line);
    const labelNames = new Set<string>();
    for (const [label, value] of sample.labels) {
      if (labelNames.has(label)) {
        add(findings, {
          rule: 'duplicate-label',
          severity: 'error',
          line: sample.line,
          metric: sample.name,
          message: `label ${label} appears twice`,
        });
      }
      labelNames.add(label);
      if (!LABEL_NAME.test(label) || label.startsWith('__')) {
        const once = `invalid-label|${family}|${label}`;
        if (!reported.has(once)) {
          reported.add(once);
          add(findings, {
            rule: 'invalid-label-name',
            severity: 'error',
            line: sample.line,
            metric: sample.name,
            message: `label name ${label} is ${label.startsWith('__') ? 'reserved (starts with __)' : 'invalid'}`,
          });
        }
      }
      if (label === 'le' || label === 'quantile') continue;
      // An info metric (`target_info`, `build_info`; OpenMetrics type info) is one series per process or build: ids there
      // (OTel's service.instance.id, host.id) name the target and do not multiply series.
      const idKind = sample.name.endsWith('_info')
        ? undefined
        : ID_LIKE.find(([pattern]) => pattern.test(value));
      const once = `id-like|${family}|${label}`;
      if (idKind && !reported.has(once)) {
        reported.add(once);
        add(findings, {
          rule: 'high-cardinality-value',
          severity: 'warning',
          line: sample.line,
          metric: sample.name,
          message: `label ${label}="${value}" looks like ${idKind[1]}; such values grow series without bound`,
        });
      }
      const valuesKey = `${family}|${label}`;
      let values = distinct.get(valuesKey);
      if (!values) {
        values = new Set();
        distinct.set(valuesKey, values);
      }
      values.add(value);
      if (values.size === maxLabelValues + 1) {
        add(findings, {
          rule: 'too-many-label-values',
          severity: 'warning',
          line: sample.line,
          metric: family,
          message: `label ${label} has more than ${maxLabelValues} distinct values`,
        });
      }
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}
