/**
 * The remote datasource against a real Prometheus-compatible API (VictoriaMetrics 1.79): series imported
 * over HTTP, rules evaluated through `/api/v1/query` — recording results, pending → firing with rendered
 * annotations — and a query error turning into rule health, not a crash.
 */
import {
  AlertEvaluatorError,
  createPrometheusHttpDatasource,
  RuleGroup,
  type RuleGroupDefinition,
} from '@yardstick/alert-evaluator';
import type { Labels } from '@yardstick/promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const vm = peer('victoria-metrics');

describe.skipIf(vm.skipReason !== undefined)('rules over a remote Prometheus-compatible API', () => {
  const tmp = tempDir('yardstick-vm-');
  let server: RunningPeer | undefined;
  let url = '';
  // Whole minutes well in the past, so nothing depends on the wall clock.
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startPeer(
      vm.path!,
      [
        `-storageDataPath=${tmp.dir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-search.disableCache',
        '-search.latencyOffset=0s',
      ],
      `${url}/health`,
    );
    const lines: string[] = [];
    for (let i = 0; i <= 20; i++) {
      const t = base + i * 30_000;
      lines.push(`inference_queue_depth{pool="gpu-a",region="eu-west"} ${i < 4 ? 10 : 250} ${t}`);
      lines.push(`inference_queue_depth{pool="gpu-b",region="us-east"} 5 ${t}`);
    }
    const res = await fetch(`${url}/api/v1/import/prometheus`, {
      method: 'POST',
      body: `${lines.join('\n')}\n`,
    });
    expect(res.status).toBe(204);
    // Imported samples become searchable after a flush; poll (bounded) until they are.
    const ds = createPrometheusHttpDatasource({ url, retries: 0 });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const v = await ds.query('count(inference_queue_depth)', base + 600_000);
      if (v.type === 'vector' && v.samples[0]?.value === 2) break;
      if (Date.now() > deadline) throw new Error('imported series never became searchable');
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('records, fires after for with rendered annotations, and reports a bad query as rule health', async () => {
    const def: RuleGroupDefinition = {
      name: 'remote',
      file: 'inline',
      intervalMs: 60_000,
      limit: 0,
      rules: [
        {
          kind: 'recording',
          name: 'pool:queue_depth:max',
          expr: 'max by (pool, region) (inference_queue_depth)',
          labels: {},
          source: { file: 'inline', line: 1 },
        },
        {
          kind: 'alerting',
          name: 'QueueBacklog',
          expr: 'max by (pool, region) (inference_queue_depth) > 100',
          forMs: 120_000,
          keepFiringForMs: 0,
          labels: { severity: 'critical' },
          annotations: {
            summary: '{{ $labels.pool }} in {{ $labels.region }}: {{ humanize $value }} queued',
          },
          channels: [],
          suppressionSchedule: undefined,
          source: { file: 'inline', line: 2 },
        },
        {
          kind: 'recording',
          name: 'broken',
          expr: 'sum(',
          labels: {},
          source: { file: 'inline', line: 3 },
        },
      ],
    };
    const written: { labels: Labels; t: number; v: number }[] = [];
    const group = new RuleGroup(def, {
      datasource: createPrometheusHttpDatasource({ url, retries: 1, backoffMs: 10 }),
      sink: { append: (labels, t, v) => written.push({ labels, t, v }) },
    });
    for (const minute of [3, 4, 5, 6]) await group.evaluate(base + minute * 60_000);
    const recorded = written
      .filter((w) => w.labels.__name__ === 'pool:queue_depth:max' && w.t === base + 360_000)
      .sort((x, y) => (x.labels.pool! < y.labels.pool! ? -1 : 1));
    expect(recorded).toEqual([
      {
        labels: { __name__: 'pool:queue_depth:max', pool: 'gpu-a', region: 'eu-west' },
        t: base + 360_000,
        v: 250,
      },
      {
        labels: { __name__: 'pool:queue_depth:max', pool: 'gpu-b', region: 'us-east' },
        t: base + 360_000,
        v: 5,
      },
    ]);
    expect(written.some((w) => w.labels.__name__ === 'ALERTS' && w.labels.alertstate === 'firing')).toBe(
      true,
    );
    expect(group.alerts()).toMatchObject([
      {
        state: 'firing',
        // Above 100 from the 2m sample on; the 3m evaluation sees it first.
        activeAt: base + 180_000,
        labels: { alertname: 'QueueBacklog', pool: 'gpu-a', region: 'eu-west', severity: 'critical' },
        annotations: { summary: 'gpu-a in eu-west: 250 queued' },
      },
    ]);
    expect(group.ruleHealth(0).health).toBe('ok');
    expect(group.ruleHealth(2).health).toBe('err');
    expect(group.ruleHealth(2).lastError).toBeTruthy();
  }, 30_000);

  it('rejects with DATASOURCE_FAILED when the API is unreachable', async () => {
    const ds = createPrometheusHttpDatasource({
      url: 'http://127.0.0.1:9',
      retries: 1,
      backoffMs: 10,
      timeoutMs: 500,
    });
    await expect(ds.query('up', base)).rejects.toBeInstanceOf(AlertEvaluatorError);
  });
});
