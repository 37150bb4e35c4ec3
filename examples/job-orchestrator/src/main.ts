/**
 * yardstick job orchestrator demo: the asdlc services, both in one process unless `ASDLC_SERVICES` names
 * one (`orchestrator` or `workers`, as a container runs it; `ASDLC_HOST` sets the address, default
 * 127.0.0.1). The orchestrator's API (`ORCHESTRATOR_PORT`, default 8000: /metrics, /health, jobs, the
 * VictoriaMetrics query proxy) takes the jobs a producer adds; the workers service (`WORKER_PORT`, default 8001: /health, /stats, /metrics) runs
 * them from Redis (`REDIS_URL`) with retries and dead-lettering. The workers' telemetry is also served by
 * yardstick's server (`OTEL_EXPORTER_PROMETHEUS_PORT`, default 9464) with the embedded store, and the rules
 * of `rules/` are evaluated in-process. Runs until Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startTelemetry, type Telemetry } from '@yardstick/sdk';
import { DEMO_QUEUES, startDemoProducer } from './demo/demo-jobs.ts';
import { OrchestratorError } from './errors.ts';
import { describeRedisUrl } from './redis/connect-redis.ts';
import { type OrchestratorService, startOrchestratorService } from './services/orchestrator-service.ts';
import { startWorkerService, type WorkerService } from './services/worker-service.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const perSecond = Number(process.env.JOBS_PER_SECOND ?? 5);
const victoriaMetricsUrl = process.env.VICTORIAMETRICS_URL || undefined;
const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const rules = fileURLToPath(new URL('../rules/jobs.rules.yml', import.meta.url));
/** Queries to try on the embedded store. */
const QUERIES = {
  throughput: 'sum by (job_queue, job_type) (rate(jobs_completed_total[1m]))',
  p95: 'histogram_quantile(0.95, sum by (le, job_type) (rate(jobs_duration_seconds_bucket[5m])))',
  alerts: 'ALERTS',
};

/** A port from `name` (0 for any free one), or exit 1 with one line saying what is wrong. */
function portFrom(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(
      `${name}=${JSON.stringify(text)} is no port: give a number from 0 (any free port) to 65535`,
    );
    process.exit(1);
  }
  return port;
}
const orchestratorPort = portFrom('ORCHESTRATOR_PORT', 8000);
const workerPort = portFrom('WORKER_PORT', 8001);
const host = process.env.ASDLC_HOST || '127.0.0.1';
const services = new Set(
  (process.env.ASDLC_SERVICES || 'orchestrator,workers').split(',').map((s) => s.trim()),
);
if (services.size === 0 || [...services].some((name) => name !== 'orchestrator' && name !== 'workers')) {
  console.error(
    `ASDLC_SERVICES=${JSON.stringify(process.env.ASDLC_SERVICES)}: give orchestrator, workers or both (comma-separated)`,
  );
  process.exit(1);
}
const runWorkers = services.has('workers');
const runOrchestrator = services.has('orchestrator');

// yardstick's own server (OTEL_EXPORTER_PROMETHEUS_PORT: the embedded store, /v1/stats, the rules of
// rules/, which are about the workers' jobs) serves the workers' pipeline when they run here.
const telemetry = await startTelemetry({
  serviceName: runWorkers ? 'asdlc-workers' : 'asdlc-orchestrator',
  ...(runWorkers ? { alerting: { ruleFiles: [rules] } } : {}),
});
// The orchestrator is a service of its own with its own /metrics: next to the workers it gets a provider of
// its own, served by its API.
const orchestratorTelemetry: Telemetry =
  runWorkers && runOrchestrator
    ? await startTelemetry({
        serviceName: 'asdlc-orchestrator',
        registerGlobal: false,
        server: { enabled: false },
        store: { enabled: false },
      })
    : telemetry;
const shutdownTelemetry = () =>
  Promise.all([telemetry.shutdown(), orchestratorTelemetry.shutdown()]).then(() => undefined);
