/**
 * yardstick's summaries in the exposition formats: per series one `<name>{...,quantile="q"}` sample per
 * quantile, then `<name>_sum` and `<name>_count` (text 0.0.4 and OpenMetrics), or a `Summary` message
 * (protobuf). Summaries are few and small, so their series are labelled and sorted at each scrape rather
 * than cached as the OTel families' are.
 */
import type { SummaryDataPoint } from '@yardstick/metrics-core';
import { attributeLabelPairs } from './attribute-labels.ts';
import { escapeLabelValue } from './escape.ts';
import { formatValue } from './format-value.ts';
import type { SummaryFamily } from './metric-families.ts';
import type { LabelPairObject, MetricObject } from './prometheus-proto.ts';

/** `quantile` is written by the exposition: an attribute mapping to it is dropped, as `le` is for histograms. */
const SUMMARY_RESERVED: ReadonlySet<string> = new Set(['__name__', 'quantile']);

/** One summary series with its labels (attributes and scope labels, sorted by name). */
export interface SummarySeries {
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  /** `name="value",...` with values escaped; `''` without labels. */
  readonly labels: string;
  readonly point: SummaryDataPoint;
}

/**
 * The series of a summary family, sorted by labels; a series whose labels repeat an earlier one's (two
 * attribute sets that sanitize alike) is left out and reported through `onDuplicate`.
 */
export function summarySeries(family: SummaryFamily, onDuplicate: () => void): SummarySeries[] {
  const series: SummarySeries[] = [];
  for (const { metric, scopeLabels } of family.members) {
    for (const point of metric.dataPoints) {
      const pairs = attributeLabelPairs(point.attributes, false, SUMMARY_RESERVED, scopeLabels.pairs);
      // Text: the series' own labels, then the scope labels, as the other families write them (the merged,
      // sorted pairs when an attribute maps to a scope label's name).
      const own = attributeLabelPairs(point.attributes, false, SUMMARY_RESERVED);
      const collides = own.some(([name]) => scopeLabels.pairs.some((pair) => pair[0] === name));
      const labels = (collides ? pairs : [...own, ...scopeLabels.pairs])
        .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
        .join(',');
      series.push({ pairs, labels, point });
    }
  }
  series.sort((a, b) => (a.labels < b.labels ? -1 : a.labels > b.labels ? 1 : 0));
  const unique = series.filter((s, i) => i === 0 || s.labels !== series[i - 1]?.labels);
  if (unique.length !== series.length) onDuplicate();
  return unique;
}

/**
 * The text lines of one series. OpenMetrics 1.0 says a summary's sum and count "MUST NOT be NaN or
 * negative": a negative sum (negative values were recorded) is left out there, as for histograms.
 */
export function summaryTextLines(name: string, series: SummarySeries, openMetrics: boolean): string {
  const { labels, point } = series;
  const head = labels === '' ? `${name}{` : `${name}{${labels},`;
  let lines = '';
  for (const { quantile, value } of point.quantiles) {
    lines += `${head}quantile="${formatValue(quantile)}"} ${formatValue(value)}\n`;
  }
  const block = labels === '' ? ' ' : `{${labels}} `;
  if (!(openMetrics && point.sum < 0)) lines += `${name}_sum${block}${formatValue(point.sum)}\n`;
  return `${lines}${name}_count${block}${formatValue(point.count)}\n`;
}

/** The protobuf `Metric` of one series. */
export function summaryMetricObject(series: SummarySeries): MetricObject {
  const label: LabelPairObject[] = series.pairs.map(([name, value]) => ({ name, value }));
  const { point } = series;
  return {
    label,
    summary: {
      sampleCount: point.count,
      sampleSum: point.sum,
      quantile: point.quantiles.map(({ quantile, value }) => ({ quantile, value })),
    },
  };
}
