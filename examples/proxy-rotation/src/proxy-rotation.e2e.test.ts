/**
 * The proxy-rotation scenario end to end: fake proxies on 127.0.0.1, pools measured through
 * `startTelemetry`, the example's own rule file evaluated in-process (intervals shortened), alerts sent to
 * a webhook receiver and, when installed, a real Alertmanager 0.25, and `yardstick export` run as a child
 * process against the embedded `/api/v1`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../test/support/peers.ts';
import { type FakeProxy, startFakeProxy } from './demo/fake-proxy.ts';
import { ProxyPool } from './pool/proxy-pool.ts';
import { sendThroughPool } from './pool/send-through-pool.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const rulesFile = fileURLToPath(new URL('../rules/proxies.rules.yml', import.meta.url));
const am = peer('alertmanager');
const tmp = tempDir('yardstick-proxy-rotation-');
const TARGET = 'http://api.example.test/items';
const PASSWORD = 's3cret-pw';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
}

/** Polls `probe` every 100 ms until it returns something, for at most `timeoutMs`. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The example's rule file with the group interval and every `for` cut to 1 s, so the test runs in seconds. */
function fastRules(): string {
  const text = readFileSync(rulesFile, 'utf8')
    .replace(/^( {4}interval:) \S+$/gm, '$1 1s')
    .replace(/^( {8}for:) \S+$/gm, '$1 1s');
  const out = join(tmp.dir, 'proxies.rules.yml');
  writeFileSync(out, text);
  return out;
}

let telemetry: Telemetry;
let receiver: Server;
let alertmanager: RunningPeer | undefined;
let amPort = 0;
const webhookAlerts: WebhookAlert[] = [];
const eu: FakeProxy[] = [];
const us: FakeProxy[] = [];
let euPool: ProxyPool;
let usPool: ProxyPool;
let startedAtSeconds = 0;

beforeAll(async () => {
  startedAtSeconds = Math.floor(Date.now() / 1000);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      webhookAlerts.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  if (am.path !== undefined) {
    amPort = await freePort();
    writeFileSync(
      join(tmp.dir, 'am.yml'),
      'route:\n  receiver: none\n  group_wait: 100ms\nreceivers:\n  - name: none\n',
    );
    alertmanager = await startPeer(
      am.path,
      [
        `--config.file=${join(tmp.dir, 'am.yml')}`,
        `--storage.path=${tmp.dir}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      `http://127.0.0.1:${amPort}/-/ready`,
    );
  }
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    serviceName: 'proxy-rotation-e2e',
    server: { port: 0 },
    collectIntervalMs: 250,
    alerting: {
      ruleFiles: [fastRules()],
      watch: false,
      channels: [{ name: 'hook', type: 'webhook', url: webhook }],
      ...(alertmanager ? { alertmanagerUrls: [`http://127.0.0.1:${amPort}`] } : {}),
    },
  });
  const meter = telemetry.meter('proxy-rotation');
  for (const name of ['eu-1', 'eu-2', 'eu-3']) {
    eu.push(await startFakeProxy({ name, ...(name === 'eu-1' ? { credentials: `alice:${PASSWORD}` } : {}) }));
  }
  for (const name of ['us-1', 'us-2']) us.push(await startFakeProxy({ name }));
  const health = { intervalMs: 150, timeoutMs: 500, unhealthyAfter: 2, healthyAfter: 2 };
  euPool = new ProxyPool({
    name: 'residential',
    region: 'eu-west',
    meter,
    health,
    proxies: eu.map((p) => ({
      id: p.name,
      url: `http://${p.name === 'eu-1' ? `alice:${PASSWORD}@` : ''}127.0.0.1:${p.port}`,
    })),
  });
  usPool = new ProxyPool({
    name: 'residential',
    region: 'us-east',
    meter,
    health,
    strategy: 'least-used',
    proxies: us.map((p) => ({ id: p.name, url: `http://127.0.0.1:${p.port}` })),
  });
}, 30_000);

