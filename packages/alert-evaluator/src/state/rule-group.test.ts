import { isStaleNaN, type Labels } from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import type { Datasource, QueryValue } from '../datasources/datasource.ts';
import type { RuleGroupDefinition } from '../rules/rule-model.ts';
import type { AlertSnapshot } from './alert.ts';
import { ManualClock } from './clock.ts';
import { groupEvaluationOffsetMs } from './evaluation-offset.ts';
import { RuleGroup } from './rule-group.ts';
import type { Logger } from './sample-sink.ts';

const MIN = 60_000;
// A Saturday, 01:58 UTC: the maintenance window below opens at 02:00.
const SAT_0158 = Date.UTC(2026, 0, 3, 1, 58);

class MapDatasource implements Datasource {
  values = new Map<string, QueryValue | Error>();
  async query(expr: string): Promise<QueryValue> {
    const v = this.values.get(expr);
    if (v instanceof Error) throw v;
    return v ?? { type: 'vector', samples: [] };
  }
}

function group(overrides: Partial<RuleGroupDefinition> = {}): RuleGroupDefinition {
  return {
    name: 'g',
    file: 'rules.yml',
    intervalMs: MIN,
    limit: 0,
    rules: [
      {
        kind: 'recording',
        name: 'pool:queue:sum',
        expr: 'sum by (pool) (queue)',
        labels: { env: 'prod' },
        source: { file: 'rules.yml', line: 1 },
      },
      {
        kind: 'alerting',
        name: 'QueueHigh',
        expr: 'pool:queue:sum > 10',
        forMs: MIN,
        keepFiringForMs: 0,
        labels: {},
        annotations: {},
        channels: [],
        suppressionSchedule: '* 2-3 * * 6',
        source: { file: 'rules.yml', line: 2 },
      },
    ],
    ...overrides,
  };
}

function recordingLogger() {
  const lines: { level: string; obj: object; msg: string | undefined }[] = [];
  const log =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { logger, lines };
}

