/**
 * The message a worker sends its primary over the `node:cluster` IPC channel: its cumulative collections
 * (one per histogram aggregation the primary's readers use) in the OTel data model, either every series (a
 * full report) or only the series whose cumulative values changed since the worker's previous report (a
 * partial one, numbered so that the primary applies it only on top of that report), as JSON text in a tagged
 * envelope. The text keeps the size check ahead of parsing and survives both IPC serializations ('json' and
 * 'advanced'); non-finite values, which JSON cannot hold, are written as strings. Exemplars stay in the
 * worker.
 *
 * The primary checks every field before using a report (a handwritten walk: reports arrive every second and
 * may hold many thousands of points, zod would cost more than the merge). Messages without the tag are not
 * ours and are left alone.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  type DataPoint,
  DataPointType,
  type ExponentialHistogramValue,
  type HistogramValue,
  type MetricData,
  type ScopeMetrics,
  Temporality,
} from '@yardstick/metrics-core';

/** The tag that marks yardstick's cluster messages among an application's own. */
export const CLUSTER_REPORT_TAG = 'yardstick.cluster.report';

/**
 * Format version of the envelope's body; a primary ignores versions it does not know. 2: reports are
 * numbered and may be partial (a version-1 primary would take a partial report for all of a worker's series).
 */
export const CLUSTER_REPORT_VERSION = 2;

/** Largest body a worker sends and a primary parses: 32 Mi characters. */
export const MAX_REPORT_CHARS = 32 * 1024 * 1024;

/** Most buckets one histogram range may hold in a report (exponential ranges hold at most 160 by default). */
const MAX_BUCKETS = 16_384;

/** Which histogram aggregation a collection was read with. */
export type HistogramAggregationName = 'explicit' | 'exponential';

/** One cumulative collection of a worker's core. */
export interface ReportedCollection {
  readonly histogramAggregation: HistogramAggregationName;
  readonly scopeMetrics: ScopeMetrics[];
}

/** What a worker reports: its cumulative totals, per histogram aggregation. */
export interface ClusterReport {
  readonly collections: readonly ReportedCollection[];
  /** Numbers the reports of one reporter, from 1, without gaps while they are sent. */
  readonly sequence: number;
  /**
   * `true`: the collections hold every series of the reporter. `false`: only the series that changed since
   * report `sequence - 1`; the others keep their values from it (series never disappear in a partial report).
   */
  readonly full: boolean;
}

/** The envelope sent with `process.send`. */
export interface ClusterReportMessage {
  readonly yardstick: typeof CLUSTER_REPORT_TAG;
  readonly version: number;
  /** The report as JSON text. */
  readonly body: string;
}

/** A decoded report, or why it was refused. */
export type DecodedReport =
  | { readonly ok: true; readonly report: ClusterReport }
  | { readonly ok: false; readonly problem: string };

type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity';

function toWire(value: number): WireNumber {
  return Number.isFinite(value) ? value : (String(value) as WireNumber);
}

function wireValue(type: DataPointType, value: DataPoint<unknown>['value']): unknown {
  if (type === DataPointType.SUM || type === DataPointType.GAUGE) return toWire(value as number);
  const histogram = value as HistogramValue | ExponentialHistogramValue;
  return {
    ...histogram,
    ...(histogram.sum === undefined ? {} : { sum: toWire(histogram.sum) }),
    ...(histogram.min === undefined ? {} : { min: toWire(histogram.min) }),
    ...(histogram.max === undefined ? {} : { max: toWire(histogram.max) }),
  };
}

/** The envelope for `report`. */
export function encodeClusterReport(report: ClusterReport): ClusterReportMessage {
  const collections = report.collections.map(({ histogramAggregation, scopeMetrics }) => ({
    histogramAggregation,
    scopeMetrics: scopeMetrics.map(({ scope, metrics }) => ({
      scope,
      metrics: metrics.map((metric) => ({
        ...metric,
        dataPoints: (metric.dataPoints as DataPoint<unknown>[]).map((point) => ({
          attributes: point.attributes,
          startTime: point.startTime,
          endTime: point.endTime,
          value: wireValue(metric.dataPointType, point.value),
        })),
      })),
    })),
  }));
  return {
    yardstick: CLUSTER_REPORT_TAG,
    version: CLUSTER_REPORT_VERSION,
    body: JSON.stringify({ sequence: report.sequence, full: report.full, collections }),
  };
}

/** Whether `message` carries yardstick's tag (its content is checked by {@link decodeClusterReport}). */
export function isClusterReportMessage(message: unknown): message is ClusterReportMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { yardstick?: unknown }).yardstick === CLUSTER_REPORT_TAG
  );
}

class ReportProblem extends Error {}

