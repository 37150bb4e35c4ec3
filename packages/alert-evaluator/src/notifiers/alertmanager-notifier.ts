/**
 * Sends alerts to Alertmanager's API v2 exactly as Prometheus does (`notifier/notifier.go`): `POST
 * /api/v2/alerts` with `labels` (plus external labels the alert lacks), `annotations`, `startsAt`,
 * `endsAt` and `generatorURL`, in batches of at most 64, to every configured Alertmanager (success when
 * one accepts). Unlike Prometheus, a failed batch stays queued and is retried with backoff, so alerts
 * survive an Alertmanager outage; the queue is bounded and drops its oldest alerts (counted) when full.
 * A batch every Alertmanager refuses with a 4xx (other than 429) is dropped, as retrying cannot help.
 */
import type { Labels } from '@yardstick/promql';
import type { RemoteAuth } from '../datasources/prometheus-http-datasource.ts';
import type { AlertSnapshot } from '../state/alert.ts';
import { labelKey } from '../state/label-key.ts';
import { type Logger, silentLogger } from '../state/sample-sink.ts';
import {
  generatorURL,
  type Notifier,
  type NotifierObserver,
  type NotifyContext,
  type NotifyResult,
} from './notifier.ts';

/**
 * Times as Prometheus posts them to the API v2: go-openapi's `strfmt.DateTime`, always with three fraction
 * digits (`…:33.800Z`), unlike Go's trimmed RFC 3339 of the webhook payload.
 */
function openApiTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** One alert in Alertmanager's API v2 `postableAlert` form. */
export interface AlertmanagerAlert {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/** Options of {@link AlertmanagerNotifier}. */
export interface AlertmanagerNotifierOptions {
  /** Channel name, for metrics and logs. Default `alertmanager`. */
  readonly name?: string;
  /** Base URLs of the Alertmanagers, e.g. `http://127.0.0.1:9093`. */
  readonly urls: readonly string[];
  readonly externalLabels?: Labels;
  /** Prometheus's `--web.external-url`, prefix of `generatorURL`. */
  readonly externalURL?: string;
  /** Queue capacity in alerts (Prometheus's `--alertmanager.notification-queue-capacity`). Default 10000. */
  readonly queueCapacity?: number;
  /** Alerts per request. Default 64, as Prometheus. */
  readonly maxBatchSize?: number;
  /** Timeout of one request. Default 10 s. */
  readonly timeoutMs?: number;
  /** First retry delay after a failed batch; doubles up to `maxRetryDelayMs`. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Default 30 s. */
  readonly maxRetryDelayMs?: number;
  readonly auth?: RemoteAuth;
  readonly logger?: Logger;
  readonly observer?: NotifierObserver;
}

/** Counters of an {@link AlertmanagerNotifier}. */
export interface AlertmanagerNotifierStats {
  readonly sent: number;
  readonly failedAttempts: number;
  readonly dropped: number;
  readonly queueLength: number;
}

/** An Alertmanager v2 client with a bounded, outage-surviving queue. */
export class AlertmanagerNotifier implements Notifier {
  readonly name: string;
  private readonly options: AlertmanagerNotifierOptions;
  private readonly logger: Logger;
  /** Insertion-ordered by alert identity: a newer state of a queued alert replaces the older one. */
  private readonly queue = new Map<string, AlertmanagerAlert>();
  private sent = 0;
  private failedAttempts = 0;
  private dropped = 0;
  private draining: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;

  constructor(options: AlertmanagerNotifierOptions) {
    this.options = options;
    this.name = options.name ?? 'alertmanager';
    this.logger = options.logger ?? silentLogger;
    this.retryDelay = options.retryDelayMs ?? 500;
  }

  /** Converts alerts to the wire form Prometheus sends. */
  toWire(alerts: readonly AlertSnapshot[], context: NotifyContext): AlertmanagerAlert[] {
    const ext = this.options.externalLabels ?? {};
    // One rule's alerts share the link; formatting the expression means parsing it, so once per batch.
    const link = generatorURL(this.options.externalURL ?? '', context.expr);
    return alerts.map((a) => {
      const labels: Record<string, string> = { ...a.labels };
      for (const [k, v] of Object.entries(ext))
        if (labels[k] === undefined || labels[k] === '') labels[k] = v;
      const endsAt = a.resolvedAt ?? a.validUntil;
      return {
        labels,
        annotations: a.annotations,
        startsAt: openApiTime(a.firedAt ?? a.activeAt),
        endsAt: endsAt === undefined ? '0001-01-01T00:00:00.000Z' : openApiTime(endsAt),
        generatorURL: link,
      };
    });
  }

