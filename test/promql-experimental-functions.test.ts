/**
 * Prometheus's experimental PromQL functions stay off where yardstick serves queries and rules, as in a
 * Prometheus started without `--enable-feature=promql-experimental-functions`: the embedded `/api/v1`
 * and the rule-file check refuse them with Prometheus's parse errors, while the conformance runner
 * (like promqltest) runs them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRuleText, formatRuleFileProblem } from '@yardstick/alert-evaluator';
import { runPromqlTestFile, SampleStore } from '@yardstick/promql';
import { createQueryApi } from '@yardstick/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 5, 1);

describe('experimental PromQL functions', () => {
  let api: ReturnType<typeof createQueryApi>;
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const store = new SampleStore({ now: () => NOW });
    store.append({ __name__: 'up', job: 'b' }, NOW - 1_000, 1);
    store.append({ __name__: 'up', job: 'a' }, NOW - 1_000, 1);
    api = createQueryApi({ store, now: () => NOW });
    server = createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  });

  async function instantQuery(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query })}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('are refused by the query API with the error Prometheus gives without the feature flag', async () => {
    expect(await instantQuery('sort_by_label(up, "job")')).toEqual({
      status: 400,
      body: expect.objectContaining({
        status: 'error',
        errorType: 'bad_data',
        error: expect.stringContaining('function "sort_by_label" is not enabled'),
      }),
    });
    expect((await instantQuery('limitk(1, up)')).body.error).toContain(
      'limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    );
    expect((await instantQuery('sort_desc(up)')).status).toBe(200);
  });

  it('are refused in alerting rules', () => {
    const rules = [
      'groups:',
      '  - name: g',
      '    rules:',
      '      - alert: Flapping',
      '        expr: mad_over_time(up[10m]) > 0',
      '',
    ].join('\n');
    expect(checkRuleText('rules.yml', rules).problems.map(formatRuleFileProblem)).toEqual([
      expect.stringContaining('function "mad_over_time" is not enabled'),
    ]);
  });

  it('run in the conformance runner when asked, as promqltest runs them', () => {
    const file =
      'load 1m\n  up{job="b"} 1\n  up{job="a"} 1\n\neval instant at 1m sort_by_label(up, "job")\n  up{job="a"} 1\n  up{job="b"} 1\n';
    expect(runPromqlTestFile(file, { runExperimental: true })).toMatchObject({ passed: 1, failed: 0 });
  });
});
