/**
 * The hand-written serializer: one collection -> text 0.0.4 or OpenMetrics 1.0.0, produced as a sequence of
 * ~64 KiB chunks so a caller can give the event loop back between them.
 */
import { type Attributes, diag } from '@opentelemetry/api';
import type { DataPoint, ExponentialHistogram, Histogram, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type SummaryScopeMetrics, toClassicBuckets } from '@yardstick/metrics-core';
import { escapeHelp } from './escape.ts';
import { bucketExemplars, counterExemplar } from './exemplar-text.ts';
import { formatValue } from './format-value.ts';
import { flatten, renderLabels, renderSeriesLabels, type ScopeLabels } from './label-renderer.ts';
import { collectExpositionFamilies, type ExpositionFamily } from './metric-families.ts';
import type { ExpositionFormat } from './negotiate.ts';
import { summarySeries, summaryTextLines } from './summary-exposition.ts';

/** The formats this serializer writes; protobuf has its own (`protobuf-exposition.ts`). */
export type TextExpositionFormat = Exclude<ExpositionFormat, 'protobuf'>;

import { SeriesOrder } from './series-order.ts';

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

type Point = DataPoint<number> | DataPoint<Histogram> | DataPoint<ExponentialHistogram>;

const DEFAULT_CHUNK_SIZE = 65_536;
const INF_BUCKET = 'le="+Inf"} ';
/** Distinct exponential `le` strings kept between scrapes (~100 bytes each). */
const EXPONENTIAL_LE_CACHE_SIZE = 4_096;
/** `target_info` carries no scope labels, so only `__name__` is off limits for resource attributes. */
const TARGET_RESERVED: ReadonlySet<string> = new Set(['__name__']);

/** A family's metadata lines as written, with the fields they were written from. */
interface KnownMetadata {
  readonly help: string;
  readonly type: ExpositionFamily['type'];
  readonly unit: string;
  readonly familyName: string;
  readonly text: string;
}

/** Entries kept per format in `#metadata` (one per family name); cleared past it, so churn cannot grow it. */
const METADATA_CACHE_SIZE = 4_096;

