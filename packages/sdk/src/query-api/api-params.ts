/**
 * Parameters of the Prometheus HTTP API as Prometheus reads them: times, durations, limits, selectors
 * and filters, each failing with the `bad_data` message Prometheus gives for it.
 */
import type { LabelMatcher } from '@yardstick/promql';
import { formatExpr, PromqlError, parseDurationMs, parseExpr, walkExpr } from '@yardstick/promql';
import { ApiError } from './api-error.ts';
import { parseApiTime } from './api-format.ts';
import type { RuleFilter } from './rules-json.ts';

/** Most series `/api/v1/series` answers with when the client sets no smaller `limit`. */
const MAX_SERIES_RESULTS = 100_000;

/** A parameter that must be present and non-empty. */
export function requireParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new ApiError('bad_data', `invalid parameter "${name}": missing`);
  return value;
}

/** A `time`/`start`/`end` parameter in milliseconds (RFC 3339 or Unix seconds), or `fallback` when absent. */
export function timeParam(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === null || text === '') return fallback;
  const ms = parseApiTime(text);
  if (ms === undefined || !Number.isFinite(ms))
    throw new ApiError(
      'bad_data',
      `invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`,
    );
  return ms;
}

/** A duration parameter (`step`, `timeout`) in milliseconds: seconds as a float, or a PromQL duration. */
export function durationParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  if (text === null || text === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : parseDurationMs(text);
  if (ms === undefined || !Number.isFinite(ms))
    throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  return ms;
}

/** The `limit` of a listing; 0 or absent is no limit beyond the server's own. */
export function limitParam(params: URLSearchParams): number {
  const text = params.get('limit');
  if (text === null || text === '' || text === '0') return MAX_SERIES_RESULTS;
  if (!/^\d+$/.test(text))
    throw new ApiError('bad_data', `invalid parameter "limit": cannot parse "${text}"`);
  return Math.min(Number(text), MAX_SERIES_RESULTS);
}

function parseSelector(text: string) {
  try {
    return parseExpr(text);
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "match[]": ${error.message}`);
    throw error;
  }
}

/** The matchers of each `match[]` selector; at least one is required. */
export function matchersOf(selectors: string[]): LabelMatcher[][] {
  if (selectors.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
  return selectors.map((text) => {
    const expr = parseSelector(text);
    if (expr.type !== 'vectorSelector') {
      throw new ApiError('bad_data', `invalid parameter "match[]": "${text}" is not a series selector`);
    }
    return [...expr.matchers];
  });
}

/**
 * The selectors of a query's expression, each as its matchers: Prometheus answers `query_exemplars` with the
 * exemplars of the series any vector selector of the expression selects.
 */
export function selectorsOf(query: string): LabelMatcher[][] {
  let expr: ReturnType<typeof parseExpr>;
  try {
    expr = parseExpr(query);
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "query": ${error.message}`);
    throw error;
  }
  const selectors: LabelMatcher[][] = [];
  walkExpr(expr, (e) => {
    if (e.type === 'vectorSelector') selectors.push([...e.matchers]);
  });
  return selectors;
}

/** `start`/`end` of a metadata request, or undefined when neither is given (then every series counts). */
export function rangeParams(params: URLSearchParams): { start: number; end: number } | undefined {
  if (!params.get('start') && !params.get('end')) return undefined;
  const start = timeParam(params, 'start', Number.NEGATIVE_INFINITY);
  const end = timeParam(params, 'end', Number.POSITIVE_INFINITY);
  if (end < start)
    throw new ApiError('bad_data', 'invalid parameter "end": end timestamp must not be before start time');
  return { start, end };
}

/** `limit` of `status/tsdb`: how many entries each top list has (Prometheus's default 10). */
export function tsdbLimitParam(params: URLSearchParams): number {
  const text = params.get('limit');
  if (text === null || text === '') return 10;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new ApiError('bad_data', `invalid parameter "limit": must be a positive number, got "${text}"`);
  return Math.min(Number(text), 10_000);
}

/** The filters of `/api/v1/rules`. */
export function ruleFilterOf(params: URLSearchParams): RuleFilter {
  const type = params.get('type');
  if (type !== null && type !== '' && type !== 'alert' && type !== 'record')
    throw new ApiError('bad_data', `invalid parameter "type": not supported value "${type}"`);
  return {
    type: type === 'alert' || type === 'record' ? type : undefined,
    ruleNames: params.getAll('rule_name[]'),
    groupNames: params.getAll('rule_group[]'),
    files: params.getAll('file[]'),
  };
}

/** `/api/v1/format_query`: the expression as Prometheus's printer writes it. */
export function formatQuery(query: string): string {
  try {
    return formatExpr(parseExpr(query));
  } catch (error) {
    if (error instanceof PromqlError)
      throw new ApiError('bad_data', `invalid parameter "query": ${error.message}`);
    throw error;
  }
}

/** The label name of a `/api/v1/label/<name>/values` path. */
export function decodeLabelName(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(encoded)}`);
  }
}
