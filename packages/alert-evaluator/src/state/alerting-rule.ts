/**
 * An alerting rule with Prometheus's state machine, transition for transition (`rules/alerting.go`):
 * one alert per output series (series labels minus `__name__`, plus templated rule labels, plus
 * `alertname`); inactive → pending → firing once active for `for`; `keep_firing_for` holds a firing alert
 * after its series disappears; resolved alerts stay 15 minutes so Alertmanager hears the resolution;
 * pending alerts vanish when their series does. `ALERTS`/`ALERTS_FOR_STATE` samples are produced once the
 * rule's `for` state has been restored.
 */
import type { Labels, Queryable } from '@yardstick/promql';
import { asVector, type Datasource } from '../datasources/datasource.ts';
import type { AlertingRuleDefinition } from '../rules/rule-model.ts';
import { type AlertTemplate, compileAlertTemplate } from '../templates/alert-template.ts';
import type { Alert, AlertSnapshot } from './alert.ts';
import { labelKey } from './label-key.ts';
import { type Logger, silentLogger } from './sample-sink.ts';

/** How long a resolved alert is kept (and re-sent), as Prometheus's `resolvedRetention`. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** One output sample of a rule evaluation. */
export interface RuleSample {
  readonly labels: Labels;
  readonly value: number;
}

/** Options shared by the rules of an evaluator. */
export interface AlertingRuleOptions {
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  /** Whether `ALERTS` samples are written from the start (no `for` state to restore). Default true. */
  readonly restored?: boolean;
  readonly logger?: Logger;
}

/** Options of {@link AlertingRule.restoreForState}, named as in Prometheus. */
export interface RestoreOptions {
  /** How far back to look for `ALERTS_FOR_STATE` (Prometheus's `--rules.alert.for-outage-tolerance`, 1h). */
  readonly outageToleranceMs?: number;
  /** Minimum time left pending after a restore (`--rules.alert.for-grace-period`, 10m). */
  readonly forGracePeriodMs?: number;
}

function withoutName(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== '__name__') out[k] = v;
  return out;
}

/** An alerting rule and its active alerts. */
export class AlertingRule {
  readonly definition: AlertingRuleDefinition;
  readonly name: string;
  private readonly labelTemplates: readonly [string, AlertTemplate][];
  private readonly annotationTemplates: readonly [string, AlertTemplate][];
  private readonly externalLabels: Labels;
  private readonly externalURL: string;
  private readonly logger: Logger;
  private active = new Map<string, Alert>();
  private restored: boolean;

  constructor(definition: AlertingRuleDefinition, options: AlertingRuleOptions = {}) {
    this.definition = definition;
    this.name = definition.name;
    const tmplName = `__alert_${definition.name}`;
    this.labelTemplates = Object.entries(definition.labels).map(([k, v]) => [
      k,
      compileAlertTemplate(tmplName, v),
    ]);
    this.annotationTemplates = Object.entries(definition.annotations).map(([k, v]) => [
      k,
      compileAlertTemplate(tmplName, v),
    ]);
    this.externalLabels = options.externalLabels ?? {};
    this.externalURL = options.externalURL ?? '';
    this.logger = options.logger ?? silentLogger;
    this.restored = options.restored ?? true;
  }

  /** Whether `ALERTS` samples are being produced (false until `for` state is restored). */
  get isRestored(): boolean {
    return this.restored;
  }

  /** Marks the `for` state as restored (or not needed). */
  setRestored(restored: boolean): void {
    this.restored = restored;
  }

  private async expand(
    template: AlertTemplate,
    labels: Labels,
    value: number,
    ds: Datasource,
    timeMs: number,
  ): Promise<string> {
    try {
      return await template.expand({
        labels,
        value,
        externalLabels: this.externalLabels,
        externalURL: this.externalURL,
        query: async (expr) => asVector(await ds.query(expr, timeMs)),
      });
    } catch (err) {
      this.logger.warn(
        { rule: this.name, err: (err as Error).message, labels },
        'Expanding alert template failed',
      );
      return `<error expanding template: ${(err as Error).message}>`;
    }
  }

