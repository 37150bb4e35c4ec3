/**
 * The orchestrator service (asdlc `src/orchestrator/main.py`, seed T11/T14/T19/T20): an HTTP API on
 * `ORCHESTRATOR_PORT` that takes jobs for the workers and serves
 *
 * | route | what |
 * |---|---|
 * | `GET /metrics` | the `asdlc_*` metrics with `service="orchestrator"`, `jobs_queue_*`, the kits' metrics |
 * | `GET /health` | 200 `healthy` while Redis answers its health check, else 503 `unhealthy` |
 * | `POST /api/jobs` | `{"queue","type","payload"}` -> 202 `{"id"}` |
 * | `GET /api/queues/{queue}` | the queue's depth: ready, running, delayed, dead |
 * | `GET /api/metrics/query_range`, `/services`, `/health` | the VictoriaMetrics query proxy |
 *
 * `asdlc_events_processed_total` counts the job submissions it handled: `success` when Redis took the job,
 * `failed` when it was refused (a bad body, an unknown queue, Redis away). `asdlc_active_tasks` is the
 * number of jobs in the queues' running lists and `asdlc_active_workers` the worker slots of the worker
 * services that announced themselves in the last 10 s; both are read from Redis every second, so a scrape
 * never waits on Redis. contracts/openapi.yaml documents the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createMetricsHandler,
  instrumentRedis,
  type Telemetry,
  type TrackedDependency,
} from '@yardstick/sdk';
import type { Redis } from 'ioredis';
import { OrchestratorError } from '../errors.ts';
import { createJob, encodeJob } from '../jobs/job.ts';
import { createJobMetrics, QUEUE_ATTRIBUTE, TYPE_ATTRIBUTE } from '../metrics/job-metrics.ts';
import { observeQueueDepth } from '../metrics/queue-depth.ts';
import { connectRedis } from '../redis/connect-redis.ts';
import { JobQueue } from '../redis/job-queue.ts';
import { WorkerRegistry } from '../redis/worker-registry.ts';
import { BodyError, readJsonBody, sendError, sendJson } from './http-json.ts';
import { withRequestMetrics } from './request-metrics.ts';
import { createServiceMetrics } from './service-metrics.ts';
import { type ServiceServer, startServiceServer } from './service-server.ts';
import { createVictoriaProxy, PROXY_ROUTES, type VictoriaProxy } from './victoria-proxy.ts';

/** The `service` label of the orchestrator. */
export const ORCHESTRATOR_SERVICE = 'orchestrator';

/** A queue as the orchestrator knows it: the job types its workers handle. */
export interface OrchestratedQueue {
  readonly types: readonly string[];
  /** Attempts before a job is dead-lettered; default 3. */
  readonly maxAttempts?: number;
}

/** Options of {@link startOrchestratorService}. */
export interface OrchestratorServiceOptions {
  /** The orchestrator's own telemetry: its meter provider is what `/metrics` renders. */
  readonly telemetry: Telemetry;
  readonly redisUrl: string;
  readonly queues: Readonly<Record<string, OrchestratedQueue>>;
  /** The `version` label of `asdlc_service_info`. */
  readonly version: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** `ORCHESTRATOR_PORT`; 0 for any free port. */
  readonly port: number;
  /** `VICTORIAMETRICS_URL`; without it the proxy answers 503. */
  readonly victoriaMetricsUrl?: string | undefined;
  /** The proxy's upstream timeout (ms); default 30 000. */
  readonly proxyTimeoutMs?: number;
  readonly keyPrefix?: string;
  /** The Redis health check's interval and timeout (ms); defaults 10 000 and 1 000. */
  readonly healthCheck?: { readonly intervalMs?: number; readonly timeoutMs?: number };
}

