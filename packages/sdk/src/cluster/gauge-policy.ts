/**
 * How the primary turns the readings of one gauge series from several processes (itself and its workers)
 * into what it exposes, per the instrument's policy in `cluster.gauges`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { DataPoint } from '@yardstick/metrics-core';
import type { ClusterGaugePolicy } from '../config/cluster-schema.ts';
import { isEarlier } from './point-arithmetic.ts';

/** The attribute that names the process of a gauge series under the `worker` policy. */
export const WORKER_ATTRIBUTE = 'worker';

/** The process name of the primary's own readings under the `worker` policy. */
export const PRIMARY_PROCESS = 'primary';

/** One process's reading of a gauge series. */
export interface GaugeReading {
  /** The worker id, or {@link PRIMARY_PROCESS}. */
  readonly process: string;
  readonly point: DataPoint<number>;
  /** When the primary last saw this reading change (a sequence number: higher is later). */
  readonly changedAt: number;
}

interface CompiledPattern {
  readonly policy: ClusterGaugePolicy;
  /** Exact names beat any wildcard, then more literal characters win, then the first listed. */
  readonly specificity: number;
  matches(name: string): boolean;
}

function compile(pattern: string, policy: ClusterGaugePolicy): CompiledPattern {
  if (!pattern.includes('*')) {
    return { policy, specificity: Number.POSITIVE_INFINITY, matches: (name) => name === pattern };
  }
  const regexp = new RegExp(`^${pattern.replace(/[\\^$.+?()[\]{}|]/g, '\\$&').replaceAll('*', '.*')}$`, 's');
  return { policy, specificity: pattern.replaceAll('*', '').length, matches: (name) => regexp.test(name) };
}

/**
 * The policy of each gauge by exported name: the most specific matching pattern's, else `sum`. Answers are
 * remembered per name (one per gauge metric).
 */
export function createGaugePolicyLookup(
  gauges: Readonly<Record<string, ClusterGaugePolicy>>,
): (name: string) => ClusterGaugePolicy {
  const patterns = Object.entries(gauges).map(([pattern, policy]) => compile(pattern, policy));
  const known = new Map<string, ClusterGaugePolicy>();
  return (name) => {
    let policy = known.get(name);
    if (policy === undefined) {
      let best: CompiledPattern | undefined;
      for (const pattern of patterns) {
        if (pattern.matches(name) && (best === undefined || pattern.specificity > best.specificity))
          best = pattern;
      }
      policy = best?.policy ?? 'sum';
      known.set(name, policy);
    }
    return policy;
  };
}

function latestEnd(readings: readonly GaugeReading[]) {
  let end = readings[0]!.point.endTime;
  let start = readings[0]!.point.startTime;
  for (const { point } of readings) {
    if (isEarlier(end, point.endTime)) end = point.endTime;
    if (isEarlier(point.startTime, start)) start = point.startTime;
  }
  return { startTime: start, endTime: end };
}

/**
 * The `worker`-labelled sets made from each frozen attribute set, per process. For speed: the exposition
 * reuses a series' rendered labels and sorted place while its attributes object stays the same, and a
 * process's gauge series keep theirs from one collection to the next (the core's, the primary's kept
 * worker sets), so the labelled set is made once instead of at every scrape.
 */
const labelled = new WeakMap<Attributes, Map<string, Attributes>>();

function withWorker(attributes: Attributes, process: string): Attributes {
  let byProcess = labelled.get(attributes);
  let made = byProcess?.get(process);
  if (made !== undefined) return made;
  made = Object.freeze({ ...attributes, [WORKER_ATTRIBUTE]: process });
  // A set that is not frozen may change under the same identity.
  if (!Object.isFrozen(attributes)) return made;
  if (byProcess === undefined) {
    byProcess = new Map();
    labelled.set(attributes, byProcess);
  }
  byProcess.set(process, made);
  return made;
}

/** The points exposed for one gauge series that `readings` (at least one) report. */
export function combineGauge(
  policy: ClusterGaugePolicy,
  readings: readonly GaugeReading[],
): DataPoint<number>[] {
  const first = readings[0]!.point;
  switch (policy) {
    case 'worker':
      return readings.map(({ process, point }) => ({
        ...point,
        attributes: withWorker(point.attributes, process),
      }));
    case 'last': {
      let last = readings[0]!;
      for (const reading of readings) if (reading.changedAt > last.changedAt) last = reading;
      return [{ ...last.point, ...latestEnd(readings) }];
    }
    default: {
      let value = policy === 'sum' ? 0 : first.value;
      for (const { point } of readings) {
        if (policy === 'sum') value += point.value;
        else if (policy === 'min') value = Math.min(value, point.value);
        else value = Math.max(value, point.value);
      }
      return [{ attributes: first.attributes, ...latestEnd(readings), value }];
    }
  }
}
