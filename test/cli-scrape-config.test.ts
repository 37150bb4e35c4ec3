/**
 * `yardstick scrape-config`: the committed examples in contracts/scrape-configs are what the CLI generates,
 * Prometheus's promtool accepts the Prometheus config, VictoriaMetrics accepts the vmagent config, and the
 * Kubernetes output is a ServiceMonitor and a PodMonitor.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { captureCli } from './support/cli-io.ts';
import { peer, tempDir } from './support/peers.ts';

const contracts = join(import.meta.dirname, '..', 'contracts', 'scrape-configs');
// The command that generated contracts/scrape-configs; regenerate with the same flags after a change.
const CONTRACT_ARGS = ['scrape-config', '--target', 'yardstick-example:9464', '--job', 'yardstick'];

const work = tempDir('yardstick-cli-scrape-');
afterAll(() => work.cleanup());

describe('yardstick scrape-config', () => {
  it('generates exactly the committed examples in contracts/scrape-configs', async () => {
    const cli = captureCli();
    expect(await runCli([...CONTRACT_ARGS, '--out-dir', work.dir], cli.io), cli.err()).toBe(0);
    const names = readdirSync(contracts).sort();
    expect(names).toEqual(['podmonitor.yaml', 'prometheus.yml', 'servicemonitor.yaml', 'vmagent.yml']);
    for (const name of names) {
      expect(readFileSync(join(work.dir, name), 'utf8'), name).toBe(
        readFileSync(join(contracts, name), 'utf8'),
      );
    }
  });

  it('prints a ServiceMonitor and a PodMonitor for --k8s', async () => {
    const cli = captureCli();
    expect(await runCli(['scrape-config', '--k8s', '--job', 'checkout', '--namespace', 'shop'], cli.io)).toBe(
      0,
    );
    const docs = parseAllDocuments(cli.out()).map((d) => d.toJS());
    expect(
      docs.map((d) => [d.kind, d.metadata.namespace, d.spec.selector.matchLabels['app.kubernetes.io/name']]),
    ).toEqual([
      ['ServiceMonitor', 'shop', 'checkout'],
      ['PodMonitor', 'shop', 'checkout'],
    ]);
  });

  it('exits 2 naming the flag for a target without a port', async () => {
    const cli = captureCli();
    expect(await runCli(['scrape-config', '--target', 'localhost'], cli.io)).toBe(2);
    expect(cli.err()).toBe('yardstick: yardstick scrape-config: --target: must be host:port\n');
  });
});

const promtool = peer('promtool');
describe.skipIf(promtool.skipReason !== undefined)('the Prometheus example', () => {
  it('passes promtool check config', () => {
    const result = spawnSync(promtool.path!, ['check', 'config', join(contracts, 'prometheus.yml')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

const victoria = peer('victoria-metrics');
describe.skipIf(victoria.skipReason !== undefined)('the vmagent example', () => {
  it('passes VictoriaMetrics -promscrape.config.dryRun with strict parsing', () => {
    const config = join(contracts, 'vmagent.yml');
    const args = [`-promscrape.config=${config}`, '-promscrape.config.dryRun', '-loggerLevel=ERROR'];
    const result = spawnSync(victoria.path!, args, { encoding: 'utf8', timeout: 20_000 });
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});
