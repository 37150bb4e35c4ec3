/**
 * `@yardstick/metrics-core`: yardstick's own OpenTelemetry metrics recording core.
 * @packageDocumentation
 */
export {};