afterAll(async () => {
  euPool?.close();
  usPool?.close();
  await Promise.all([...eu, ...us].map((p) => p.stop()));
  await telemetry?.shutdown();
  await alertmanager?.stop();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  tmp.cleanup();
});

async function metricsText(): Promise<string> {
  return (await fetch(`${telemetry.url}/metrics`)).text();
}

async function amAlerts(): Promise<AmAlert[]> {
  const res = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`);
  return (await res.json()) as AmAlert[];
}

describe('proxy rotation end to end', () => {
  it('spreads requests evenly over the proxies of a pool, credentials included', async () => {
    const servedBy: string[] = [];
    for (let i = 0; i < 30; i++) servedBy.push((await sendThroughPool(euPool, TARGET)).proxyId);
    // Round robin over three healthy proxies: every proxy carries exactly one of each three requests.
    expect(eu.map((p) => p.served())).toEqual([10, 10, 10]);
    expect(new Set(servedBy.slice(0, 3))).toEqual(new Set(['eu-1', 'eu-2', 'eu-3']));
    // Least used, sequential requests: the two us-east proxies take turns.
    for (let i = 0; i < 10; i++) await sendThroughPool(usPool, TARGET);
    expect(us.map((p) => p.served())).toEqual([5, 5]);
  });

  it('takes a killed proxy out after failed health checks and skips it', async () => {
    await eu[2]!.stop();
    await waitFor('eu-3 unhealthy', () => (euPool.status()[2]!.healthy ? undefined : true));
    const before = eu.map((p) => p.served());
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await sendThroughPool(euPool, TARGET));
    expect(results.every((r) => r.response?.status === 200)).toBe(true);
    expect(results.map((r) => r.proxyId)).not.toContain('eu-3');
    expect(eu.map((p, i) => p.served() - before[i]!)).toEqual([10, 10, 0]);
  });

  it('shows pool items by state with pool and region labels on /metrics, and no credentials', async () => {
    const unhealthy =
      /^pool_items\{[^}]*pool_item_state="unhealthy"[^}]*pool_name="residential"[^}]*region="eu-west"[^}]*\} 1$/m;
    const body = await waitFor('the unhealthy proxy on /metrics', async () => {
      const text = await metricsText();
      return unhealthy.test(text) ? text : undefined;
    });
    expect(body).toMatch(/^pool_items\{[^}]*pool_item_state="idle"[^}]*region="eu-west"[^}]*\} 2$/m);
    expect(body).toMatch(/^pool_items\{[^}]*pool_item_state="unhealthy"[^}]*region="us-east"[^}]*\} 0$/m);
    expect(body).toMatch(
      /^proxy_requests_total\{outcome="success",pool_name="residential",proxy_id="eu-1",region="eu-west"[^}]*\} 20$/m,
    );
    expect(body).toMatch(/^dependency_up\{[^}]*proxy_id="eu-3"[^}]*\} 0$/m);
    expect(body).toMatch(
      /^dependency_checks_total\{[^}]*dependency_check_outcome="failure"[^}]*proxy_id="eu-3"/m,
    );
    expect(body).toMatch(/^proxy_request_duration_seconds_bucket\{[^}]*pool_name="residential"/m);
    // the runtime kit startTelemetry turns on by itself
    expect(body).toMatch(/^# TYPE nodejs_eventloop_delay_/m);
    expect(body).not.toContain(PASSWORD);
    expect(body).not.toContain('alice');
    expect(body).not.toContain('127.0.0.1');
  });

  it('redacts credentials from a proxy URL recorded by mistake as an attribute', async () => {
    const misuse = telemetry.meter('proxy-rotation').createCounter('proxy.misconfigured.requests');
    misuse.add(1, { 'proxy.url': `http://alice:${PASSWORD}@10.1.2.3:3128` });
    const line = await waitFor('the misused counter', async () =>
      (await metricsText()).split('\n').find((l) => l.startsWith('proxy_misconfigured_requests_total{')),
    );
    expect(line).toContain('proxy_url="http://[REDACTED]@[REDACTED]:3128"');
    expect(line).not.toContain(PASSWORD);
  });

  it('fires the low-healthy-proxies alert with pool and region labels', async () => {
    const firing = await waitFor('ProxyPoolLowHealthy at the webhook', () =>
      webhookAlerts.find((a) => a.status === 'firing' && a.labels.alertname === 'ProxyPoolLowHealthy'),
    );
    expect(firing.labels).toMatchObject({ pool_name: 'residential', region: 'eu-west', severity: 'warning' });
    expect(firing.annotations.summary).toBe('Pool residential in eu-west: 66.67% of proxies healthy');
  });

  describe.skipIf(am.skipReason !== undefined)('with a real Alertmanager', () => {
    it('receives the firing alert with pool and region labels and rendered annotations', async () => {
      const alert = await waitFor('ProxyPoolLowHealthy in Alertmanager', async () =>
        (await amAlerts()).find((a) => a.labels.alertname === 'ProxyPoolLowHealthy'),
      );
      expect(alert.labels).toEqual({
        alertname: 'ProxyPoolLowHealthy',
        pool_name: 'residential',
        region: 'eu-west',
        severity: 'warning',
      });
      expect(alert.annotations.summary).toBe('Pool residential in eu-west: 66.67% of proxies healthy');
    });
  });

  it('puts the proxy back after it recovers and resolves the alert', async () => {
    await eu[2]!.start();
    await waitFor('eu-3 healthy again', () => (euPool.status()[2]!.healthy ? true : undefined));
    const before = eu[2]!.served();
    for (let i = 0; i < 6; i++) await sendThroughPool(euPool, TARGET);
    expect(eu[2]!.served() - before).toBe(2);
    const resolved = await waitFor('the resolution at the webhook', () =>
      webhookAlerts.find((a) => a.status === 'resolved' && a.labels.alertname === 'ProxyPoolLowHealthy'),
    );
    expect(resolved.labels).toMatchObject({ pool_name: 'residential', region: 'eu-west' });
  });

  describe.skipIf(am.skipReason !== undefined)('with a real Alertmanager', () => {
    it('sees the alert resolved', async () => {
      await waitFor('the resolution in Alertmanager', async () => {
        const alert = (await amAlerts()).find((a) => a.labels.alertname === 'ProxyPoolLowHealthy');
        return alert === undefined || Date.parse(alert.endsAt) <= Date.now() ? true : undefined;
      });
    });
  });

  it('exports the pool metrics to CSV with yardstick export, row for row as the store has them', async () => {
    const end = Math.floor(Date.now() / 1000);
    const query = 'pool_items{pool_name="residential"}';
    const out = join(tmp.dir, 'pool-items.csv');
    await promisify(execFile)(
      process.execPath,
      [
        '--conditions=yardstick-source',
        join(repoRoot, 'packages/exporter-cli/src/main.ts'),
        'export',
        '--source',
        telemetry.url!,
        '--query',
        query,
        '--start',
        String(startedAtSeconds),
        '--end',
        String(end),
        '--step',
        '1s',
        '--format',
        'csv',
        '--out',
        out,
      ],
      { cwd: repoRoot, timeout: 20_000 },
    );
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(
      expect.arrayContaining(['timestamp', 'metric', 'pool_item_state', 'pool_name', 'region']),
    );

    const params = new URLSearchParams({
      query,
      start: String(startedAtSeconds),
      end: String(end),
      step: '1',
    });
    const api = (await (await fetch(`${telemetry.url}/api/v1/query_range?${params}`)).json()) as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    const expected = api.data.result.flatMap((series) =>
      series.values.map(([t, v]) => {
        const labels = columns.slice(2, -1).map((c) => series.metric[c] ?? '');
        return [new Date(t * 1000).toISOString(), series.metric.__name__ ?? '', ...labels, v].join(',');
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect([...rows].sort()).toEqual([...expected].sort());
    // both regions and all three states are in the export
    expect(new Set(rows.map((r) => r.split(',')[columns.indexOf('region')]))).toEqual(
      new Set(['eu-west', 'us-east']),
    );
    expect(rows.some((r) => r.includes(',unhealthy,') && r.endsWith(',1'))).toBe(true);
  }, 25_000);
});
