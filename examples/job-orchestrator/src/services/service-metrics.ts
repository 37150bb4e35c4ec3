/**
 * The `asdlc_*` metrics of asdlc P02-F07 (seed T03-T05, T08-T10), which the orchestrator and the workers
 * both serve, each with its own `service` label. Dashboards and alerts written against the asdlc services
 * use these names, so they are fixed here; the kits' OTel semantic-convention metrics
 * (`http_server_request_duration_seconds`, `db_client_operation_duration_seconds`, `process_*`) are
 * served beside them.
 *
 * | OTel name | instrument | unit | Prometheus name | attributes |
 * |---|---|---|---|---|
 * | `asdlc.service_info` | async Gauge, always 1 | none | `asdlc_service_info` | `service`, `version` |
 * | `asdlc.requests` | Counter | none | `asdlc_requests_total` | `service`, `method`, `endpoint`, `status` |
 * | `asdlc.request.duration` | Histogram | `s` | `asdlc_request_duration_seconds` | `service`, `method`, `endpoint` |
 * | `asdlc.events_processed` | Counter | none | `asdlc_events_processed_total` | `service`, `status` (`success`, `failed`) |
 * | `asdlc.active_tasks` | async Gauge | none | `asdlc_active_tasks` | `service` |
 * | `asdlc.active_workers` | async Gauge | none | `asdlc_active_workers` | `service` |
 * | `asdlc.redis.connection_up` | async Gauge, 1/0 | none | `asdlc_redis_connection_up` | `service` |
 * | `asdlc.redis.latency` | Histogram | `s` | `asdlc_redis_latency_seconds` | `service`, `operation` |
 * | `asdlc.process.memory` | async Gauge | `By` | `asdlc_process_memory_bytes` | `service`, `type` (`rss`, `vms`) |
 *
 * No unit on the counters and 1/0 gauges on purpose: the OTel-to-Prometheus translation adds the unit word
 * to the name, and the seed's names have none.
 */
import type { Attributes, Counter, Histogram, Meter, ObservableResult } from '@opentelemetry/api';
import { type InstrumentedRedis, instrumentRedis, type Logger, type RedisClientLike } from '@yardstick/sdk';
import { readProcessMemory } from './process-memory.ts';

/** The label every `asdlc_*` series carries: which service serves it (`orchestrator`, `workers`). */
export const SERVICE_LABEL = 'service';

/**
 * `asdlc_request_duration_seconds` buckets: the Python client's defaults the asdlc services used, 5 ms to
 * 10 s.
 */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** `asdlc_redis_latency_seconds` buckets: a local round trip (well under 1 ms) to a 2 s command timeout. */
export const REDIS_LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** How an event (a job attempt) ended, as `asdlc_events_processed_total` counts it. */
export type EventStatus = 'success' | 'failed';

/** Options of {@link createServiceMetrics}. */
export interface ServiceMetricsOptions {
  /** The `service` label: `orchestrator` or `workers`. */
  readonly service: string;
  /** The `version` label of `asdlc_service_info`. */
  readonly version: string;
  /** Read at each collection: tasks in progress (jobs running). */
  readonly activeTasks: () => number | undefined;
  /** Read at each collection: workers available to run tasks. */
  readonly activeWorkers: () => number | undefined;
  readonly logger: Logger;
}

/** The recording side of the `asdlc_*` metrics of one service. */
export interface ServiceMetrics {
  /** The `service` label's value. */
  readonly service: string;
  /** Records one finished HTTP request. */
  recordRequest(method: string, endpoint: string, status: number, seconds: number): void;
  /** Counts one processed event. */
  recordEvent(status: EventStatus): void;
  /** Times `client`'s commands as `asdlc_redis_latency_seconds` and its state as `asdlc_redis_connection_up`. */
  instrumentRedis(client: RedisClientLike): InstrumentedRedis;
  /** Removes the collection callbacks. */
  stop(): void;
}

