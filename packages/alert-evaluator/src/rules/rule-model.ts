/**
 * The rule model both rule-file forms load into: Prometheus groups with alerting and recording rules.
 * Durations are milliseconds.
 */

/** Where a rule came from, for messages. */
export interface RuleSource {
  readonly file: string;
  /** 1-based line of the rule in its file, when known. */
  readonly line: number | undefined;
}

/** An alerting rule (`alert:`). Labels and annotations are Go templates. */
export interface AlertingRuleDefinition {
  readonly kind: 'alerting';
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Channel names to notify (threshold form); empty means the default notifier. */
  readonly channels: readonly string[];
  /** Cron pattern of maintenance minutes during which firing alerts are suppressed, if any. */
  readonly suppressionSchedule: string | undefined;
  readonly source: RuleSource;
}

/** A recording rule (`record:`). */
export interface RecordingRuleDefinition {
  readonly kind: 'recording';
  readonly name: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: RuleSource;
}

/** Either kind of rule. */
export type RuleDefinition = AlertingRuleDefinition | RecordingRuleDefinition;

/** A rule group: rules evaluated in order on one interval. */
export interface RuleGroupDefinition {
  readonly name: string;
  readonly file: string;
  /** The group's `interval`, or undefined to use the evaluator's default. */
  readonly intervalMs: number | undefined;
  /** Maximum alerts (or series, for recording rules) per rule; 0 means no limit. */
  readonly limit: number;
  readonly rules: readonly RuleDefinition[];
}
