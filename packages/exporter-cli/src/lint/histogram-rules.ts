/**
 * Structural rules for histograms and OpenMetrics units: a `_bucket` sample needs a numeric `le`, every
 * bucket series needs its `le="+Inf"` bucket (Prometheus's `histogram_quantile` returns NaN without it), and
 * a declared `# UNIT` must end the family name (OpenMetrics: "the unit MUST be a suffix of the MetricFamily
 * name").
 */
import { familyOf, type ParsedExposition } from './exposition-parser.ts';
import type { LintFinding } from './lint-rules.ts';

const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|Inf|inf)$/;

/** Findings about histogram buckets and unit metadata. */
export function checkHistogramsAndUnits(parsed: ParsedExposition): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const family of parsed.families.values()) {
    if (family.unit && !family.name.endsWith(`_${family.unit}`)) {
      findings.push({
        rule: 'unit-not-in-name',
        severity: 'error',
        line: family.line,
        metric: family.name,
        message: `# UNIT ${family.unit} must be the name's suffix: ${family.name}_${family.unit}`,
      });
    }
  }
  // Per histogram series (labels without `le`): whether a +Inf bucket was seen, and where it started.
  const series = new Map<string, { metric: string; line: number; hasInf: boolean }>();
  for (const sample of parsed.samples) {
    if (!sample.name.endsWith('_bucket')) continue;
    const family = parsed.families.get(familyOf(sample.name, parsed.families));
    if (family?.type !== 'histogram' && family?.type !== 'gaugehistogram') continue;
    const le = sample.labels.find(([name]) => name === 'le')?.[1];
    if (le === undefined || !FLOAT.test(le)) {
      findings.push({
        rule: 'bucket-without-le',
        severity: 'error',
        line: sample.line,
        metric: sample.name,
        message: le === undefined ? 'bucket has no le label' : `le="${le}" is not a number`,
      });
      continue;
    }
    const rest = sample.labels
      .filter(([name]) => name !== 'le')
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .sort()
      .join(',');
    const key = `${sample.name}{${rest}}`;
    const entry = series.get(key) ?? { metric: sample.name, line: sample.line, hasInf: false };
    if (le === '+Inf' || le === 'Inf' || le === 'inf' || le === '+inf') entry.hasInf = true;
    series.set(key, entry);
  }
  for (const [key, entry] of series) {
    if (!entry.hasInf) {
      findings.push({
        rule: 'histogram-without-inf-bucket',
        severity: 'error',
        line: entry.line,
        metric: entry.metric,
        message: `${key} has no le="+Inf" bucket`,
      });
    }
  }
  return findings;
}
