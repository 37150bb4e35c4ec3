/**
 * The asdlc metrics contract (seed T11, T12, T14, T15, T17) on the orchestrator's and a worker's /metrics,
 * with a real redis-server: exactly the seed's names with exactly their labels, counts that follow the
 * requests and jobs sent, /metrics not counting itself, ids in paths templated, and the workers' /health
 * and /stats beside /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../../test/support/wait-for.ts';
import { type AsdlcStack, postJob, startAsdlcStack } from '../testing/asdlc-stack.ts';
import { parseSamples, type Sample, sampleValue } from '../testing/exposition.ts';
import { redisPeer as redis } from '../testing/redis-server.ts';

/** The seed's metric families and the exact label names of their samples. */
const CONTRACT: Record<string, { type: string; labels: string[] }> = {
  asdlc_service_info: { type: 'gauge', labels: ['service', 'version'] },
  asdlc_requests_total: { type: 'counter', labels: ['endpoint', 'method', 'service', 'status'] },
  asdlc_request_duration_seconds: { type: 'histogram', labels: ['endpoint', 'method', 'service'] },
  asdlc_events_processed_total: { type: 'counter', labels: ['service', 'status'] },
  asdlc_active_tasks: { type: 'gauge', labels: ['service'] },
  asdlc_active_workers: { type: 'gauge', labels: ['service'] },
  asdlc_redis_connection_up: { type: 'gauge', labels: ['service'] },
  asdlc_redis_latency_seconds: { type: 'histogram', labels: ['operation', 'service'] },
  asdlc_process_memory_bytes: { type: 'gauge', labels: ['service', 'type'] },
};

/** The label names of a sample, without the ones every yardstick series carries and a histogram's `le`. */
function labelNames(sample: Sample): string[] {
  return Object.keys(sample.labels)
    .filter((name) => name !== 'le' && !name.startsWith('otel_scope_'))
    .sort();
}

/** The family a sample belongs to (`_bucket`, `_sum`, `_count` of a histogram included). */
function familyOf(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}

