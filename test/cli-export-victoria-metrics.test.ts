/**
 * `yardstick export` against a real VictoriaMetrics 1.79: 30 days imported through
 * /api/v1/import/prometheus, exported to CSV and Parquet, compared with VictoriaMetrics's own
 * /api/v1/query_range answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const victoria = peer('victoria-metrics');
const STEP_S = 600;
const DAYS = 30;

describe.skipIf(victoria.skipReason !== undefined)('yardstick export against a real VictoriaMetrics', () => {
  const work = tempDir('yardstick-cli-vm-');
  let running: RunningPeer | undefined;
  let base = '';
  let startS = 0;
  let endS = 0;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    running = await startPeer(
      victoria.path!,
      [
        `-storageDataPath=${join(work.dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-retentionPeriod=2y',
        '-loggerLevel=ERROR',
      ],
      `${base}/health`,
    );
    endS = Math.floor(Date.now() / 1000 / STEP_S) * STEP_S - 3_600;
    startS = endS - DAYS * 86_400;
    const lines: string[] = [];
    for (const zone of ['eu', 'us']) {
      for (let t = startS; t <= endS; t += STEP_S) {
        lines.push(`vm_queue_depth{zone="${zone}"} ${((t - startS) / STEP_S) % 97} ${t * 1000}`);
      }
    }
    const imported = await fetch(`${base}/api/v1/import/prometheus`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(imported.ok).toBe(true);
    await fetch(`${base}/internal/force_flush`);
  });

  afterAll(async () => {
    await running?.stop();
    work.cleanup();
  });

  async function reference(): Promise<Map<string, string>> {
    const points = new Map<string, string>();
    // Queried in 10-day pieces, like any client would stay under the server's point limits.
    for (let from = startS; from <= endS; from += 1_440 * STEP_S) {
      const to = Math.min(endS, from + 1_439 * STEP_S);
      const params = new URLSearchParams({
        query: 'vm_queue_depth',
        start: String(from),
        end: String(to),
        step: String(STEP_S),
      });
      const body = (await (await fetch(`${base}/api/v1/query_range?${params}`)).json()) as {
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      for (const s of body.data.result)
        for (const [t, v] of s.values) points.set(`${s.metric.zone}@${t * 1000}`, v);
    }
    return points;
  }

  it('exports CSV and Parquet with the points VictoriaMetrics answers', async () => {
    const expected = await reference();
    expect(expected.size).toBeGreaterThan(2 * DAYS * 140);
    for (const format of ['csv', 'parquet'] as const) {
      const out = join(work.dir, `vm.${format}`);
      const cli = captureCli();
      const args = ['export', '--source', base, '--metric', 'vm_queue_depth', '--start', String(startS)];
      args.push(
        '--end',
        String(endS),
        '--step',
        '10m',
        '--format',
        format,
        '--out',
        out,
        '--max-points',
        '1000',
      );
      expect(await runCli(args, cli.io), cli.err()).toBe(0);
      const got = new Map<string, string>();
      if (format === 'csv') {
        const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
        expect(header).toBe('timestamp,metric,zone,value');
        for (const row of rows) {
          const [timestamp, , zone, value] = row.split(',');
          got.set(`${zone}@${Date.parse(timestamp!)}`, value!);
        }
      } else {
        const bytes = readFileSync(out);
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        for (const row of await parquetReadObjects({ file })) {
          const zone = (JSON.parse(row.labels as string) as { zone: string }).zone;
          got.set(`${zone}@${(row.timestamp as Date).getTime()}`, String(row.value));
        }
      }
      expect(got).toEqual(expected);
    }
  });
});
