/**
 * promtool's rule unit-test file format (`cmd/promtool/unittest.go`), validated with zod.
 */
import { z } from 'zod';

const labelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const duration = z.union([z.string(), z.number()]).transform(String);

/** One `input_series` entry. */
export const inputSeriesSchema = z
  .object({ series: z.string(), values: z.union([z.string(), z.number()]).transform(String) })
  .strict();

/** One `alert_rule_test` entry. */
export const alertTestSchema = z
  .object({
    eval_time: duration,
    alertname: z.string(),
    exp_alerts: z
      .array(z.object({ exp_labels: labelMap.nullish(), exp_annotations: labelMap.nullish() }).strict())
      .nullish(),
  })
  .strict();

/** One `promql_expr_test` entry. */
export const exprTestSchema = z
  .object({
    expr: z.string(),
    eval_time: duration,
    exp_samples: z.array(z.object({ labels: z.string().nullish(), value: z.number() }).strict()).nullish(),
  })
  .strict();

/** One entry of `tests`. */
export const testGroupSchema = z
  .object({
    name: z.string().optional(),
    interval: duration.optional(),
    input_series: z.array(inputSeriesSchema).nullish(),
    alert_rule_test: z.array(alertTestSchema).nullish(),
    promql_expr_test: z.array(exprTestSchema).nullish(),
    external_labels: labelMap.nullish(),
    external_url: z.string().optional(),
  })
  .strict();

/** A whole unit-test file. */
export const ruleTestFileSchema = z
  .object({
    rule_files: z.array(z.string()).nullish(),
    evaluation_interval: duration.optional(),
    group_eval_order: z.array(z.string()).nullish(),
    tests: z.array(testGroupSchema).nullish(),
  })
  .strict();

/** A parsed unit-test file. */
export type RuleTestFile = z.infer<typeof ruleTestFileSchema>;
/** A parsed test group. */
export type RuleTestGroup = z.infer<typeof testGroupSchema>;