  /**
   * Evaluates the rule at `timeMs` and advances every alert's state. Returns the `ALERTS` and
   * `ALERTS_FOR_STATE` samples to write. Rejects when the query fails or `limit` (> 0) is exceeded;
   * exceeding the limit also drops every alert, as Prometheus does.
   */
  async eval(timeMs: number, ds: Datasource, limit = 0): Promise<RuleSample[]> {
    const res = asVector(await ds.query(this.definition.expr, timeMs));
    const resultKeys = new Set<string>();
    const fresh = new Map<string, Alert>();
    for (const smpl of res) {
      const seriesLabels = withoutName(smpl.labels);
      const labels: Record<string, string> = { ...seriesLabels };
      for (const [name, t] of this.labelTemplates) {
        const value = await this.expand(t, smpl.labels, smpl.value, ds, timeMs);
        // An empty label is a missing label: Prometheus's labels.Builder deletes it.
        if (value === '') delete labels[name];
        else labels[name] = value;
      }
      labels.alertname = this.name;
      const annotations: Record<string, string> = {};
      for (const [name, t] of this.annotationTemplates) {
        annotations[name] = await this.expand(t, smpl.labels, smpl.value, ds, timeMs);
      }
      const key = labelKey(labels);
      if (fresh.has(key)) {
        throw new Error('vector contains metrics with the same labelset after applying alert labels');
      }
      resultKeys.add(key);
      fresh.set(key, {
        state: 'pending',
        labels,
        annotations,
        value: smpl.value,
        activeAt: timeMs,
        firedAt: undefined,
        resolvedAt: undefined,
        lastSentAt: undefined,
        validUntil: undefined,
        keepFiringSince: undefined,
        suppressed: false,
      });
    }
    for (const [key, a] of fresh) {
      const existing = this.active.get(key);
      if (existing !== undefined && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }
    const out: RuleSample[] = [];
    let numActivePending = 0;
    const keepFiringFor = this.definition.keepFiringForMs;
    for (const [key, a] of this.active) {
      if (!resultKeys.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && keepFiringFor > 0) {
          if (a.keepFiringSince === undefined) a.keepFiringSince = timeMs;
          if (timeMs - a.keepFiringSince < keepFiringFor) keepFiring = true;
        }
        // A resolved alert is kept for resolvedRetention so Alertmanager is told it resolved.
        if (
          a.state === 'pending' ||
          (a.resolvedAt !== undefined && timeMs - a.resolvedAt > RESOLVED_RETENTION_MS)
        ) {
          this.active.delete(key);
        }
        if (a.state !== 'inactive' && !keepFiring) {
          if (a.state === 'firing') this.logger.info({ rule: this.name, labels: a.labels }, 'Alert resolved');
          a.state = 'inactive';
          a.resolvedAt = timeMs;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = undefined;
      }
      numActivePending++;
      if (a.state === 'pending' && timeMs - a.activeAt >= this.definition.forMs) {
        a.state = 'firing';
        a.firedAt = timeMs;
        this.logger.info({ rule: this.name, labels: a.labels, value: a.value }, 'Alert firing');
      }
      if (this.restored) {
        out.push({ labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state }, value: 1 });
        out.push({
          labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' },
          // Prometheus stores whole seconds: float64(ActiveAt.Unix()).
          value: Math.floor(a.activeAt / 1000),
        });
      }
    }
    if (limit > 0 && numActivePending > limit) {
      this.active = new Map();
      throw new Error(`exceeded limit of ${limit} with ${numActivePending} alerts`);
    }
    return out;
  }