/** Creates the `asdlc_*` instruments of one service on `meter`. */
export function createServiceMetrics(meter: Meter, options: ServiceMetricsOptions): ServiceMetrics {
  const service = { [SERVICE_LABEL]: options.service };
  const requests: Counter = meter.createCounter('asdlc.requests', {
    description: 'HTTP requests served, by method, endpoint template and status code.',
  });
  const duration: Histogram = meter.createHistogram('asdlc.request.duration', {
    description: 'Time to serve an HTTP request, by method and endpoint template.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...REQUEST_DURATION_BUCKETS] },
  });
  const events: Counter = meter.createCounter('asdlc.events_processed', {
    description: 'Events (job attempts) processed, by outcome: success or failed.',
  });
  const info = meter.createObservableGauge('asdlc.service_info', {
    description: 'The service and its version; always 1.',
  });
  const activeTasks = meter.createObservableGauge('asdlc.active_tasks', {
    description: 'Tasks in progress now.',
  });
  const activeWorkers = meter.createObservableGauge('asdlc.active_workers', {
    description: 'Workers available to run tasks now.',
  });
  const memory = meter.createObservableGauge('asdlc.process.memory', {
    description: 'Memory of the process: resident set (rss) and virtual size (vms).',
    unit: 'By',
  });
  const infoAttributes = { ...service, version: options.version };
  const eventAttributes: Record<EventStatus, { service: string; status: EventStatus }> = {
    success: { ...service, status: 'success' },
    failed: { ...service, status: 'failed' },
  };
  const memoryAttributes = { rss: { ...service, type: 'rss' }, vms: { ...service, type: 'vms' } };

  const observeInfo = (result: ObservableResult) => result.observe(1, infoAttributes);
  const observeTasks = (result: ObservableResult) => observeCount(result, options.activeTasks);
  const observeWorkers = (result: ObservableResult) => observeCount(result, options.activeWorkers);
  let warnedVms = false;
  const observeMemory = (result: ObservableResult) => {
    const reading = readProcessMemory();
    result.observe(reading.rss, memoryAttributes.rss);
    if (reading.vms !== undefined) result.observe(reading.vms, memoryAttributes.vms);
    else if (!warnedVms) {
      warnedVms = true;
      options.logger.info({}, 'asdlc_process_memory_bytes{type="vms"}: not available on this platform');
    }
  };
  const observeCount = (result: ObservableResult, read: () => number | undefined) => {
    const value = read();
    // Unknown (Redis did not answer in time): left out of this collection rather than reported as 0.
    if (value !== undefined) result.observe(value, service);
  };
  // Both outcomes exist from the start, so a rate over them works before the first failure.
  events.add(0, eventAttributes.success);
  events.add(0, eventAttributes.failed);
  info.addCallback(observeInfo);
  activeTasks.addCallback(observeTasks);
  activeWorkers.addCallback(observeWorkers);
  memory.addCallback(observeMemory);

  // Attribute sets per request shape, built once: a service has few endpoints, methods and statuses.
  const requestAttributes = new Map<string, { counted: Attributes; timed: Attributes }>();
  return {
    service: options.service,
    recordRequest(method, endpoint, status, seconds) {
      const key = `${method} ${endpoint} ${status}`;
      let attributes = requestAttributes.get(key);
      if (attributes === undefined) {
        const timed = { ...service, method, endpoint };
        attributes = { timed, counted: { ...timed, status: String(status) } };
        requestAttributes.set(key, attributes);
      }
      requests.add(1, attributes.counted);
      duration.record(seconds, attributes.timed);
    },
    recordEvent(status) {
      events.add(1, eventAttributes[status]);
    },
    instrumentRedis(client) {
      return instrumentRedis(meter, client, {
        durationMetric: 'asdlc.redis.latency',
        connectionUpMetric: 'asdlc.redis.connection_up',
        operationAttribute: 'operation',
        operationCase: 'lower',
        errorTypeAttribute: false,
        attributes: service,
        buckets: REDIS_LATENCY_BUCKETS,
        logger: options.logger,
      });
    },
    stop() {
      info.removeCallback(observeInfo);
      activeTasks.removeCallback(observeTasks);
      activeWorkers.removeCallback(observeWorkers);
      memory.removeCallback(observeMemory);
    },
  };
}
