/**
 * Adds label matchers to every vector selector of a PromQL expression by rewriting its text at the
 * selector positions the Prometheus lezer grammar reports, so `--filter env=prod` narrows
 * `sum(rate(a[5m])) / sum(rate(b[5m]))` on both sides.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { CliError } from '../errors.ts';

/** The four PromQL matcher operators. */
export type FilterOperator = '=' | '!=' | '=~' | '!~';

/** One `--filter` flag: `label`, operator, value. */
export interface LabelFilter {
  readonly label: string;
  readonly operator: FilterOperator;
  readonly value: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// The label name cannot contain `=`, `!` or `~`, so the first operator after it is unambiguous.
const FILTER_SYNTAX = /^([^=!~]*)(=~|!~|!=|=)(.*)$/s;

/** Whether `name` is a valid Prometheus label name (the classic charset every backend accepts). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * Parses a `--filter` value: `key=value`, `key!=value`, `key=~regex` or `key!~regex`.
 *
 * @throws CliError `INVALID_FILTER` naming the flag value when the syntax or label name is wrong
 */
export function parseFilter(text: string): LabelFilter {
  const match = FILTER_SYNTAX.exec(text);
  if (!match) {
    throw new CliError('INVALID_FILTER', `--filter "${text}": expected key=value (or key!=, key=~, key!~)`);
  }
  const label = match[1]!.trim();
  if (!isValidLabelName(label)) {
    throw new CliError(
      'INVALID_FILTER',
      `--filter "${text}": "${label}" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
    );
  }
  if (label.startsWith('__')) {
    throw new CliError('INVALID_FILTER', `--filter "${text}": label names starting with __ are reserved`);
  }
  return { label, operator: match[2] as FilterOperator, value: match[3]! };
}

/** Renders a matcher; JSON string escaping is a subset of what PromQL's Go-style string literals accept. */
export function formatMatcher(filter: LabelFilter): string {
  return `${filter.label}${filter.operator}${JSON.stringify(filter.value)}`;
}

/** Where the query has a syntax error, as a one-line message; `undefined` when it parses. */
export function findSyntaxError(query: string): string | undefined {
  let error: number | undefined;
  parser.parse(query).iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
      return error === undefined;
    },
  });
  if (error === undefined) return undefined;
  return `syntax error at character ${error + 1}: ${JSON.stringify(query.slice(error, error + 20) || '<end>')}`;
}

/** The vector selectors of a parsed query, each as a syntax node. */
function vectorSelectors(query: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  parser.parse(query).iterate({
    enter(node) {
      if (node.name === 'VectorSelector') found.push(node.node);
    },
  });
  return found;
}

/**
 * Whether the query is a single vector selector (optionally with whitespace), i.e. its result series are
 * exactly the stored series that `/api/v1/series` lists for it.
 */
export function isPlainSelector(query: string): boolean {
  const tree = parser.parse(query);
  const top = tree.topNode.firstChild;
  return top !== null && top.name === 'VectorSelector' && top.nextSibling === null && !findSyntaxError(query);
}

/**
 * Returns `query` with `filters` added to every vector selector: `a{x="1"}` becomes `a{x="1",env="prod"}`,
 * `a` becomes `a{env="prod"}`.
 *
 * @throws CliError `INVALID_QUERY` when the query does not parse
 */
export function rewriteQueryWithFilters(query: string, filters: readonly LabelFilter[]): string {
  const syntaxError = findSyntaxError(query);
  if (syntaxError) throw new CliError('INVALID_QUERY', `--query ${JSON.stringify(query)}: ${syntaxError}`);
  if (filters.length === 0) return query;
  const added = filters.map(formatMatcher).join(',');
  const edits: { at: number; text: string }[] = [];
  for (const selector of vectorSelectors(query)) {
    const matchers = selector.getChild('LabelMatchers');
    if (matchers) {
      // Insert before the closing brace; a comma only when the list is non-empty and lacks a trailing one.
      const close = matchers.to - 1;
      const before = query.slice(matchers.from + 1, close).trimEnd();
      const separator = before.length === 0 || before.endsWith(',') ? '' : ',';
      edits.push({ at: close, text: separator + added });
    } else {
      edits.push({ at: selector.to, text: `{${added}}` });
    }
  }
  // Apply from the end so earlier positions stay valid.
  edits.sort((a, b) => b.at - a.at);
  let out = query;
  for (const edit of edits) out = out.slice(0, edit.at) + edit.text + out.slice(edit.at);
  return out;
}