function metadata(family: ExpositionFamily, openMetrics: boolean): string {
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
 * Keep one instance per reader: it keeps each family's series order and per-series line heads between
 * scrapes, and warns once per problem.
 */
export class ExpositionSerializer {
  readonly #targetInfo: boolean;
  readonly #scopeLabels: boolean;
  readonly #chunkSize: number;
  readonly #warned = new Set<string>();
  // For speed: histogram bounds are the same array object for every point of an instrument, so their
  // `le="..."} ` strings are formatted once per instrument instead of once per bucket line.
  readonly #bounds = new WeakMap<readonly number[], string[]>();
  // For speed: an exponential point's boundaries are a fresh array each collection, but the series of an
  // instrument share a few hundred distinct ones (320 for 10k series at scale 3-4). measured (A/B in one
  // process, 10k exponential series of ~25 buckets): looking their `le="..."} ` strings up here instead of
  // formatting each bucket cut the render from ~290 ms to ~170 ms. Cleared when it outgrows
  // EXPONENTIAL_LE_CACHE_SIZE, so odd data cannot grow it without bound.
  readonly #exponentialLes = new Map<number, string>();
  // measured (A/B in one process): the text before each value is the same scrape after scrape; keeping it
  // per series, flat, while a family's series are unchanged (no re-render, no re-sort) cut serialization of
  // 10k series by 8-15% and the longest slice for 50k series in one family from ~95 ms to ~6 ms.
  readonly #order = new SeriesOrder();
  // For speed: a family's HELP/TYPE/UNIT lines, kept per format and family name with what they were made
  // from; and the `target_info` labels, kept for the resource's attributes object (a resource memoizes its
  // attributes). measured (a render of 1k series after a cache-evicting sweep): escaping every HELP and
  // sanitizing every resource attribute again on each scrape was a fixed ~4% of it.
  readonly #metadata = [new Map<string, KnownMetadata>(), new Map<string, KnownMetadata>()] as const;
  #target: { readonly attributes: Attributes; readonly labels: string } | undefined = undefined;

  constructor(options: ExpositionOptions = {}) {
    this.#targetInfo = options.withoutTargetInfo !== true;
    this.#scopeLabels = options.withoutScopeLabels !== true;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  /**
   * Yields the exposition of `resourceMetrics` (and of yardstick's `summaries`) in chunks of about
   * `chunkSize`, and empty strings where the caller should give the event loop a turn (while a large family
   * is keyed or sorted). Each family is ordered only when the generator reaches it, so no single step holds
   * the thread for long.
   */
  *chunks(
    resourceMetrics: ResourceMetrics,
    format: TextExpositionFormat,
    summaries: readonly SummaryScopeMetrics[] = [],
  ): Generator<string, void, undefined> {
    const openMetrics = format === 'openmetrics';
    const families = collectExpositionFamilies(
      resourceMetrics,
      {
        targetInfo: this.#targetInfo,
        scopeLabels: this.#scopeLabels,
        warnOnce: (key, message) => this.#warnOnce(key, message),
      },
      summaries,
    );
    const chunkSize = this.#chunkSize;
    const seen = new Set<string>();
    let out = '';
    for (const family of families) {
      const name = family.name;
      if (family.type === 'info') {
        const labels = this.#targetLabels(resourceMetrics.resource.attributes);
        if (labels !== '') out += `${this.#metadataOf(family, openMetrics)}${name}{${labels}} 1\n`;
        continue;
      }
      if (family.type === 'summary') {
        const series = summarySeries(family, () => this.#warnDuplicate(name));
        if (series.length === 0) continue;
        out += this.#metadataOf(family, openMetrics);
        for (const one of series) {
          out += summaryTextLines(name, one, openMetrics);
          if (out.length >= chunkSize) {
            yield out;
            out = '';
          }
        }
        continue;
      }
      const points: Point[] = [];
      const attributes: Attributes[] = [];
      // Series are keyed and compared across scrapes by their scope text; the pairs are found through it.
      const scopes: string[] = [];
      const scopeByText = new Map<string, ScopeLabels>();
      for (const { metric, scopeLabels } of family.members) {
        scopeByText.set(scopeLabels.text, scopeLabels);
        for (const point of metric.dataPoints) {
          points.push(point);
          attributes.push(point.attributes);
          scopes.push(scopeLabels.text);
        }
      }
      if (points.length === 0) continue;
      const key = `${family.type}:${name}`;
      seen.add(key);
      if (family.type === 'histogram') {
        // Key: `<name>_bucket{<labels>,` (or `<name>_bucket{`), the head of each of its bucket lines.
        const open = `${name}_bucket{`;
        const { keys, order, written } = yield* this.#order.resolve(
          key,
          attributes,
          scopes,
          (attrs, scope) => {
            const labels = renderSeriesLabels(attrs, true, scopeByText.get(scope) as ScopeLabels);
            return flatten(labels === '' ? open : `${open}${labels},`);
          },
        );
        if (written !== order) this.#warnDuplicate(name);
        out += this.#metadataOf(family, openMetrics);
        for (const index of written) {
          const head = keys[index] as string;
          out += this.#histogramLines(name, open.length, head, points[index] as Point, openMetrics);
          // For speed: a rope's length is O(1) in V8, so checking it after every series costs nothing.
          if (out.length >= chunkSize) {
            yield out;
            out = '';
          }
        }
      } else {
        // Key: `<name>{<labels>` (or `<name>`), the line up to its closing brace.
        const { keys, order, written } = yield* this.#order.resolve(
          key,
          attributes,
          scopes,
          (attrs, scope) => {
            const labels = renderSeriesLabels(attrs, false, scopeByText.get(scope) as ScopeLabels);
            return flatten(labels === '' ? name : `${name}{${labels}`);
          },
        );
        if (written !== order) this.#warnDuplicate(name);
        out += this.#metadataOf(family, openMetrics);
        for (const index of written) {
          const head = keys[index] as string;
          const point = points[index] as Point;
          const value = formatValue(point.value as number);
          // Exemplars: OpenMetrics only, and only on counters (`_total`) among these families.
          const exemplar = openMetrics && family.type === 'counter' ? counterExemplar(point) : '';
          out +=
            head.length === name.length ? `${head} ${value}${exemplar}\n` : `${head}} ${value}${exemplar}\n`;
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

  /** {@link metadata}, from `#metadata` when the family's HELP, type and unit are those it was made from. */
  #metadataOf(family: ExpositionFamily, openMetrics: boolean): string {
    const known = this.#metadata[openMetrics ? 1 : 0];
    const entry = known.get(family.name);
    if (
      entry !== undefined &&
      entry.help === family.help &&
      entry.type === family.type &&
      entry.unit === family.unit &&
      entry.familyName === family.familyName
    ) {
      return entry.text;
    }
    const text = metadata(family, openMetrics);
    if (known.size >= METADATA_CACHE_SIZE) known.clear();
    // Only the fields: the family also holds this collection's points.
    const { help, type, unit, familyName } = family;
    known.set(family.name, { help, type, unit, familyName, text });
    return text;
  }

  /** The `target_info` labels of `attributes`, rendered again only for another attributes object. */
  #targetLabels(attributes: Attributes): string {
    if (this.#target?.attributes === attributes) return this.#target.labels;
    // The resource carries no scope labels, so scope-named resource attributes are kept.
    const labels = renderLabels(attributes, false, TARGET_RESERVED);
    this.#target = { attributes, labels };
    return labels;
  }

  /** Renders the whole exposition as one string; for small outputs and tests. */
  render(
    resourceMetrics: ResourceMetrics,
    format: TextExpositionFormat,
    summaries: readonly SummaryScopeMetrics[] = [],
  ): string {
    let text = '';
    for (const chunk of this.chunks(resourceMetrics, format, summaries)) text += chunk;
    return text;
  }

  /**
   * The lines of one histogram series, explicit or exponential. `bucketPrefix` is its key,
   * `<name>_bucket{<labels>,`, and `openLength` the length of `<name>_bucket{`, so the labels of `_sum` and
   * `_count` are a slice of the key (V8 slices long strings without copying).
   */
  #histogramLines(
    name: string,
    openLength: number,
    bucketPrefix: string,
    point: Point,
    openMetrics: boolean,
  ): string {
    const histogram = point.value as Histogram | ExponentialHistogram;
    let lines: string;
    let lowestBound: number | undefined;
    if ('scale' in histogram) {
      const { boundaries, counts } = toClassicBuckets(histogram);
      const exemplars = openMetrics ? bucketExemplars(point, boundaries) : undefined;
      lines = this.#exponentialBucketLines(bucketPrefix, boundaries, counts, histogram.count, exemplars);
      lowestBound = boundaries[0];
    } else {
      const exemplars = openMetrics ? bucketExemplars(point, histogram.buckets.boundaries) : undefined;
      lines = this.#explicitBucketLines(bucketPrefix, histogram, exemplars);
      lowestBound = histogram.buckets.boundaries[0];
    }
    const block = bucketPrefix.length === openLength ? ' ' : `{${bucketPrefix.slice(openLength, -1)}} `;
    // OpenMetrics 1.0: "Negative threshold buckets MAY be used, but then the Histogram MetricPoint MUST NOT
    // contain a sum value as it would no longer be a counter semantically." Text 0.0.4 has no such rule.
    const sumAllowed = !(openMetrics && lowestBound !== undefined && lowestBound < 0);
    if (histogram.sum !== undefined && sumAllowed) {
      lines += `${name}_sum${block}${formatValue(histogram.sum)}\n`;
    }
    return `${lines}${name}_count${block}${formatValue(histogram.count)}\n`;
  }

  /**
   * The cumulative `_bucket` lines of an explicit bucket histogram, `+Inf` last; `exemplars` holds each
   * line's exemplar suffix (see `bucketExemplars`), when the point has exemplars and the format takes them.
   */
  #explicitBucketLines(bucketPrefix: string, histogram: Histogram, exemplars: string[] | undefined): string {
    const bounds = this.#boundStrings(histogram.buckets.boundaries);
    const counts = histogram.buckets.counts;
    let lines = '';
    let cumulative = 0;
    let i = 0;
    for (; i < bounds.length; i++) {
      cumulative += counts[i] ?? 0;
      lines += `${bucketPrefix}${bounds[i]}${formatValue(cumulative)}${exemplars?.[i] ?? ''}\n`;
    }
    const inf = exemplars?.[i] ?? '';
    // The SDK's last count is the overflow bucket; `+Inf` also absorbs any count past the bounds.
    for (; i < counts.length; i++) cumulative += counts[i] ?? 0;
    return `${lines}${bucketPrefix}${INF_BUCKET}${formatValue(cumulative)}${inf}\n`;
  }

  /**
   * The cumulative `_bucket` lines of an exponential histogram converted to classic buckets (one per non-empty
   * exponential bucket, at its exact boundary, so the counts stay exact), `+Inf` last with the total count.
   */
  #exponentialBucketLines(
    bucketPrefix: string,
    boundaries: readonly number[],
    counts: readonly number[],
    total: number,
    exemplars: string[] | undefined,
  ): string {
    const les = this.#exponentialLes;
    let lines = '';
    let cumulative = 0;
    let i = 0;
    for (; i < boundaries.length; i++) {
      const bound = boundaries[i] as number;
      // The topmost bucket's `le` stands for 2^1024; no double lies above it, so `+Inf` says the same.
      if (bound === Number.MAX_VALUE) break;
      cumulative += counts[i] as number;
      let le = les.get(bound);
      if (le === undefined) {
        if (les.size >= EXPONENTIAL_LE_CACHE_SIZE) les.clear();
        le = `le="${formatValue(bound)}"} `;
        les.set(bound, le);
      }
      lines += `${bucketPrefix}${le}${formatValue(cumulative)}${exemplars?.[i] ?? ''}\n`;
    }
    // `+Inf` holds the topmost bucket's exemplar when the loop stopped at it.
    return `${lines}${bucketPrefix}${INF_BUCKET}${formatValue(total)}${exemplars?.[i] ?? ''}\n`;
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

  /**
   * Series are sorted by key, so two OTel series that map to one Prometheus series (attribute keys that
   * sanitize alike, the same metric in two scopes with scope labels off, two instruments whose names
   * translate alike) are neighbours. Only the first, in the SDK's order, is written: Prometheus rejects
   * the repeats as duplicate samples.
   */
  #warnDuplicate(name: string): void {
    this.#warnOnce(
      `duplicate:${name}`,
      `Prometheus exposition: "${name}" has OTel series that map to the same labels; only the first of each is exposed`,
    );
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
  format: TextExpositionFormat,
  options: ExpositionOptions = {},
): string {
  return new ExpositionSerializer({ ...options, chunkSize: Number.POSITIVE_INFINITY }).render(
    resourceMetrics,
    format,
  );
}
