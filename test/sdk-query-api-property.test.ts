/**
 * Random PromQL with random time ranges and steps against the query API: whatever arrives, the server
 * answers in Prometheus's envelope with a known status, within its limits, and keeps serving.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promqlExpression } from '../packages/promql/src/parser/testing/expression-arbitrary.ts';

const NOW = 1_750_000_000_000;
const LIMITS = { timeoutMs: 2_000, maxSamples: 50_000, maxResponseBytes: 256 * 1024, maxConcurrent: 2 };
const ERROR_TYPES = ['bad_data', 'execution', 'timeout'];

const atoms = [
  'up',
  'http_requests_total',
  'rate(http_requests_total[5m])',
  'up[10m]',
  'vector(1)',
  '3',
  'label_replace(up, "x", "$1", "job", "(.*)")',
  'http_requests_total offset 1h',
  'count_values("v", up)',
  'time()',
  'http_requests_total[6h]',
  'max_over_time(up[1d:1s])',
];

let url: string;
const statuses = new Map<number, number>();
const store = new SampleStore();
const api = createQueryApi({ store, limits: LIMITS });
const server = createServer(api);

beforeAll(async () => {
  // 200 series over 6 h at 15 s: 288k samples, enough for random ranges to hit every limit
  for (let t = NOW - 6 * 3_600_000; t <= NOW; t += 15_000) {
    for (let s = 0; s < 100; s++) {
      store.append({ __name__: 'up', job: `j${s % 10}`, instance: `i${s}` }, t, 1);
      store.append(
        { __name__: 'http_requests_total', job: `j${s % 10}`, instance: `i${s}` },
        t,
        (t - NOW) / 1000 + s,
      );
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await api.close();
});

const request = fc.record({
  query: promqlExpression(atoms, { subqueries: true }),
  range: fc.boolean(),
  // up to two days back, up to a day long, steps from 1 ms to an hour
  endAgoMs: fc.integer({ min: 0, max: 2 * 86_400_000 }),
  spanMs: fc.integer({ min: 0, max: 86_400_000 }),
  stepMs: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1_000, max: 3_600_000 })),
});

describe('the query API with random queries', () => {
  it('always answers in the envelope, within its limits, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ query, range, endAgoMs, spanMs, stepMs }) => {
        const end = (NOW - endAgoMs) / 1000;
        const params: Record<string, string> = range
          ? // steps kept within Prometheus's 11,000 points per series, or every range query is a 400
            {
              query,
              start: String(end - spanMs / 1000),
              end: String(end),
              step: `${Math.max(stepMs, Math.ceil(spanMs / 10_000))}ms`,
            }
          : { query, time: String(end) };
        const started = performance.now();
        const response = await fetch(
          `${url}/api/v1/${range ? 'query_range' : 'query'}?${new URLSearchParams(params)}`,
        );
        const text = await response.text();
        const elapsed = performance.now() - started;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const body = JSON.parse(text) as { status: string; errorType?: string };
        if (response.status === 200) {
          expect(body.status).toBe('success');
        } else {
          expect([400, 422, 503]).toContain(response.status);
          expect(body.status).toBe('error');
          expect(ERROR_TYPES).toContain(body.errorType);
        }
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LIMITS.maxResponseBytes);
        // the timeout plus the worker's one-second grace, with room for a loaded machine
        expect(elapsed).toBeLessThan(LIMITS.timeoutMs + 10_000);
      }),
      { numRuns: 60 },
    );
    console.log(
      'statuses',
      [...statuses]
        .sort()
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    );
    expect((await fetch(`${url}/api/v1/query?query=count(up)&time=${NOW / 1000}`)).status).toBe(200);
  }, 300_000);
});
