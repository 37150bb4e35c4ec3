/**
 * `yardstick export` against the embedded `/api/v1` of a running service (startTelemetry with its store):
 * the same client that exports from a real Prometheus reads yardstick's own history.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliIo, runCli } from '@yardstick/exporter-cli';
import { silentLogger, startTelemetry, type Telemetry } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/peers.ts';

let telemetry: Telemetry;
const tmp = tempDir('yardstick-embedded-export-');

function io(): CliIo & { err: () => string } {
  let err = '';
  return {
    stdout: { write: () => true },
    stderr: { write: (t: string) => (err += t) },
    stdin: [],
    env: {},
    now: Date.now,
    err: () => err,
  };
}

beforeAll(async () => {
  telemetry = await startTelemetry({
    env: {},
    configFile: false,
    logger: silentLogger,
    registerGlobal: false,
    server: { port: 0 },
    collectIntervalMs: 100,
  });
  const jobs = telemetry.meter('worker').createCounter('jobs.completed');
  // a few store collections, each after more work
  for (let i = 0; i < 6; i++) {
    jobs.add(1, { queue: 'emails' });
    jobs.add(2, { queue: 'reports, "monthly"' });
    await new Promise((r) => setTimeout(r, 120));
  }
  await telemetry.forceFlush();
});

afterAll(async () => {
  await telemetry.shutdown();
  tmp.cleanup();
});

describe('export from the embedded /api/v1', () => {
  it('writes CSV rows equal to the embedded API answers', async () => {
    const end = Math.ceil(Date.now() / 1000) + 1;
    const start = end - 30;
    const out = join(tmp.dir, 'jobs.csv');
    const cli = io();
    const code = await runCli(
      [
        'export',
        '--source',
        telemetry.url!,
        '--query',
        'jobs_completed_total',
        '--start',
        String(start),
        '--end',
        String(end),
        '--step',
        '1s',
        '--format',
        'csv',
        '--out',
        out,
      ],
      cli,
    );
    expect(code, cli.err()).toBe(0);

    const reference = (await (
      await fetch(
        `${telemetry.url}/api/v1/query_range?query=jobs_completed_total&start=${start}&end=${end}&step=1`,
      )
    ).json()) as {
      data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
    };
    const expectedRows = reference.data.result.reduce((n, s) => n + s.values.length, 0);
    expect(expectedRows).toBeGreaterThan(0);

    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^timestamp,metric,.*queue.*,value$/);
    expect(lines).toHaveLength(expectedRows + 1);
    const last = reference.data.result.find((s) => s.metric.queue === 'reports, "monthly"')!;
    // RFC 4180 quoting of a label value with a comma and quotes
    expect(
      lines.some((l) => l.includes('"reports, ""monthly"""') && l.endsWith(`,${last.values.at(-1)![1]}`)),
    ).toBe(true);
    expect(Number(last.values.at(-1)![1])).toBe(12);
  });
});