  /**
   * Restores `activeAt` of pending/firing alerts from `ALERTS_FOR_STATE` samples in `source`, with
   * Prometheus's rules (`rules/group.go` RestoreForState): an alert that was firing stays firing; one
   * that had little time left gets the grace period; otherwise the downtime is added to its `for`.
   */
  restoreForState(source: Queryable, timeMs: number, options: RestoreOptions = {}): void {
    const tolerance = options.outageToleranceMs ?? 3_600_000;
    const grace = options.forGracePeriodMs ?? 600_000;
    const hold = this.definition.forMs;
    if (hold < grace) {
      this.restored = true;
      return;
    }
    for (const a of this.active.values()) {
      if (a.state === 'inactive') continue;
      const matchers = Object.entries(a.labels).map(([name, value]) => ({ type: '=' as const, name, value }));
      matchers.push({ type: '=', name: '__name__', value: 'ALERTS_FOR_STATE' });
      let t: number | undefined;
      let v = 0;
      for (const s of source.select(matchers, timeMs - tolerance, timeMs)) {
        // Exact label match only: select() also returns series with extra labels.
        if (Object.keys(s.labels).length !== matchers.length) continue;
        const last = s.timestamps.length - 1;
        if (last >= 0 && (t === undefined || s.timestamps[last]! > t)) {
          t = s.timestamps[last]!;
          v = s.values[last]!;
        }
      }
      // A staleness marker last means the alert had ended: nothing to restore, as in Prometheus. Any NaN
      // counts, since a store may not keep the marker's bit pattern and activeAt is never NaN otherwise.
      if (t === undefined || Number.isNaN(v)) continue;
      const downAt = Math.floor(t / 1000) * 1000;
      let restoredActiveAt = v * 1000;
      const remaining = hold - (downAt - restoredActiveAt);
      if (remaining <= 0) {
        // It was firing when we went down; the next evaluation keeps it firing if it still is.
      } else if (remaining < grace) {
        restoredActiveAt = timeMs + grace - hold;
      } else {
        restoredActiveAt += timeMs - downAt;
      }
      a.activeAt = restoredActiveAt;
      this.logger.debug(
        { rule: this.name, labels: a.labels, activeAt: restoredActiveAt },
        "'for' state restored",
      );
    }
    this.restored = true;
  }

  /**
   * Alerts due for (re)sending at `timeMs` (`needsSending` in Prometheus): never pending; resolved
   * since the last send; or not sent for `resendDelayMs`. Sets `lastSentAt` and
   * `validUntil = now + 4 × max(interval, resendDelay)`. Suppressed alerts are left out, and so are
   * resolutions of alerts that were never sent.
   */
  alertsToSend(timeMs: number, resendDelayMs: number, intervalMs: number): AlertSnapshot[] {
    const out: AlertSnapshot[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending' || a.suppressed) continue;
      const resolvedSinceSent =
        a.resolvedAt !== undefined && (a.lastSentAt === undefined || a.resolvedAt > a.lastSentAt);
      const due = resolvedSinceSent || a.lastSentAt === undefined || a.lastSentAt + resendDelayMs < timeMs;
      if (!due) continue;
      if (a.state === 'inactive' && a.lastSentAt === undefined) continue;
      a.lastSentAt = timeMs;
      a.validUntil = timeMs + 4 * Math.max(intervalMs, resendDelayMs);
      out.push(this.snapshot(a));
    }
    return out;
  }

  /** Flags firing alerts as suppressed (or not); returns the alerts whose flag changed. */
  setSuppressed(suppressed: boolean): AlertSnapshot[] {
    const changed: AlertSnapshot[] = [];
    for (const a of this.active.values()) {
      const want = suppressed && a.state === 'firing';
      if (a.suppressed !== want) {
        a.suppressed = want;
        changed.push(this.snapshot(a));
      }
    }
    return changed;
  }

  private snapshot(a: Alert): AlertSnapshot {
    return {
      rule: this.name,
      state: a.suppressed ? 'suppressed' : a.state,
      labels: a.labels,
      annotations: a.annotations,
      value: a.value,
      activeAt: a.activeAt,
      firedAt: a.firedAt,
      resolvedAt: a.resolvedAt,
      validUntil: a.validUntil,
    };
  }

  /** Current alerts (pending, firing, suppressed, and resolved ones still retained). */
  alerts(): AlertSnapshot[] {
    return [...this.active.values()].map((a) => this.snapshot(a));
  }

  /**
   * Takes over the alerts of the same rule from before a reload (Prometheus's `CopyState`). Whether
   * `ALERTS` is written stays this rule's own: a reload never restores, so a rule replaced before its
   * restore ran writes from now on, as in Prometheus.
   */
  copyStateFrom(previous: AlertingRule): void {
    this.active = previous.active;
  }
}
