/**
 * The spec's alert state machine (seed 003 "State Transitions"; seed 000 T052, T053, T054, T063, T072) on top
 * of `@yardstick/alert-evaluator`, which runs Prometheus's own (`for` duration, resolved retention, cron
 * maintenance windows). Its states map one to one onto the spec's:
 *
 * ```
 * [Inactive] --threshold exceeded--> [Pending] --duration met--> [Firing] --threshold no longer met--> [Resolved]
 * [Pending] --threshold no longer met--> [Inactive]
 * [Firing] --suppression window opens--> [Suppressed] --window closes--> [Firing]
 * ```
 */
import type { AlertSnapshot, Logger } from '@yardstick/alert-evaluator';

/** The spec's alert states. */
export type ProxyWhirlAlertState = 'inactive' | 'pending' | 'firing' | 'resolved' | 'suppressed';

/** The transitions the spec draws, as `from>to`. */
export const SPEC_TRANSITIONS: ReadonlySet<string> = new Set([
  'inactive>pending',
  'pending>firing',
  'firing>resolved',
  'pending>inactive',
  'firing>suppressed',
  'suppressed>firing',
]);

/**
 * The spec's state of one alert from the evaluator's snapshot (`undefined`: the evaluator holds no alert for
 * those labels, i.e. Inactive).
 */
export function alertStateOf(snapshot: AlertSnapshot | undefined): ProxyWhirlAlertState {
  if (snapshot === undefined) return 'inactive';
  if (snapshot.state === 'inactive') return snapshot.resolvedAt === undefined ? 'inactive' : 'resolved';
  return snapshot.state;
}

/** Alerts counted by `proxywhirl_alerts_active`: firing and not suppressed. */
export function countActiveAlerts(alerts: readonly AlertSnapshot[]): number {
  let active = 0;
  for (const alert of alerts) if (alert.state === 'firing') active++;
  return active;
}

/** One observed change of state. */
export interface AlertTransition {
  readonly rule: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly from: ProxyWhirlAlertState;
  readonly to: ProxyWhirlAlertState;
  readonly atMs: number;
}

function alertKey(rule: string, labels: Readonly<Record<string, string>>): string {
  return `${rule}\u0000${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

/**
 * Follows the evaluator's alerts from one evaluation to the next and reports each change in the spec's terms,
 * logging it with the rule and labels as structured context (T072).
 */
export class AlertStateTracker {
  readonly #states = new Map<
    string,
    { rule: string; labels: Record<string, string>; state: ProxyWhirlAlertState }
  >();
  readonly #logger: Logger | undefined;

  constructor(logger?: Logger) {
    this.#logger = logger;
  }

  /** The spec's state of an alert now. */
  stateOf(rule: string, labels: Readonly<Record<string, string>>): ProxyWhirlAlertState {
    return this.#states.get(alertKey(rule, labels))?.state ?? 'inactive';
  }

  /** Compares `alerts` (the evaluator's current list) with the previous call; returns the transitions. */
  observe(alerts: readonly AlertSnapshot[], atMs: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    for (const alert of alerts) {
      const key = alertKey(alert.rule, alert.labels);
      seen.add(key);
      const to = alertStateOf(alert);
      const from = this.#states.get(key)?.state ?? 'inactive';
      if (from !== to) transitions.push({ rule: alert.rule, labels: alert.labels, from, to, atMs });
      this.#states.set(key, { rule: alert.rule, labels: { ...alert.labels }, state: to });
    }
    for (const [key, { rule, labels, state }] of this.#states) {
      if (seen.has(key)) continue;
      // Gone from the evaluator: a pending alert whose condition cleared, or a resolved one past retention.
      this.#states.delete(key);
      if (state !== 'inactive') transitions.push({ rule, labels, from: state, to: 'inactive', atMs });
    }
    for (const t of transitions) {
      this.#logger?.info(
        { alert: t.rule, labels: t.labels, from: t.from, to: t.to },
        `alert ${t.rule} ${t.from} -> ${t.to}`,
      );
    }
    return transitions;
  }
}
