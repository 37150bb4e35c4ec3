/**
 * The hand-written serializer: one collection -> text 0.0.4 or OpenMetrics 1.0.0, produced as a sequence of
 * ~64 KiB chunks so a caller can give the event loop back between them.
 */
import { type Attributes, diag } from '@opentelemetry/api';
import type { DataPoint, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { SCOPE_LABELS } from './attribute-labels.ts';
import { escapeHelp } from './escape.ts';
import { formatValue } from './format-value.ts';
import { flatten, LabelRenderer } from './label-renderer.ts';
import { collectFamilies, type MetricFamily } from './metric-families.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { type OrderedSeries, SeriesOrder } from './series-order.ts';

/** Options of {@link ExpositionSerializer} and {@link renderExposition}. */
export interface ExpositionOptions {
  /**
   * Leave out `target_info`. By default the resource's attributes (all of them, `service.name` and
   * `service.instance.id` included, as `@opentelemetry/exporter-prometheus` 0.301 does) are exposed on a
   * single `target_info` series; Prometheus adds `job` and `instance` from its own scrape config.
   */
  readonly withoutTargetInfo?: boolean | undefined;
  /** Leave out the `otel_scope_name` / `otel_scope_version` labels. */
  readonly withoutScopeLabels?: boolean | undefined;
  /** Target chunk length in UTF-16 code units (default 65 536); a chunk ends after the series that crosses it. */
  readonly chunkSize?: number | undefined;
}

type Point = DataPoint<number> | DataPoint<Histogram>;

const DEFAULT_CHUNK_SIZE = 65_536;
const INF_BUCKET = 'le="+Inf"} ';

/**
 * The label string of a series: its attribute labels, then its scope labels. Kept across scrapes (in the
 * series order), so it is flattened once here.
 */
function joinLabels(labels: string, scopeLabels: string): string {
  if (scopeLabels === '') return labels;
  return flatten(labels === '' ? scopeLabels : `${labels},${scopeLabels}`);
}

/** Per-series line heads of a histogram family. */
interface HistogramHeads {
  readonly name: string;
  /** `<name>_bucket{<labels>,` per series. */
  readonly buckets: readonly string[];
  /** `{<labels>} ` (or ` `) per series, for `_sum` and `_count`. */
  readonly blocks: readonly string[];
}

function metadata(family: MetricFamily, openMetrics: boolean): string {
  if (!openMetrics) {
    const help = family.help === '' ? '' : `# HELP ${family.name} ${escapeHelp(family.help, false)}\n`;
    return `${help}# TYPE ${family.name} ${family.type === 'info' ? 'gauge' : family.type}\n`;
  }
  const name = family.familyName;
  const help = family.help === '' ? '' : `# HELP ${name} ${escapeHelp(family.help, true)}\n`;
  // OpenMetrics requires the family name to end with `_<unit>`; a name that is only the unit gets no UNIT.
  const unit =
    family.unit !== '' && name.endsWith(`_${family.unit}`) ? `# UNIT ${name} ${family.unit}\n` : '';
  return `${help}# TYPE ${name} ${family.type}\n${unit}`;
}

/**
 * Serializes collections into the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, following the OTel
 * specification's "Prometheus and OpenMetrics Compatibility" translation. Families are sorted by name and
 * series by their label string, so two scrapes of the same state are byte-identical.
 *
 * Keep one instance per reader: it caches per-series label strings and series order, and warns once per
 * problem.
 */
export class ExpositionSerializer {
  readonly #labels: LabelRenderer;
  readonly #targetInfo: boolean;
  readonly #scopeLabels: boolean;
  readonly #chunkSize: number;
  readonly #warned = new Set<string>();
  // measured: histogram bounds are the same array object for every point of an instrument, so their
  // `le="..."} ` strings are formatted once per instrument instead of once per bucket line.
  readonly #bounds = new WeakMap<readonly number[], string[]>();
  readonly #order = new SeriesOrder();
  // measured: the text before each value is the same scrape after scrape; keeping it flat per series (for as
  // long as the family's series order is kept) saves building and walking it again on every scrape.
  readonly #heads = new WeakMap<OrderedSeries, readonly string[]>();
  readonly #histogramHeadCache = new WeakMap<OrderedSeries, HistogramHeads>();
  readonly #renderLabels = (attributes: Attributes, scope: string) =>
    joinLabels(this.#labels.render(attributes, 'series'), scope);
  readonly #renderHistogramLabels = (attributes: Attributes, scope: string) =>
    joinLabels(this.#labels.render(attributes, 'histogram'), scope);

  constructor(options: ExpositionOptions = {}) {
    this.#targetInfo = options.withoutTargetInfo !== true;
    this.#scopeLabels = options.withoutScopeLabels !== true;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#labels = new LabelRenderer(this.#scopeLabels ? SCOPE_LABELS : []);
  }

  /**
   * Yields the exposition of `resourceMetrics` in chunks of about `chunkSize`, and empty strings where the
   * caller should give the event loop a turn (while a large family is labelled or sorted). Each family is
   * ordered only when the generator reaches it, so no single step holds the thread for long.
   */
  *chunks(resourceMetrics: ResourceMetrics, format: ExpositionFormat): Generator<string, void, undefined> {
    const openMetrics = format === 'openmetrics';
    const families = collectFamilies(resourceMetrics, {
      targetInfo: this.#targetInfo,
      scopeLabels: this.#scopeLabels,
      warnOnce: (key, message) => this.#warnOnce(key, message),
    });
    const chunkSize = this.#chunkSize;
    const seen = new Set<string>();
    let out = '';
    for (const family of families) {
      if (family.type === 'info') {
        const labels = this.#labels.render(resourceMetrics.resource.attributes, 'target');
        if (labels !== '') out += `${metadata(family, openMetrics)}${family.name}{${labels}} 1\n`;
        continue;
      }
      const points: Point[] = [];
      const attributes: Attributes[] = [];
      const scopes: string[] = [];
      for (const { metric, scopeLabels } of family.members) {
        for (const point of metric.dataPoints) {
          points.push(point);
          attributes.push(point.attributes);
          scopes.push(scopeLabels);
        }
      }
      if (points.length === 0) continue;
      const histogram = family.type === 'histogram';
      const key = `${family.type}:${family.name}`;
      seen.add(key);
      const ordered = yield* this.#order.resolve(
        key,
        attributes,
        scopes,
        histogram ? this.#renderHistogramLabels : this.#renderLabels,
      );
      const { order } = ordered;
      out += metadata(family, openMetrics);
      if (histogram) {
        const heads = this.#histogramHeads(family.name, ordered);
        for (const index of order) {
          out += this.#histogramLines(heads, index, points[index] as Point);
          // measured: a rope's length is O(1) in V8, so checking after every series costs nothing.
          if (out.length >= chunkSize) {
            yield out;
            out = '';
          }
        }
      } else {
        const heads = this.#lineHeads(family.name, ordered);
        for (const index of order) {
          out += `${heads[index] ?? ''}${formatValue((points[index] as Point).value as number)}\n`;
          if (out.length >= chunkSize) {
            yield out;
            out = '';
          }
        }
      }
    }
    if (openMetrics) out += '# EOF\n';
    if (out !== '') yield out;
    this.#order.retainOnly(seen);
  }

  /** Renders the whole exposition as one string; for small outputs and tests. */
  render(resourceMetrics: ResourceMetrics, format: ExpositionFormat): string {
    let text = '';
    for (const chunk of this.chunks(resourceMetrics, format)) text += chunk;
    return text;
  }

  /** `<name>{<labels>} ` of each series of a counter or gauge family, kept while its series order is. */
  #lineHeads(name: string, ordered: OrderedSeries): readonly string[] {
    let heads = this.#heads.get(ordered);
    if (heads === undefined) {
      heads = ordered.labels.map((labels) => flatten(labels === '' ? `${name} ` : `${name}{${labels}} `));
      this.#heads.set(ordered, heads);
    }
    return heads;
  }

  /** `<name>_bucket{<labels>,` and `{<labels>} ` of each series of a histogram family, kept likewise. */
  #histogramHeads(name: string, ordered: OrderedSeries): HistogramHeads {
    let heads = this.#histogramHeadCache.get(ordered);
    if (heads === undefined) {
      heads = {
        name,
        buckets: ordered.labels.map((labels) =>
          flatten(labels === '' ? `${name}_bucket{` : `${name}_bucket{${labels},`),
        ),
        blocks: ordered.labels.map((labels) => (labels === '' ? ' ' : flatten(`{${labels}} `))),
      };
      this.#histogramHeadCache.set(ordered, heads);
    }
    return heads;
  }

  #histogramLines(heads: HistogramHeads, index: number, point: Point): string {
    const histogram = point.value as Histogram;
    const bounds = this.#boundStrings(histogram.buckets.boundaries);
    const counts = histogram.buckets.counts;
    const bucketPrefix = heads.buckets[index] ?? '';
    let lines = '';
    let cumulative = 0;
    let i = 0;
    for (; i < bounds.length; i++) {
      cumulative += counts[i] ?? 0;
      lines += `${bucketPrefix}${bounds[i]}${formatValue(cumulative)}\n`;
    }
    // The SDK's last count is the overflow bucket; `+Inf` also absorbs any count past the bounds.
    for (; i < counts.length; i++) cumulative += counts[i] ?? 0;
    lines += `${bucketPrefix}${INF_BUCKET}${formatValue(cumulative)}\n`;
    const block = heads.blocks[index] ?? ' ';
    if (histogram.sum !== undefined) lines += `${heads.name}_sum${block}${formatValue(histogram.sum)}\n`;
    return `${lines}${heads.name}_count${block}${formatValue(histogram.count)}\n`;
  }

  /** `le="<bound>"} ` for each finite bound; an infinite bound is left to the `+Inf` line. */
  #boundStrings(boundaries: readonly number[]): string[] {
    let strings = this.#bounds.get(boundaries);
    if (strings === undefined) {
      strings = [];
      for (const bound of boundaries) {
        if (bound === Number.POSITIVE_INFINITY) break;
        strings.push(`le="${formatValue(bound)}"} `);
      }
      this.#bounds.set(boundaries, strings);
    }
    return strings;
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    diag.warn(message);
  }
}

/**
 * Renders one collection as a single string. For small outputs (tests, CLI, lint); `/metrics` should use
 * {@link PrometheusReader.render}, which streams in chunks and keeps the event loop responsive.
 *
 * @example
 * ```ts
 * const { resourceMetrics } = await reader.collect();
 * const text = renderExposition(resourceMetrics, 'openmetrics');
 * ```
 */
export function renderExposition(
  resourceMetrics: ResourceMetrics,
  format: ExpositionFormat,
  options: ExpositionOptions = {},
): string {
  return new ExpositionSerializer({ ...options, chunkSize: Number.POSITIVE_INFINITY }).render(
    resourceMetrics,
    format,
  );
}
