/**
 * The Prometheus exposition of `@yardstick/sdk`: the pull reader, content negotiation and the serializer.
 * `src/index.ts` re-exports what users get from here.
 */
export type { ExpositionOptions } from './exposition-serializer.ts';
export { ExpositionSerializer, renderExposition } from './exposition-serializer.ts';
export type { PrometheusName, PrometheusType } from './metric-name.ts';
export { prometheusName } from './metric-name.ts';
export type { ExpositionFormat, NegotiatedExposition } from './negotiate.ts';
export {
  negotiateExposition,
  OPENMETRICS_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
  TEXT_CONTENT_TYPE,
} from './negotiate.ts';
export type { PrometheusReaderOptions, SummarySource } from './prometheus-reader.ts';
export { PrometheusReader } from './prometheus-reader.ts';
export { prometheusUnit } from './unit-suffix.ts';
