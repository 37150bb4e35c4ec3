import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { isStaleNaN, SampleStore } from '@yardstick/promql';
import { afterAll, describe, expect, it } from 'vitest';
import type { Datasource, QueryValue } from '../datasources/datasource.ts';
import type { Notifier } from '../notifiers/notifier.ts';
import type { AlertSnapshot } from '../state/alert.ts';
import { ManualClock } from '../state/clock.ts';
import { groupEvaluationOffsetMs } from '../state/evaluation-offset.ts';
import type { Logger } from '../state/sample-sink.ts';
import { AlertEvaluator } from './alert-evaluator.ts';

const MIN = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'ae-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const datasource: Datasource = {
  async query(expr: string): Promise<QueryValue> {
    if (expr.includes('broken')) throw new Error('upstream down');
    return { type: 'vector', samples: [{ labels: { pool: 'gpu-a', region: 'eu' }, value: 150 }] };
  },
};

function rules(forDuration: string, extra = ''): string {
  return `groups:
  - name: g
    interval: 1m
    rules:
      - alert: QueueHigh
        expr: queue_depth > 100
        for: ${forDuration}
        labels: { severity: critical }
${extra}`;
}

function capture() {
  const sent: { channel: string; alerts: readonly AlertSnapshot[] }[] = [];
  const notifier = (name: string): Notifier => ({
    name,
    async notify(alerts) {
      sent.push({ channel: name, alerts });
      return { ok: true, accepted: alerts.length };
    },
  });
  return {
    sent,
    notifiers: new Map([
      ['pager', notifier('pager')],
      ['chat', notifier('chat')],
    ]),
  };
}

