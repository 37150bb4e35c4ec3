import { notificationChannelSchema } from '@yardstick/alert-evaluator';
import { z } from 'zod';
import { durationSchema as duration } from './duration-schema.ts';

/** The `alerting` section: rule files evaluated in-process against the embedded store. */
export const alertingSchema = z
  .strictObject({
    ruleFiles: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Prometheus-format (or threshold-form) rule files evaluated in-process against the embedded store.',
      ),
    evaluationIntervalMs: duration('Evaluation interval of groups that set none.').default(15_000),
    channels: z
      .array(notificationChannelSchema)
      .default([])
      .describe('Notification channels by name: alertmanager (API v2), webhook, slack.'),
    alertmanagerUrls: z
      .array(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }))
      .optional()
      .describe("Shorthand for an Alertmanager channel named 'alertmanager' with these URLs."),
    externalUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .optional()
      .describe("Base of alerts' generatorURL; default the telemetry server's URL."),
    externalLabels: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe('Labels added to every alert sent, as Prometheus external_labels.'),
    stateFile: z
      .string()
      .min(1)
      .optional()
      .describe('File (mode 0600) keeping pending/firing `for` state across restarts; none when unset.'),
    watch: z.boolean().default(true).describe('Reload rule files when they change and on SIGHUP.'),
  })
  .prefault({})
  .describe('In-process alerting: rules over the embedded store, sent to Alertmanager or webhooks.');
