/**
 * Reads a dashboard config file: YAML syntax errors come back with their line, schema errors with their
 * YAML path, both as one line naming the file.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
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
  const document = parseDocument(text, { prettyErrors: true });
  const syntax = document.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line;
    throw new CliError(
      'INVALID_CONFIG',
      `${file}${line ? `:${line}` : ''}: ${syntax.message.split('\n')[0]}`,
      {
        cause: syntax,
      },
    );
  }
  const result = DashboardConfigSchema.safeParse(document.toJS());
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      'INVALID_CONFIG',
      `--config ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        cause: error,
      },
    );
  }
  return parseDashboardConfig(text, file);
}
