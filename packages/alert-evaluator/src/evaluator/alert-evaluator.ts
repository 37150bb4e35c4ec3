/**
 * The evaluator: rule files loaded into groups, run on their intervals against a datasource, alerts
 * routed to notification channels, hot reload (explicit, on file change, on SIGHUP) that keeps the old
 * rules when the new files are invalid and keeps the state of unchanged rules, and self-metrics.
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Meter } from '@opentelemetry/api';
import type { Labels, Queryable } from '@yardstick/promql';
import type { Datasource } from '../datasources/datasource.ts';
import { AlertEvaluatorError, type RuleFileProblem } from '../errors.ts';
import { createNotificationChannels } from '../notifiers/notification-channels.ts';
import type { Notifier, NotifierObserver } from '../notifiers/notifier.ts';
import { loadRuleFiles, type RuleLoadOptions } from '../rules/load-rule-file.ts';
import type { RuleGroupDefinition } from '../rules/rule-model.ts';
import type { AlertSnapshot } from '../state/alert.ts';
import type { AlertingRule, RestoreOptions } from '../state/alerting-rule.ts';
import { type Clock, systemClock } from '../state/clock.ts';
import { ForStateFile } from '../state/for-state-file.ts';
import { RuleGroup, type RuleGroupObserver } from '../state/rule-group.ts';
import { type Logger, type SampleSink, silentLogger } from '../state/sample-sink.ts';
import { createEvaluatorMetrics, type EvaluatorMetrics } from './evaluator-metrics.ts';

/** Both stores' series; restore takes the newest sample among them. */
function bothStores(a: Queryable, b: Queryable): Queryable {
  return {
    *select(matchers, minT, maxT) {
      yield* a.select(matchers, minT, maxT);
      yield* b.select(matchers, minT, maxT);
    },
  };
}

/** Options of {@link AlertEvaluator.create}. */
export interface AlertEvaluatorOptions {
  readonly ruleFiles: readonly string[];
  readonly datasource: Datasource;
  /** Where recording results and `ALERTS` series go. */
  readonly sink?: SampleSink;
  /** Where `ALERTS_FOR_STATE` is read back after a restart (the same store as `sink`, typically). */
  readonly restoreFrom?: Queryable;
  readonly restoreOptions?: RestoreOptions;
  /**
   * A file keeping the latest `ALERTS_FOR_STATE` samples, so `for` state is restored after a process
   * restart even when `restoreFrom` does not survive one (the embedded in-memory store). Read at
   * `create`, written at most once a second while alerts change, and on `stop`.
   */
  readonly stateFile?: string;
  /** Channel configurations (validated with `notificationChannelSchema`). */
  readonly channels?: unknown;
  /** Notifiers built elsewhere, by channel name (added to those from `channels`). */
  readonly notifiers?: ReadonlyMap<string, Notifier>;
  /** Channels for rules that name none. Default: every channel. */
  readonly defaultChannels?: readonly string[];
  readonly defaultIntervalMs?: number;
  readonly resendDelayMs?: number;
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Meter for self-metrics. */
  readonly meter?: Meter;
  /** Extra validation (expression checker, known metrics). Channel names are filled in. */
  readonly ruleLoadOptions?: Omit<RuleLoadOptions, 'channels'>;
}

/** The outcome of a reload. */
export interface ReloadResult {
  readonly ok: boolean;
  /** Every problem of the rejected files (empty on success). */
  readonly problems: readonly RuleFileProblem[];
  readonly error?: string;
}

/** Runs rule groups and routes their alerts. */
export class AlertEvaluator {
  private readonly options: AlertEvaluatorOptions;
  private readonly logger: Logger;
  private readonly channels: Map<string, Notifier>;
  private readonly metrics: EvaluatorMetrics | undefined;
  private current: RuleGroup[] = [];
  private running = false;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadResult> | undefined;
  private readonly stateFile: ForStateFile | undefined;
  private readonly sink: SampleSink | undefined;
  private restoreFrom: Queryable | undefined;

