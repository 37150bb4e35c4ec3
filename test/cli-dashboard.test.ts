/**
 * The Grafana dashboard contract: contracts/grafana-dashboard.json must be exactly what
 * `yardstick dashboard` generates from contracts/dashboard.yaml, and its queries must find data in what
 * yardstick's own /metrics shows for the OTel semantic-convention instruments (which `yardstick lint`
 * must accept without errors or false id warnings).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition, runCli } from '@yardstick/exporter-cli';
import { evaluateInstant, parseExpr, SampleStore } from '@yardstick/promql';
import { silentLogger, startTelemetry } from '@yardstick/sdk';
import { describe, expect, it } from 'vitest';
import { captureCli } from './support/cli-io.ts';
import { waitFor } from './support/wait-for.ts';

const contracts = join(import.meta.dirname, '..', 'contracts');

describe('contracts/grafana-dashboard.json', () => {
  it('is in sync with contracts/dashboard.yaml', async () => {
    const cli = captureCli();
    const args = ['dashboard', '--config', join(contracts, 'dashboard.yaml')];
    args.push('--out', join(contracts, 'grafana-dashboard.json'), '--check');
    expect(await runCli(args, cli.io), cli.err()).toBe(0);
  });

  it('covers HTTP rate and p95 latency by route, pool and dependency health, event-loop delay and LLM tokens', () => {
    const dashboard = JSON.parse(readFileSync(join(contracts, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    expect(exprs).toMatch(/sum by \(http_route\) \(rate\(http_server_request_duration_seconds_count/);
    expect(exprs).toMatch(/histogram_quantile\(0\.95, sum by \(le, http_route\)/);
    expect(exprs).toMatch(/pool_items\{/);
    expect(exprs).toMatch(/dependency_up\{/);
    expect(exprs).toMatch(/nodejs_eventloop_delay_p99_seconds/);
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

interface DashboardJson {
  templating: { list: { query?: string | { query?: string } }[] };
  panels: { title: string; targets: { expr: string; legendFormat?: string }[] }[];
}

// Every panel reads OTel semantic-convention instruments or the sdk's instrumentation kits, recorded below
// exactly as an instrumented service would.
describe('contracts/grafana-dashboard.json against a real yardstick /metrics', () => {
  it('finds data for every panel and legend label, and lint accepts the exposition', async () => {
    const telemetry = await startTelemetry({
      env: {},
      configFile: false,
      logger: silentLogger,
      registerGlobal: false,
      server: { port: 0 },
    });
    const store = new SampleStore({ retentionMs: 86_400_000 });
    const t0 = Date.UTC(2026, 0, 1);
    try {
      telemetry.trackPool({
        name: 'proxies-eu',
        attributes: { region: 'eu' },
        size: () => 5,
        unhealthy: () => 1,
      });
      const dependency = telemetry.trackDependency({
        name: 'redis',
        check: async () => true,
        intervalMs: 60_000,
      });
      // The runtime kit's event-loop figures and the first health check need a moment after start.
      await waitFor('the first health check', () => dependency.status().up, {
        timeoutMs: 2_000,
        intervalMs: 10,
      });
      await new Promise((r) => setTimeout(r, 100));
      const meter = telemetry.meter('dashboard-contract');
      const http = meter.createHistogram('http.server.request.duration', {
        unit: 's',
        description: 'Duration of HTTP server requests.',
      });
      const tokens = meter.createHistogram('gen_ai.client.token.usage', {
        unit: '{token}',
        description: 'Number of input and output tokens used.',
      });
      const record = (): void => {
        http.record(0.12, {
          'http.route': '/users/:id',
          'http.request.method': 'GET',
          'http.response.status_code': 200,
        });
        http.record(0.7, {
          'http.route': '/orders',
          'http.request.method': 'POST',
          'http.response.status_code': 503,
        });
        for (const type of ['input', 'output']) {
          tokens.record(120, {
            'gen_ai.token.type': type,
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.operation.name': 'chat',
          });
        }
      };
      // Two scrapes a minute apart (as Prometheus would take them, adding job and instance), so rate() has data.
      for (const at of [t0, t0 + 60_000]) {
        record();
        const text = await (await fetch(`${telemetry.url}/metrics`)).text();
        for (const sample of parseExposition(text).samples) {
          store.append(
            {
              ...Object.fromEntries(sample.labels),
              __name__: sample.name,
              job: 'checkout',
              instance: 'checkout:9464',
            },
            at,
            Number(sample.value),
          );
        }
      }

      const lint = captureCli();
      expect(await runCli(['lint', '--json', `${telemetry.url}/metrics`], lint.io), lint.err()).toBe(0);
      const findings = (JSON.parse(lint.out()) as { findings: { rule: string; metric: string }[] }).findings;
      expect(findings.filter((f) => f.rule !== 'missing-help')).toEqual([]);
    } finally {
      await telemetry.shutdown();
    }

    const dashboard = JSON.parse(
      readFileSync(join(contracts, 'grafana-dashboard.json'), 'utf8'),
    ) as DashboardJson;
    const grafana = (expr: string): string =>
      expr.replaceAll('$__rate_interval', '2m').replaceAll('$__range', '2m').replaceAll('$job', 'checkout');
    const checked: string[] = [];
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const result = evaluateInstant(store, parseExpr(grafana(target.expr)), t0 + 60_000).value;
        expect(result.type, panel.title).toBe('vector');
        const samples = result.type === 'vector' ? result.samples : [];
        expect(samples.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const [, label] of (target.legendFormat ?? '').matchAll(/{{(\w+)}}/g)) {
          for (const sample of samples)
            expect(sample.labels[label!], `${panel.title}: {{${label}}}`).toBeDefined();
        }
        checked.push(panel.title);
      }
    }
    expect(checked).toHaveLength(dashboard.panels.length);
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const metric = /label_values\((\w+),/.exec(query)?.[1];
      if (metric) expect(store.labelValues('__name__'), query).toContain(metric);
    }
  }, 30_000);
});
