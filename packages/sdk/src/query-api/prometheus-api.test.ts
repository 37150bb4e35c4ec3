import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SampleStore } from '@yardstick/promql';
import { afterEach, describe, expect, it } from 'vitest';
import { ExemplarStore } from '../store/exemplar-store.ts';
import { createQueryApi, type QueryApi } from './prometheus-api.ts';
import type { QueryLimits } from './query-limits.ts';

const T = 1_700_000_000_000;
let running: Array<{ server: Server; api: QueryApi }> = [];

afterEach(async () => {
  for (const { server, api } of running) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
  }
  running = [];
});

function filledStore(series: number, points: number): SampleStore {
  const store = new SampleStore();
  for (let i = 0; i < points; i++)
    for (let s = 0; s < series; s++) store.append({ __name__: 'up', job: `job-${s}` }, T + i * 15_000, s + i);
  return store;
}

async function serve(
  store: SampleStore,
  limits: Partial<QueryLimits> = {},
  exemplars?: ExemplarStore,
): Promise<string> {
  const api = createQueryApi({ store, limits, exemplars });
  const server = createServer((req, res) =>
    req.url?.startsWith('/v1/stats') ? api.stats(req, res) : api(req, res),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push({ server, api });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('createQueryApi', () => {
  it('answers instant and range queries evaluated on a worker, reading the store in batches', async () => {
    // 3,000 series x 40 points: more than one store batch, so the worker asks the main thread repeatedly
    const url = await serve(filledStore(3_000, 40));
    const instant = await get(`${url}/api/v1/query?query=count(up)&time=${(T + 39 * 15_000) / 1000}`);
    expect(instant).toEqual({
      status: 200,
      body: {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [(T + 39 * 15_000) / 1000, '3000'] }] },
      },
    });
    const range = await get(
      `${url}/api/v1/query_range?query=${encodeURIComponent('sum(up)')}&start=${T / 1000}&end=${(T + 39 * 15_000) / 1000}&step=150`,
    );
    const values = (range.body.data as { result: Array<{ values: Array<[number, string]> }> }).result[0]!
      .values;
    expect(values).toHaveLength(4);
    // sum over s of (s + i) at i = 10: 3000 * 10 + 2999 * 3000 / 2
    expect(values[1]).toEqual([(T + 150_000) / 1000, String(3000 * 10 + (2999 * 3000) / 2)]);
  });

  it('answers bad queries with 400 bad_data in Prometheus envelope', async () => {
    const url = await serve(filledStore(1, 1));
    expect(await get(`${url}/api/v1/query?query=${encodeURIComponent('sum(')}`)).toMatchObject({
      status: 400,
      body: { status: 'error', errorType: 'bad_data' },
    });
    expect(await get(`${url}/api/v1/query_range?query=up&start=1&end=2&step=0`)).toMatchObject({
      status: 400,
    });
    expect(await get(`${url}/api/v1/query?query=up&time=soon`)).toMatchObject({ status: 400 });
    expect(await get(`${url}/api/v1/nope`)).toMatchObject({ status: 404, body: { errorType: 'not_found' } });
  });

  it('answers 422 execution when the query holds more than maxSamples', async () => {
    const url = await serve(filledStore(100, 100), { maxSamples: 1_000 });
    const answer = await get(
      `${url}/api/v1/query?query=${encodeURIComponent('up[1h]')}&time=${(T + 99 * 15_000) / 1000}`,
    );
    expect(answer).toMatchObject({
      status: 422,
      body: {
        status: 'error',
        errorType: 'execution',
        error: expect.stringContaining('query processing would load too many samples into memory'),
      },
    });
  });

  it('answers 422 when the body would pass maxResponseBytes, for queries and series listings alike', async () => {
    const url = await serve(filledStore(500, 10), { maxResponseBytes: 4_096 });
    const query = await get(`${url}/api/v1/query?query=up&time=${(T + 9 * 15_000) / 1000}`);
    expect(query).toMatchObject({
      status: 422,
      body: { errorType: 'execution', error: expect.stringContaining('maxResponseBytes') },
    });
    const series = await get(`${url}/api/v1/series?match[]=up`);
    expect(series).toMatchObject({ status: 422, body: { errorType: 'execution' } });
    const limited = await get(`${url}/api/v1/series?match[]=up&limit=5`);
    expect(limited.status).toBe(200);
    expect(limited.body.data).toHaveLength(5);
  });

  it('serves /v1/stats from the workers and still refuses a bad window with 400', async () => {
    const url = await serve(filledStore(2, 10));
    const stats = await get(`${url}/v1/stats?window=1m`);
    expect(stats.status).toBe(200);
    expect(stats.body).toHaveProperty('window', '1m');
    expect(await get(`${url}/v1/stats?window=1y`)).toMatchObject({ status: 400 });
  });
});

describe('/api/v1/query_exemplars', () => {
  it("answers the exemplars of the series the expression's selectors select, in Prometheus's shape", async () => {
    const exemplars = new ExemplarStore();
    const trace = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    exemplars.append({ __name__: 'req_total', job: 'api' }, { value: 2, timeMs: T + 1500, ...trace });
    exemplars.append({ __name__: 'lat_bucket', le: '1' }, { value: 0.5, timeMs: T + 2000 });
    exemplars.append({ __name__: 'other_total' }, { value: 1, timeMs: T + 2000, ...trace });
    const base = await serve(new SampleStore(), {}, exemplars);
    const query = encodeURIComponent(
      'sum(rate(req_total{job="api"}[5m])) / histogram_quantile(0.9, lat_bucket)',
    );
    const { status, body } = await get(
      `${base}/api/v1/query_exemplars?query=${query}&start=${T / 1000}&end=${T / 1000 + 60}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'success',
      data: [
        {
          seriesLabels: { __name__: 'req_total', job: 'api' },
          exemplars: [
            {
              labels: { trace_id: trace.traceId, span_id: trace.spanId },
              value: '2',
              timestamp: 1_700_000_001.5,
            },
          ],
        },
        {
          seriesLabels: { __name__: 'lat_bucket', le: '1' },
          exemplars: [{ labels: {}, value: '0.5', timestamp: 1_700_000_002 }],
        },
      ],
    });
    // Outside [start, end]: nothing.
    const late = await get(`${base}/api/v1/query_exemplars?query=req_total&start=${T / 1000 + 10}`);
    expect(late.body).toEqual({ status: 'success', data: [] });
  });

  it('refuses a missing or unparsable query with bad_data, as Prometheus does', async () => {
    const base = await serve(new SampleStore(), {}, new ExemplarStore());
    expect((await get(`${base}/api/v1/query_exemplars`)).status).toBe(400);
    const broken = await get(`${base}/api/v1/query_exemplars?query=${encodeURIComponent('rate(x[')}`);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
  });
});
