/**
 * The Prometheus HTTP API contract: the same requests against yardstick's embedded `/api/v1` and a real
 * Prometheus 2.42 that scrapes the very same yardstick process (and evaluates the same rule file), compared
 * on status codes, `errorType`s and result shapes (result types and the label sets of the series), which
 * is what Grafana and other Prometheus clients branch on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';
import { waitFor } from './support/wait-for.ts';

const prometheus = peer('prometheus');

interface Answer {
  readonly status: number;
  readonly body: {
    status: string;
    errorType?: string;
    data?: unknown;
  };
}

async function get(base: string, path: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`);
  const text = await response.text();
  // Prometheus answers an unknown path with a plain-text 404 page, not the API envelope.
  if (!(response.headers.get('content-type') ?? '').includes('json'))
    return { status: response.status, body: { status: 'not json' } };
  return { status: response.status, body: JSON.parse(text) as Answer['body'] };
}

/** What a client branches on: status, errorType, result type, and the label sets (series) of a result. */
function shapeOf(answer: Answer): unknown {
  const { status, body } = answer;
  if (body.status === 'not json') return { status };
  if (body.status !== 'success') return { status, errorType: body.errorType };
  const data = body.data as { resultType?: string; result?: unknown } | undefined;
  if (data?.resultType === undefined) return { status, data: typeof data };
  const result = data.result;
  if (data.resultType === 'scalar' || data.resultType === 'string')
    return { status, resultType: data.resultType, value: (result as unknown[]).map((v) => typeof v) };
  if (!Array.isArray(result)) return { status, resultType: data.resultType, value: typeof result };
  const series = (result as Array<{ metric: Record<string, string>; values?: unknown[]; value?: unknown }>)
    .map((s) => JSON.stringify(Object.entries(s.metric).sort()) + (s.values ? ' values' : ' value'))
    .sort();
  return { status, resultType: data.resultType, series };
}

/** Keys of an object and, one level down, of its object values: a JSON document's shape. */
function keysOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [keysOf(value[0])];
  if (value === null || typeof value !== 'object') return typeof value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort()
      .map(([k, v]) => [k, keysOf(v)]),
  );
}

const RULES = `groups:
  - name: contract
    interval: 1s
    rules:
      - alert: OrdersSeen
        expr: contract_orders_total > 0
        labels: { severity: info }
        annotations: { summary: "orders on {{ $labels.instance }}" }
      - record: job:contract_orders:sum
        expr: sum by (job) (contract_orders_total)
`;