function fail(what: string): never {
  throw new ReportProblem(what);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Record<string, unknown> {
  return isRecord(value) ? value : fail(`${what} is not an object`);
}

function list(value: unknown, what: string, max = Number.POSITIVE_INFINITY): unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not a list`);
  if (value.length > max) fail(`${what} holds more than ${max} entries`);
  return value;
}

function text(value: unknown, what: string): string {
  return typeof value === 'string' ? value : fail(`${what} is not a string`);
}

function number(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  return fail(`${what} is not a number`);
}

function count(value: unknown, what: string): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
    ? value
    : fail(`${what} is not a count`);
}

function integer(value: unknown, what: string): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fail(`${what} is not an integer`);
}

function hrTime(value: unknown, what: string): [number, number] {
  const parts = list(value, what, 2);
  if (parts.length !== 2) fail(`${what} is not a [seconds, nanoseconds] pair`);
  integer(parts[0], what);
  integer(parts[1], what);
  // The parsed pair itself: it is ours, and checked.
  return parts as [number, number];
}

function isPrimitive(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The parsed attributes object itself, checked and frozen (frozen as the core's attribute sets are: the
 * exposition keeps a frozen set's rendered labels). JSON.parse makes every key an own data property, so a
 * key such as `__proto__` is a plain attribute, never a prototype.
 */
function attributes(value: unknown, what: string): Attributes {
  const input = record(value, what);
  for (const key of Object.keys(input)) {
    const attribute = input[key];
    const valid =
      isPrimitive(attribute) ||
      (Array.isArray(attribute) && attribute.every((item) => item === null || isPrimitive(item)));
    if (!valid) fail(`${what}.${key} is not an attribute value`);
  }
  return Object.freeze(input) as Attributes;
}

function extremes(
  input: Record<string, unknown>,
  what: string,
): { sum?: number; min?: number; max?: number } {
  const output: { sum?: number; min?: number; max?: number } = {};
  if (input.sum !== undefined) output.sum = number(input.sum, `${what}.sum`);
  if (input.min !== undefined) output.min = number(input.min, `${what}.min`);
  if (input.max !== undefined) output.max = number(input.max, `${what}.max`);
  return output;
}

/** The parsed list itself, checked: every item a count. */
function counts(value: unknown, what: string): number[] {
  const items = list(value, what, MAX_BUCKETS);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!(typeof item === 'number' && Number.isSafeInteger(item) && item >= 0))
      fail(`${what}[${i}] is not a count`);
  }
  return items as number[];
}

/** The parsed list itself, checked, with non-finite values (written as strings) turned back into numbers. */
function numbers(value: unknown, what: string): number[] {
  const items = list(value, what, MAX_BUCKETS);
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== 'number') items[i] = number(items[i], `${what}[${i}]`);
  }
  return items as number[];
}

/*
 * For speed, from here down to `dataPoint`: reports carry thousands of points, so the paths named in
 * messages are relative to the point (`.value.count`) and literal; `metricData` adds where the point is only
 * when one is refused. Building every field's full path up front cost more than checking it.
 */

function histogramValue(value: unknown): HistogramValue {
  const input = record(value, '.value');
  const buckets = record(input.buckets, '.value.buckets');
  const boundaries = numbers(buckets.boundaries, '.value.buckets.boundaries');
  const bucketCounts = counts(buckets.counts, '.value.buckets.counts');
  if (bucketCounts.length !== boundaries.length + 1) fail('.value has not one more count than boundaries');
  return {
    buckets: { boundaries, counts: bucketCounts },
    count: count(input.count, '.value.count'),
    ...extremes(input, '.value'),
  };
}

function exponentialRange(value: unknown, what: string): ExponentialHistogramValue['positive'] {
  const input = record(value, what);
  return {
    offset: integer(input.offset, `${what}.offset`),
    bucketCounts: counts(input.bucketCounts, `${what}.bucketCounts`),
  };
}

function exponentialValue(value: unknown): ExponentialHistogramValue {
  const input = record(value, '.value');
  const scale = integer(input.scale, '.value.scale');
  if (scale < -10 || scale > 20) fail('.value.scale is outside -10..20');
  return {
    count: count(input.count, '.value.count'),
    scale,
    zeroCount: count(input.zeroCount, '.value.zeroCount'),
    positive: exponentialRange(input.positive, '.value.positive'),
    negative: exponentialRange(input.negative, '.value.negative'),
    ...extremes(input, '.value'),
  };
}

function pointValue(type: DataPointType, value: unknown) {
  if (type === DataPointType.HISTOGRAM) return histogramValue(value);
  if (type === DataPointType.EXPONENTIAL_HISTOGRAM) return exponentialValue(value);
  return number(value, '.value');
}

function dataPoint(type: DataPointType, value: unknown) {
  const point = record(value, '');
  return {
    attributes: attributes(point.attributes, '.attributes'),
    startTime: hrTime(point.startTime, '.startTime'),
    endTime: hrTime(point.endTime, '.endTime'),
    value: pointValue(type, point.value),
  };
}

function metricData(value: unknown, what: string): MetricData {
  const input = record(value, what);
  const descriptor = record(input.descriptor, `${what}.descriptor`);
  const valueType = descriptor.valueType;
  if (valueType !== 0 && valueType !== 1) fail(`${what}.descriptor.valueType is not 0 or 1`);
  const type = input.dataPointType;
  if (type !== 0 && type !== 1 && type !== 2 && type !== 3) fail(`${what}.dataPointType is unknown`);
  if (input.aggregationTemporality !== Temporality.CUMULATIVE) fail(`${what} is not cumulative`);
  if (type === DataPointType.SUM && typeof input.isMonotonic !== 'boolean')
    fail(`${what}.isMonotonic is missing`);
  const items = list(input.dataPoints, `${what}.dataPoints`);
  const dataPoints = new Array<ReturnType<typeof dataPoint>>(items.length);
  for (let i = 0; i < items.length; i++) {
    try {
      dataPoints[i] = dataPoint(type, items[i]);
    } catch (error) {
      if (error instanceof ReportProblem) fail(`${what}.dataPoints[${i}]${error.message}`);
      throw error;
    }
  }
  return {
    descriptor: {
      name: text(descriptor.name, `${what}.descriptor.name`),
      description: text(descriptor.description, `${what}.descriptor.description`),
      unit: text(descriptor.unit, `${what}.descriptor.unit`),
      valueType,
    },
    aggregationTemporality: Temporality.CUMULATIVE,
    dataPointType: type,
    ...(type === DataPointType.SUM ? { isMonotonic: input.isMonotonic } : {}),
    dataPoints,
  } as MetricData;
}

function scopeMetrics(value: unknown, what: string): ScopeMetrics {
  const input = record(value, what);
  const scope = record(input.scope, `${what}.scope`);
  const version = scope.version === undefined ? undefined : text(scope.version, `${what}.scope.version`);
  const schemaUrl =
    scope.schemaUrl === undefined ? undefined : text(scope.schemaUrl, `${what}.scope.schemaUrl`);
  return {
    scope: {
      name: text(scope.name, `${what}.scope.name`),
      ...(version === undefined ? {} : { version }),
      ...(schemaUrl === undefined ? {} : { schemaUrl }),
    },
    metrics: list(input.metrics, `${what}.metrics`).map((metric, i) =>
      metricData(metric, `${what}.metrics[${i}]`),
    ),
  };
}

/** Checks and decodes a tagged message; every problem refuses the whole report. */
export function decodeClusterReport(message: ClusterReportMessage): DecodedReport {
  if (message.version !== CLUSTER_REPORT_VERSION) {
    return {
      ok: false,
      problem: `report version ${String(message.version)} is not ${CLUSTER_REPORT_VERSION}`,
    };
  }
  if (typeof message.body !== 'string') return { ok: false, problem: 'report body is not text' };
  if (message.body.length > MAX_REPORT_CHARS) {
    return { ok: false, problem: `report body is longer than ${MAX_REPORT_CHARS} characters` };
  }
  try {
    const body = record(JSON.parse(message.body), 'report');
    const sequence = integer(body.sequence, 'report.sequence');
    if (sequence < 1) fail('report.sequence is not positive');
    if (typeof body.full !== 'boolean') fail('report.full is not a boolean');
    const full = body.full;
    const seen = new Set<string>();
    const collections = list(body.collections, 'report.collections', 2).map((item, i) => {
      const collection = record(item, `report.collections[${i}]`);
      const aggregation = collection.histogramAggregation;
      if (aggregation !== 'explicit' && aggregation !== 'exponential') {
        fail(`report.collections[${i}].histogramAggregation is unknown`);
      }
      if (seen.has(aggregation)) fail(`report.collections repeats ${aggregation}`);
      seen.add(aggregation);
      return {
        histogramAggregation: aggregation as HistogramAggregationName,
        scopeMetrics: list(collection.scopeMetrics, `report.collections[${i}].scopeMetrics`).map((scope, j) =>
          scopeMetrics(scope, `report.collections[${i}].scopeMetrics[${j}]`),
        ),
      };
    });
    return { ok: true, report: { collections, sequence, full } };
  } catch (error) {
    if (error instanceof ReportProblem || error instanceof SyntaxError)
      return { ok: false, problem: error.message };
    throw error;
  }
}
