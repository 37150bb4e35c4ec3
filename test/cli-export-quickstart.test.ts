/**
 * `yardstick export` against the embedded `/api/v1` of a running quickstart (examples/quickstart as a child
 * process, its traffic generator recording real requests): the exported JSON holds exactly the points the
 * quickstart's own `query_range` answers for the same range.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { afterAll, describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { tempDir } from './support/peers.ts';
import { startQuickstartProcess } from './support/quickstart-process.ts';
import { waitFor } from './support/wait-for.ts';

const METRIC = 'http_server_request_duration_seconds_count';

interface ApiMatrix {
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

describe('yardstick export from a running quickstart', () => {
  const work = tempDir('yardstick-cli-quickstart-');
  afterAll(() => work.cleanup());

  it('exports the points its /api/v1 answers, then the quickstart still stops cleanly', async () => {
    const { child, base, output, exited } = await startQuickstartProcess({
      YARDSTICK_COLLECT_INTERVAL: '1s',
    });
    try {
      // A few collections of the embedded store, so the range below holds several points per series.
      const startS = Math.floor(Date.now() / 1000);
      await waitFor(
        'five collections of request metrics in the embedded store',
        async () => {
          const query = encodeURIComponent(`max(count_over_time(${METRIC}[1m]))`);
          const answer = (await (await fetch(`${base}/api/v1/query?query=${query}`)).json()) as {
            data: { result: { value: [number, string] }[] };
          };
          const count = Number(answer.data.result[0]?.value[1] ?? 0);
          return count >= 5 ? count : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      // The range ends in the past, so no later collection can add to it between the two reads.
      const endS = Math.floor(Date.now() / 1000) - 1;
      await waitFor('the clock to pass the end of the range', () =>
        Date.now() / 1000 > endS + 1.5 ? true : undefined,
      );

      const out = join(work.dir, 'quickstart.json');
      const cli = captureCli();
      const args = ['export', '--source', base, '--metric', METRIC, '--start', String(startS - 5)];
      args.push('--end', String(endS), '--step', '1s', '--format', 'json', '--out', out);
      expect(await runCli(args, cli.io), cli.err()).toBe(0);

      const form = new URLSearchParams({
        query: METRIC,
        start: String(startS - 5),
        end: String(endS),
        step: '1',
      });
      const expected = (await (
        await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: form })
      ).json()) as ApiMatrix;
      const key = (labels: Record<string, string>): string => JSON.stringify(Object.entries(labels).sort());
      const wanted = new Map<string, string[]>();
      for (const series of expected.data.result) {
        const { __name__: _name, ...labels } = series.metric;
        wanted.set(
          key(labels),
          series.values.map(([t, v]) => `${new Date(t * 1000).toISOString()} ${v}`),
        );
      }
      const exported = JSON.parse(readFileSync(out, 'utf8')) as {
        metadata: { status: string; source: string };
        series: { metric: string; labels: Record<string, string>; values: [string, number | string][] }[];
      };
      expect(exported.metadata).toMatchObject({ status: 'completed', source: base });
      const got = new Map<string, string[]>();
      for (const series of exported.series) {
        expect(series.metric).toBe(METRIC);
        const points = got.get(key(series.labels)) ?? [];
        for (const [t, v] of series.values) points.push(`${t} ${v}`);
        got.set(key(series.labels), points);
      }
      expect(wanted.size).toBeGreaterThan(0);
      expect(got).toEqual(wanted);
      expect([...got.keys()].join()).toContain('/users/:id');
    } finally {
      child.kill('SIGTERM');
      expect(await exited, output()).toBe(0);
      expect(output()).toContain('stopped cleanly');
    }
  }, 60_000);
});