describe.skipIf(prometheus.skipReason !== undefined)('the /api/v1 contract against Prometheus 2.42', () => {
  const temp = tempDir('yardstick-api-contract-');
  let telemetry: Telemetry | undefined;
  let running: RunningPeer | undefined;
  let prom = '';
  let ys = '';
  let from = 0;

  beforeAll(async () => {
    const rules = join(temp.dir, 'rules.yaml');
    writeFileSync(rules, RULES);
    const port = await freePort();
    // Prometheus labels the target `job="contract"`, `instance="127.0.0.1:<port>"`; the same resource gives
    // yardstick's store the same labels, so both hold identical series.
    telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      serviceName: 'contract',
      resourceAttributes: { 'service.instance.id': `127.0.0.1:${port}` },
      server: { port },
      collectIntervalMs: 1_000,
      metrics: { process: false },
      alerting: { ruleFiles: [rules], evaluationIntervalMs: 1_000 },
    });
    ys = telemetry.url!;
    const meter = telemetry.meter('contract');
    const orders = meter.createCounter('contract.orders', { description: 'Orders placed.' });
    orders.add(3, { 'payment.method': 'card' });
    orders.add(1, { 'payment.method': 'cash' });
    meter.createGauge('contract.queue.depth', { unit: '{item}', description: 'Items queued.' }).record(7);
    const latency = meter.createHistogram('contract.latency', {
      unit: 's',
      description: 'Latency.',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    for (const v of [0.05, 0.5, 2]) latency.record(v);

    const promPort = await freePort();
    const config = join(temp.dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        `rule_files: [${JSON.stringify(rules)}]`,
        'scrape_configs:',
        '  - job_name: contract',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '',
      ].join('\n'),
    );
    prom = `http://127.0.0.1:${promPort}`;
    from = Math.floor(Date.now() / 1000);
    running = await startPeer(
      prometheus.path ?? 'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(temp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      `${prom}/-/ready`,
    );
    // Both sides hold a few collections and have fired the alert.
    for (const base of [prom, ys]) {
      await waitFor(
        `${base === prom ? 'Prometheus' : 'yardstick'} to fire both alerts`,
        async () => {
          const alerts = await get(base, '/api/v1/alerts');
          const firing = (alerts.body.data as { alerts: { state: string }[] }).alerts;
          const scrapes = await get(
            base,
            `/api/v1/query?query=${encodeURIComponent('count_over_time(up[1m])')}`,
          );
          const count = Number(
            (scrapes.body.data as { result: { value: [number, string] }[] }).result[0]?.value[1],
          );
          return firing.length === 2 && firing.every((a) => a.state === 'firing') && count >= 3
            ? true
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    await telemetry?.shutdown();
    temp.cleanup();
  });

  const q = (text: string) => encodeURIComponent(text);
  const now = () => Math.floor(Date.now() / 1000);
  const requests: Array<[string, () => string]> = [
    ['an instant vector', () => `/api/v1/query?query=${q('contract_orders_total')}`],
    ['a scraped up', () => `/api/v1/query?query=${q('sum by (job) (up)')}`],
    ['a rate', () => `/api/v1/query?query=${q('rate(contract_orders_total[10s])')}`],
    ['a range vector', () => `/api/v1/query?query=${q('contract_queue_depth_items[5s]')}`],
    [
      'a histogram quantile',
      () =>
        `/api/v1/query?query=${q('histogram_quantile(0.5, sum by (le) (contract_latency_seconds_bucket))')}`,
    ],
    ['a scalar', () => `/api/v1/query?query=${q('scalar(sum(contract_orders_total))')}`],
    ['a string', () => `/api/v1/query?query=${q('"text"')}`],
    ['a recording rule', () => `/api/v1/query?query=${q('job:contract_orders:sum')}`],
    ['ALERTS', () => `/api/v1/query?query=${q('ALERTS')}`],
    ['a parse error', () => `/api/v1/query?query=${q('sum(')}`],
    ['a type error', () => `/api/v1/query?query=${q('rate(contract_orders_total)')}`],
    ['a missing query', () => '/api/v1/query'],
    ['a bad time', () => `/api/v1/query?query=up&time=soon`],
    [
      'a range query',
      () =>
        `/api/v1/query_range?query=${q('sum by (payment_method) (contract_orders_total)')}&start=${now() - 5}&end=${now()}&step=1`,
    ],
    [
      'a range query of a range vector',
      () =>
        `/api/v1/query_range?query=${q('contract_orders_total[1m]')}&start=${now() - 5}&end=${now()}&step=1`,
    ],
    [
      'a range query of a string',
      () => `/api/v1/query_range?query=${q('"text"')}&start=${now() - 5}&end=${now()}&step=1`,
    ],
    ['a range query without step', () => `/api/v1/query_range?query=up&start=${now() - 5}&end=${now()}`],
    [
      'a range query with step 0',
      () => `/api/v1/query_range?query=up&start=${now() - 5}&end=${now()}&step=0`,
    ],
    [
      'a range query ending before it starts',
      () => `/api/v1/query_range?query=up&start=${now()}&end=${now() - 5}&step=1`,
    ],
    ['too many points', () => `/api/v1/query_range?query=up&start=0&end=${now()}&step=1`],
    ['series without match[]', () => '/api/v1/series'],
    ['a bad selector', () => `/api/v1/series?match[]=${q('sum(up)')}`],
    ['an unknown endpoint', () => '/api/v1/nonsense'],
  ];

  it.each(requests)('answers %s as Prometheus does', async (_name, path) => {
    const [ours, theirs] = await Promise.all([get(ys, path()), get(prom, path())]);
    if (theirs.body.status === 'not json') expect(ours.status).toBe(theirs.status);
    else expect(shapeOf(ours)).toEqual(shapeOf(theirs));
  });

  it('lists the same series, label names and label values, also within start/end', async () => {
    const match = `match[]=${q('{job="contract",__name__=~"contract_.*"}')}`;
    const paths = [
      `/api/v1/series?${match}`,
      `/api/v1/labels?${match}`,
      `/api/v1/labels?${match}&start=${from}&end=${now()}`,
      `/api/v1/label/payment_method/values`,
      `/api/v1/label/payment_method/values?start=${from}&end=${now()}`,
      // long before either side had data: Prometheus answers [], so must yardstick
      `/api/v1/labels?start=${from - 7200}&end=${from - 3600}`,
      `/api/v1/label/job/values?start=${from - 7200}&end=${from - 3600}`,
      `/api/v1/label/job/values?${match}`,
    ];
    for (const path of paths) {
      const [ours, theirs] = await Promise.all([get(ys, path), get(prom, path)]);
      const sort = (data: unknown) =>
        (data as unknown[])
          .map((d) => (typeof d === 'string' ? d : JSON.stringify(Object.entries(d as object).sort())))
          .sort();
      const far = path.includes(`start=${from - 7200}`);
      expect((theirs.body.data as unknown[]).length > 0, path).toBe(!far);
      expect({ path, status: ours.status, data: sort(ours.body.data) }).toEqual({
        path,
        status: theirs.status,
        data: sort(theirs.body.data),
      });
    }
  });

  it('gives the same metadata for the instruments', async () => {
    // Prometheus negotiates OpenMetrics and keys metadata by family: `contract_orders`, not `_total`.
    for (const metric of ['contract_orders', 'contract_queue_depth', 'contract_latency_seconds', 'target']) {
      const [ours, theirs] = await Promise.all([
        get(ys, `/api/v1/metadata?metric=${metric}`),
        get(prom, `/api/v1/metadata?metric=${metric}`),
      ]);
      expect(Object.keys(theirs.body.data as object)).toEqual([metric]);
      expect({ metric, data: ours.body.data }).toEqual({ metric, data: theirs.body.data });
    }
  });

  it('answers rules and alerts in the same shape, with the same alerts', async () => {
    const [ours, theirs] = await Promise.all([get(ys, '/api/v1/rules'), get(prom, '/api/v1/rules')]);
    type Group = {
      rules: Array<{ name: string; type: string; health: string; alerts?: { labels: object }[] }>;
    };
    const rules = (a: Answer) =>
      (a.body.data as { groups: Group[] }).groups.flatMap((g) =>
        g.rules.map((r) => ({
          name: r.name,
          type: r.type,
          health: r.health,
          alerts: r.alerts?.map((x) => JSON.stringify(Object.entries(x.labels).sort())).sort(),
        })),
      );
    expect(rules(ours)).toEqual(rules(theirs));
    const ruleKeys = (a: Answer) =>
      (a.body.data as { groups: Group[] }).groups[0]!.rules.map((r) => keysOf(r));
    // Every field Prometheus writes is there (yardstick may add its own).
    const theirKeys = ruleKeys(theirs) as Array<Record<string, unknown>>;
    const ourKeys = ruleKeys(ours) as Array<Record<string, unknown>>;
    for (const [i, keys] of theirKeys.entries()) expect(ourKeys[i]).toMatchObject(keys);
    const [ourAlerts, theirAlerts] = await Promise.all([
      get(ys, '/api/v1/alerts'),
      get(prom, '/api/v1/alerts'),
    ]);
    expect(keysOf(ourAlerts.body.data)).toMatchObject(keysOf(theirAlerts.body.data) as object);
  });

  it('answers the status endpoints with every field Prometheus has', async () => {
    for (const path of [
      '/api/v1/status/buildinfo',
      '/api/v1/status/runtimeinfo',
      '/api/v1/status/config',
      '/api/v1/status/tsdb',
    ]) {
      const [ours, theirs] = await Promise.all([get(ys, path), get(prom, path)]);
      expect({ path, status: ours.status }).toEqual({ path, status: theirs.status });
      expect(keysOf(ours.body.data)).toMatchObject(keysOf(theirs.body.data) as object);
    }
    const query = q('sum by(job)(rate(up[5m]))');
    const [ours, theirs] = await Promise.all([
      get(ys, `/api/v1/format_query?query=${query}`),
      get(prom, `/api/v1/format_query?query=${query}`),
    ]);
    expect(ours).toEqual(theirs);
    const exemplars = `/api/v1/query_exemplars?query=${q('contract_orders_total')}&start=${from}&end=${now()}`;
    const [ourExemplars, theirExemplars] = await Promise.all([get(ys, exemplars), get(prom, exemplars)]);
    expect(shapeOf(ourExemplars)).toEqual(shapeOf(theirExemplars));
  });
});
