/**
 * Query results as the JSON body of Prometheus's `/api/v1/query` and `/api/v1/query_range`, written with a
 * byte cap and the query's deadline checked as it goes, so a result too large to send fails the query
 * instead of building a body that exhausts memory or blocks for seconds.
 */
import type { InstantValue, Labels, MatrixSeries, QueryResult } from '@yardstick/promql';
import { type FloatHistogram, toApiHistogram } from '@yardstick/promql';
import { ApiError } from './api-error.ts';
import { formatApiFloat, formatApiTime } from './api-format.ts';

const encoder = new TextEncoder();

/** Limits of one body. */
export interface BodyLimits {
  readonly maxBytes: number;
  /** Epoch milliseconds. */
  readonly deadline: number;
}

/** Collects the body's parts, counting UTF-16 units as it goes (the exact UTF-8 size is checked at the end). */
class BodyWriter {
  readonly #parts: string[] = [];
  readonly #limits: BodyLimits;
  #length = 0;
  #sinceCheck = 0;

  constructor(limits: BodyLimits) {
    this.#limits = limits;
  }

  write(text: string): void {
    this.#parts.push(text);
    this.#length += text.length;
    if (this.#length > this.#limits.maxBytes) throw tooLarge(this.#limits.maxBytes);
    // Reading the clock costs about as much as writing a point; once per 4,096 parts is plenty.
    if (++this.#sinceCheck === 4_096) {
      this.#sinceCheck = 0;
      if (Date.now() > this.#limits.deadline)
        throw new ApiError('timeout', 'query timed out in result serialization');
    }
  }

  finish(): Uint8Array {
    // TextEncoder gives a buffer of its own (Buffer.from may share Node's pool), so it can be transferred.
    const bytes = encoder.encode(this.#parts.join(''));
    if (bytes.length > this.#limits.maxBytes) throw tooLarge(this.#limits.maxBytes);
    return bytes;
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    'execution',
    `the response would be larger than query.maxResponseBytes (${maxBytes} bytes): select fewer series, a shorter range or a larger step`,
  );
}

function writeLabels(out: BodyWriter, labels: Labels): void {
  out.write(JSON.stringify(labels));
}

/** A native histogram as `jsonutil.MarshalHistogram` writes it: `{"count":"…","sum":"…","buckets":[…]}`. */
function histogramJson(h: FloatHistogram): string {
  return JSON.stringify(toApiHistogram(h));
}

/**
 * A series as Prometheus writes it: float points under `values` and native histogram points under
 * `histograms`, each key only when it has points.
 */
function writeSeries(out: BodyWriter, series: MatrixSeries, first: boolean): void {
  const { labels, timestamps, values, histograms } = series;
  out.write(first ? '{"metric":' : ',{"metric":');
  writeLabels(out, labels);
  if (histograms === undefined) {
    out.write(',"values":[');
    for (let i = 0; i < timestamps.length; i++) {
      out.write(`${i === 0 ? '' : ','}[${formatApiTime(timestamps[i]!)},"${formatApiFloat(values[i]!)}"]`);
    }
    out.write(']}');
    return;
  }
  let floats = 0;
  for (let i = 0; i < timestamps.length; i++) {
    if (histograms[i] !== undefined) continue;
    out.write(
      `${floats++ === 0 ? ',"values":[' : ','}[${formatApiTime(timestamps[i]!)},"${formatApiFloat(values[i]!)}"]`,
    );
  }
  if (floats > 0) out.write(']');
  let points = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const h = histograms[i];
    if (h === undefined) continue;
    out.write(
      `${points++ === 0 ? ',"histograms":[' : ','}[${formatApiTime(timestamps[i]!)},${histogramJson(h)}]`,
    );
  }
  if (points > 0) out.write(']');
  out.write('}');
}

function writeMatrix(out: BodyWriter, series: readonly MatrixSeries[]): void {
  out.write('[');
  for (let s = 0; s < series.length; s++) writeSeries(out, series[s]!, s === 0);
  out.write(']');
}

function writeData(out: BodyWriter, value: InstantValue): void {
  switch (value.type) {
    case 'scalar':
      out.write(
        `{"resultType":"scalar","result":[${formatApiTime(value.timestampMs)},"${formatApiFloat(value.value)}"]}`,
      );
      return;
    case 'string':
      out.write(
        `{"resultType":"string","result":[${formatApiTime(value.timestampMs)},${JSON.stringify(value.value)}]}`,
      );
      return;
    case 'vector': {
      const time = formatApiTime(value.timestampMs);
      out.write('{"resultType":"vector","result":[');
      value.samples.forEach((sample, i) => {
        out.write(i === 0 ? '{"metric":' : ',{"metric":');
        writeLabels(out, sample.labels);
        if (sample.histogram === undefined)
          out.write(`,"value":[${time},"${formatApiFloat(sample.value)}"]}`);
        else out.write(`,"histogram":[${time},${histogramJson(sample.histogram)}]}`);
      });
      out.write(']}');
      return;
    }
    case 'matrix':
      out.write('{"resultType":"matrix","result":');
      writeMatrix(out, value.series);
      out.write('}');
  }
}

/**
 * The success body of a query: `{"status":"success","data":…,"warnings":…,"infos":…}` as UTF-8.
 * @throws ApiError `execution` over `maxBytes`, `timeout` past the deadline.
 */
export function queryResultBody(result: QueryResult<InstantValue>, limits: BodyLimits): Uint8Array {
  const out = new BodyWriter(limits);
  out.write('{"status":"success","data":');
  writeData(out, result.value);
  if (result.warnings.length > 0) out.write(`,"warnings":${JSON.stringify(result.warnings)}`);
  if (result.infos.length > 0) out.write(`,"infos":${JSON.stringify(result.infos)}`);
  out.write('}');
  return out.finish();
}
