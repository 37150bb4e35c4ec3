/**
 * A rule group: its rules evaluated in order on the group's interval (`rules/group.go`). Recording
 * results and `ALERTS` series go to the sink (with staleness markers for series that disappear), alerts
 * due for sending go to the notify hook, and a failing rule only marks its own health.
 */
import { type Labels, type Queryable, STALE_NAN } from '@yardstick/promql';
import type { Datasource } from '../datasources/datasource.ts';
import type { RuleGroupDefinition } from '../rules/rule-model.ts';
import type { AlertSnapshot } from './alert.ts';
import { AlertingRule, type RestoreOptions, type RuleSample } from './alerting-rule.ts';
import { type Clock, systemClock } from './clock.ts';
import { groupEvaluationOffsetMs } from './evaluation-offset.ts';
import { labelKey } from './label-key.ts';
import { RecordingRule } from './recording-rule.ts';
import { type Logger, type SampleSink, silentLogger } from './sample-sink.ts';
import { SuppressionWindow } from './suppression-window.ts';

/** Health of a rule after its last evaluation. */
export interface RuleHealth {
  readonly health: 'unknown' | 'ok' | 'err';
  readonly lastError: string | undefined;
  readonly lastEvaluation: number | undefined;
  readonly evaluationDurationMs: number;
}

/** Hooks the evaluator reports through (self-metrics). */
export interface RuleGroupObserver {
  ruleEvaluated?(group: string, rule: string, durationMs: number, ok: boolean): void;
  groupMissedIterations?(group: string, missed: number): void;
}

/** Options of a {@link RuleGroup}. */
export interface RuleGroupOptions {
  readonly datasource: Datasource;
  readonly sink?: SampleSink;
  readonly clock?: Clock;
  /** Interval of groups that set none (Prometheus's `evaluation_interval`, default 1m). */
  readonly defaultIntervalMs?: number;
  /** Minimum time between re-sends of a firing alert (Prometheus `--rules.alert.resend-delay`, 1m). */
  readonly resendDelayMs?: number;
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  readonly logger?: Logger;
  /** Receives alerts due for sending after each alerting rule's evaluation. Must not throw. */
  readonly notify?: (rule: AlertingRule, alerts: readonly AlertSnapshot[]) => void;
  /** Where `ALERTS_FOR_STATE` can be read back after a restart; enables `for` state restoration. */
  readonly restoreFrom?: Queryable;
  readonly restoreOptions?: RestoreOptions;
  readonly observer?: RuleGroupObserver;
}

type Rule = AlertingRule | RecordingRule;

/** The longest delay a Node timer keeps (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A group of rules and its evaluation loop. */
export class RuleGroup {
  readonly name: string;
  readonly file: string;
  readonly intervalMs: number;
  /** Where in each interval this group is evaluated, as Prometheus places it (from its name and file). */
  readonly evaluationOffsetMs: number;
  readonly rules: readonly Rule[];
  readonly definition: RuleGroupDefinition;
  private readonly options: RuleGroupOptions;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly health: RuleHealth[];
  private readonly previousSeries: Map<string, Labels>[];
  /** Series of rules dropped by a reload, marked stale at the next evaluation. */
  private staleSeries: Labels[] = [];
  private readonly windows: (SuppressionWindow | undefined)[];
  private timer: unknown;
  private running = false;
  private evaluations = 0;
  /** Time of the last evaluation, of this group or of the one it replaced in a reload. */
  private lastEvaluatedAt: number | undefined;
  private shouldRestore: boolean;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(definition: RuleGroupDefinition, options: RuleGroupOptions) {
    this.definition = definition;
    this.name = definition.name;
    this.file = definition.file;
    // An interval of 0 means "not set" in Prometheus: the global evaluation interval applies.
    const own = definition.intervalMs ?? 0;
    this.intervalMs = own > 0 ? own : options.defaultIntervalMs || 60_000;
    this.evaluationOffsetMs = groupEvaluationOffsetMs(definition.name, definition.file, this.intervalMs);
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.shouldRestore = options.restoreFrom !== undefined;
    const ruleOptions = {
      externalLabels: options.externalLabels ?? {},
      externalURL: options.externalURL ?? '',
      logger: this.logger,
      restored: !this.shouldRestore,
    };
    this.rules = definition.rules.map((r) =>
      r.kind === 'alerting' ? new AlertingRule(r, ruleOptions) : new RecordingRule(r),
    );
    this.health = this.rules.map(() => ({
      health: 'unknown',
      lastError: undefined,
      lastEvaluation: undefined,
      evaluationDurationMs: 0,
    }));
    this.previousSeries = this.rules.map(() => new Map());
    this.windows = definition.rules.map((r) =>
      r.kind === 'alerting' && r.suppressionSchedule !== undefined
        ? new SuppressionWindow(r.suppressionSchedule)
        : undefined,
    );
  }