const scrape = async (url: string) => {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

describe.skipIf(redis.skipReason !== undefined)('the asdlc services', () => {
  let stack: AsdlcStack;
  beforeAll(async () => {
    stack = await startAsdlcStack({ workers: 1 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serve exactly the seed names with exactly their labels, beside the kits metrics', async () => {
    const { orchestrator } = stack;
    const worker = stack.workers[0]!;
    for (let i = 0; i < 6; i++) expect(await postJob(orchestrator.url, i < 4 ? 'ok' : 'bad')).toBe(202);
    expect((await fetch(`${orchestrator.url}/api/queues/tasks`)).status).toBe(200);
    expect((await fetch(`${orchestrator.url}/api/jobs/4711/cancel`)).status).toBe(404);
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    expect((await fetch(`${worker.url}/stats`)).status).toBe(200);
    const workerBody = await waitFor(
      'the worker to process the 6 jobs',
      async () => {
        const text = await scrape(worker.url);
        return sampleValue(text, 'asdlc_events_processed_total') === 6 ? text : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    const orchestratorBody = await waitFor(
      'the orchestrator to see the worker',
      async () => {
        const text = await scrape(orchestrator.url);
        return sampleValue(text, 'asdlc_active_workers') === 2 ? text : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );

    for (const [service, body] of [
      ['orchestrator', orchestratorBody],
      ['workers', workerBody],
    ] as const) {
      const asdlc = parseSamples(body).filter((sample) => sample.name.startsWith('asdlc_'));
      const families = new Set(asdlc.map((sample) => familyOf(sample.name)));
      expect([...families].sort(), service).toEqual(Object.keys(CONTRACT).sort());
      for (const sample of asdlc) {
        expect(labelNames(sample), sample.name).toEqual(CONTRACT[familyOf(sample.name)]!.labels);
        expect(sample.labels.service).toBe(service);
      }
      for (const [name, { type }] of Object.entries(CONTRACT)) {
        expect(body, name).toContain(`# TYPE ${name} ${type}\n`);
      }
      // T17: counters end in _total, histograms in _seconds, labels in snake_case.
      expect(asdlc.every((s) => Object.keys(s.labels).every((l) => /^[a-z][a-z0-9_]*$/.test(l)))).toBe(true);
      expect(sampleValue(body, 'asdlc_service_info', { version: '0.1.0' })).toBe(1);
      expect(sampleValue(body, 'asdlc_redis_connection_up')).toBe(1);
      expect(sampleValue(body, 'asdlc_process_memory_bytes', { type: 'rss' })).toBeGreaterThan(1_000_000);
      expect(sampleValue(body, 'asdlc_process_memory_bytes', { type: 'vms' })).toBeGreaterThan(
        sampleValue(body, 'asdlc_process_memory_bytes', { type: 'rss' })!,
      );
      expect(sampleValue(body, 'asdlc_requests_total', { endpoint: '/metrics' })).toBeUndefined();
      // The kits' semantic-convention metrics are still there.
      expect(sampleValue(body, 'http_server_request_duration_seconds_count')).toBeGreaterThan(0);
      expect(sampleValue(body, 'db_client_operation_duration_seconds_count')).toBeGreaterThan(0);
    }

    const requests = (labels: Record<string, string>) =>
      sampleValue(orchestratorBody, 'asdlc_requests_total', { service: 'orchestrator', ...labels });
    expect(requests({ method: 'POST', endpoint: '/api/jobs', status: '202' })).toBe(6);
    expect(requests({ method: 'GET', endpoint: '/api/queues/{queue}', status: '200' })).toBe(1);
    expect(requests({ method: 'GET', endpoint: '/api/jobs/{id}/cancel', status: '404' })).toBe(1);
    expect(
      sampleValue(orchestratorBody, 'asdlc_request_duration_seconds_count', { endpoint: '/api/jobs' }),
    ).toBe(6);
    expect(sampleValue(orchestratorBody, 'asdlc_redis_latency_seconds_count', { operation: 'lpush' })).toBe(
      6,
    );
    // Two worker slots of the one worker service; no job is running any more.
    expect(sampleValue(orchestratorBody, 'asdlc_active_tasks')).toBe(0);
    expect(sampleValue(orchestratorBody, 'jobs_enqueued_total', { job_type: 'ok' })).toBe(4);
    // The orchestrator's events are the job submissions it handled.
    expect(sampleValue(orchestratorBody, 'asdlc_events_processed_total', { status: 'success' })).toBe(6);
    expect(sampleValue(orchestratorBody, 'asdlc_events_processed_total', { status: 'failed' })).toBe(0);

    expect(sampleValue(workerBody, 'asdlc_events_processed_total', { status: 'success' })).toBe(4);
    expect(sampleValue(workerBody, 'asdlc_events_processed_total', { status: 'failed' })).toBe(2);
    expect(sampleValue(workerBody, 'asdlc_active_workers')).toBe(2);
    expect(sampleValue(workerBody, 'asdlc_active_tasks')).toBe(0);
    expect(sampleValue(workerBody, 'asdlc_requests_total', { endpoint: '/health', status: '200' })).toBe(1);
    expect(sampleValue(workerBody, 'asdlc_requests_total', { endpoint: '/stats', status: '200' })).toBe(1);
    // Each job leaves the running list once: 4 completed, 2 dead-lettered (LREM inside their MULTI).
    expect(sampleValue(workerBody, 'asdlc_redis_latency_seconds_count', { operation: 'lrem' })).toBe(6);
  });

  it('keep the workers /health and /stats answers', async () => {
    const worker = stack.workers[0]!;
    const health = await fetch(`${worker.url}/health`);
    expect([health.status, await health.json()]).toEqual([
      200,
      { status: 'healthy', service: 'workers', worker_id: 'worker-1', redis: 'up' },
    ]);
    const stats = (await (await fetch(`${worker.url}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      service: 'workers',
      worker_id: 'worker-1',
      workers: 2,
      active_tasks: 0,
      events_processed: { success: 4, failed: 2 },
      queues: { tasks: { concurrency: 2, job_types: ['ok', 'bad'] } },
    });
    expect((await fetch(`${worker.url}/stats`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${worker.url}/nope`)).status).toBe(404);
  });

  it('answer bad job requests with clear JSON errors', async () => {
    const post = async (body: string, type = 'application/json') => {
      const res = await fetch(`${stack.orchestrator.url}/api/jobs`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      return [res.status, ((await res.json()) as { error: string }).error];
    };
    expect(await post('{')).toEqual([400, 'the body is no valid JSON']);
    expect(await post('{"queue":"nope","type":"ok"}')).toEqual([400, 'no queue named "nope"']);
    expect(await post('{"queue":"tasks"}')).toEqual([
      400,
      'the body must be {"queue": string, "type": string of 1-100 characters, "payload": any}',
    ]);
    expect(await post('x', 'text/plain')).toEqual([
      415,
      'the body must be JSON (content-type: application/json)',
    ]);
    expect(await post(JSON.stringify({ queue: 'tasks', type: 'ok', payload: 'x'.repeat(70_000) }))).toEqual([
      413,
      'the body is larger than 65536 bytes',
    ]);
    const proxy = await fetch(`${stack.orchestrator.url}/api/metrics/health`);
    expect([proxy.status, await proxy.json()]).toEqual([
      503,
      {
        status: 'error',
        errorType: 'unavailable',
        error: 'the metrics proxy is off: set VICTORIAMETRICS_URL',
      },
    ]);
  });
});
