/**
 * `@yardstick/views`: OTel attribute processors and view factories.
 * @packageDocumentation
 */
export {
  isValidLabelName,
  isValidMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
} from './naming/prometheus-names.ts';