let workers: WorkerService | undefined;
let orchestrator: OrchestratorService | undefined;
try {
  if (runWorkers) {
    workers = await startWorkerService({
      telemetry,
      redisUrl,
      queues: DEMO_QUEUES,
      version,
      host,
      port: workerPort,
      healthCheck: { intervalMs: 5_000, timeoutMs: 1_000 },
    });
  }
  if (runOrchestrator) {
    orchestrator = await startOrchestratorService({
      telemetry: orchestratorTelemetry,
      redisUrl,
      version,
      host,
      port: orchestratorPort,
      victoriaMetricsUrl,
      queues: Object.fromEntries(
        Object.entries(DEMO_QUEUES).map(([name, queue]) => [
          name,
          {
            types: Object.keys(queue.handlers),
            ...(queue.maxAttempts ? { maxAttempts: queue.maxAttempts } : {}),
          },
        ]),
      ),
    });
  }
} catch (error) {
  await workers?.stop(0);
  await shutdownTelemetry();
  if (error instanceof OrchestratorError) {
    const hint =
      error.code === 'REDIS_UNAVAILABLE'
        ? '\nStart Redis (apt-get install redis-server, or docker run -p 6379:6379 redis) or set REDIS_URL.'
        : '';
    console.error(`${error.message}${hint}`);
    process.exit(1);
  }
  throw error;
}
let enqueueFailures = 0;
// The demo's producer adds jobs through the orchestrator, so it runs where the orchestrator does.
const stopProducer = orchestrator
  ? startDemoProducer(orchestrator, perSecond, () => {
      enqueueFailures++;
    })
  : () => undefined;
const query = (expr: string) => `${telemetry.url}/api/v1/query?query=${encodeURIComponent(expr)}`;
const lines = [
  'yardstick job orchestrator is running',
  `  redis:         ${describeRedisUrl(redisUrl)}  (queues: ${Object.keys(DEMO_QUEUES).join(', ')}${orchestrator ? `; ~${perSecond} jobs/s` : ''})`,
];
if (orchestrator) {
  const range = `${orchestrator.url}/api/metrics/query_range?query=${encodeURIComponent('sum by (service) (rate(asdlc_events_processed_total[1m]))')}&start=<unix s>&end=<unix s>&step=15s`;
  lines.push(
    `  orchestrator:  ${orchestrator.url}/metrics  ${orchestrator.url}/health  POST ${orchestrator.url}/api/jobs`,
    `  query proxy:   ${victoriaMetricsUrl === undefined ? 'off (set VICTORIAMETRICS_URL)' : range}`,
  );
  if (victoriaMetricsUrl !== undefined) {
    lines.push(
      `                 ${orchestrator.url}/api/metrics/services  ${orchestrator.url}/api/metrics/health`,
    );
  }
}
if (workers)
  lines.push(`  workers:       ${workers.url}/metrics  ${workers.url}/health  ${workers.url}/stats`);
if (telemetry.url !== undefined) {
  lines.push(`  metrics:       ${telemetry.url}/metrics`, `  health:        ${telemetry.url}/healthz`);
  if (runWorkers) {
    lines.push(
      `  throughput:    ${query(QUERIES.throughput)}`,
      `  p95:           ${query(QUERIES.p95)}`,
      `  alerts:        ${query(QUERIES.alerts)}`,
    );
  }
}
lines.push('Press Ctrl-C to stop (running jobs get 10 s to finish).');
console.log(lines.join('\n'));

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) {
    console.log('stopping now, without waiting for running jobs');
    process.exit(130);
  }
  stopping = true;
  console.log(
    `\n${signal} received: no new jobs; waiting for ${workers?.orchestrator.busy() ?? 0} running job(s)`,
  );
  stopProducer();
  await orchestrator?.stop();
  const { finished, givenBack, leftRunning } = (await workers?.stop(10_000)) ?? {
    finished: 0,
    givenBack: 0,
    leftRunning: 0,
  };
  await shutdownTelemetry();
  if (enqueueFailures > 0)
    console.log(`${enqueueFailures} job(s) could not be enqueued while Redis was away`);
  if (leftRunning > 0) console.log(`${leftRunning} unfinished job(s) will be requeued at the next start`);
  console.log(`stopped cleanly (${finished} finished, ${givenBack} put back in their queues)`);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
