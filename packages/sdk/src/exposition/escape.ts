/**
 * Escaping for the two places free text reaches an exposition: label values and `# HELP` text.
 * Text format 0.0.4 escapes `\` and newline in HELP, plus `"` in label values; OpenMetrics 1.0 escapes all
 * three in both.
 */

const LABEL_VALUE_SPECIALS = /[\\"\n]/;
const HELP_SPECIALS_TEXT = /[\\\n]/;
const HELP_SPECIALS_OPENMETRICS = /[\\"\n]/;

function escapeAll(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');
}

/**
 * Escapes a label value for both formats: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
 *
 * @example
 * ```ts
 * escapeLabelValue('say "hi"'); // 'say \\"hi\\"'
 * ```
 */
export function escapeLabelValue(value: string): string {
  // Fast path: one regex test lets the common value (nothing to escape) return without allocating.
  if (!LABEL_VALUE_SPECIALS.test(value)) return value;
  return escapeAll(value);
}

/**
 * Escapes `# HELP` text: `\` and newline in text 0.0.4; `\`, newline and `"` in OpenMetrics.
 */
export function escapeHelp(help: string, openMetrics: boolean): string {
  if (openMetrics) return HELP_SPECIALS_OPENMETRICS.test(help) ? escapeAll(help) : help;
  if (!HELP_SPECIALS_TEXT.test(help)) return help;
  return help.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}
