/**
 * `formatExpr` against the printer of a real Prometheus (2.42): rule files with many spellings are loaded
 * into Prometheus, and the `query` its rules API returns (the parsed expression's `String()`) must equal
 * what `formatExpr` prints for the same text. Alert `generatorURL`s carry this text.
 *
 * Left out: numbers >= 1e6 or < 1e-4 (2.42 prints `1e+06` and `1.5e-05` with Go's %v; Prometheus 3 and
 * yardstick print `1000000` and `0.000015`), and UTF-8 names (2.42 does not parse them).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatExpr, parseExpr } from '@yardstick/promql';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');

const written = [
  'sum(rate(x_total[5m])) by (route)',
  'sum by(route)(rate(x_total[300s]))',
  'sum without(a,b)(x)',
  'sum by () (x)',
  'topk(3,x)',
  'count_values("v", x)',
  'x{b="2",a=~"1.*"}',
  '{__name__="x"}',
  '{__name__=~"x|y", job!="a"}',
  'x[90m] offset 1d',
  'x offset -5m',
  'x @ 100 offset 5m',
  'rate(x[5m] @ end())',
  'max_over_time(rate(x[1m])[1h:])',
  'x[1h:5m] offset 10m',
  'a+on(job)group_left(x)b',
  'a + ignoring(i) b',
  'a + ignoring() b',
  'a / on() b',
  'a>bool 3',
  '-(a)',
  '- 5',
  '-2^2',
  '1e3',
  '0x1f',
  'Inf',
  '-inf',
  'NaN',
  'label_replace(x, \'dst\', \'$1\', "src", "(.*)")',
  'x{a="tab\\there"}',
  'x{a="é\\u0007\\x7f"}',
  '(a + b) * c',
  'x offset 8d',
  'x[2w]',
  'absent(nonexistent{job="a"})',
  'histogram_quantile(0.99, sum by (le, pool) (rate(proxy_request_duration_seconds_bucket[5m])))',
  'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
];

const atoms = [
  'up',
  'http_requests_total{job="api", code=~"5..", a!="x\\"y"}',
  'x[5m]',
  'rate(x[90s])',
  'sum by (job) (x)',
  'topk(3, x)',
  'quantile(0.9, x)',
  '1.5',
  '-2',
  '0.25',
  'x offset -5m',
  'x @ start()',
  'x @ 1234.5',
  'x[1h:5m] offset 1w',
  'label_join(x, "d", ",", "a", "b")',
  'time()',
];
const operators = ['+', '-', '*', '/', '%', '^', '==', '!=', '> bool', '<', 'and', 'or', 'unless', 'atan2'];
const modifiers = ['', ' on(job)', ' ignoring(a) group_left(b)', ' on() group_right'];
const generated: fc.Arbitrary<string> = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...atoms),
    fc
      .tuple(
        tie('expr') as fc.Arbitrary<string>,
        fc.constantFrom(...operators),
        fc.constantFrom(...modifiers),
        tie('expr') as fc.Arbitrary<string>,
      )
      .map(([a, op, m, b]) => `${a} ${op}${m} ${b}`),
    (tie('expr') as fc.Arbitrary<string>).map((e) => `(${e})`),
    (tie('expr') as fc.Arbitrary<string>).map((e) => `-${e}`),
    (tie('expr') as fc.Arbitrary<string>).map((e) => `sum without (a) (${e})`),
    (tie('expr') as fc.Arbitrary<string>).map((e) => `max_over_time((${e})[10m:1m])`),
  ),
})).expr;

/** The curated spellings plus a fixed sample of generated programs that the parser accepts. */
function expressions(): string[] {
  const accepted = (text: string) => {
    try {
      parseExpr(text);
      return true;
    } catch {
      return false;
    }
  };
  const sample = fc.sample(generated, { numRuns: 600, seed: 20261122 }).filter(accepted);
  return [...written, ...new Set(sample)].slice(0, 300);
}

describe.skipIf(prometheus.skipReason !== undefined)('formatExpr parity with Prometheus', () => {
  const tmp = tempDir('yardstick-format-');
  const exprs = expressions();
  let server: RunningPeer | undefined;
  let port = 0;

  beforeAll(async () => {
    const rules = exprs.map((e, i) => `      - record: r${i}\n        expr: ${JSON.stringify(e)}`).join('\n');
    writeFileSync(
      join(tmp.dir, 'rules.yml'),
      `groups:\n  - name: printed\n    interval: 1h\n    rules:\n${rules}\n`,
    );
    writeFileSync(join(tmp.dir, 'prometheus.yml'), `rule_files:\n  - ${join(tmp.dir, 'rules.yml')}\n`);
    port = await freePort();
    server = await startPeer(
      prometheus.path!,
      [
        `--config.file=${join(tmp.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(tmp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('prints every expression exactly as Prometheus does', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { rules: { name: string; query: string }[] }[] } };
    const theirs = new Map(body.data.groups.flatMap((g) => g.rules).map((r) => [r.name, r.query]));
    expect(theirs.size, server?.output()).toBe(exprs.length);
    expect(exprs.length).toBeGreaterThan(written.length + 100);
    const differences = exprs
      .map((text, i) => ({ text, theirs: theirs.get(`r${i}`), ours: formatExpr(parseExpr(text)) }))
      .filter((d) => d.theirs !== d.ours);
    expect(differences).toEqual([]);
  });
});
