/** The shapes of `/api/v1/rules` as the pages read them (Prometheus's, plus yardstick's suppression fields). */

/** A pending or firing alert. */
export interface AlertJson {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
  readonly value: string;
  /** Firing inside a suppression window: not notified. */
  readonly suppressed?: boolean;
}

/** An alerting or recording rule with its health. */
export interface RuleJson {
  readonly type: 'alerting' | 'recording';
  readonly name: string;
  readonly query: string;
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly state?: 'inactive' | 'pending' | 'firing';
  readonly duration?: number;
  readonly keepFiringFor?: number;
  readonly alerts?: AlertJson[];
  readonly health: string;
  readonly lastError?: string;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
  /** The maintenance window (a cron pattern) during which its alerts are not notified. */
  readonly suppressionSchedule?: string;
}

/** A rule group. */
export interface RuleGroupJson {
  readonly name: string;
  readonly file: string;
  readonly rules: RuleJson[];
  readonly interval: number;
  readonly evaluationTime: number;
  readonly lastEvaluation: string;
}

/** A link to the query page for `expr`, as Prometheus's `generatorURL` (table view). */
export function queryLink(expr: string): string {
  return `/graph?${new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '1' }).toString()}`;
}
