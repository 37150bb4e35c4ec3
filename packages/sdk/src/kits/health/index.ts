/**
 * The dependency-health kit of `@yardstick/sdk`: `trackDependency()` and its metric names. `src/index.ts`
 * re-exports what users get from here.
 */
export type { DependencyCheckOutcome } from './dependency-metrics.ts';
export {
  DEPENDENCY_CHECK_BUCKETS,
  DEPENDENCY_CHECK_OUTCOME_ATTRIBUTE,
  DEPENDENCY_METRIC_NAMES,
  DEPENDENCY_NAME_ATTRIBUTE,
} from './dependency-metrics.ts';
export type { DependencyCheck } from './run-check.ts';
export type { DependencyStatus, TrackDependencyOptions, TrackedDependency } from './track-dependency.ts';
export { trackDependency } from './track-dependency.ts';
