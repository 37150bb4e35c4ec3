/**
 * Reads a dashboard config file: YAML syntax errors come back with their line, schema errors with their
 * YAML path, both as one line naming the file.
 */
import { readFileSync } from 'node:fs';
import { decodeUtf8, parseStrictYaml } from '@yardstick/alert-evaluator';
import { CliError } from '../errors.ts';
import { findSyntaxError } from '../export/filter-rewrite.ts';
import { type DashboardConfig, DashboardConfigSchema } from './dashboard-config.ts';

/**
 * Parses and validates dashboard config text.
 * @param text - YAML
 * @param file - the file name, for messages
 * @throws CliError `INVALID_CONFIG` naming the file and the line or path at fault
 */
export function parseDashboardConfig(text: string, file: string): DashboardConfig {
  // The same strict reading as config and rule files: duplicate keys and alias bombs are refused at their line.
  const yaml = parseStrictYaml(text);
  const problem = yaml.problems[0];
  if (problem !== undefined) {
    throw new CliError('INVALID_CONFIG', `${file}:${problem.line}:${problem.column}: ${problem.message}`);
  }
  const result = DashboardConfigSchema.safeParse(yaml.data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String).join('.') || '(top level)';
    throw new CliError('INVALID_CONFIG', `${file}: ${path}: ${issue.message}`, { cause: result.error });
  }
  result.data.panels.forEach((panel, p) => {
    panel.queries.forEach((query, q) => {
      // Grafana's interval macros stand where PromQL wants a duration; any duration checks the syntax.
      const error = findSyntaxError(query.expr.replace(/\$\{?__\w+\}?/g, '5m'));
      if (error)
        throw new CliError('INVALID_CONFIG', `${file}: panels.${p}.queries.${q}.expr: PromQL ${error}`);
    });
  });
  return result.data;
}

/** Reads and validates a dashboard config file. */
export function loadDashboardConfig(file: string): DashboardConfig {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new CliError(
      'INVALID_CONFIG',
      `--config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        cause: error,
      },
    );
  }
  const decoded = decodeUtf8(bytes);
  if (!decoded.ok) {
    throw new CliError('INVALID_CONFIG', `${file}:${decoded.line}:${decoded.column}: ${decoded.message}`);
  }
  return parseDashboardConfig(decoded.text, file);
}
