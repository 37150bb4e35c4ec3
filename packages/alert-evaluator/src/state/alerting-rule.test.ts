import {
  type LabelMatcher,
  type Labels,
  type Queryable,
  SampleStore,
  type SeriesSamples,
  STALE_NAN,
} from '@yardstick/promql';
import { describe, expect, it } from 'vitest';
import type { Datasource, QuerySample } from '../datasources/datasource.ts';
import type { AlertingRuleDefinition } from '../rules/rule-model.ts';
import { AlertingRule, RESOLVED_RETENTION_MS } from './alerting-rule.ts';

const MIN = 60_000;

function rule(overrides: Partial<AlertingRuleDefinition> = {}): AlertingRuleDefinition {
  return {
    kind: 'alerting',
    name: 'QueueHigh',
    expr: 'queue_depth > 10',
    forMs: 2 * MIN,
    keepFiringForMs: 0,
    labels: { severity: 'critical' },
    annotations: { summary: '{{ $labels.pool }} queue at {{ $value }}' },
    channels: [],
    suppressionSchedule: undefined,
    source: { file: 'test', line: 1 },
    ...overrides,
  };
}

/** A datasource whose answer the test changes between evaluations. */
class ScriptedDatasource implements Datasource {
  samples: QuerySample[] = [];
  fail: string | undefined;
  async query() {
    if (this.fail !== undefined) throw new Error(this.fail);
    return { type: 'vector' as const, samples: this.samples };
  }
}

const breach = (pool: string, value = 42): QuerySample => ({
  labels: { __name__: 'queue_depth', pool, region: 'eu' },
  value,
});