const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** The first evaluation slot of group `g` of `file` at or after 0 (Prometheus's per-group offset). */
const slot = (file: string, group = 'g') => groupEvaluationOffsetMs(group, file, MIN);

const forOf = (ev: AlertEvaluator) => (ev.groups()[0]!.definition.rules[0] as { forMs: number }).forMs;

describe('AlertEvaluator', () => {
  it('evaluates on the clock, pages within for + one interval, and routes to every default channel', async () => {
    const file = join(dir, 'a.yml');
    writeFileSync(file, rules('1m'));
    const clock = new ManualClock(slot(file));
    const { sent, notifiers } = capture();
    const ev = await AlertEvaluator.create({ ruleFiles: [file], datasource, clock, notifiers, logger });
    ev.start();
    await clock.advance(0);
    expect(ev.alerts()).toMatchObject([{ state: 'pending' }]);
    await clock.advance(MIN);
    expect(sent.map((s) => s.channel).sort()).toEqual(['chat', 'pager']);
    expect(sent[0]!.alerts[0]!.labels).toMatchObject({ pool: 'gpu-a', region: 'eu', severity: 'critical' });
    await ev.stop();
  });

  it('still delivers to the other channels when one notifier throws synchronously', async () => {
    const file = join(dir, 'a2.yml');
    writeFileSync(file, rules('0s'));
    const clock = new ManualClock(slot(file));
    const { sent, notifiers } = capture();
    const errors: object[] = [];
    const broken: Notifier = {
      name: 'broken',
      notify() {
        throw new Error('not async');
      },
    };
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      notifiers: new Map([['broken', broken], ...notifiers]),
      logger: { ...logger, error: (obj) => errors.push(obj) },
    });
    ev.start();
    await clock.advance(0);
    await until(() => errors.length > 0);
    expect(sent.map((s) => s.channel).sort()).toEqual(['chat', 'pager']);
    expect(errors).toMatchObject([{ channel: 'broken', err: 'Error: not async' }]);
    await ev.stop();
  });

  it('adds the external labels an alert lacks before any channel sees it, as Prometheus sends alerts', async () => {
    const file = join(dir, 'a3.yml');
    writeFileSync(file, rules('0s'));
    const clock = new ManualClock(slot(file));
    const { sent, notifiers } = capture();
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      notifiers,
      externalLabels: { cluster: 'prod-eu', region: 'ignored' },
    });
    ev.start();
    await clock.advance(0);
    expect(sent.map((s) => s.alerts[0]!.labels)).toEqual([
      { alertname: 'QueueHigh', pool: 'gpu-a', region: 'eu', severity: 'critical', cluster: 'prod-eu' },
      { alertname: 'QueueHigh', pool: 'gpu-a', region: 'eu', severity: 'critical', cluster: 'prod-eu' },
    ]);
    // Not part of the alert itself (nor of ALERTS), as in Prometheus.
    expect(ev.alerts()[0]!.labels).not.toHaveProperty('cluster');
    await ev.stop();
  });

  it('keeps the old rules on an invalid reload, and the state of unchanged rules on a valid one', async () => {
    const file = join(dir, 'b.yml');
    writeFileSync(file, rules('1m'));
    const clock = new ManualClock(slot(file));
    const { notifiers } = capture();
    const ev = await AlertEvaluator.create({ ruleFiles: [file], datasource, clock, notifiers, logger });
    ev.start();
    await clock.advance(MIN);
    expect(ev.alerts()).toMatchObject([{ state: 'firing', activeAt: slot(file) }]);
    writeFileSync(file, 'groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: sum(\n');
    const bad = await ev.reload();
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]).toMatchObject({ file, line: 5 });
    expect(ev.groups()[0]!.rules[0]!.name).toBe('QueueHigh');
    writeFileSync(file, rules('1m', '      - alert: Broken\n        expr: broken_metric > 1\n'));
    const good = await ev.reload();
    expect(good).toEqual({ ok: true, problems: [] });
    expect(ev.groups()[0]!.rules.map((r) => r.name)).toEqual(['QueueHigh', 'Broken']);
    expect(ev.alerts()).toMatchObject([{ rule: 'QueueHigh', state: 'firing', activeAt: slot(file) }]);
    await clock.advance(MIN);
    expect(ev.groups()[0]!.ruleHealth(1)).toMatchObject({ health: 'err', lastError: 'upstream down' });
    expect(ev.groups()[0]!.ruleHealth(0).health).toBe('ok');
    await ev.stop();
  });

  it('ends the ALERTS series of a group removed by a reload with staleness markers', async () => {
    const file = join(dir, 'b2.yml');
    writeFileSync(file, rules('0s'));
    const clock = new ManualClock(slot(file));
    const written: { labels: Record<string, string>; t: number; v: number }[] = [];
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      sink: { append: (labels, t, v) => written.push({ labels, t, v }) },
    });
    ev.start();
    await clock.advance(0);
    expect(written.map((w) => w.labels.__name__).sort()).toEqual(['ALERTS', 'ALERTS_FOR_STATE']);
    writeFileSync(file, rules('0s').replace('name: g', 'name: renamed'));
    await clock.advance(1_000);
    expect((await ev.reload()).ok).toBe(true);
    const stale = written.filter((w) => isStaleNaN(w.v));
    expect(stale.map((w) => [w.labels.__name__, w.t]).sort()).toEqual([
      ['ALERTS', slot(file) + 1_000],
      ['ALERTS_FOR_STATE', slot(file) + 1_000],
    ]);
    await ev.stop();
  });

  it('takes over the state a group reaches in an evaluation still running when the reload starts', async () => {
    const file = join(dir, 'b3.yml');
    writeFileSync(
      file,
      'groups:\n  - name: g\n    interval: 1m\n    rules:\n      - record: r\n        expr: q\n',
    );
    const clock = new ManualClock(slot(file));
    let calls = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: Datasource = {
      async query(): Promise<QueryValue> {
        calls++;
        if (calls === 2) await gate;
        const samples = calls <= 2 ? [{ labels: { s: String(calls) }, value: 1 }] : [];
        return { type: 'vector', samples };
      },
    };
    const written: { labels: Record<string, string>; v: number }[] = [];
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource: slow,
      clock,
      sink: { append: (labels, _t, v) => written.push({ labels, v }) },
    });
    ev.start();
    await clock.advance(0);
    await clock.advance(MIN); // the second evaluation waits on the gate
    const reloading = ev.reload();
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect((await reloading).ok).toBe(true);
    await clock.advance(MIN); // the new group's evaluation: the series of the second one vanished
    const stale = written.filter((w) => isStaleNaN(w.v)).map((w) => w.labels.s);
    expect(stale).toEqual(['1', '2']);
    await ev.stop();
  });

  it('writes ALERTS after a reload that comes before the for state was restored', async () => {
    const file = join(dir, 'b4.yml');
    writeFileSync(file, rules('0s'));
    const clock = new ManualClock(slot(file));
    const store = new SampleStore();
    const written: string[] = [];
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      sink: { append: (labels) => written.push(labels.__name__!) },
      restoreFrom: store,
    });
    ev.start();
    await clock.advance(0); // first evaluation: nothing written until the restore after the second
    expect(written).toEqual([]);
    expect((await ev.reload()).ok).toBe(true);
    await clock.advance(MIN);
    expect(written).toEqual(['ALERTS', 'ALERTS_FOR_STATE']);
    await ev.stop();
  });

  it('rejects invalid files at creation with every problem located', async () => {
    const file = join(dir, 'c.yml');
    writeFileSync(file, rules('soon'));
    await expect(AlertEvaluator.create({ ruleFiles: [file], datasource })).rejects.toMatchObject({
      code: 'RULE_FILE_INVALID',
      problems: [{ file, line: 7, message: 'not a valid duration string: "soon"' }],
    });
  });

  it('reloads when the file changes on disk', async () => {
    const file = join(dir, 'd.yml');
    writeFileSync(file, rules('1m'));
    const ev = await AlertEvaluator.create({ ruleFiles: [file], datasource });
    const unwatch = ev.watch(20);
    writeFileSync(file, rules('5m'));
    await until(() => forOf(ev) === 5 * MIN);
    expect(forOf(ev)).toBe(5 * MIN);
    // Replaced by rename, as editors and config managers do.
    writeFileSync(`${file}.tmp`, rules('7m'));
    renameSync(`${file}.tmp`, file);
    await until(() => forOf(ev) === 7 * MIN);
    expect(forOf(ev)).toBe(7 * MIN);
    unwatch();
    await ev.stop();
  });

  it('reloads on SIGHUP', async () => {
    const file = join(dir, 'e.yml');
    writeFileSync(file, rules('1m'));
    const ev = await AlertEvaluator.create({ ruleFiles: [file], datasource });
    const off = ev.reloadOnSighup();
    writeFileSync(file, rules('3m'));
    process.emit('SIGHUP', 'SIGHUP');
    await until(() => forOf(ev) === 3 * MIN);
    expect(forOf(ev)).toBe(3 * MIN);
    off();
    await ev.stop();
  });

  it('reports self-metrics on the given meter', async () => {
    const file = join(dir, 'f.yml');
    writeFileSync(file, rules('0s', '      - alert: Broken\n        expr: broken_metric > 1\n'));
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const clock = new ManualClock(slot(file));
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      meter: provider.getMeter('test'),
      notifiers: capture().notifiers,
    });
    ev.start();
    await clock.advance(0);
    writeFileSync(file, 'not: [valid');
    await ev.reload();
    const { resourceMetrics } = await reader.collect();
    const metrics = new Map(
      resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]),
    );
    expect(metrics.get('yardstick_alerts_active')!.dataPoints).toMatchObject([
      { value: 1, attributes: { alertstate: 'firing', severity: 'critical' } },
    ]);
    expect(metrics.get('yardstick_rule_evaluation_duration')!.descriptor.unit).toBe('s');
    expect(metrics.get('yardstick_rule_evaluation_failures')!.dataPoints).toMatchObject([
      { value: 1, attributes: { rule_group: 'g', rule: 'Broken' } },
    ]);
    expect(metrics.get('yardstick_rule_reloads')!.dataPoints).toMatchObject([
      { value: 1, attributes: { result: 'failure' } },
    ]);
    expect(metrics.get('yardstick_rule_last_reload_success')!.dataPoints).toMatchObject([{ value: 0 }]);
    await ev.stop();
    await provider.shutdown();
  });

  it('restores the for state from ALERTS_FOR_STATE in the store after a restart', async () => {
    const file = join(dir, 'g.yml');
    writeFileSync(file, rules('1h'));
    const store = new SampleStore();
    const sink = { append: (l: Record<string, string>, t: number, v: number) => store.append(l, t, v) };
    const t0 = slot(file);
    const clock1 = new ManualClock(t0);
    const first = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock: clock1,
      sink,
      restoreFrom: store,
    });
    first.start();
    await clock1.advance(20 * MIN);
    expect(first.alerts()).toMatchObject([{ state: 'pending', activeAt: t0 }]);
    await first.stop();
    // Times from the group's first slot t0. Down from 20m; back at 50m, restored at the second evaluation
    // (51m): 40m of the hour were left, so
    // activeAt moves by the 31m between the last ALERTS_FOR_STATE sample and the restore.
    const clock2 = new ManualClock(t0 + 50 * MIN);
    const second = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock: clock2,
      sink,
      restoreFrom: store,
    });
    second.start();
    await clock2.advance(MIN);
    expect(second.alerts()).toMatchObject([{ state: 'pending', activeAt: t0 + 31 * MIN }]);
    await clock2.advance(39 * MIN);
    expect(second.alerts()[0]!.state).toBe('pending');
    await clock2.advance(MIN);
    expect(second.alerts()).toMatchObject([{ state: 'firing', firedAt: t0 + 91 * MIN }]);
    await second.stop();
  });

  it('restores the for state after a process restart from its state file when the store is new', async () => {
    const file = join(dir, 'g2.yml');
    const stateFile = join(dir, 'g2.state.json');
    writeFileSync(file, rules('1h'));
    const t0 = slot(file);
    // Each run has its own in-memory store, as after a real restart.
    const run = async (startMs: number) => {
      const store = new SampleStore();
      const clock = new ManualClock(startMs);
      const ev = await AlertEvaluator.create({
        ruleFiles: [file],
        datasource,
        clock,
        sink: { append: (l, t, v) => store.append(l, t, v) },
        restoreFrom: store,
        stateFile,
      });
      ev.start();
      return { ev, clock };
    };
    const first = await run(t0);
    await first.clock.advance(20 * MIN);
    await first.ev.stop();
    const second = await run(t0 + 50 * MIN);
    await second.clock.advance(MIN);
    // As with a persistent store: 40m of the hour were left, so activeAt moves by the 31m of downtime.
    expect(second.ev.alerts()).toMatchObject([{ state: 'pending', activeAt: t0 + 31 * MIN }]);
    await second.clock.advance(40 * MIN);
    expect(second.ev.alerts()).toMatchObject([{ state: 'firing', firedAt: t0 + 91 * MIN }]);
    await second.ev.stop();
  });

  it('routes threshold rules to their configured channels only', async () => {
    const received: {
      path: string | undefined;
      body: { receiver: string; alerts: { labels: Record<string, string> }[] };
    }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const file = join(dir, 'h.yml');
    writeFileSync(
      file,
      `alerts:
  - name: GpuQueueBacklog
    query: queue_depth
    threshold: 100
    comparison: greater_than
    severity: critical
    summary: Backlog on {{ $labels.pool }}
    description: Queue depth {{ $value }} in {{ $labels.region }}
    notification_channels: [ops]
`,
    );
    const clock = new ManualClock(slot(file, 'threshold-alerts'));
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      channels: [
        { name: 'ops', type: 'webhook', url: `${base}/ops` },
        { name: 'other', type: 'webhook', url: `${base}/other` },
      ],
    });
    ev.start();
    await clock.advance(0);
    await until(() => received.length > 0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      path: '/ops',
      body: {
        receiver: 'ops',
        alerts: [{ labels: { alertname: 'GpuQueueBacklog', pool: 'gpu-a', severity: 'critical' } }],
      },
    });
    await ev.stop();
    await new Promise((r) => server.close(r));
  });

  it('suppresses a threshold rule inside its maintenance window on the clock, logging both transitions', async () => {
    const file = join(dir, 'j.yml');
    writeFileSync(
      file,
      `alerts:
  - name: GpuQueueBacklog
    query: queue_depth
    threshold: 100
    comparison: greater_than
    severity: critical
    summary: Backlog on {{ $labels.pool }}
    description: Queue depth {{ $value }} in {{ $labels.region }}
    notification_channels: [pager]
    suppression_enabled: true
    suppression_schedule: "* 2 * * *"
`,
    );
    // 01:58 UTC on some day, at this group's slot: the window covers 02:00-02:59.
    const DAY = Date.UTC(2026, 0, 5);
    const start = DAY + 118 * MIN + slot(file, 'threshold-alerts');
    const clock = new ManualClock(start);
    const { sent, notifiers } = capture();
    const lines: { msg: string | undefined; obj: object }[] = [];
    const ev = await AlertEvaluator.create({
      ruleFiles: [file],
      datasource,
      clock,
      notifiers: new Map([['pager', notifiers.get('pager')!]]),
      logger: { ...logger, info: (obj, msg) => lines.push({ obj, msg }) },
    });
    ev.start();
    await clock.advance(0); // 01:58 firing and sent
    expect(sent).toHaveLength(1);
    await clock.advance(2 * MIN); // 02:00 suppressed
    expect(ev.alerts()[0]!.state).toBe('suppressed');
    await clock.advance(58 * MIN); // through 02:58: nothing sent, even after the 1m resend delay
    expect(sent).toHaveLength(1);
    await clock.advance(2 * MIN); // 03:00 firing again and sent
    expect(ev.alerts()[0]!.state).toBe('firing');
    expect(sent).toHaveLength(2);
    const transitions = lines.filter((l) => l.msg?.includes('uppress'));
    expect(transitions.map((l) => l.msg)).toEqual([
      'Alert suppressed by maintenance window',
      'Alert unsuppressed',
    ]);
    expect(transitions[0]!.obj).toMatchObject({
      rule: 'GpuQueueBacklog',
      labels: { pool: 'gpu-a', region: 'eu' },
    });
    await ev.stop();
  });

  it('refuses threshold rules naming a channel that is not configured', async () => {
    const file = join(dir, 'i.yml');
    writeFileSync(
      file,
      'alerts:\n  - name: X\n    query: up\n    threshold: 1\n    comparison: less_than\n    severity: info\n' +
        '    summary: Target is down now\n    description: The target has been down for a while\n' +
        '    notification_channels: [pager]\n',
    );
    await expect(
      AlertEvaluator.create({
        ruleFiles: [file],
        datasource,
        channels: [{ name: 'ops', type: 'slack', url: 'http://127.0.0.1:1/' }],
      }),
    ).rejects.toMatchObject({
      problems: [{ line: 9, message: 'notification channel "pager" is not configured' }],
    });
  });
});
