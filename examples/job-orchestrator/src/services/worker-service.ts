/**
 * The workers service (asdlc `src/workers/main.py`, seed T12/T15): the queues' worker pools
 * ({@link startOrchestrator}) with a small HTTP server of their own: `/health` and `/stats` as the workers
 * always served them, and `/metrics` beside them (the `asdlc_*` metrics with `service="workers"`, the
 * `jobs_*` metrics and the kits'). Every few seconds it announces its worker slots in Redis, which is how
 * the orchestrator counts `asdlc_active_workers`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import {
  createMetricsHandler,
  type InstrumentedRedis,
  instrumentRedis,
  type Telemetry,
} from '@yardstick/sdk';
import { type Orchestrator, type QueueOptions, startOrchestrator } from '../orchestrator.ts';
import { WorkerRegistry } from '../redis/worker-registry.ts';
import type { WorkersStopped } from '../workers/queue-workers.ts';
import { sendJson } from './http-json.ts';
import { withRequestMetrics } from './request-metrics.ts';
import { createServiceMetrics, type EventStatus } from './service-metrics.ts';
import { type ServiceServer, startServiceServer } from './service-server.ts';

/** The `service` label of the workers. */
export const WORKERS_SERVICE = 'workers';

/** Options of {@link startWorkerService}. */
export interface WorkerServiceOptions {
  /** This service's own telemetry: its meter provider is what `/metrics` renders. */
  readonly telemetry: Telemetry;
  readonly redisUrl: string;
  /** The queues this service works, with their handlers. */
  readonly queues: Readonly<Record<string, QueueOptions>>;
  /** The `version` label of `asdlc_service_info`. */
  readonly version: string;
  /** Where `/health`, `/stats` and `/metrics` listen; default 127.0.0.1. */
  readonly host?: string;
  /** Their port (0 for any free one). */
  readonly port: number;
  /** The variable that sets the port, named when it cannot be used; default `WORKER_PORT`. */
  readonly portSetting?: string;
  /** The id announced in Redis; default `<hostname>-<pid>-<random>`. */
  readonly workerId?: string;
  /** Time between two announcements (ms); default 2 000. */
  readonly heartbeatMs?: number;
  /** Options passed on to {@link startOrchestrator}. */
  readonly keyPrefix?: string;
  readonly pollSeconds?: number;
  readonly healthCheck?: { readonly intervalMs?: number; readonly timeoutMs?: number };
}

/** A running workers service. */
export interface WorkerService {
  /** `http://host:port` of `/health`, `/stats`, `/metrics`. */
  readonly url: string;
  readonly workerId: string;
  /** The queues and their workers. */
  readonly orchestrator: Orchestrator;
  /** Stops the HTTP server, takes the service out of the registry and stops the workers. Idempotent. */
  stop(graceMs?: number): Promise<WorkersStopped>;
}

/**
 * Starts the workers and their HTTP server.
 *
 * @throws OrchestratorError `REDIS_UNAVAILABLE`, `INVALID_OPTIONS` (from {@link startOrchestrator}),
 *   `SERVER_START` when the port is taken
 */
export async function startWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const { telemetry } = options;
  const started = Date.now();
  const workerId =
    options.workerId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const slots = Object.values(options.queues).reduce((sum, queue) => sum + queue.concurrency, 0);
  const events: Record<EventStatus, number> = { success: 0, failed: 0 };
  let orchestrator: Orchestrator | undefined;
  const meter = telemetry.meter('asdlc-workers', options.version);
  const metrics = createServiceMetrics(meter, {
    service: WORKERS_SERVICE,
    version: options.version,
    activeTasks: () => orchestrator?.busy(),
    activeWorkers: () => (orchestrator === undefined ? undefined : slots),
    logger: telemetry.logger,
  });
  orchestrator = await startOrchestrator(telemetry, {
    redisUrl: options.redisUrl,
    queues: options.queues,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    ...(options.pollSeconds === undefined ? {} : { pollSeconds: options.pollSeconds }),
    ...(options.healthCheck === undefined ? {} : { healthCheck: options.healthCheck }),
    onProcessed: (status) => {
      events[status]++;
      metrics.recordEvent(status);
    },
  }).catch((error: unknown) => {
    metrics.stop();
    throw error;
  });
  const running = orchestrator;
  // The same timings twice: the seed's names, and the OTel database-client conventions' names.
  const redisMetrics: InstrumentedRedis[] = [
    metrics.instrumentRedis(running.redis),
    instrumentRedis(meter, running.redis, { logger: telemetry.logger }),
  ];
  const registry = new WorkerRegistry(running.redis, options.keyPrefix ?? 'jobs');
  const announce = () =>
    registry.heartbeat(workerId, slots).catch((error: unknown) => {
      telemetry.logger.debug({ err: String(error) }, 'worker heartbeat failed');
    });
  void announce();
  const heartbeat = setInterval(announce, options.heartbeatMs ?? 2_000);
  heartbeat.unref();

  const metricsHandler = createMetricsHandler(telemetry.prometheus, {
    onError: (error) => telemetry.logger.error({ err: String(error) }, 'metrics collection failed'),
  });
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/metrics': metricsHandler,
    '/health': (_req, res) => {
      const redisUp = running.redisHealth.status().up !== false;
      sendJson(res, redisUp ? 200 : 503, {
        status: redisUp ? 'healthy' : 'unhealthy',
        service: WORKERS_SERVICE,
        worker_id: workerId,
        redis: redisUp ? 'up' : 'down',
      });
    },
    '/stats': (_req, res) => {
      sendJson(res, 200, {
        service: WORKERS_SERVICE,
        worker_id: workerId,
        uptime_seconds: Math.round((Date.now() - started) / 1000),
        workers: slots,
        active_tasks: running.busy(),
        events_processed: { ...events },
        queues: Object.fromEntries(
          Object.entries(options.queues).map(([name, queue]) => [
            name,
            { concurrency: queue.concurrency, job_types: Object.keys(queue.handlers) },
          ]),
        ),
      });
    },
  };
  const listener = withRequestMetrics(
    (req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
      const route = routes[path];
      if (route === undefined) sendJson(res, 404, { status: 'error', error: `no such endpoint ${path}` });
      else if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        sendJson(res, 405, { status: 'error', error: `${req.method} is not allowed here` });
      } else route(req, res);
    },
    { metrics, route: (_method, path) => (Object.hasOwn(routes, path) ? path : undefined) },
  );
  let server: ServiceServer;
  try {
    server = await startServiceServer(
      telemetry.httpServerMetrics({ ignore: (req) => req.url === '/metrics' }).wrap(listener),
      options.host ?? '127.0.0.1',
      options.port,
      options.portSetting ?? 'WORKER_PORT',
    );
  } catch (error) {
    clearInterval(heartbeat);
    for (const instrumented of redisMetrics) instrumented.stop();
    metrics.stop();
    await running.stop(0);
    throw error;
  }

  let stopping: Promise<WorkersStopped> | undefined;
  return {
    url: server.url,
    workerId,
    orchestrator: running,
    stop(graceMs) {
      stopping ??= (async () => {
        clearInterval(heartbeat);
        await server.close();
        await registry.remove(workerId).catch(() => undefined);
        const stopped = await running.stop(graceMs);
        for (const instrumented of redisMetrics) instrumented.stop();
        metrics.stop();
        return stopped;
      })();
      return stopping;
    },
  };
}
