/**
 * One alert of an alerting rule, with the timestamps Prometheus keeps for it (`rules/alerting.go`).
 * Times are milliseconds since the epoch; `undefined` is Go's zero time.
 */
import type { Labels } from '@yardstick/promql';

/** Prometheus's alert states. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** The mutable state of one alert, owned by its rule. */
export interface Alert {
  state: AlertState;
  readonly labels: Labels;
  annotations: Labels;
  value: number;
  activeAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  lastSentAt: number | undefined;
  validUntil: number | undefined;
  keepFiringSince: number | undefined;
  /** Firing, but inside a maintenance window: not sent. */
  suppressed: boolean;
}

/** A read-only view of an alert, as listed to users and sent to notifiers. */
export interface AlertSnapshot {
  readonly rule: string;
  /** `suppressed` is a firing alert inside a maintenance window. */
  readonly state: AlertState | 'suppressed';
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
  readonly activeAt: number;
  readonly firedAt: number | undefined;
  readonly resolvedAt: number | undefined;
  readonly validUntil: number | undefined;
}
