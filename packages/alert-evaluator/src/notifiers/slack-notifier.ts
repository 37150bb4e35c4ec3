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

/** Slack's limits: 50 blocks a message, 150 characters in a header, 3000 in a section's text. */
const MAX_ALERT_LINES = 48;
const MAX_HEADER = 150;
const MAX_SECTION = 3_000;

/** Slack's escaping: `&`, `<` and `>` would otherwise start entities, links and mentions (`<!channel>`). */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts escaped text to `max` characters, without splitting a surrogate pair or an entity. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut).replace(/&[a-z]*$/, '')}…`;
}

function scope(a: AlertSnapshot): string {
  const parts = SCOPE_LABELS.filter((k) => a.labels[k] !== undefined).map((k) => `${k}=${a.labels[k]}`);
  return parts.length === 0 ? '' : ` (${parts.join(' ')})`;
}

/**
 * Renders alerts as a Slack message: a `[FIRING:n]` headline, and one line per alert with its scope
 * (at most 48, then `… and N more`, so a burst stays within Slack's limits instead of being rejected).
 * Label and annotation text is escaped, so a label value cannot mention `@channel` or forge a link.
 */
export function slackMessage(alerts: readonly AlertSnapshot[], withBlocks = true): SlackMessage {
  const firing = alerts.filter((a) => a.state !== 'inactive');
  const name = alerts[0]?.labels.alertname ?? 'alerts';
  const status = firing.length > 0 ? `FIRING:${firing.length}` : 'RESOLVED';
  const lines = alerts.slice(0, MAX_ALERT_LINES).map((a) => {
    const icon = a.state === 'inactive' ? ':white_check_mark:' : ':rotating_light:';
    const summary = a.annotations.summary ?? a.annotations.description ?? '';
    const line = `${a.labels.alertname ?? name}${scope(a)}${summary === '' ? '' : `: ${summary}`}`;
    return truncate(`${icon} ${escapeSlack(line)}`, MAX_SECTION);
  });
  if (alerts.length > MAX_ALERT_LINES) lines.push(`… and ${alerts.length - MAX_ALERT_LINES} more`);
  const headline = `[${status}] ${escapeSlack(name)}`;
  const text = `${headline}\n${lines.join('\n')}`;
  if (!withBlocks) return { text };
  return {
    text,
    blocks: [
      // Header blocks are plain text: no escaping needed there, only the length limit.
      { type: 'header', text: { type: 'plain_text', text: truncate(`[${status}] ${name}`, MAX_HEADER) } },
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
