/**
 * A Slack-compatible incoming webhook (`{ text, blocks }`), which Slack, Mattermost and Rocket.Chat accept.
 */
import type { AlertSnapshot } from '../state/alert.ts';
import { postJson } from './http-post.ts';
import type { Notifier, NotifierObserver, NotifyContext, NotifyResult } from './notifier.ts';

/** The message body of a Slack incoming webhook. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions {
  readonly name: string;
  readonly url: string;
  /** Send Block Kit `blocks` besides the plain `text`. Default true. */
  readonly blocks?: boolean;
  readonly timeoutMs?: number;
  readonly observer?: NotifierObserver;
}

const SCOPE_LABELS = ['pool', 'region', 'model'];

function scope(a: AlertSnapshot): string {
  const parts = SCOPE_LABELS.filter((k) => a.labels[k] !== undefined).map((k) => `${k}=${a.labels[k]}`);
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}

/** Renders alerts as a Slack message: a `[FIRING:n]` headline, and one line per alert with its scope. */
export function slackMessage(alerts: readonly AlertSnapshot[], withBlocks = true): SlackMessage {
  const firing = alerts.filter((a) => a.state !== 'inactive');
  const name = alerts[0]?.labels.alertname ?? 'alerts';
  const status = firing.length > 0 ? `FIRING:${firing.length}` : 'RESOLVED';
  const lines = alerts.map((a) => {
    const icon = a.state === 'inactive' ? ':white_check_mark:' : ':rotating_light:';
    const summary = a.annotations.summary ?? a.annotations.description ?? '';
    return `${icon} ${a.labels.alertname ?? name}${scope(a)}${summary === '' ? '' : `: ${summary}`}`;
  });
  const text = `[${status}] ${name}\n${lines.join('\n')}`;
  if (!withBlocks) return { text };
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `[${status}] ${name}` } },
      ...lines.map((l) => ({ type: 'section', text: { type: 'mrkdwn', text: l } })),
    ],
  };
}

/** POSTs alerts to a Slack-compatible incoming webhook. */
export class SlackNotifier implements Notifier {
  readonly name: string;
  private readonly options: SlackNotifierOptions;

  constructor(options: SlackNotifierOptions) {
    this.options = options;
    this.name = options.name;
  }

  async notify(alerts: readonly AlertSnapshot[], _context: NotifyContext): Promise<NotifyResult> {
    if (alerts.length === 0) return { ok: true, accepted: 0 };
    const error = await postJson(
      this.options.url,
      slackMessage(alerts, this.options.blocks ?? true),
      this.options.timeoutMs ?? 10_000,
    );
    if (error !== undefined) {
      this.options.observer?.failed?.(this.name, alerts.length);
      return { ok: false, accepted: 0, error };
    }
    this.options.observer?.sent?.(this.name, alerts.length);
    return { ok: true, accepted: alerts.length };
  }
}
