/**
 * The PromQL function table: argument types, optional arguments, return type and whether Prometheus hides
 * the function behind `--enable-feature=promql-experimental-functions`. Taken from Prometheus v3.14
 * (`promql/parser/functions.go`); the type checker and the engine share it.
 */
import type { ValueType } from './ast.ts';

/** Signature of one PromQL function. */
export interface FunctionSignature {
  readonly name: string;
  /** Types of the arguments; with `variadic` the last one repeats. */
  readonly argTypes: readonly ValueType[];
  /**
   * Prometheus's convention: 0 means exactly `argTypes.length` arguments; n > 0 means the last argument is
   * optional and may repeat up to n times in total; -1 means it may repeat without limit.
   */
  readonly variadic: number;
  readonly returnType: ValueType;
  /** Experimental in Prometheus (needs a feature flag there). */
  readonly experimental: boolean;
}

type Row = readonly [
  name: string,
  args: readonly ValueType[],
  variadic: number,
  ret: ValueType,
  experimental?: true,
];

const rows: readonly Row[] = [
  ['abs', ['vector'], 0, 'vector'],
  ['absent', ['vector'], 0, 'vector'],
  ['absent_over_time', ['matrix'], 0, 'vector'],
  ['acos', ['vector'], 0, 'vector'],
  ['acosh', ['vector'], 0, 'vector'],
  ['asin', ['vector'], 0, 'vector'],
  ['asinh', ['vector'], 0, 'vector'],
  ['atan', ['vector'], 0, 'vector'],
  ['atanh', ['vector'], 0, 'vector'],
  ['avg_over_time', ['matrix'], 0, 'vector'],
  ['ceil', ['vector'], 0, 'vector'],
  ['changes', ['matrix'], 0, 'vector'],
  ['clamp', ['vector', 'scalar', 'scalar'], 0, 'vector'],
  ['clamp_max', ['vector', 'scalar'], 0, 'vector'],
  ['clamp_min', ['vector', 'scalar'], 0, 'vector'],
  ['cos', ['vector'], 0, 'vector'],
  ['cosh', ['vector'], 0, 'vector'],
  ['count_over_time', ['matrix'], 0, 'vector'],
  ['days_in_month', ['vector'], 1, 'vector'],
  ['day_of_month', ['vector'], 1, 'vector'],
  ['day_of_week', ['vector'], 1, 'vector'],
  ['day_of_year', ['vector'], 1, 'vector'],
  ['deg', ['vector'], 0, 'vector'],
  ['end', [], 0, 'scalar', true],
  ['delta', ['matrix'], 0, 'vector'],
  ['deriv', ['matrix'], 0, 'vector'],
  ['exp', ['vector'], 0, 'vector'],
  ['first_over_time', ['matrix'], 0, 'vector'],
  ['floor', ['vector'], 0, 'vector'],
  ['histogram_avg', ['vector'], 0, 'vector'],
  ['histogram_count', ['vector'], 0, 'vector'],
  ['histogram_sum', ['vector'], 0, 'vector'],
  ['histogram_stddev', ['vector'], 0, 'vector'],
  ['histogram_stdvar', ['vector'], 0, 'vector'],
  ['histogram_fraction', ['scalar', 'scalar', 'vector'], 0, 'vector'],
  ['histogram_quantile', ['scalar', 'vector'], 0, 'vector'],
  ['histogram_quantiles', ['vector', 'string', 'scalar', 'scalar'], 9, 'vector', true],
  ['double_exponential_smoothing', ['matrix', 'scalar', 'scalar'], 0, 'vector', true],
  ['hour', ['vector'], 1, 'vector'],
  ['idelta', ['matrix'], 0, 'vector'],
  ['increase', ['matrix'], 0, 'vector'],
  ['info', ['vector', 'vector'], 1, 'vector', true],
  ['irate', ['matrix'], 0, 'vector'],
  ['label_replace', ['vector', 'string', 'string', 'string', 'string'], 0, 'vector'],
  ['label_join', ['vector', 'string', 'string', 'string'], -1, 'vector'],
  ['max_of', ['scalar', 'scalar'], 0, 'scalar', true],
  ['last_over_time', ['matrix'], 0, 'vector'],
  ['min_of', ['scalar', 'scalar'], 0, 'scalar', true],
  ['ln', ['vector'], 0, 'vector'],
  ['log10', ['vector'], 0, 'vector'],
  ['log2', ['vector'], 0, 'vector'],
  ['mad_over_time', ['matrix'], 0, 'vector', true],
  ['max_over_time', ['matrix'], 0, 'vector'],
  ['min_over_time', ['matrix'], 0, 'vector'],
  ['ts_of_first_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_max_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_min_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_last_over_time', ['matrix'], 0, 'vector', true],
  ['minute', ['vector'], 1, 'vector'],
  ['month', ['vector'], 1, 'vector'],
  ['pi', [], 0, 'scalar'],
  ['predict_linear', ['matrix', 'scalar'], 0, 'vector'],
  ['present_over_time', ['matrix'], 0, 'vector'],
  ['quantile_over_time', ['scalar', 'matrix'], 0, 'vector'],
  ['rad', ['vector'], 0, 'vector'],
  ['range', [], 0, 'scalar', true],
  ['rate', ['matrix'], 0, 'vector'],
  ['resets', ['matrix'], 0, 'vector'],
  ['round', ['vector', 'scalar'], 1, 'vector'],
  ['scalar', ['vector'], 0, 'scalar'],
  ['sgn', ['vector'], 0, 'vector'],
  ['sin', ['vector'], 0, 'vector'],
  ['sinh', ['vector'], 0, 'vector'],
  ['sort', ['vector'], 0, 'vector'],
  ['sort_desc', ['vector'], 0, 'vector'],
  ['sort_by_label', ['vector', 'string'], -1, 'vector', true],
  ['sort_by_label_desc', ['vector', 'string'], -1, 'vector', true],
  ['sqrt', ['vector'], 0, 'vector'],
  ['start', [], 0, 'scalar', true],
  ['start_timestamp', ['vector'], 0, 'vector', true],
  ['step', [], 0, 'scalar', true],
  ['stddev_over_time', ['matrix'], 0, 'vector'],
  ['stdvar_over_time', ['matrix'], 0, 'vector'],
  ['sum_over_time', ['matrix'], 0, 'vector'],
  ['tan', ['vector'], 0, 'vector'],
  ['tanh', ['vector'], 0, 'vector'],
  ['time', [], 0, 'scalar'],
  ['timestamp', ['vector'], 0, 'vector'],
  ['vector', ['scalar'], 0, 'vector'],
  ['year', ['vector'], 1, 'vector'],
];

/** Every PromQL function by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map(
  rows.map(([name, argTypes, variadic, returnType, experimental]) => [
    name,
    { name, argTypes, variadic, returnType, experimental: experimental === true },
  ]),
);

/** Aggregations Prometheus marks experimental. */
export const EXPERIMENTAL_AGGREGATIONS: ReadonlySet<string> = new Set(['limitk', 'limit_ratio']);

/** The signature of `name`, or `undefined` for an unknown function. */
export function getFunction(name: string): FunctionSignature | undefined {
  return FUNCTIONS.get(name);
}
