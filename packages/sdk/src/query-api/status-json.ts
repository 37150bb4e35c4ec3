/**
 * The `data` of Prometheus's status endpoints over the embedded store: `status/buildinfo`,
 * `status/runtimeinfo`, `status/tsdb` and `metadata`, in Prometheus's shapes. Grafana reads buildinfo to
 * decide which Prometheus features it may use, so yardstick reports the Prometheus version whose API it
 * implements, and its own version beside it.
 */
import { createRequire } from 'node:module';
import type { Labels, SampleStore } from '@yardstick/promql';
import type { MetricMetadata } from '../store/collection-samples.ts';

/**
 * The Prometheus release whose HTTP API and PromQL semantics yardstick follows. Grafana's feature
 * detection compares it with the versions that introduced each feature (`/api/v1/labels` with `match[]`,
 * exemplars, `format_query`), so an honest "3.x" keeps Grafana from falling back to old, slower requests.
 */
export const PROMETHEUS_COMPATIBLE_VERSION = '3.0.0';

// src/query-api and dist/query-api are both two levels below the package root.
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };
/** `@yardstick/sdk`'s own version. */
export const YARDSTICK_VERSION: string = packageJson.version;

const processStart = new Date(Date.now() - process.uptime() * 1000);

/** `/api/v1/status/buildinfo`. */
export function buildInfoData() {
  return {
    version: PROMETHEUS_COMPATIBLE_VERSION,
    revision: '',
    branch: '',
    buildUser: '',
    buildDate: '',
    goVersion: '',
    application: 'yardstick',
    yardstickVersion: YARDSTICK_VERSION,
    nodeVersion: process.version,
  };
}

/** `/api/v1/status/runtimeinfo`: Prometheus's fields, with the Node.js process's figures where Go's are asked. */
export function runtimeInfoData(retention: string) {
  return {
    startTime: processStart.toISOString(),
    CWD: process.cwd(),
    reloadConfigSuccess: true,
    lastConfigTime: processStart.toISOString(),
    corruptionCount: 0,
    // Go's goroutines and GOMAXPROCS have no Node.js equivalent; the event loop is one thread.
    goroutineCount: 1,
    GOMAXPROCS: 1,
    GOMEMLIMIT: 0,
    GOGC: '',
    GODEBUG: '',
    storageRetention: retention,
  };
}

/**
 * `/api/v1/metadata`: every metric family of the last collection, filtered by `metric` and held to `limit`
 * metrics, each as a one-element list as Prometheus has one target here.
 */
export function metadataData(
  metadata: ReadonlyMap<string, MetricMetadata>,
  metric: string | null,
  limit: number,
): Record<string, MetricMetadata[]> {
  const out: Record<string, MetricMetadata[]> = {};
  let count = 0;
  for (const name of [...metadata.keys()].sort()) {
    if (metric !== null && metric !== '' && name !== metric) continue;
    if (count++ >= limit) break;
    out[name] = [metadata.get(name)!];
  }
  return out;
}

interface NameCount {
  readonly name: string;
  readonly value: number;
}

function top(counts: Map<string, number>, limit: number): NameCount[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, value]) => ({ name, value }));
}

function bump(counts: Map<string, number>, key: string, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** The time span of the store's collections, from the process's own `up` series. */
function collectionSpan(store: SampleStore): { minTime: number; maxTime: number } {
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  const up = [{ type: '=', name: '__name__', value: 'up' }] as const;
  for (const series of store.select(up, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY)) {
    const n = series.timestamps.length;
    if (n === 0) continue;
    minTime = Math.min(minTime, series.timestamps[0]!);
    maxTime = Math.max(maxTime, series.timestamps[n - 1]!);
  }
  return Number.isFinite(minTime) ? { minTime, maxTime } : { minTime: 0, maxTime: 0 };
}

/**
 * `/api/v1/status/tsdb`: the head's size and the label names, values and pairs with the most series, the
 * figures Prometheus's TSDB status page shows for cardinality. One pass over every series' labels.
 */
export function tsdbStatusData(store: SampleStore, limit: number) {
  const stats = store.stats();
  const byMetric = new Map<string, number>();
  const valuesByName = new Map<string, Set<string>>();
  const bytesByName = new Map<string, number>();
  const byPair = new Map<string, number>();
  let labelPairs = 0;
  const all = [{ type: '=~', name: '__name__', value: '.+' }] as const;
  const everySeries: Labels[] = store.series(all, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  for (const labels of everySeries) {
    for (const [name, value] of Object.entries(labels)) {
      labelPairs++;
      if (name === '__name__') bump(byMetric, value);
      let values = valuesByName.get(name);
      if (values === undefined) {
        values = new Set();
        valuesByName.set(name, values);
      }
      if (!values.has(value)) {
        values.add(value);
        // Prometheus counts each distinct value's bytes once per label name.
        bump(bytesByName, name, value.length);
      }
      bump(byPair, `${name}=${value}`);
    }
  }
  const valueCounts = new Map([...valuesByName].map(([name, values]) => [name, values.size]));
  return {
    headStats: {
      numSeries: stats.series,
      numLabelPairs: labelPairs,
      chunkCount: stats.chunks,
      ...collectionSpan(store),
    },
    seriesCountByMetricName: top(byMetric, limit),
    labelValueCountByLabelName: top(valueCounts, limit),
    memoryInBytesByLabelName: top(bytesByName, limit),
    seriesCountByLabelValuePair: top(byPair, limit),
  };
}
