/**
 * The Grafana dashboard contract: contracts/grafana-dashboard.json must be exactly what
 * `yardstick dashboard` generates from contracts/dashboard.yaml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@yardstick/exporter-cli';
import { describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';

const contracts = join(import.meta.dirname, '..', 'contracts');

describe('contracts/grafana-dashboard.json', () => {
  it('is in sync with contracts/dashboard.yaml', async () => {
    const cli = captureCli();
    const args = ['dashboard', '--config', join(contracts, 'dashboard.yaml')];
    args.push('--out', join(contracts, 'grafana-dashboard.json'), '--check');
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
  });

  it('covers HTTP rate and p95 latency by route, proxy pool health and LLM tokens', () => {
    const dashboard = JSON.parse(readFileSync(join(contracts, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toMatch(/sum by \(http_route\) \(rate\(http_server_request_duration_seconds_count/);
    expect(exprs).toMatch(/histogram_quantile\(0\.95, sum by \(le, http_route\)/);
    expect(exprs).toMatch(/proxy_pool_proxies/);
    expect(exprs).toMatch(/gen_ai_client_token_usage/);
  });

  it('--check fails with a message when the JSON is stale', async () => {
    const cli = captureCli();
    const args = [
      'dashboard',
      '--config',
      join(contracts, 'dashboard.yaml'),
      '--out',
      '/nonexistent.json',
      '--check',
    ];
    expect(await runCli(args, cli.io)).toBe(1);
    expect(cli.err()).toMatch(/is out of date with .*dashboard\.yaml/);
  });
});