describe('RuleGroup', () => {
  it('evaluates on its interval with the injected clock, writing recordings and ALERTS to the sink', async () => {
    // Slots are whole minutes shifted by the group's offset, as Prometheus places them.
    const T = SAT_0158 + groupEvaluationOffsetMs('g', 'rules.yml', MIN);
    const clock = new ManualClock(T - 30_000);
    const ds = new MapDatasource();
    const written: { labels: Labels; t: number; v: number }[] = [];
    const sent: AlertSnapshot[][] = [];
    ds.values.set('sum by (pool) (queue)', {
      type: 'vector',
      samples: [{ labels: { pool: 'a' }, value: 12 }],
    });
    ds.values.set('pool:queue:sum > 10', {
      type: 'vector',
      samples: [{ labels: { __name__: 'pool:queue:sum', pool: 'a' }, value: 12 }],
    });
    const g = new RuleGroup(
      group({
        rules: group().rules.map((r) =>
          r.kind === 'alerting' ? { ...r, suppressionSchedule: undefined } : r,
        ),
      }),
      {
        datasource: ds,
        clock,
        sink: { append: (labels, t, v) => written.push({ labels, t, v }) },
        notify: (_rule, alerts) => sent.push([...alerts]),
      },
    );
    g.start();
    await clock.advance(29_999);
    expect(written).toEqual([]);
    await clock.advance(1);
    expect(written[0]).toEqual({
      labels: { __name__: 'pool:queue:sum', pool: 'a', env: 'prod' },
      t: T,
      v: 12,
    });
    expect(g.alerts()).toMatchObject([{ state: 'pending' }]);
    await clock.advance(MIN);
    expect(g.alerts()).toMatchObject([{ state: 'firing', firedAt: T + MIN }]);
    expect(sent).toHaveLength(1);
    expect(g.ruleHealth(0)).toMatchObject({ health: 'ok', lastEvaluation: T + MIN });
    // The series disappears: its recording and ALERTS series get staleness markers.
    ds.values.delete('sum by (pool) (queue)');
    await clock.advance(MIN);
    const stale = written.filter((w) => w.t === T + 2 * MIN && isStaleNaN(w.v));
    expect(stale.map((w) => w.labels.__name__)).toContain('pool:queue:sum');
    await g.stop();
    await clock.advance(10 * MIN);
    expect(g.ruleHealth(0).lastEvaluation).toBe(T + 2 * MIN);
  });

  it('evaluates each group at its own offset within the interval, as Prometheus places groups', async () => {
    const clock = new ManualClock(SAT_0158);
    const ds = new MapDatasource();
    const groups = ['capacity', 'latency', 'errors'].map(
      (name) => new RuleGroup(group({ name, file: '/etc/rules/service.yml' }), { datasource: ds, clock }),
    );
    for (const g of groups) g.start();
    await clock.advance(MIN);
    for (const g of groups) await g.stop();
    const offsets = groups.map((g) => g.ruleHealth(0).lastEvaluation! - SAT_0158);
    expect(offsets).toEqual(
      ['capacity', 'latency', 'errors'].map((n) => groupEvaluationOffsetMs(n, '/etc/rules/service.yml', MIN)),
    );
    expect(new Set(offsets).size).toBe(3);
  });

  it('after a reload, writes staleness markers for the series of rules that were removed or changed', async () => {
    const ds = new MapDatasource();
    ds.values.set('sum by (pool) (queue)', {
      type: 'vector',
      samples: [{ labels: { pool: 'a' }, value: 12 }],
    });
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 12 }] });
    const written: { labels: Labels; t: number; v: number }[] = [];
    const sink = { append: (labels: Labels, t: number, v: number) => written.push({ labels, t, v }) };
    const before = new RuleGroup(group(), { datasource: ds, sink });
    await before.evaluate(0);
    // The recording rule is unchanged; the alerting rule is gone from the new version of the group.
    const after = new RuleGroup(group({ rules: [group().rules[0]!] }), { datasource: ds, sink });
    after.copyStateFrom(before);
    ds.values.delete('sum by (pool) (queue)');
    await after.evaluate(MIN);
    const stale = written.filter((w) => w.t === MIN && isStaleNaN(w.v)).map((w) => w.labels.__name__);
    // The recording series vanished (its previous series were carried over), and the removed rule's
    // ALERTS and ALERTS_FOR_STATE series end.
    expect(stale.sort()).toEqual(['ALERTS', 'ALERTS_FOR_STATE', 'pool:queue:sum']);
  });

  it('marks every series it wrote stale when it is removed', async () => {
    const ds = new MapDatasource();
    ds.values.set('sum by (pool) (queue)', {
      type: 'vector',
      samples: [{ labels: { pool: 'a' }, value: 12 }],
    });
    const written: { labels: Labels; t: number; v: number }[] = [];
    const g = new RuleGroup(group(), {
      datasource: ds,
      sink: { append: (labels, t, v) => written.push({ labels, t, v }) },
    });
    await g.evaluate(0);
    g.markStale(30_000);
    expect(written.filter((w) => isStaleNaN(w.v))).toEqual([
      { labels: { __name__: 'pool:queue:sum', pool: 'a', env: 'prod' }, t: 30_000, v: expect.any(Number) },
    ]);
  });

  it('carries alert state over to rules with the same name and labels in order, one to one', async () => {
    const ds = new MapDatasource();
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 12 }] });
    const alerting = group().rules[1]!;
    const def = group({ rules: [alerting, { ...alerting, expr: 'pool:queue:sum > 20' }] });
    const before = new RuleGroup(def, { datasource: ds });
    await before.evaluate(0);
    const after = new RuleGroup(def, { datasource: ds });
    after.copyStateFrom(before);
    // The first rule fires, the second has no alert: they do not share one set of alerts.
    expect(after.alerts()).toHaveLength(1);
    await after.evaluate(MIN);
    expect(after.alerts().map((a) => a.state)).toEqual(['firing']);
  });

  it('uses the default interval for a group whose interval is 0s, as Prometheus does', async () => {
    const ds = new MapDatasource();
    expect(
      new RuleGroup(group({ intervalMs: 0 }), { datasource: ds, defaultIntervalMs: 30_000 }).intervalMs,
    ).toBe(30_000);
    expect(new RuleGroup(group({ intervalMs: 0 }), { datasource: ds }).intervalMs).toBe(MIN);
  });

  it('waits for slots further away than a Node timer can (24.8 days) without evaluating early', async () => {
    const manual = new ManualClock(0);
    const asked: number[] = [];
    // Node clamps longer timers to 1 ms; this clock refuses them instead.
    const clock = {
      now: () => manual.now(),
      setTimeout(fn: () => void, ms: number) {
        asked.push(ms);
        if (ms > 2 ** 31 - 1) throw new Error(`timer of ${ms} ms`);
        return manual.setTimeout(fn, ms);
      },
      clearTimeout: (h: unknown) => manual.clearTimeout(h),
    };
    const ds = new MapDatasource();
    const DAY = 24 * 60 * MIN;
    const g = new RuleGroup(group({ intervalMs: 60 * DAY }), { datasource: ds, clock });
    g.start();
    const first = g.evaluationOffsetMs;
    await manual.advance(first);
    await manual.advance(59 * DAY);
    expect(g.ruleHealth(0).lastEvaluation).toBe(first);
    await manual.advance(DAY);
    expect(g.ruleHealth(0).lastEvaluation).toBe(first + 60 * DAY);
    await g.stop();
    expect(Math.max(...asked)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('marks a failing rule unhealthy and keeps evaluating the others', async () => {
    const ds = new MapDatasource();
    ds.values.set('sum by (pool) (queue)', new Error('connection refused'));
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 11 }] });
    const { logger, lines } = recordingLogger();
    const g = new RuleGroup(group(), { datasource: ds, logger });
    await g.evaluate(SAT_0158);
    expect(g.ruleHealth(0)).toMatchObject({ health: 'err', lastError: 'connection refused' });
    expect(g.ruleHealth(1).health).toBe('ok');
    expect(
      lines.some((l) => l.level === 'warn' && (l.obj as { rule: string }).rule === 'pool:queue:sum'),
    ).toBe(true);
  });

  it('keeps its loop running when the sink or the notify hook throws, and logs both', async () => {
    const T = SAT_0158 + groupEvaluationOffsetMs('g', 'rules.yml', MIN);
    const clock = new ManualClock(T);
    const ds = new MapDatasource();
    ds.values.set('sum by (pool) (queue)', {
      type: 'vector',
      samples: [{ labels: { pool: 'a' }, value: 12 }],
    });
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 12 }] });
    const { logger, lines } = recordingLogger();
    let notified = 0;
    const g = new RuleGroup(
      group({ rules: group().rules.map((r) => ({ ...r, suppressionSchedule: undefined })) }),
      {
        datasource: ds,
        clock,
        logger,
        sink: {
          append() {
            throw new Error('disk full');
          },
        },
        notify: () => {
          notified++;
          throw new Error('receiver bug');
        },
      },
    );
    g.start();
    await clock.advance(3 * MIN);
    await g.stop();
    // Evaluations at +0, +1m, +2m, +3m all ran: the alert fired at +1m and was handed to notify then,
    // and again at +3m once the 1m resend delay had passed.
    expect(g.ruleHealth(1).lastEvaluation).toBe(T + 3 * MIN);
    expect(g.alerts()).toMatchObject([{ state: 'firing', firedAt: T + MIN }]);
    expect(notified).toBe(2);
    expect(lines.filter((l) => l.level === 'error').map((l) => (l.obj as { err: string }).err)).toEqual(
      expect.arrayContaining(['disk full', 'receiver bug']),
    );
  });

  it('sends nothing for a rule whose evaluation failed, as Prometheus does', async () => {
    const ds = new MapDatasource();
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 11 }] });
    const sent: AlertSnapshot[] = [];
    const g = new RuleGroup(group(), { datasource: ds, notify: (_r, a) => sent.push(...a) });
    await g.evaluate(0);
    await g.evaluate(MIN);
    expect(sent).toHaveLength(1);
    ds.values.set('pool:queue:sum > 10', new Error('timeout'));
    await g.evaluate(3 * MIN);
    expect(sent).toHaveLength(1);
    expect(g.alerts()[0]!.state).toBe('firing');
  });

  it('suppresses firing alerts inside the maintenance window and unsuppresses them after, logging both', async () => {
    const ds = new MapDatasource();
    ds.values.set('pool:queue:sum > 10', {
      type: 'vector',
      samples: [{ labels: { pool: 'gpu-a', region: 'eu' }, value: 11 }],
    });
    const { logger, lines } = recordingLogger();
    const sent: AlertSnapshot[] = [];
    const g = new RuleGroup(group(), { datasource: ds, logger, notify: (_r, a) => sent.push(...a) });
    await g.evaluate(SAT_0158);
    await g.evaluate(SAT_0158 + MIN);
    expect(sent.map((a) => a.state)).toEqual(['firing']);
    await g.evaluate(SAT_0158 + 2 * MIN); // 02:00, window open
    expect(g.alerts()[0]!.state).toBe('suppressed');
    await g.evaluate(SAT_0158 + 5 * MIN);
    expect(sent).toHaveLength(1);
    const suppressed = lines.find((l) => l.msg === 'Alert suppressed by maintenance window');
    expect(suppressed?.obj).toMatchObject({ rule: 'QueueHigh', labels: { pool: 'gpu-a', region: 'eu' } });
    await g.evaluate(SAT_0158 + 122 * MIN); // 04:00, window closed
    expect(g.alerts()[0]!.state).toBe('firing');
    expect(sent.map((a) => a.state)).toEqual(['firing', 'firing']);
    expect(lines.some((l) => l.msg === 'Alert unsuppressed')).toBe(true);
  });

  it('logs a suppressed alert that resolves inside the window as resolved, not as unsuppressed', async () => {
    const ds = new MapDatasource();
    ds.values.set('pool:queue:sum > 10', {
      type: 'vector',
      samples: [{ labels: { pool: 'gpu-a' }, value: 11 }],
    });
    const { logger, lines } = recordingLogger();
    const g = new RuleGroup(group(), { datasource: ds, logger });
    await g.evaluate(SAT_0158);
    await g.evaluate(SAT_0158 + MIN);
    await g.evaluate(SAT_0158 + 2 * MIN); // 02:00, window open
    ds.values.delete('pool:queue:sum > 10');
    await g.evaluate(SAT_0158 + 3 * MIN);
    expect(g.alerts()[0]!.state).toBe('inactive');
    expect(lines.map((l) => l.msg)).toContain('Suppressed alert resolved');
    expect(lines.map((l) => l.msg)).not.toContain('Alert unsuppressed');
    expect(lines.find((l) => l.msg === 'Suppressed alert resolved')?.obj).toMatchObject({
      rule: 'QueueHigh',
      labels: { pool: 'gpu-a' },
    });
  });

  it('restores for state after the second evaluation when given a store to read', async () => {
    const ds = new MapDatasource();
    ds.values.set('pool:queue:sum > 10', { type: 'vector', samples: [{ labels: { pool: 'a' }, value: 11 }] });
    const def = group({
      rules: [
        {
          ...(group().rules[1] as Extract<RuleGroupDefinition['rules'][number], { kind: 'alerting' }>),
          forMs: 60 * MIN,
          suppressionSchedule: undefined,
        },
      ],
    });
    const written: Labels[] = [];
    const g = new RuleGroup(def, {
      datasource: ds,
      sink: { append: (labels) => written.push(labels) },
      restoreFrom: {
        *select() {
          yield {
            labels: { __name__: 'ALERTS_FOR_STATE', alertname: 'QueueHigh', pool: 'a' },
            timestamps: Float64Array.of(SAT_0158 - 10 * MIN),
            values: Float64Array.of((SAT_0158 - 40 * MIN) / 1000),
          };
        },
      },
    });
    await g.evaluate(SAT_0158);
    await g.evaluate(SAT_0158 + MIN);
    expect(written).toEqual([]);
    // Pending 30m before going down 10m ago (+1m since): activeAt shifts by the 11m downtime.
    expect(g.alerts()[0]!.activeAt).toBe(SAT_0158 - 40 * MIN + 11 * MIN);
    await g.evaluate(SAT_0158 + 2 * MIN);
    expect(written.map((l) => l.__name__)).toEqual(['ALERTS', 'ALERTS_FOR_STATE']);
  });
});
