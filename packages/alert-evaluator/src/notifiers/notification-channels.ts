/**
 * Notification channels by name, from configuration: each an Alertmanager, a webhook or a Slack webhook,
 * each delivering through its own bounded retry queue (`queue_capacity` alerts).
 */

import type { Labels } from '@yardstick/promql';
import { z } from 'zod';
import { AlertEvaluatorError } from '../errors.ts';
import type { Logger } from '../state/sample-sink.ts';
import { AlertmanagerNotifier } from './alertmanager-notifier.ts';
import type { Notifier, NotifierObserver } from './notifier.ts';
import { SlackNotifier } from './slack-notifier.ts';
import { WebhookNotifier } from './webhook-notifier.ts';

const url = z.url();

/** Settings every channel has: its queue's capacity in alerts and the timeout of one request. */
const delivery = {
  queue_capacity: z.number().int().positive().optional(),
  timeout_ms: z.number().int().positive().optional(),
};

/** The configuration of one channel. */
export const notificationChannelSchema = z.discriminatedUnion('type', [
  z
    .object({
      name: z.string().min(1),
      type: z.literal('alertmanager'),
      urls: z.array(url).min(1),
      ...delivery,
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal('webhook'),
      url,
      max_alerts: z.number().int().min(0).optional(),
      ...delivery,
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal('slack'),
      url,
      ...delivery,
    })
    .strict(),
]);

/** A channel's configuration. */
export type NotificationChannelConfig = z.infer<typeof notificationChannelSchema>;

/** Shared settings of the channels built by {@link createNotificationChannels}. */
export interface NotificationChannelOptions {
  readonly externalLabels?: Labels;
  readonly externalURL?: string;
  readonly logger?: Logger;
  readonly observer?: NotifierObserver;
}

/**
 * Validates channel configurations and builds their notifiers, keyed by name. Throws
 * `RULE_FILE_INVALID` listing every problem (duplicate names included).
 */
export function createNotificationChannels(
  configs: unknown,
  options: NotificationChannelOptions = {},
): Map<string, Notifier> {
  const parsed = z.array(notificationChannelSchema).safeParse(configs);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new AlertEvaluatorError(
      'RULE_FILE_INVALID',
      `invalid notification channels:\n${lines.join('\n')}`,
      {
        cause: parsed.error,
      },
    );
  }
  const channels = new Map<string, Notifier>();
  for (const c of parsed.data) {
    if (channels.has(c.name)) {
      throw new AlertEvaluatorError('RULE_FILE_INVALID', `notification channel "${c.name}" is defined twice`);
    }
    const common = {
      name: c.name,
      ...(options.observer === undefined ? {} : { observer: options.observer }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(c.queue_capacity === undefined ? {} : { queueCapacity: c.queue_capacity }),
      ...(c.timeout_ms === undefined ? {} : { timeoutMs: c.timeout_ms }),
    };
    switch (c.type) {
      case 'alertmanager':
        channels.set(
          c.name,
          new AlertmanagerNotifier({
            ...common,
            urls: c.urls,
            externalLabels: options.externalLabels ?? {},
            externalURL: options.externalURL ?? '',
          }),
        );
        break;
      case 'webhook':
        channels.set(
          c.name,
          new WebhookNotifier({
            ...common,
            url: c.url,
            externalURL: options.externalURL ?? '',
            maxAlerts: c.max_alerts ?? 0,
          }),
        );
        break;
      case 'slack':
        channels.set(c.name, new SlackNotifier({ ...common, url: c.url }));
        break;
    }
  }
  return channels;
}
