/**
 * yardstick job orchestrator demo: a Redis-backed queue with workers, retries and dead-lettering, a
 * producer adding a mix of jobs, `/metrics` on 127.0.0.1:9464 and the alert rules of `rules/` evaluated
 * in-process. Needs Redis (`REDIS_URL`, default redis://127.0.0.1:6379). Runs until Ctrl-C.
 */
import { fileURLToPath } from 'node:url';
import { startTelemetry } from '@yardstick/sdk';
import { DEMO_QUEUES, startDemoProducer } from './demo/demo-jobs.ts';
import { OrchestratorError } from './errors.ts';
import { type Orchestrator, startOrchestrator } from './orchestrator.ts';
import { describeRedisUrl } from './redis/connect-redis.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const perSecond = Number(process.env.JOBS_PER_SECOND ?? 5);
const rules = fileURLToPath(new URL('../rules/jobs.rules.yml', import.meta.url));
/** Queries to try on the embedded store. */
const QUERIES = {
  throughput: 'sum by (job_queue, job_type) (rate(jobs_completed_total[1m]))',
  p95: 'histogram_quantile(0.95, sum by (le, job_type) (rate(jobs_duration_seconds_bucket[5m])))',
  alerts: 'ALERTS',
};

const telemetry = await startTelemetry({
  serviceName: 'yardstick-job-orchestrator',
  alerting: { ruleFiles: [rules] },
});
let orchestrator: Orchestrator;
try {
  orchestrator = await startOrchestrator(telemetry, {
    redisUrl,
    queues: DEMO_QUEUES,
    healthCheck: { intervalMs: 5_000, timeoutMs: 1_000 },
  });
} catch (error) {
  await telemetry.shutdown();
  if (error instanceof OrchestratorError && error.code === 'REDIS_UNAVAILABLE') {
    console.error(`${error.message}
Start Redis (apt-get install redis-server, or docker run -p 6379:6379 redis) or set REDIS_URL.`);
    process.exit(1);
  }
  throw error;
}
let enqueueFailures = 0;
const stopProducer = startDemoProducer(orchestrator, perSecond, () => {
  enqueueFailures++;
});
const query = (expr: string) => `${telemetry.url}/api/v1/query?query=${encodeURIComponent(expr)}`;

console.log(`yardstick job orchestrator is running
  redis:       ${describeRedisUrl(redisUrl)}  (queues: ${Object.keys(DEMO_QUEUES).join(', ')}; ~${perSecond} jobs/s)
  metrics:     ${telemetry.url}/metrics
  health:      ${telemetry.url}/healthz
  throughput:  ${query(QUERIES.throughput)}
  p95:         ${query(QUERIES.p95)}
  alerts:      ${query(QUERIES.alerts)}
Press Ctrl-C to stop (running jobs get 10 s to finish).`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) {
    console.log('stopping now, without waiting for running jobs');
    process.exit(130);
  }
  stopping = true;
  console.log(`\n${signal} received: no new jobs; waiting for ${orchestrator.busy()} running job(s)`);
  stopProducer();
  const { finished, givenBack, leftRunning } = await orchestrator.stop(10_000);
  await telemetry.shutdown();
  if (enqueueFailures > 0)
    console.log(`${enqueueFailures} job(s) could not be enqueued while Redis was away`);
  if (leftRunning > 0) console.log(`${leftRunning} unfinished job(s) will be requeued at the next start`);
  console.log(`stopped cleanly (${finished} finished, ${givenBack} put back in their queues)`);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
