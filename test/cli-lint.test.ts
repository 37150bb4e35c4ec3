/**
 * `yardstick lint` end to end: a fixture file with known problems, standard input, and a real Prometheus's
 * own /metrics (which follows the naming guide, so it must lint clean of errors).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'cli', 'bad-exposition.txt');

describe('yardstick lint', () => {
  it('reports each problem of a file with its line, and exits 1 on errors', async () => {
    const cli = captureCli();
    expect(await runCli(['lint', fixture], cli.io)).toBe(1);
    const lines = cli.out().trim().split('\n');
    expect(lines).toEqual([
      `${fixture}:1: warning [non-base-unit] checkout_latency_milliseconds: _milliseconds is not a base unit; use _seconds and scale the value`,
      `${fixture}:3: warning [high-cardinality-value] checkout_latency_milliseconds: label order_id="7d444840-9dc0-11d1-b245-5ffdce74fad2" looks like a UUID; such values grow series without bound`,
      `${fixture}:4: error [total-on-non-counter] queue_depth_total: _total is reserved for counters, but this is a gauge`,
      `${fixture}:7: error [duplicate-series] queue_depth_total: same name and labels as line 6`,
      `${fixture}:8: warning [missing-type] cacheHits: no # TYPE line; the metric is untyped`,
      `${fixture}:8: warning [missing-help] cacheHits: no # HELP line`,
      `${fixture}:8: warning [not-snake-case] cacheHits: use snake_case: cache_hits`,
      '2 errors, 5 warnings',
    ]);
  });

  it('reads standard input and prints JSON', async () => {
    const cli = captureCli({ stdin: '# HELP up x\n# TYPE up gauge\nup 1\n' });
    expect(await runCli(['lint', '--json', '-'], cli.io)).toBe(0);
    expect(JSON.parse(cli.out())).toEqual({ findings: [], errors: 0, warnings: 0 });
  });

  it('checks names against --prefix and rejects a prefix that is not a name', async () => {
    const cli = captureCli({
      stdin: '# HELP requests_total x\n# TYPE requests_total counter\nrequests_total 1\n',
    });
    expect(await runCli(['lint', '--prefix', 'checkout', '-'], cli.io)).toBe(0);
    expect(cli.out()).toBe(
      '<stdin>:1: warning [missing-prefix] requests_total: does not start with an application prefix (checkout_)\n' +
        '0 errors, 1 warnings\n',
    );
    const bad = captureCli();
    expect(await runCli(['lint', '--prefix', 'check-out', '-'], bad.io)).toBe(2);
    expect(bad.err()).toBe('yardstick: yardstick lint: --prefix: must be a metric name prefix\n');
  });

  it('exits 2 (usage) with one line naming a file that does not exist, or a directory', async () => {
    const missing = captureCli();
    expect(await runCli(['lint', '/nonexistent/metrics.txt'], missing.io)).toBe(2);
    expect(missing.err()).toBe('yardstick: lint: /nonexistent/metrics.txt: no such file\n');
    expect(missing.out()).toBe('');
    const directory = captureCli();
    expect(await runCli(['lint', import.meta.dirname], directory.io)).toBe(2);
    expect(directory.err()).toBe(`yardstick: lint: ${import.meta.dirname}: is a directory\n`);
  });
});

const prometheus = peer('prometheus');

describe.skipIf(prometheus.skipReason !== undefined)(
  'yardstick lint against a real Prometheus /metrics',
  () => {
    const work = tempDir('yardstick-cli-lint-');
    let running: RunningPeer | undefined;
    let url = '';

    beforeAll(async () => {
      const port = await freePort();
      const config = join(work.dir, 'prometheus.yml');
      writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
      running = await startPeer(
        prometheus.path!,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(work.dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        `http://127.0.0.1:${port}/-/ready`,
      );
      url = `http://127.0.0.1:${port}/metrics`;
    });

    afterAll(async () => {
      await running?.stop();
      work.cleanup();
    });

    it('negotiates OpenMetrics and finds no errors in Prometheus own metrics', async () => {
      const cli = captureCli();
      expect(await runCli(['lint', '--json', url], cli.io)).toBe(0);
      const report = JSON.parse(cli.out()) as { errors: number };
      expect(report.errors).toBe(0);
    });
  },
);
