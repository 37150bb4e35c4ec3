/**
 * Group evaluation slots against a real Prometheus (2.42): Prometheus evaluates each rule group at
 * `k × interval + hash(name, file) % interval`, and writes recording results at that timestamp. Our
 * `groupEvaluationOffsetMs` (used by `RuleGroup` to place its evaluations) must give the same offsets, so
 * the same rule files evaluate at the same instants in yardstick and in Prometheus.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupEvaluationOffsetMs } from '@yardstick/alert-evaluator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from './support/peers.ts';

const prometheus = peer('prometheus');
const INTERVAL_MS = 3_000;
const GROUPS = ['capacity', 'latency', 'gpu-fleet', 'proxy pools'];

describe.skipIf(prometheus.skipReason !== undefined)('rule group evaluation offsets', () => {
  const tmp = tempDir('yardstick-offset-');
  const rulesFile = join(tmp.dir, 'service.rules.yml');
  let server: RunningPeer | undefined;
  let url = '';

  beforeAll(async () => {
    writeFileSync(
      rulesFile,
      `groups:\n${GROUPS.map(
        (name) =>
          `  - name: ${JSON.stringify(name)}\n    interval: 3s\n    rules:\n` +
          `      - record: yardstick_offset_probe\n        expr: vector(1)\n` +
          `        labels: { group: ${JSON.stringify(name)} }\n`,
      ).join('')}`,
    );
    const config = join(tmp.dir, 'prometheus.yml');
    writeFileSync(config, `rule_files:\n  - ${rulesFile}\n`);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startPeer(
      prometheus.path!,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(tmp.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `${url}/-/ready`,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    tmp.cleanup();
  });

  it('places every group at the offset Prometheus evaluates it at', async () => {
    // Each group writes one sample per 3 s slot; wait (bounded) until every group has written one.
    const deadline = Date.now() + 20_000;
    let byGroup = new Map<string, number[]>();
    while (Date.now() < deadline) {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent('yardstick_offset_probe[1m]')}`,
      );
      const body = (await res.json()) as {
        data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
      };
      byGroup = new Map(
        body.data.result.map((r) => [r.metric.group!, r.values.map(([t]) => Math.round(t * 1000))]),
      );
      if (GROUPS.every((g) => (byGroup.get(g)?.length ?? 0) > 0)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const name of GROUPS) {
      const timestamps = byGroup.get(name);
      expect(timestamps, `samples of group ${name}`).toBeDefined();
      const expected = groupEvaluationOffsetMs(name, rulesFile, INTERVAL_MS);
      for (const t of timestamps!) expect(t % INTERVAL_MS, `group ${name}`).toBe(expected);
    }
  }, 30_000);
});
