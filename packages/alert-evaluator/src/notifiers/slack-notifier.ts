/**
 * A Slack-compatible incoming webhook (`{ text, blocks }`), which Slack, Mattermost and Rocket.Chat accept.
 * Messages go through the bounded retry queue of {@link QueuedNotifier}, so a 503 or a rate limit (429,
 * with Slack's `Retry-After`) delays them instead of losing them.
 */
import type { AlertSnapshot } from '../state/alert.ts';
import { type PostOutcome, postJson } from './http-post.ts';
import type { NotifyContext, NotifyResult } from './notifier.ts';
import { type NotifierQueueOptions, QueuedNotifier } from './queued-notifier.ts';

/** The message body of a Slack incoming webhook. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions extends NotifierQueueOptions {
  readonly name: string;
  readonly url: string;
  /** Send Block Kit `blocks` besides the plain `text`. Default true. */
  readonly blocks?: boolean;
  /** Timeout of one request. Default 10 s. */
  readonly timeoutMs?: number;
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

/** POSTs alerts to a Slack-compatible incoming webhook, one message per notification, retried while it fails. */
export class SlackNotifier extends QueuedNotifier<SlackMessage> {
  private readonly options: SlackNotifierOptions;

  constructor(options: SlackNotifierOptions) {
    super(options.name, options, 1);
    this.options = options;
  }

  /** Queues the message for `alerts` and starts delivering; resolves at once with the number queued. */
  override async notify(alerts: readonly AlertSnapshot[], _context: NotifyContext): Promise<NotifyResult> {
    if (alerts.length === 0) return { ok: true, accepted: 0 };
    return this.enqueue([{ item: slackMessage(alerts, this.options.blocks ?? true), alerts: alerts.length }]);
  }

  protected override async send([message]: readonly SlackMessage[]): Promise<PostOutcome> {
    return postJson(this.options.url, JSON.stringify(message), this.options.timeoutMs ?? 10_000);
  }
}