  private constructor(options: AlertEvaluatorOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.metrics =
      options.meter === undefined ? undefined : createEvaluatorMetrics(options.meter, () => this.alerts());
    const observer: NotifierObserver | undefined = this.metrics?.notifiers;
    this.channels =
      options.channels === undefined
        ? new Map()
        : createNotificationChannels(options.channels, {
            externalLabels: options.externalLabels ?? {},
            externalURL: options.externalURL ?? '',
            logger: this.logger,
            ...(observer === undefined ? {} : { observer }),
          });
    for (const [name, n] of options.notifiers ?? []) this.channels.set(name, n);
    this.stateFile =
      options.stateFile === undefined
        ? undefined
        : new ForStateFile(options.stateFile, {
            logger: this.logger,
            retentionMs: options.restoreOptions?.outageToleranceMs ?? 3_600_000,
          });
    this.sink = this.stateFile === undefined ? options.sink : this.stateFile.wrap(options.sink);
    this.restoreFrom = options.restoreFrom;
  }

  /**
   * Loads and validates the rule files and builds the groups (not started). Throws
   * `RULE_FILE_INVALID`/`RULE_FILE_YAML` listing every problem when the files are invalid.
   */
  static async create(options: AlertEvaluatorOptions): Promise<AlertEvaluator> {
    const evaluator = new AlertEvaluator(options);
    const saved = await evaluator.stateFile?.load();
    if (saved !== undefined) {
      const store = evaluator.restoreFrom;
      evaluator.restoreFrom = store === undefined ? saved : bothStores(store, saved);
    }
    evaluator.current = evaluator.build(await evaluator.load(), true);
    return evaluator;
  }

  private async load(): Promise<RuleGroupDefinition[]> {
    return loadRuleFiles(this.options.ruleFiles, {
      ...this.options.ruleLoadOptions,
      channels: [...this.channels.keys()],
    });
  }

  private build(defs: readonly RuleGroupDefinition[], initial: boolean): RuleGroup[] {
    const observer: RuleGroupObserver | undefined = this.metrics?.groups;
    const o = this.options;
    return defs.map(
      (d) =>
        new RuleGroup(d, {
          datasource: o.datasource,
          logger: this.logger,
          notify: (rule, alerts) => this.route(rule, alerts),
          ...(this.sink === undefined ? {} : { sink: this.sink }),
          ...(initial && this.restoreFrom !== undefined ? { restoreFrom: this.restoreFrom } : {}),
          ...(o.restoreOptions === undefined ? {} : { restoreOptions: o.restoreOptions }),
          ...(o.clock === undefined ? {} : { clock: o.clock }),
          ...(o.defaultIntervalMs === undefined ? {} : { defaultIntervalMs: o.defaultIntervalMs }),
          ...(o.resendDelayMs === undefined ? {} : { resendDelayMs: o.resendDelayMs }),
          ...(o.externalLabels === undefined ? {} : { externalLabels: o.externalLabels }),
          ...(o.externalURL === undefined ? {} : { externalURL: o.externalURL }),
          ...(observer === undefined ? {} : { observer }),
        }),
    );
  }

  /** Sends alerts to the rule's channels (or the default ones); failures are logged, never thrown. */
  private route(rule: AlertingRule, snapshots: readonly AlertSnapshot[]): void {
    const alerts = this.withExternalLabels(snapshots);
    const names =
      rule.definition.channels.length > 0
        ? rule.definition.channels
        : (this.options.defaultChannels ?? [...this.channels.keys()]);
    for (const name of names) {
      const channel = this.channels.get(name);
      if (channel === undefined) {
        this.logger.error({ rule: rule.name, channel: name }, 'Notification channel not configured');
        continue;
      }
      // Called through a promise so a notifier that throws synchronously cannot stop the other channels.
      Promise.resolve()
        .then(() => channel.notify(alerts, { expr: rule.definition.expr }))
        .then((r) => {
          if (!r.ok)
            this.logger.warn({ rule: rule.name, channel: name, err: r.error }, 'Sending alerts failed');
        })
        .catch((err: unknown) => {
          this.logger.error({ rule: rule.name, channel: name, err: String(err) }, 'Notifier threw');
        });
    }
  }

