/**
 * zod schemas of the two rule-file forms: Prometheus's (`groups:`, strict like `rulefmt`) and the
 * simpler threshold form (`alerts:`).
 */
import { z } from 'zod';

/** YAML scalars Go would unmarshal into a string field (`severity: 1` is the string "1"). */
const goString = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const labelMap = z.record(z.string(), goString);

/** A rule of a Prometheus rule group. */
export const prometheusRuleSchema = z
  .object({
    record: z.string().optional(),
    alert: z.string().optional(),
    expr: goString,
    for: goString.optional(),
    keep_firing_for: goString.optional(),
    labels: labelMap.nullish(),
    annotations: labelMap.nullish(),
  })
  .strict();

/** A Prometheus rule group. */
export const prometheusGroupSchema = z
  .object({
    name: z.string().min(1, 'group name must not be empty'),
    interval: goString.optional(),
    // Go's YAML decoder truncates a float into the int field, and a limit <= 0 means no limit.
    limit: z.number().transform(Math.trunc).optional(),
    rules: z.array(prometheusRuleSchema).nullish(),
  })
  .strict();

/** A Prometheus rule file. */
export const prometheusRuleFileSchema = z
  .object({ groups: z.array(prometheusGroupSchema).nullish() })
  .strict();

/** Comparisons of the threshold form, with the PromQL operator each becomes. */
export const THRESHOLD_COMPARISONS = {
  greater_than: '>',
  less_than: '<',
  equal: '==',
  greater_than_equal: '>=',
  less_than_equal: '<=',
} as const;

/** One rule of the threshold form. */
export const thresholdRuleSchema = z
  .object({
    name: z.string().min(1),
    query: z.string().min(1),
    threshold: z.number(),
    comparison: z.enum(['greater_than', 'less_than', 'equal', 'greater_than_equal', 'less_than_equal']),
    duration: goString.optional(),
    keep_firing_for: goString.optional(),
    severity: z.enum(['info', 'warning', 'critical']),
    summary: z.string().min(10, 'summary must be at least 10 characters'),
    description: z.string().min(20, 'description must be at least 20 characters'),
    labels: labelMap.optional(),
    annotations: labelMap.optional(),
    notification_channels: z.array(z.string().min(1)).min(1).max(10),
    suppression_enabled: z.boolean().default(false),
    suppression_schedule: z.string().optional(),
  })
  .strict();

/** A threshold-form rule file: one group of `alerts`. */
export const thresholdRuleFileSchema = z
  .object({
    group: z.string().min(1).optional(),
    interval: goString.optional(),
    alerts: z.array(thresholdRuleSchema).min(1),
  })
  .strict();

/** The outer shape of a threshold file; alerts are parsed one by one so one bad rule hides no other. */
export const thresholdFileShapeSchema = thresholdRuleFileSchema.extend({
  alerts: z.array(z.unknown()).min(1),
});

/** The outer shape of a Prometheus file. */
export const prometheusFileShapeSchema = z.object({ groups: z.array(z.unknown()).nullish() }).strict();

/** The shape of a Prometheus group; its rules are parsed one by one. */
export const prometheusGroupShapeSchema = prometheusGroupSchema.extend({
  rules: z.array(z.unknown()).nullish(),
});

/** A parsed threshold rule. */
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
/** A parsed threshold rule file. */
export type ThresholdRuleFile = z.infer<typeof thresholdRuleFileSchema>;