  /** Queues alerts for delivery and starts delivering; resolves at once with the number queued. */
  async notify(alerts: readonly AlertSnapshot[], context: NotifyContext): Promise<NotifyResult> {
    if (this.closed) return { ok: false, accepted: 0, error: 'notifier closed' };
    const capacity = this.options.queueCapacity ?? 10_000;
    for (const a of this.toWire(alerts, context)) {
      const key = labelKey(a.labels);
      this.queue.delete(key);
      this.queue.set(key, a);
    }
    let overflow = this.queue.size - capacity;
    if (overflow > 0) {
      this.dropped += overflow;
      this.options.observer?.dropped?.(this.name, overflow);
      this.logger.warn(
        { channel: this.name, dropped: overflow },
        'Alert notification queue full, dropping oldest alerts',
      );
      for (const key of this.queue.keys()) {
        if (overflow-- <= 0) break;
        this.queue.delete(key);
      }
    }
    this.kick();
    return { ok: true, accepted: alerts.length };
  }

  private kick(): void {
    if (this.draining !== undefined || this.retryTimer !== undefined || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    const max = this.options.maxBatchSize ?? 64;
    while (this.queue.size > 0 && !this.closed) {
      const batch = [...this.queue.entries()].slice(0, max);
      const result = await this.post(batch.map(([, a]) => a));
      if (result !== undefined) {
        const { error, permanent } = result;
        this.failedAttempts++;
        this.options.observer?.failed?.(this.name, batch.length);
        this.logger.error({ channel: this.name, alerts: batch.length, err: error }, 'Error sending alerts');
        if (permanent) {
          // Alertmanager refused the batch itself (4xx): sending it again cannot succeed, and keeping it
          // at the head of the queue would hold back every later alert. Prometheus drops it too.
          this.remove(batch);
          this.dropped += batch.length;
          this.options.observer?.dropped?.(this.name, batch.length);
          continue;
        }
        const delay = this.retryDelay;
        this.retryDelay = Math.min(this.retryDelay * 2, this.options.maxRetryDelayMs ?? 30_000);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, delay);
        this.retryTimer.unref();
        return;
      }
      this.retryDelay = this.options.retryDelayMs ?? 500;
      this.remove(batch);
      this.sent += batch.length;
      this.options.observer?.sent?.(this.name, batch.length);
    }
  }

  /** Removes what was sent (or dropped): a newer state of an alert queued meanwhile stays. */
  private remove(batch: readonly [string, AlertmanagerAlert][]): void {
    for (const [key, a] of batch) if (this.queue.get(key) === a) this.queue.delete(key);
  }

  /**
   * Posts one batch to every Alertmanager; undefined when at least one accepted it. The failure is
   * permanent when every Alertmanager answered with a 4xx other than 429 (the payload is refused).
   */
  private async post(
    batch: readonly AlertmanagerAlert[],
  ): Promise<{ error: string; permanent: boolean } | undefined> {
    const body = JSON.stringify(batch);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = this.options.auth;
    if (auth?.type === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    } else if (auth?.type === 'bearer') headers.authorization = `Bearer ${auth.token}`;
    const results = await Promise.all(
      this.options.urls.map(async (url) => {
        try {
          const res = await fetch(`${url.replace(/\/+$/, '')}/api/v2/alerts`, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
          });
          await res.arrayBuffer();
          if (res.ok) return undefined;
          const refused = res.status >= 400 && res.status < 500 && res.status !== 429;
          return { error: `${url}: HTTP ${res.status}`, refused };
        } catch (err) {
          return { error: `${url}: ${(err as Error).message}`, refused: false };
        }
      }),
    );
    if (results.some((r) => r === undefined)) return undefined;
    const failures = results as { error: string; refused: boolean }[];
    return { error: failures.map((f) => f.error).join('; '), permanent: failures.every((f) => f.refused) };
  }

  /** Resolves once the queue is empty or a delivery attempt failed (a retry is then scheduled). */
  async flush(): Promise<void> {
    this.kick();
    await this.draining;
  }

  /** Delivery counters and the current queue length. */
  stats(): AlertmanagerNotifierStats {
    return {
      sent: this.sent,
      failedAttempts: this.failedAttempts,
      dropped: this.dropped,
      queueLength: this.queue.size,
    };
  }

  /** Stops retrying and waits for a delivery in progress; alerts still queued are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.draining;
  }
}