/** A running orchestrator service. */
export interface OrchestratorService {
  /** `http://host:port` of the API. */
  readonly url: string;
  /** Adds a job, as `POST /api/jobs` does; resolves with its id. */
  enqueue(queue: string, type: string, payload: unknown): Promise<string>;
  /** Stops the API, the readings and the Redis connection. Idempotent. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const REFRESH_MS = 1_000;
const WORKER_FRESH_MS = 10_000;

/**
 * Starts the orchestrator's API.
 *
 * @throws OrchestratorError `REDIS_UNAVAILABLE`; `INVALID_OPTIONS` for a VICTORIAMETRICS_URL that is no
 *   http(s) URL; `SERVER_START` when the port is taken
 */
export async function startOrchestratorService(
  options: OrchestratorServiceOptions,
): Promise<OrchestratorService> {
  const { telemetry } = options;
  const logger = telemetry.logger;
  const prefix = options.keyPrefix ?? 'jobs';
  const proxy: VictoriaProxy | undefined =
    options.victoriaMetricsUrl === undefined
      ? undefined
      : createVictoriaProxy({
          url: options.victoriaMetricsUrl,
          ...(options.proxyTimeoutMs === undefined ? {} : { timeoutMs: options.proxyTimeoutMs }),
          logger,
        });
  const redis: Redis = await connectRedis(options.redisUrl, {
    name: 'orchestrator:api',
    connectTimeoutMs: 3_000,
    commandTimeoutMs: 2_000,
    maxReconnectDelayMs: 1_000,
    logger,
  });
  const meter = telemetry.meter('asdlc-orchestrator', options.version);
  const queues = new Map(
    Object.entries(options.queues).map(([name, queue]) => [
      name,
      { queue: new JobQueue(redis, name, prefix), ...queue },
    ]),
  );
  const registry = new WorkerRegistry(redis, prefix);
  let activeTasks: number | undefined;
  let activeWorkers: number | undefined;
  const metrics = createServiceMetrics(meter, {
    service: ORCHESTRATOR_SERVICE,
    version: options.version,
    activeTasks: () => activeTasks,
    activeWorkers: () => activeWorkers,
    logger,
  });
  const jobMetrics = createJobMetrics(meter);
  const depth = observeQueueDepth(
    meter,
    [...queues.values()].map((entry) => entry.queue),
    { timeoutMs: 500, logger },
  );
  const redisMetrics = [metrics.instrumentRedis(redis), instrumentRedis(meter, redis, { logger })];
  const redisHealth: TrackedDependency = telemetry.trackDependency({
    name: 'redis',
    attributes: { 'db.system.name': 'redis' },
    intervalMs: options.healthCheck?.intervalMs ?? 10_000,
    timeoutMs: options.healthCheck?.timeoutMs ?? 1_000,
    check: async () => (await redis.ping()) === 'PONG',
  });

  let refreshing = false;
  const refresh = async (): Promise<void> => {
    if (refreshing) return;
    refreshing = true;
    try {
      const [running, live] = await Promise.all([
        Promise.all([...queues.values()].map((entry) => redis.llen(entry.queue.keys.running))),
        registry.live(WORKER_FRESH_MS),
      ]);
      activeTasks = running.reduce((sum, count) => sum + count, 0);
      activeWorkers = live.slots;
    } catch (error) {
      // Unknown while Redis does not answer: left out of collections rather than reported as 0.
      activeTasks = undefined;
      activeWorkers = undefined;
      logger.debug({ err: String(error) }, 'active tasks and workers could not be read');
    } finally {
      refreshing = false;
    }
  };
  await refresh();
  const refresher = setInterval(() => void refresh(), REFRESH_MS);
  refresher.unref();

  const enqueue = async (queueName: string, type: string, payload: unknown): Promise<string> => {
    const entry = queues.get(queueName);
    if (entry === undefined) {
      throw new OrchestratorError(
        'UNKNOWN_QUEUE',
        `no queue named ${JSON.stringify(queueName.slice(0, 100))}`,
      );
    }
    const job = createJob(queueName, type, payload, entry.maxAttempts ?? 3);
    await entry.queue.push(encodeJob(job));
    // Bounded like the workers' attributes: a type without a handler is recorded as _OTHER.
    const knownType = entry.types.includes(type) ? type : '_OTHER';
    jobMetrics.enqueued.add(1, { [QUEUE_ATTRIBUTE]: queueName, [TYPE_ATTRIBUTE]: knownType });
    return job.id;
  };

  const metricsHandler = createMetricsHandler(telemetry.prometheus, {
    onError: (error) => logger.error({ err: String(error) }, 'metrics collection failed'),
  });
  const route = (method: string, path: string): string | undefined => {
    if (path === '/metrics' || path === '/health' || PROXY_ROUTES.includes(path)) return path;
    if (path === '/api/jobs' && method === 'POST') return path;
    if (/^\/api\/queues\/[^/]+$/.test(path)) return '/api/queues/{queue}';
    return undefined;
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const template = route(req.method ?? '', path);
    if (template === undefined) {
      sendError(res, path === '/api/jobs' ? 405 : 404, 'not_found', `no such endpoint ${req.method} ${path}`);
      return;
    }
    if (template === '/api/jobs') {
      void postJob(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendError(res, 405, 'bad_data', `${req.method} is not allowed on ${path}`);
      return;
    }
    if (template === '/metrics') metricsHandler(req, res);
    else if (template === '/health') {
      const redisUp = redisHealth.status().up !== false;
      sendJson(res, redisUp ? 200 : 503, {
        status: redisUp ? 'healthy' : 'unhealthy',
        service: ORCHESTRATOR_SERVICE,
        version: options.version,
        redis: redisUp ? 'up' : 'down',
      });
    } else if (template === '/api/queues/{queue}') void getQueue(path.slice('/api/queues/'.length), res);
    else if (proxy === undefined) {
      sendError(res, 503, 'unavailable', 'the metrics proxy is off: set VICTORIAMETRICS_URL');
    } else proxy.handle(path, req, res);
  };

  async function postJob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readJsonBody(req, MAX_BODY_BYTES);
      const { queue, type, payload } = (body ?? {}) as { queue?: unknown; type?: unknown; payload?: unknown };
      if (typeof queue !== 'string' || typeof type !== 'string' || type === '' || type.length > 100) {
        throw new BodyError(
          400,
          'the body must be {"queue": string, "type": string of 1-100 characters, "payload": any}',
        );
      }
      sendJson(res, 202, { id: await enqueue(queue, type, payload ?? null) });
      metrics.recordEvent('success');
    } catch (error) {
      metrics.recordEvent('failed');
      if (error instanceof BodyError) sendError(res, error.status, 'bad_data', error.message);
      else if (error instanceof OrchestratorError && error.code === 'UNKNOWN_QUEUE') {
        sendError(res, 400, 'bad_data', error.message);
      } else sendError(res, 503, 'unavailable', 'Redis did not take the job; retry later');
    }
  }

