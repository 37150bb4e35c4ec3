import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/peers.ts';
import type { AlertRule } from './alert-rule.ts';
import { watchAlertRuleFile } from './watch-alert-rule-file.ts';

const rule = (name: string, threshold: number) => `  - name: ${name}
    query: sum by (pool) (proxywhirl_pool_proxies{health_status="unhealthy"})
    threshold: ${threshold}
    comparison: greater_than
    duration: 1m
    severity: critical
    summary: "Pool {{ $labels.pool }} has unhealthy proxies"
    description: "{{ $value }} proxies of pool {{ $labels.pool }} are out of rotation"
    notification_channels: [oncall]
`;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within 10 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('watchAlertRuleFile', () => {
  it('hands over each valid version and reports a bad one with file, line and field, keeping none of it', async () => {
    const tmp = tempDir('proxywhirl-alert-watch-');
    cleanups.push(tmp.cleanup);
    const file = join(tmp.dir, 'alerts.yml');
    writeFileSync(file, `alerts:\n${rule('pool_unhealthy', 0.5)}`);
    const versions: AlertRule[][] = [];
    const errors: string[] = [];
    const stop = watchAlertRuleFile(file, {
      channels: ['oncall'],
      debounceMs: 20,
      onRules: (rules) => versions.push(rules),
      onError: (error) => errors.push(error.message),
    });
    cleanups.push(stop);

    writeFileSync(file, `alerts:\n${rule('pool_unhealthy', 0.5)}${rule('pool_very_unhealthy', 2)}`);
    await until(() => versions.length === 1, 'reload');
    expect(versions[0]!.map((r) => [r.name, r.threshold])).toEqual([
      ['pool_unhealthy', 0.5],
      ['pool_very_unhealthy', 2],
    ]);

    writeFileSync(file, `alerts:\n${rule('pool_unhealthy', 0)}`);
    await until(() => errors.length === 1, 'error');
    expect(errors[0]).toBe(`${file}:4: alerts[0].threshold: must be > 0`);
    expect(versions).toHaveLength(1);

    stop();
    writeFileSync(file, `alerts:\n${rule('after_stop', 1)}`);
    await new Promise((r) => setTimeout(r, 200));
    expect(versions).toHaveLength(1);
  });
});