  /** Health of rule `index` after its last evaluation. */
  ruleHealth(index: number): RuleHealth {
    return this.health[index]!;
  }

  /** Current alerts of every alerting rule. */
  alerts(): AlertSnapshot[] {
    return this.rules.flatMap((r) => (r instanceof AlertingRule ? r.alerts() : []));
  }

  /**
   * Evaluates every rule once at `timeMs`, in order. Never rejects: a failing rule gets health `err`
   * and its `lastError`, and the next rule runs.
   */
  async evaluate(timeMs: number): Promise<void> {
    const sink = this.options.sink;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const started = performance.now();
      let samples: RuleSample[] | undefined;
      let error: string | undefined;
      try {
        samples = await rule.eval(timeMs, this.options.datasource, this.definition.limit);
      } catch (err) {
        error = errorMessage(err);
        this.logger.warn({ group: this.name, rule: rule.name, err: error }, 'Evaluating rule failed');
      }
      const durationMs = performance.now() - started;
      this.health[i] = {
        health: error === undefined ? 'ok' : 'err',
        lastError: error,
        lastEvaluation: timeMs,
        evaluationDurationMs: durationMs,
      };
      this.options.observer?.ruleEvaluated?.(this.name, rule.name, durationMs, error === undefined);
      if (samples !== undefined && sink !== undefined) this.write(sink, i, samples, timeMs);
      // As in Prometheus, a failed evaluation sends nothing; the alerts' validity (endsAt) covers the gap.
      if (rule instanceof AlertingRule && error === undefined) {
        this.applySuppression(rule, this.windows[i], timeMs);
        const due = rule.alertsToSend(timeMs, this.options.resendDelayMs ?? 60_000, this.intervalMs);
        if (due.length > 0) this.notify(rule, due);
      }
    }
    if (this.staleSeries.length > 0 && sink !== undefined) {
      this.appendStale(sink, this.staleSeries, timeMs);
    }
    this.staleSeries = [];
    this.evaluations++;
    this.lastEvaluatedAt = timeMs;
    // Prometheus restores after the second evaluation, so recording rules feeding alerts have run.
    if (this.shouldRestore && this.evaluations >= 2) {
      this.restore(timeMs);
    }
  }

  /**
   * Writes a rule's samples, and staleness markers for its series that disappeared. The sink must not
   * throw; if it does anyway, the failure is logged and the loop goes on (the rule's state is unaffected).
   */
  private write(sink: SampleSink, index: number, samples: readonly RuleSample[], timeMs: number): void {
    const current = new Map<string, Labels>();
    try {
      for (const s of samples) {
        sink.append(s.labels, timeMs, s.value);
        current.set(labelKey(s.labels), s.labels);
      }
      // Series written last time but not now get a staleness marker, as Prometheus writes.
      for (const [key, labels] of this.previousSeries[index]!) {
        if (!current.has(key)) sink.append(labels, timeMs, STALE_NAN);
      }
    } catch (err) {
      this.logger.error(
        { group: this.name, rule: this.rules[index]!.name, err: errorMessage(err) },
        'Writing rule results failed',
      );
    }
    this.previousSeries[index] = current;
  }

  /** Hands alerts to the notify hook, which must not throw; a throw is logged, never ends the loop. */
  private notify(rule: AlertingRule, alerts: readonly AlertSnapshot[]): void {
    try {
      this.options.notify?.(rule, alerts);
    } catch (err) {
      this.logger.error(
        { group: this.name, rule: rule.name, err: errorMessage(err) },
        'Sending alerts failed',
      );
    }
  }

  private applySuppression(rule: AlertingRule, window: SuppressionWindow | undefined, timeMs: number): void {
    if (window === undefined) return;
    const open = window.isOpen(timeMs);
    for (const a of rule.setSuppressed(open)) {
      const msg =
        a.state === 'suppressed'
          ? 'Alert suppressed by maintenance window'
          : a.state === 'inactive'
            ? 'Suppressed alert resolved'
            : 'Alert unsuppressed';
      this.logger.info(
        { group: this.name, rule: rule.name, labels: a.labels, schedule: window.pattern },
        msg,
      );
    }
  }

  private restore(timeMs: number): void {
    this.shouldRestore = false;
    const source = this.options.restoreFrom!;
    for (const rule of this.rules) {
      if (!(rule instanceof AlertingRule)) continue;
      try {
        rule.restoreForState(source, timeMs, this.options.restoreOptions);
      } catch (err) {
        rule.setRestored(true);
        this.logger.error(
          { group: this.name, rule: rule.name, err: (err as Error).message },
          "Failed to restore 'for' state",
        );
      }
    }
  }

  /**
   * Takes over the state of a group replaced by a reload (Prometheus's `CopyState`): rules with the same
   * kind, name and labels, paired in order, keep their alerts (pending/firing state) and the series they
   * wrote last (so those still get staleness markers when they vanish); the series of previous rules
   * without a successor are marked stale at this group's next evaluation.
   */
  copyStateFrom(previous: RuleGroup): void {
    const key = (r: Rule) =>
      `${r instanceof AlertingRule ? 'alert' : 'record'}\u0000${r.name}\u0000${labelKey(r.definition.labels)}`;
    const byKey = new Map<string, number[]>();
    previous.rules.forEach((r, i) => {
      const list = byKey.get(key(r)) ?? [];
      list.push(i);
      byKey.set(key(r), list);
    });
    this.rules.forEach((r, i) => {
      const fi = byKey.get(key(r))?.shift();
      if (fi === undefined) return;
      this.previousSeries[i] = previous.previousSeries[fi]!;
      const old = previous.rules[fi]!;
      if (r instanceof AlertingRule && old instanceof AlertingRule) r.copyStateFrom(old);
    });
    for (const unmatched of byKey.values()) {
      for (const fi of unmatched) this.staleSeries.push(...previous.previousSeries[fi]!.values());
    }
    this.shouldRestore = false;
    this.lastEvaluatedAt = previous.lastEvaluatedAt;
  }

  /**
   * Writes staleness markers at `timeMs` for every series the group wrote at its last evaluation, as
   * Prometheus does for a group removed by a reload, so its `ALERTS` and recordings end at once.
   */
  markStale(timeMs: number): void {
    const sink = this.options.sink;
    if (sink === undefined) return;
    const series = this.previousSeries.flatMap((m) => [...m.values()]);
    this.previousSeries.forEach((_, i) => {
      this.previousSeries[i] = new Map();
    });
    this.appendStale(sink, series, timeMs);
  }

  private appendStale(sink: SampleSink, series: readonly Labels[], timeMs: number): void {
    try {
      for (const labels of series) sink.append(labels, timeMs, STALE_NAN);
    } catch (err) {
      this.logger.error({ group: this.name, err: errorMessage(err) }, 'Writing staleness markers failed');
    }
  }

  /**
   * Starts evaluating at the group's slots, `k × interval + evaluationOffsetMs` (first at the next one,
   * or now when now is a slot). An evaluation that overruns skips the slots it missed.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.now();
    const off = this.evaluationOffsetMs;
    let first = Math.ceil((now - off) / this.intervalMs) * this.intervalMs + off;
    // After a reload, a slot the replaced group already evaluated is not evaluated again.
    if (this.lastEvaluatedAt !== undefined && first <= this.lastEvaluatedAt) {
      first =
        Math.floor((this.lastEvaluatedAt - off) / this.intervalMs) * this.intervalMs + off + this.intervalMs;
    }
    this.schedule(first);
  }

  private schedule(at: number): void {
    const delay = at - this.clock.now();
    if (delay > MAX_TIMER_MS) {
      // Node runs longer timers after 1 ms; wait in steps instead (groups with intervals over 24.8 days).
      this.timer = this.clock.setTimeout(() => this.schedule(at), MAX_TIMER_MS);
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.inFlight = this.evaluate(at).then(() => {
        if (!this.running) return;
        let next = at + this.intervalMs;
        const now = this.clock.now();
        if (now >= next) {
          const missed = Math.floor((now - at) / this.intervalMs);
          this.options.observer?.groupMissedIterations?.(this.name, missed);
          next = at + (missed + 1) * this.intervalMs;
        }
        this.schedule(next);
      });
    }, delay);
  }

  /** Stops the loop and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimeout(this.timer);
    await this.inFlight;
  }
}