  async function getQueue(encoded: string, res: ServerResponse): Promise<void> {
    let name: string;
    try {
      name = decodeURIComponent(encoded);
    } catch {
      name = encoded;
    }
    const entry = queues.get(name);
    if (entry === undefined) {
      sendError(res, 404, 'not_found', `no queue named ${JSON.stringify(name.slice(0, 100))}`);
      return;
    }
    try {
      const { oldestReady: _oldest, ...counts } = await entry.queue.depth();
      sendJson(res, 200, { queue: name, ...counts });
    } catch {
      sendError(res, 503, 'unavailable', 'Redis did not answer; retry later');
    }
  }

  const listener = withRequestMetrics(handle, { metrics, route });
  let server: ServiceServer;
  try {
    server = await startServiceServer(
      telemetry
        .httpServerMetrics({
          ignore: (req) => req.url === '/metrics',
          route: (req) => route(req.method ?? '', (req.url ?? '/').split('?', 1)[0] ?? '/'),
        })
        .wrap(listener),
      options.host ?? '127.0.0.1',
      options.port,
      'ORCHESTRATOR_PORT',
    );
  } catch (error) {
    await release();
    throw error;
  }

  async function release(): Promise<void> {
    clearInterval(refresher);
    redisHealth.stop();
    depth.stop();
    for (const instrumented of redisMetrics) instrumented.stop();
    metrics.stop();
    await redis.quit().catch(() => undefined);
    redis.disconnect();
  }

  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    enqueue,
    stop() {
      stopping ??= server.close().then(release);
      return stopping;
    },
  };
}