describe('AlertingRule state machine', () => {
  it('goes pending, then firing once the condition has held for `for`, with ALERTS series', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule());
    ds.samples = [breach('a')];
    const s0 = await r.eval(0, ds);
    expect(r.alerts()).toMatchObject([
      { state: 'pending', labels: { alertname: 'QueueHigh', pool: 'a', region: 'eu', severity: 'critical' } },
    ]);
    expect(r.alerts()[0]!.labels).not.toHaveProperty('__name__');
    expect(r.alerts()[0]!.annotations).toEqual({ summary: 'a queue at 42' });
    expect(s0).toContainEqual({
      labels: {
        __name__: 'ALERTS',
        alertname: 'QueueHigh',
        alertstate: 'pending',
        pool: 'a',
        region: 'eu',
        severity: 'critical',
      },
      value: 1,
    });
    await r.eval(MIN, ds);
    expect(r.alerts()[0]!.state).toBe('pending');
    const s2 = await r.eval(2 * MIN, ds);
    expect(r.alerts()[0]).toMatchObject({ state: 'firing', firedAt: 2 * MIN, activeAt: 0 });
    expect(s2.find((s) => s.labels.__name__ === 'ALERTS')!.labels.alertstate).toBe('firing');
    expect(s2.find((s) => s.labels.__name__ === 'ALERTS_FOR_STATE')!.value).toBe(0);
  });

  it('drops a rule label whose template expands to nothing, as an empty label is a missing one', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(
      rule({ labels: { team: '{{ $labels.team }}', region: '', severity: 'page' } }),
    );
    ds.samples = [breach('a'), { labels: { pool: 'b', region: 'us', team: 'infra' }, value: 1 }];
    await r.eval(0, ds);
    expect(r.alerts().map((a) => a.labels)).toEqual([
      { alertname: 'QueueHigh', pool: 'a', severity: 'page' },
      { alertname: 'QueueHigh', pool: 'b', team: 'infra', severity: 'page' },
    ]);
  });

  it('logs firing and resolution with the rule and the alert labels', async () => {
    const lines: { msg: string | undefined; obj: object }[] = [];
    const log = (obj: object, msg?: string) => lines.push({ obj, msg });
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: 0 }), {
      logger: { debug: log, info: log, warn: log, error: log },
    });
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    ds.samples = [];
    await r.eval(MIN, ds);
    expect(lines.map((l) => l.msg)).toEqual(['Alert firing', 'Alert resolved']);
    expect(lines[0]!.obj).toMatchObject({ rule: 'QueueHigh', labels: { pool: 'a', region: 'eu' } });
  });

  it('drops a pending alert whose series disappears and never sends it', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule());
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    expect(r.alertsToSend(0, MIN, MIN)).toEqual([]);
    ds.samples = [];
    await r.eval(MIN, ds);
    expect(r.alerts()).toEqual([]);
  });

  it('resolves a firing alert, re-sends the resolution, and forgets it after 15 minutes', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: 0 }));
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    expect(r.alertsToSend(0, MIN, MIN)).toMatchObject([{ state: 'firing', validUntil: 4 * MIN }]);
    ds.samples = [];
    await r.eval(MIN, ds);
    expect(r.alertsToSend(MIN, MIN, MIN)).toMatchObject([{ state: 'inactive', resolvedAt: MIN }]);
    // Resent at the resend delay while retained.
    expect(r.alertsToSend(MIN + 30_000, MIN, MIN)).toEqual([]);
    expect(r.alertsToSend(2 * MIN + 1, MIN, MIN)).toHaveLength(1);
    await r.eval(MIN + RESOLVED_RETENTION_MS, ds);
    expect(r.alerts()).toHaveLength(1);
    await r.eval(MIN + RESOLVED_RETENTION_MS + 1, ds);
    expect(r.alerts()).toEqual([]);
  });

  it('re-sends a firing alert only after the resend delay, with endsAt 4 × max(interval, resend delay) ahead', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: 0 }));
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    expect(r.alertsToSend(0, MIN, 15_000)).toHaveLength(1);
    await r.eval(15_000, ds);
    expect(r.alertsToSend(15_000, MIN, 15_000)).toEqual([]);
    expect(r.alertsToSend(MIN, MIN, 15_000)).toEqual([]);
    const again = r.alertsToSend(MIN + 15_000, MIN, 15_000);
    expect(again).toMatchObject([{ validUntil: MIN + 15_000 + 4 * MIN }]);
    expect(r.alertsToSend(5 * MIN, MIN, 2 * MIN)[0]!.validUntil).toBe(5 * MIN + 8 * MIN);
  });

  it('keeps firing for keep_firing_for after the series disappears, then resolves', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: 0, keepFiringForMs: 2 * MIN }));
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    ds.samples = [];
    await r.eval(MIN, ds);
    expect(r.alerts()[0]!.state).toBe('firing');
    await r.eval(2 * MIN, ds);
    expect(r.alerts()[0]!.state).toBe('firing');
    await r.eval(3 * MIN, ds);
    expect(r.alerts()[0]).toMatchObject({ state: 'inactive', resolvedAt: 3 * MIN });
  });

  it('resets keep_firing_for when the series comes back', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: 0, keepFiringForMs: 2 * MIN }));
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    ds.samples = [];
    await r.eval(MIN, ds);
    ds.samples = [breach('a')];
    await r.eval(2 * MIN, ds);
    ds.samples = [];
    await r.eval(3 * MIN, ds);
    await r.eval(4 * MIN, ds);
    expect(r.alerts()[0]!.state).toBe('firing');
    await r.eval(5 * MIN, ds);
    expect(r.alerts()[0]!.state).toBe('inactive');
  });

  it('starts a new pending alert when a resolved series breaches again', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule({ forMs: MIN }));
    ds.samples = [breach('a')];
    await r.eval(0, ds);
    await r.eval(MIN, ds);
    ds.samples = [];
    await r.eval(2 * MIN, ds);
    ds.samples = [breach('a', 50)];
    await r.eval(3 * MIN, ds);
    expect(r.alerts()).toMatchObject([{ state: 'pending', activeAt: 3 * MIN, value: 50 }]);
  });

  it('keeps one alert per series and updates values and annotations of existing ones', async () => {
    const ds = new ScriptedDatasource();
    const r = new AlertingRule(rule());
    ds.samples = [breach('a', 11), breach('b', 12)];
    await r.eval(0, ds);
    ds.samples = [breach('a', 20), breach('b', 12)];
    await r.eval(MIN, ds);
    const a = r.alerts().find((x) => x.labels.pool === 'a')!;
    expect(a).toMatchObject({ value: 20, activeAt: 0, annotations: { summary: 'a queue at 20' } });
    expect(r.alerts()).toHaveLength(2);
  });

  it('fails the evaluation when rule labels make two series identical, and when over the limit', async () => {
    const ds = new ScriptedDatasource();
    ds.samples = [breach('a'), breach('b')];
    const same = new AlertingRule(rule({ labels: { pool: 'x' } }));
    await expect(same.eval(0, ds)).rejects.toThrow(/same labelset/);
    const limited = new AlertingRule(rule());
    await expect(limited.eval(0, ds, 1)).rejects.toThrow('exceeded limit of 1 with 2 alerts');
    expect(limited.alerts()).toEqual([]);
  });

  it('renders a template error into the annotation instead of failing', async () => {
    const ds = new ScriptedDatasource();
    ds.samples = [breach('a')];
    const r = new AlertingRule(rule({ annotations: { summary: '{{ humanize "x" }}' } }));
    await r.eval(0, ds);
    expect(r.alerts()[0]!.annotations.summary).toMatch(
      /^<error expanding template: .*error calling humanize/,
    );
  });

  it('writes no ALERTS samples until its for state is restored', async () => {
    const ds = new ScriptedDatasource();
    ds.samples = [breach('a')];
    const r = new AlertingRule(rule(), { restored: false });
    expect(await r.eval(0, ds)).toEqual([]);
    r.setRestored(true);
    expect(await r.eval(MIN, ds)).toHaveLength(2);
  });
});

