/**
 * `ProxyMetric` of ProxyWhirl's data model (seed 003; seed 000 T008, T017): one metric the service serves,
 * with its metadata and the instrument it is recorded through. The spec wraps a prometheus-client object;
 * here the instrument is the OTel one (or the SDK's `Summary`) whose OTel→Prometheus translation serves
 * `name` on `/metrics`.
 */
import type { Counter, Gauge, Histogram, ObservableGauge } from '@opentelemetry/api';
import type { Summary } from '@yardstick/sdk';
import { z } from 'zod';

/** The spec's `MetricType`. */
export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary'] as const;

/** One of {@link METRIC_TYPES}. */
export type MetricType = (typeof METRIC_TYPES)[number];

/** What a ProxyMetric is recorded through: an OTel instrument, or the SDK's summary. */
export type ProxyMetricInstrument = Counter | Histogram | Gauge | ObservableGauge | Summary;

/** The spec's metric name rule (Prometheus naming). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The spec's label name rule (Prometheus naming). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// The method each type is recorded (or observed) through: what tells one instrument kind from another at
// run time, since OTel instruments are interfaces without a tag.
const RECORDING_METHODS: Readonly<Record<MetricType, readonly (readonly string[])[]>> = {
  counter: [['add']],
  gauge: [['addCallback'], ['record']],
  histogram: [['record']],
  summary: [['record', 'startTimer']],
};

// Labels a type's exposition adds itself: a ProxyMetric that also declared one would clash with it.
const RESERVED_LABELS: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [],
  gauge: [],
  histogram: ['le'],
  summary: ['quantile'],
};

function hasMethods(instrument: unknown, methods: readonly string[]): boolean {
  if (typeof instrument !== 'object' || instrument === null) return false;
  const record = instrument as Record<string, unknown>;
  return methods.every((method) => typeof record[method] === 'function');
}

/** The spec's fields and rules, as a zod schema (`created_at` defaults to now). */
export const proxyMetricSchema = z
  .strictObject({
    name: z.string().regex(METRIC_NAME, { error: 'must match ^[a-zA-Z_:][a-zA-Z0-9_:]*$' }),
    metric_type: z.enum(METRIC_TYPES, { error: 'must be one of counter, gauge, histogram, summary' }),
    description: z.string().min(10, { error: 'must be at least 10 characters' }),
    labels: z
      .array(
        z
          .string()
          .regex(LABEL_NAME, { error: 'must match ^[a-zA-Z_][a-zA-Z0-9_]*$' })
          .refine((label) => !label.startsWith('__'), {
            error: 'must not start with __ (reserved for Prometheus)',
          }),
      )
      .superRefine((labels, ctx) => {
        labels.forEach((label, index) => {
          if (labels.indexOf(label) !== index) {
            ctx.addIssue({ code: 'custom', path: [index], message: `"${label}" is listed twice` });
          }
        });
      })
      .default([]),
    instrument: z.unknown(),
    created_at: z.date().default(() => new Date()),
  })
  .superRefine((metric, ctx) => {
    const type = metric.metric_type;
    if (metric.instrument === undefined || metric.instrument === null) {
      ctx.addIssue({ code: 'custom', path: ['instrument'], message: 'is required' });
    } else if (!RECORDING_METHODS[type].some((methods) => hasMethods(metric.instrument, methods))) {
      const expected = RECORDING_METHODS[type].map((methods) => methods.join('+')).join(' or ');
      ctx.addIssue({
        code: 'custom',
        path: ['instrument'],
        message: `must be a ${type} instrument (with ${expected})`,
      });
    }
    // What /metrics serves: the OTel→Prometheus translation gives a monotonic sum `_total`, and a histogram
    // or summary serves `_bucket`/`_sum`/`_count` series under its own name.
    if (type === 'counter' && !metric.name.endsWith('_total')) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'of a counter must end with _total' });
    }
    if ((type === 'histogram' || type === 'summary') && /_(bucket|sum|count)$/.test(metric.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `of a ${type} must not end with _bucket, _sum or _count (its series add them)`,
      });
    }
    metric.labels.forEach((label, index) => {
      if (RESERVED_LABELS[type].includes(label)) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', index],
          message: `"${label}" is added by the ${type} itself`,
        });
      }
    });
  });

/** A ProxyMetric as given (`labels` and `created_at` optional). */
export type ProxyMetricInput = Omit<z.input<typeof proxyMetricSchema>, 'instrument'> & {
  readonly instrument: ProxyMetricInstrument;
};

/** A validated ProxyMetric. */
export interface ProxyMetric {
  readonly name: string;
  readonly metric_type: MetricType;
  readonly description: string;
  readonly labels: readonly string[];
  /** The spec's `prometheus_metric`: the instrument the metric is recorded through. */
  readonly instrument: ProxyMetricInstrument;
  readonly created_at: Date;
}

/** One thing wrong with a ProxyMetric. */
export interface ProxyMetricProblem {
  /** The field: `name`, `labels[2]`, `instrument`. */
  readonly field: string;
  readonly message: string;
}

/** `PROXY_METRIC_INVALID`: a field breaks a rule; `PROXY_METRIC_DUPLICATE`: the name is registered already. */
export type ProxyMetricErrorCode = 'PROXY_METRIC_INVALID' | 'PROXY_METRIC_DUPLICATE';

/** A ProxyMetric that cannot be created or registered; every problem as `ProxyMetric name: field: message`. */
export class ProxyMetricError extends Error {
  readonly code: ProxyMetricErrorCode;
  readonly problems: readonly ProxyMetricProblem[];

  constructor(
    code: ProxyMetricErrorCode,
    metric: string,
    problems: readonly ProxyMetricProblem[],
    options?: { cause?: unknown },
  ) {
    super(problems.map((p) => `ProxyMetric ${metric}: ${p.field}: ${p.message}`).join('\n'), options);
    this.name = 'ProxyMetricError';
    this.code = code;
    this.problems = problems;
  }
}

/**
 * Validates a ProxyMetric.
 *
 * @throws ProxyMetricError naming each field that breaks a rule of the spec
 * @example
 * ```ts
 * const requests = createProxyMetric({
 *   name: 'proxywhirl_requests_total', metric_type: 'counter', description: 'Total number of proxy requests',
 *   labels: ['pool', 'region', 'status'], instrument: meter.createCounter('proxywhirl.requests'),
 * });
 * ```
 */
export function createProxyMetric(input: ProxyMetricInput): ProxyMetric {
  const parsed = proxyMetricSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => ({
      field:
        issue.path
          .map((part, i) =>
            typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`,
          )
          .join('') || 'metric',
      message: issue.message,
    }));
    const name = typeof input?.name === 'string' && input.name !== '' ? input.name : '(unnamed)';
    throw new ProxyMetricError('PROXY_METRIC_INVALID', name, problems, { cause: parsed.error });
  }
  const metric = parsed.data;
  return Object.freeze({
    name: metric.name,
    metric_type: metric.metric_type,
    description: metric.description,
    labels: Object.freeze([...metric.labels]),
    instrument: input.instrument,
    created_at: metric.created_at,
  });
}
