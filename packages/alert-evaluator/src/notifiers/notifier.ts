/**
 * What every notifier implements, and the wire helpers they share (Go's time and URL encodings).
 */
import { formatExpr, parseExpr } from '@yardstick/promql';
import type { AlertSnapshot } from '../state/alert.ts';

/** What the rule that produced the alerts says about them. */
export interface NotifyContext {
  /** The rule's PromQL expression (for `generatorURL`). */
  readonly expr: string;
}

/** The outcome of handing alerts to a notifier. Notifiers never throw. */
export interface NotifyResult {
  readonly ok: boolean;
  /** Alerts delivered (or accepted into a delivery queue). */
  readonly accepted: number;
  readonly error?: string;
}

/** What {@link Notifier.flush} found: whether everything handed over since the last flush arrived. */
export interface FlushResult {
  /** True when every alert handed over since the previous flush was delivered. */
  readonly ok: boolean;
  /** Alerts handed over since the previous flush that were dropped, or are still queued for a retry. */
  readonly undelivered: number;
  /** The latest delivery error since the previous flush: the URL and what happened. */
  readonly error?: string;
}

/** A destination for alerts. */
export interface Notifier {
  readonly name: string;
  /** Hands alerts over; a queued notifier resolves at once with the number queued. */
  notify(alerts: readonly AlertSnapshot[], context: NotifyContext): Promise<NotifyResult>;
  /** Delivers what is queued, if the notifier queues, and says whether it all arrived. */
  flush?(): Promise<FlushResult>;
  /** Stops background delivery, if any. */
  close?(): Promise<void>;
}

/** Hooks for self-metrics. */
export interface NotifierObserver {
  sent?(channel: string, alerts: number): void;
  failed?(channel: string, alerts: number): void;
  dropped?(channel: string, alerts: number): void;
}

/** Go's `time.Time` JSON form (RFC 3339 with only the fraction digits needed). */
export function goTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/(\.\d*?)0+Z$/, '$1Z');
}

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` escaped, spaces as `+`. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * Prometheus's `generatorURL`: the external URL plus a table link for the expression, printed the way
 * Prometheus prints it (`sum by (pool) (x)` whatever the file's spelling). An expression the embedded
 * parser does not read (MetricsQL for a VictoriaMetrics source) goes in as written.
 */
export function generatorURL(externalURL: string, expr: string): string {
  return `${externalURL}/graph?g0.expr=${goQueryEscape(canonicalExpr(expr))}&g0.tab=1`;
}

function canonicalExpr(expr: string): string {
  try {
    return formatExpr(parseExpr(expr));
  } catch {
    return expr;
  }
}

/** Alertmanager's alert fingerprint: FNV-1a 64 over sorted `name 0xff value 0xff`, as 16 hex digits. */
export function alertFingerprint(labels: Readonly<Record<string, string>>): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  const bytes: number[] = [];
  for (const name of Object.keys(labels).sort()) {
    bytes.push(...Buffer.from(name, 'utf8'), 0xff, ...Buffer.from(labels[name]!, 'utf8'), 0xff);
  }
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}
