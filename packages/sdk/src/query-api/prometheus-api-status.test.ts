import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEvaluator, createEmbeddedDatasource, ManualClock } from '@yardstick/alert-evaluator';
import { SampleStore } from '@yardstick/promql';
import { afterEach, describe, expect, it } from 'vitest';
import { yardstickConfigSchema } from '../config/schema.ts';
import { createQueryApi, type QueryApi, type QueryApiOptions } from './prometheus-api.ts';
import { YARDSTICK_VERSION } from './status-json.ts';

const T = 1_700_000_000_000;
let running: Array<{ server: Server; api: QueryApi }> = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const { server, api } of running) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await api.close();
  }
  running = [];
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(options: QueryApiOptions): Promise<string> {
  const api = createQueryApi(options);
  const server = createServer((req, res) => api(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push({ server, api });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Two jobs, one with samples in the first minute after T, the other in the tenth. */
function twoJobs(): SampleStore {
  const store = new SampleStore();
  for (let i = 0; i < 4; i++) {
    store.append({ __name__: 'up', job: 'early', instance: 'a' }, T + i * 15_000, 1);
    store.append({ __name__: 'requests_total', job: 'late', route: '/x' }, T + 600_000 + i * 15_000, i);
  }
  return store;
}

describe('the Prometheus metadata endpoints', () => {
  it('answer labels and label values within start/end, and [] for a range without data', async () => {
    const url = await serve({ store: twoJobs() });
    const s = (ms: number) => ms / 1000;
    expect((await get(`${url}/api/v1/labels`)).body.data).toEqual(['__name__', 'instance', 'job', 'route']);
    expect((await get(`${url}/api/v1/labels?start=${s(T)}&end=${s(T + 60_000)}`)).body.data).toEqual([
      '__name__',
      'instance',
      'job',
    ]);
    const late = `start=${s(T + 590_000)}&end=${s(T + 700_000)}`;
    expect((await get(`${url}/api/v1/label/job/values?${late}`)).body.data).toEqual(['late']);
    expect((await get(`${url}/api/v1/label/job/values`)).body.data).toEqual(['early', 'late']);
    const empty = `start=${s(T + 3_600_000)}&end=${s(T + 7_200_000)}`;
    expect(await get(`${url}/api/v1/labels?${empty}`)).toEqual({
      status: 200,
      body: { status: 'success', data: [] },
    });
    expect((await get(`${url}/api/v1/label/job/values?${empty}&match[]=up`)).body.data).toEqual([]);
  });

  it('refuse a range query of a range vector or a string with 400 bad_data, as Prometheus does', async () => {
    const url = await serve({ store: twoJobs() });
    for (const query of ['up[5m]', '"text"']) {
      const answer = await get(
        `${url}/api/v1/query_range?query=${encodeURIComponent(query)}&start=${T / 1000}&end=${T / 1000 + 60}&step=15`,
      );
      expect(answer).toMatchObject({
        status: 400,
        body: { status: 'error', errorType: 'bad_data', error: expect.stringContaining('for range query') },
      });
    }
  });

  it("report a Prometheus 3 version for feature detection, and yardstick's own beside it", async () => {
    const url = await serve({ store: twoJobs() });
    const { body } = await get(`${url}/api/v1/status/buildinfo`);
    expect(body.data).toMatchObject({
      version: expect.stringMatching(/^3\.\d+\.\d+$/),
      yardstickVersion: YARDSTICK_VERSION,
    });
  });

  it('format a query with the PromQL printer, and refuse one that does not parse', async () => {
    const url = await serve({ store: twoJobs() });
    const q = encodeURIComponent('sum by(job)(rate(up{job="a"}[5m]))');
    expect((await get(`${url}/api/v1/format_query?query=${q}`)).body).toEqual({
      status: 'success',
      data: 'sum by (job) (rate(up{job="a"}[5m]))',
    });
    expect(await get(`${url}/api/v1/format_query?query=sum(`)).toMatchObject({
      status: 400,
      body: { errorType: 'bad_data' },
    });
  });

  it('answer the configuration in status/config as YAML, without its secrets', async () => {
    const config = yardstickConfigSchema.parse({
      serviceName: 'checkout',
      server: { auth: { username: 'ops', password: 'p4ssw0rd-secret' } },
    });
    const url = await serve({ store: new SampleStore(), config });
    const { status, body } = await get(`${url}/api/v1/status/config`);
    expect(status).toBe(200);
    const { yaml } = body.data as { yaml: string };
    expect(yaml).toContain('serviceName: checkout');
    expect(yaml).not.toContain('p4ssw0rd-secret');
  });

  it('list head series and the label pairs with the most series in status/tsdb', async () => {
    const store = twoJobs();
    for (let i = 0; i < 5; i++) store.append({ __name__: 'hits_total', job: 'late', shard: String(i) }, T, 1);
    const url = await serve({ store });
    const { body } = await get(`${url}/api/v1/status/tsdb?limit=2`);
    expect(body.data).toMatchObject({
      headStats: { numSeries: 7, minTime: T, maxTime: T + 45_000 },
      seriesCountByMetricName: [
        { name: 'hits_total', value: 5 },
        { name: 'requests_total', value: 1 },
      ],
      labelValueCountByLabelName: [
        { name: 'shard', value: 5 },
        { name: '__name__', value: 3 },
      ],
      seriesCountByLabelValuePair: [
        { name: 'job=late', value: 6 },
        { name: '__name__=hits_total', value: 5 },
      ],
    });
  });

  it('answer metadata of every metric, or of the one asked for', async () => {
    const metadata = new Map([
      ['http_requests_total', { type: 'counter', help: 'Requests.', unit: '' }],
      ['queue_depth', { type: 'gauge', help: '', unit: '' }],
    ]);
    const url = await serve({ store: twoJobs(), metadata: () => metadata });
    expect((await get(`${url}/api/v1/metadata`)).body.data).toEqual({
      http_requests_total: [{ type: 'counter', help: 'Requests.', unit: '' }],
      queue_depth: [{ type: 'gauge', help: '', unit: '' }],
    });
    expect((await get(`${url}/api/v1/metadata?metric=queue_depth`)).body.data).toEqual({
      queue_depth: [{ type: 'gauge', help: '', unit: '' }],
    });
  });

  it('answer rules and alerts of the in-process evaluator in Prometheus format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yardstick-rules-'));
    dirs.push(dir);
    const file = join(dir, 'rules.yaml');
    writeFileSync(
      file,
      `groups:
  - name: service
    interval: 15s
    rules:
      - alert: JobDown
        expr: up == 1
        for: 0s
        labels: { severity: page }
        annotations: { summary: "job {{ $labels.job }} is up" }
      - record: job:up:sum
        expr: sum by (job) (up)
`,
    );
    const store = twoJobs();
    const clock = new ManualClock(T + 30_000);
    const evaluator = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource: createEmbeddedDatasource(store),
      clock,
    });
    await evaluator.groups()[0]!.evaluate(T + 30_000);
    const url = await serve({ store, alerting: () => evaluator });

    const rules = (await get(`${url}/api/v1/rules`)).body;
    expect(rules).toMatchObject({
      status: 'success',
      data: {
        groups: [
          {
            name: 'service',
            file,
            interval: 15,
            rules: [
              {
                type: 'alerting',
                name: 'JobDown',
                query: 'up == 1',
                state: 'firing',
                health: 'ok',
                labels: { severity: 'page' },
                alerts: [
                  {
                    state: 'firing',
                    value: '1e+00',
                    labels: { alertname: 'JobDown', job: 'early', severity: 'page' },
                    annotations: { summary: 'job early is up' },
                  },
                ],
              },
              { type: 'recording', name: 'job:up:sum', health: 'ok' },
            ],
          },
        ],
      },
    });
    const recordOnly = (await get(`${url}/api/v1/rules?type=record`)).body.data as {
      groups: { rules: { type: string }[] }[];
    };
    expect(recordOnly.groups[0]!.rules.map((r) => r.type)).toEqual(['recording']);
    expect(await get(`${url}/api/v1/rules?type=nope`)).toMatchObject({ status: 400 });
    expect((await get(`${url}/api/v1/alerts`)).body.data).toEqual({
      alerts: [expect.objectContaining({ state: 'firing', activeAt: new Date(T + 30_000).toISOString() })],
    });
  });

  it('answer no groups and no alerts without an evaluator', async () => {
    const url = await serve({ store: twoJobs() });
    expect((await get(`${url}/api/v1/rules`)).body.data).toEqual({ groups: [] });
    expect((await get(`${url}/api/v1/alerts`)).body.data).toEqual({ alerts: [] });
  });
});
