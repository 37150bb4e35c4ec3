/**
 * Sends alerts to Alertmanager's API v2 exactly as Prometheus does (`notifier/notifier.go`): `POST
 * /api/v2/alerts` with `labels` (plus external labels the alert lacks), `annotations`, `startsAt`,
 * `endsAt` and `generatorURL`, in batches of at most 64, to every configured Alertmanager (success when
 * one accepts). Unlike Prometheus, a failed batch stays queued and is retried with backoff, so alerts
 * survive an Alertmanager outage (the queue of {@link QueuedNotifier}); a newer state of a queued alert
 * replaces the older one. A batch every Alertmanager refuses with a 4xx (other than 429) is dropped, as
 * retrying cannot help.
 */
import type { Labels } from '@yardstick/promql';
import type { RemoteAuth } from '../datasources/prometheus-http-datasource.ts';
import type { AlertSnapshot } from '../state/alert.ts';
import { labelKey } from '../state/label-key.ts';
import { type PostOutcome, postJson } from './http-post.ts';
import { generatorURL, type NotifyContext, type NotifyResult } from './notifier.ts';
import { type NotifierQueueOptions, QueuedNotifier } from './queued-notifier.ts';

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
export interface AlertmanagerNotifierOptions extends NotifierQueueOptions {
  /** Channel name, for metrics and logs. Default `alertmanager`. */
  readonly name?: string;
  /** Base URLs of the Alertmanagers, e.g. `http://127.0.0.1:9093`. */
  readonly urls: readonly string[];
  readonly externalLabels?: Labels;
  /** Prometheus's `--web.external-url`, prefix of `generatorURL`. */
  readonly externalURL?: string;
  /** Alerts per request. Default 64, as Prometheus. */
  readonly maxBatchSize?: number;
  /** Timeout of one request. Default 10 s. */
  readonly timeoutMs?: number;
  readonly auth?: RemoteAuth;
}

/** An Alertmanager v2 client with a bounded, outage-surviving queue. */
export class AlertmanagerNotifier extends QueuedNotifier<AlertmanagerAlert> {
  private readonly options: AlertmanagerNotifierOptions;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: AlertmanagerNotifierOptions) {
    super(options.name ?? 'alertmanager', options, options.maxBatchSize ?? 64);
    this.options = options;
    const auth = options.auth;
    this.headers =
      auth?.type === 'basic'
        ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
        : auth?.type === 'bearer'
          ? { authorization: `Bearer ${auth.token}` }
          : {};
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
  override async notify(alerts: readonly AlertSnapshot[], context: NotifyContext): Promise<NotifyResult> {
    return this.enqueue(
      this.toWire(alerts, context).map((a) => ({ key: labelKey(a.labels), item: a, alerts: 1 })),
    );
  }

  /**
   * Posts one batch to every Alertmanager: delivered when at least one accepted it, refused (not
   * retried) when every one answered with a 4xx other than 429.
   */
  protected override async send(batch: readonly AlertmanagerAlert[]): Promise<PostOutcome> {
    const json = JSON.stringify(batch);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const outcomes = await Promise.all(
      this.options.urls.map((url) =>
        postJson(`${url.replace(/\/+$/, '')}/api/v2/alerts`, json, timeoutMs, this.headers),
      ),
    );
    const failures: Exclude<PostOutcome, { ok: true }>[] = [];
    for (const o of outcomes) {
      if (o.ok) return o;
      failures.push(o);
    }
    const waits = failures.flatMap((f) => (f.retryAfterMs === undefined ? [] : [f.retryAfterMs]));
    return {
      ok: false,
      error: failures.map((f) => f.error).join('; '),
      retryable: failures.some((f) => f.retryable),
      ...(waits.length === 0 ? {} : { retryAfterMs: Math.max(...waits) }),
    };
  }
}