/** A Queryable holding ALERTS_FOR_STATE samples, for restore tests. */
function forStateStore(labels: Labels, points: [number, number][]): Queryable {
  return {
    *select(matchers: readonly LabelMatcher[], minT: number, maxT: number): Iterable<SeriesSamples> {
      if (!matchers.every((m) => labels[m.name] === m.value)) return;
      const inWindow = points.filter(([t]) => t >= minT && t <= maxT);
      yield {
        labels,
        timestamps: Float64Array.from(inWindow.map(([t]) => t)),
        values: Float64Array.from(inWindow.map(([, v]) => v)),
      };
    },
  };
}

describe('AlertingRule for-state restore', () => {
  const alertLabels = { alertname: 'QueueHigh', pool: 'a', region: 'eu', severity: 'critical' };
  const stored = (activeAtSec: number, downAtMs: number) =>
    forStateStore({ __name__: 'ALERTS_FOR_STATE', ...alertLabels }, [[downAtMs, activeAtSec]]);
  const H = 60 * MIN;

  async function restoredAfter(forMs: number, activeAtSec: number, downAtMs: number, nowMs: number) {
    const ds = new ScriptedDatasource();
    ds.samples = [breach('a')];
    const r = new AlertingRule(rule({ forMs }), { restored: false });
    await r.eval(nowMs, ds);
    r.restoreForState(stored(activeAtSec, downAtMs), nowMs);
    return r;
  }

  it('adds the downtime to the pending time when plenty of `for` was left', async () => {
    // for 1h; pending since 0, down at 10m, back at 30m: 50m left, so activeAt moves 20m later.
    const r = await restoredAfter(H, 0, 10 * MIN, 30 * MIN);
    expect(r.alerts()[0]!.activeAt).toBe(20 * MIN);
    expect(r.isRestored).toBe(true);
  });

  it('gives the grace period when less than it was left', async () => {
    // for 1h; pending since 0, down at 55m (5m left < 10m grace), back at 60m.
    const r = await restoredAfter(H, 0, 55 * MIN, 60 * MIN);
    expect(r.alerts()[0]!.activeAt).toBe(60 * MIN + 10 * MIN - H);
  });

  it('keeps the original activeAt of an alert that was already firing', async () => {
    const r = await restoredAfter(H, 0, 70 * MIN, 80 * MIN);
    expect(r.alerts()[0]!.activeAt).toBe(0);
  });

  it('does not restore an alert whose last ALERTS_FOR_STATE sample is a staleness marker', async () => {
    // Pending from 0 to 20m, then resolved (stale marker at 20m); back at 30m with the condition true again:
    // the alert starts afresh, as in Prometheus, instead of resuming the old pending time.
    const ds = new ScriptedDatasource();
    ds.samples = [breach('a')];
    const r = new AlertingRule(rule({ forMs: H }), { restored: false });
    await r.eval(30 * MIN, ds);
    const store = new SampleStore();
    const series = { __name__: 'ALERTS_FOR_STATE', ...alertLabels };
    store.append(series, 19 * MIN, 0);
    store.append(series, 20 * MIN, STALE_NAN);
    r.restoreForState(store, 30 * MIN);
    expect(r.alerts()[0]!.activeAt).toBe(30 * MIN);
  });

  it('skips restoring rules whose `for` is shorter than the grace period', async () => {
    const r = await restoredAfter(5 * MIN, 0, 2 * MIN, 3 * MIN);
    expect(r.alerts()[0]!.activeAt).toBe(3 * MIN);
    expect(r.isRestored).toBe(true);
  });
});
