/**
 * `yardstick export` from yardstick's own embedded `/api/v1` (`createQueryApi` over a `SampleStore`):
 * 90 days of samples exported to JSON, checked against the stored values and the API's own answers.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { tempDir } from './support/peers.ts';

const STEP_MS = 300_000;
const END = Date.UTC(2026, 5, 1);
const START = END - 90 * 86_400_000;
const ROUTES = ['/users', '/orders'];

const valueAt = (route: number, k: number): number => k * (route + 1);

describe("yardstick export from yardstick's embedded /api/v1", () => {
  const work = tempDir('yardstick-cli-embedded-');
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const store = new SampleStore({
      retentionMs: 365 * 86_400_000,
      maxBytes: 256 * 1024 ** 2,
      now: () => END,
    });
    ROUTES.forEach((route, r) => {
      const labels = { __name__: 'http_requests_total', job: 'api', route };
      for (let k = 0, t = START; t <= END; k++, t += STEP_MS) store.append(labels, t, valueAt(r, k));
    });
    server = createServer(createQueryApi({ store, now: () => END }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    work.cleanup();
  });

  it('exports 90 days of raw samples to JSON with every stored value', async () => {
    const out = join(work.dir, 'embedded.json');
    const cli = captureCli({ now: END });
    const args = [
      'export',
      '--source',
      base,
      '--metric',
      'http_requests_total',
      '--start',
      '-90d',
      '--end',
      'now',
    ];
    args.push('--step', '5m', '--format', 'json', '--out', out);
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
    const parsed = JSON.parse(readFileSync(out, 'utf8')) as {
      series: { labels: Record<string, string>; values: [string, number][] }[];
    };
    let count = 0;
    for (const series of parsed.series) {
      const r = ROUTES.indexOf(series.labels.route!);
      for (const [timestamp, value] of series.values) {
        const k = (Date.parse(timestamp) - START) / STEP_MS;
        expect(value).toBe(valueAt(r, k));
        count++;
      }
    }
    expect(count).toBe(ROUTES.length * (90 * 288 + 1));
  });

  it('answers promql query with one line per series', async () => {
    const cli = captureCli({ now: END });
    const args = [
      'promql',
      'query',
      'sum by (route) (http_requests_total)',
      '--source',
      base,
      '--time',
      'now',
    ];
    expect(await runCli(args, cli.io)).toBe(0);
    const last = 90 * 288;
    expect(cli.out().split('\n').filter(Boolean).sort()).toEqual([
      `{route="/orders"} ${valueAt(1, last)}`,
      `{route="/users"} ${valueAt(0, last)}`,
    ]);
  });

  it('exports an expression with the same values the API answers for it', async () => {
    const query = 'sum by (route) (rate(http_requests_total[15m]))';
    const out = join(work.dir, 'rate.csv');
    const cli = captureCli({ now: END });
    const args = ['export', '--source', base, '--query', query, '--start', '-1d', '--end', 'now'];
    args.push('--step', '1h', '--format', 'csv', '--out', out);
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
    const params = new URLSearchParams({
      query,
      start: String((END - 86_400_000) / 1000),
      end: String(END / 1000),
      step: '3600',
    });
    const body = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as {
      data: { result: { metric: { route: string }; values: [number, string][] }[] };
    };
    const expected = body.data.result
      .flatMap((s) =>
        s.values.map(([t, v]) => `${new Date(t * 1000).toISOString()},${query},${s.metric.route},${v}`),
      )
      .sort();
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('timestamp,metric,route,value');
    expect(rows.length).toBe(2 * 25);
    expect(rows.map((r) => r.replace(`"${query}"`, query)).sort()).toEqual(expected);
  });
});