  /**
   * Prometheus attaches the external labels an alert lacks when it sends the alert, not to the alert
   * itself; here every channel gets them (webhook and Slack receivers see what Alertmanager would).
   */
  private withExternalLabels(alerts: readonly AlertSnapshot[]): readonly AlertSnapshot[] {
    const ext = Object.entries(this.options.externalLabels ?? {});
    if (ext.length === 0) return alerts;
    return alerts.map((a) => {
      const labels: Record<string, string> = { ...a.labels };
      for (const [k, v] of ext) if (labels[k] === undefined || labels[k] === '') labels[k] = v;
      return { ...a, labels };
    });
  }

  /** The running groups. */
  groups(): readonly RuleGroup[] {
    return this.current;
  }

  /** Every current alert of every group. */
  alerts(): AlertSnapshot[] {
    return this.current.flatMap((g) => g.alerts());
  }

  /** Starts every group's evaluation loop. */
  start(): void {
    this.running = true;
    for (const g of this.current) g.start();
  }

  /**
   * Reloads the rule files. Invalid files leave the running rules untouched and are reported; valid
   * ones replace the groups, carrying over the alerts of unchanged rules.
   */
  async reload(): Promise<ReloadResult> {
    // Reloads are serialized: a second request waits for the first and then reloads again.
    const previous = this.reloading ?? Promise.resolve(undefined);
    const next = previous.then(() => this.reloadNow());
    this.reloading = next;
    return next;
  }

  private async reloadNow(): Promise<ReloadResult> {
    let defs: RuleGroupDefinition[];
    try {
      defs = await this.load();
    } catch (err) {
      const problems = err instanceof AlertEvaluatorError ? err.problems : [];
      this.metrics?.reloaded(false);
      this.logger.error(
        { err: (err as Error).message, files: this.options.ruleFiles },
        'Rule reload failed, keeping the previous rules',
      );
      return { ok: false, problems, error: (err as Error).message };
    }
    const next = this.build(defs, false);
    // Old groups stop first (waiting for an evaluation in progress), so the state taken over is final.
    await Promise.all(this.current.map((g) => g.stop()));
    const old = new Map(this.current.map((g) => [`${g.file}\u0000${g.name}`, g]));
    for (const g of next) {
      const key = `${g.file}\u0000${g.name}`;
      const prev = old.get(key);
      if (prev !== undefined) g.copyStateFrom(prev);
      old.delete(key);
    }
    // Groups that are gone end their series now, as Prometheus marks a removed group's series stale.
    const now = (this.options.clock ?? systemClock).now();
    for (const g of old.values()) g.markStale(now);
    this.current = next;
    if (this.running) for (const g of next) g.start();
    this.metrics?.reloaded(true);
    this.logger.info({ groups: next.length, files: this.options.ruleFiles }, 'Rules reloaded');
    return { ok: true, problems: [] };
  }

  /**
   * Reloads when a rule file changes (debounced by `debounceMs`, default 200 ms). Directories are
   * watched rather than files, so editors and config managers that replace a file by renaming still
   * trigger a reload. Returns a function that stops watching.
   */
  watch(debounceMs = 200): () => void {
    const byDir = new Map<string, Set<string>>();
    for (const file of this.options.ruleFiles) {
      const names = byDir.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byDir.set(dirname(file), names);
    }
    for (const [dir, names] of byDir) {
      const w = watch(dir, (_event, name) => {
        if (name !== null && !names.has(name)) return;
        if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => {
          this.reloadTimer = undefined;
          void this.reload();
        }, debounceMs);
      });
      w.on('error', (err) => this.logger.warn({ dir, err: err.message }, 'Watching rule files failed'));
      this.watchers.push(w);
    }
    return () => this.unwatch();
  }

  private unwatch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
  }

  /** Reloads on SIGHUP, like Prometheus. Returns a function that removes the handler. */
  reloadOnSighup(): () => void {
    const handler = (): void => {
      void this.reload();
    };
    process.on('SIGHUP', handler);
    return () => {
      process.off('SIGHUP', handler);
    };
  }

  /** Stops evaluation, watching and the notifiers' background delivery. */
  async stop(): Promise<void> {
    this.running = false;
    this.unwatch();
    await this.reloading;
    await Promise.all(this.current.map((g) => g.stop()));
    await this.stateFile?.flush();
    await Promise.all([...this.channels.values()].map((c) => c.close?.()));
  }
}
