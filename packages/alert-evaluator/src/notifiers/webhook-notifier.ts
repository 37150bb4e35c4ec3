/**
 * A generic webhook receiving Alertmanager's webhook payload (version 4), so receivers written for
 * Alertmanager's `webhook_config` work unchanged. Payloads go through the bounded retry queue of
 * {@link QueuedNotifier}, so a receiver's outage or overload (5xx, 429) delays them instead of losing them.
 */
import type { Labels } from '@yardstick/promql';
import type { AlertSnapshot } from '../state/alert.ts';
import { type PostOutcome, postJson } from './http-post.ts';
import { alertFingerprint, generatorURL, goTime, type NotifyContext, type NotifyResult } from './notifier.ts';
import { type NotifierQueueOptions, QueuedNotifier } from './queued-notifier.ts';

/** One alert of the webhook payload. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/** Alertmanager's webhook payload, version 4. */
export interface WebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
}

/** Options of {@link WebhookNotifier}. */
export interface WebhookNotifierOptions extends NotifierQueueOptions {
  readonly name: string;
  readonly url: string;
  readonly externalURL?: string;
  /** Alerts per payload beyond which the rest are counted in `truncatedAlerts`. Default 0 (no limit). */
  readonly maxAlerts?: number;
  /** Timeout of one request. Default 10 s. */
  readonly timeoutMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

function common(maps: readonly Labels[]): Labels {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) {
    for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  }
  return out;
}

/** Builds the v4 payload for `alerts` (grouped by `alertname`, as a default Alertmanager route would). */
export function webhookPayload(
  receiver: string,
  alerts: readonly AlertSnapshot[],
  context: NotifyContext,
  externalURL = '',
  maxAlerts = 0,
): WebhookPayload {
  // One rule's alerts share the link; formatting the expression means parsing it, so once per payload.
  const link = generatorURL(externalURL, context.expr);
  const wire: WebhookAlert[] = alerts.map((a) => ({
    status: a.state === 'inactive' ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: goTime(a.firedAt ?? a.activeAt),
    endsAt: a.resolvedAt === undefined ? '0001-01-01T00:00:00Z' : goTime(a.resolvedAt),
    generatorURL: link,
    fingerprint: alertFingerprint(a.labels),
  }));
  const shown = maxAlerts > 0 ? wire.slice(0, maxAlerts) : wire;
  const groupLabels: Labels = alerts[0] === undefined ? {} : { alertname: alerts[0].labels.alertname ?? '' };
  return {
    version: '4',
    groupKey: `{}:{alertname="${groupLabels.alertname ?? ''}"}`,
    truncatedAlerts: wire.length - shown.length,
    status: wire.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver,
    groupLabels,
    commonLabels: common(wire.map((a) => a.labels)),
    commonAnnotations: common(wire.map((a) => a.annotations)),
    externalURL,
    alerts: shown,
  };
}

/** POSTs Alertmanager-style webhook payloads, one per notification, retried while the receiver fails. */
export class WebhookNotifier extends QueuedNotifier<WebhookPayload> {
  private readonly options: WebhookNotifierOptions;

  constructor(options: WebhookNotifierOptions) {
    // One payload per request: each is one rule's group, as Alertmanager sends one per group.
    super(options.name, options, 1);
    this.options = options;
  }

  /** Queues the payload for `alerts` and starts delivering; resolves at once with the number queued. */
  override async notify(alerts: readonly AlertSnapshot[], context: NotifyContext): Promise<NotifyResult> {
    if (alerts.length === 0) return { ok: true, accepted: 0 };
    const o = this.options;
    const payload = webhookPayload(o.name, alerts, context, o.externalURL, o.maxAlerts);
    return this.enqueue([{ item: payload, alerts: alerts.length }]);
  }

  protected override async send([payload]: readonly WebhookPayload[]): Promise<PostOutcome> {
    const o = this.options;
    return postJson(o.url, JSON.stringify(payload), o.timeoutMs ?? 10_000, o.headers);
  }
}
