/**
 * Compiles and expands Prometheus alert templates (labels and annotations). As in
 * `rules/alerting.go`, `$labels`, `$externalLabels`, `$externalURL` and `$value` are predeclared, and the
 * data (`.`) holds `Labels`, `ExternalLabels`, `ExternalURL` and `Value`.
 */
import { AlertEvaluatorError } from '../errors.ts';
import { formatGoValue, goTypeName } from './go-format.ts';
import type { TemplateArg, TemplateNode, TemplatePipe } from './template-ast.ts';
import {
  ArityError,
  TEMPLATE_FUNCTION_NAMES,
  TEMPLATE_FUNCTIONS,
  TEMPLATE_PARAM_TYPES,
  type TemplateContext,
  type TemplateParamType,
  type TemplateQueryResult,
} from './template-functions.ts';
import { commandText, parseTemplate } from './template-parser.ts';
import { isTrue, TemplateStruct } from './template-values.ts';

/** What an alert template can read. */
export interface AlertTemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly value: number;
  /** Runs a PromQL query at the evaluation time, for the `query` function. */
  readonly query?: (expr: string) => Promise<readonly TemplateQueryResult[]>;
}

const PREDECLARED = ['$labels', '$externalLabels', '$externalURL', '$value'];

const TEMPLATE_DATA_TYPE =
  'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }';

class LoopControl {
  readonly kind: 'break' | 'continue';
  constructor(kind: 'break' | 'continue') {
    this.kind = kind;
  }
}

interface Scope {
  vars: { name: string; value: unknown }[];
  ctx: TemplateContext;
  name: string;
  source: string;
}

/** A node an execution error is reported at: where Go puts it, and how Go prints it. */
interface ErrorNode {
  readonly at: number;
  readonly text: string;
}

/**
 * Bytes of the variable declarations Prometheus puts before every alert template
 * (`{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}` and
 * `{{$value := .Value}}`): columns on the first line of its messages count them.
 */
const PROMETHEUS_DEFS_BYTES = 112;

/**
 * An execution error worded as Prometheus's: `error executing template NAME: template: NAME:LINE:COL:
 * executing "NAME" at <NODE>: MSG`, the column being Go's 0-based byte offset in the line.
 */
function execError(
  scope: Scope,
  node: ErrorNode | undefined,
  msg: string,
  cause?: unknown,
): AlertEvaluatorError {
  let detail = `template: ${scope.name}: ${msg}`;
  if (node !== undefined) {
    const before = scope.source.slice(0, node.at);
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const col = Buffer.byteLength(before.slice(lineStart)) + (line === 1 ? PROMETHEUS_DEFS_BYTES : 0);
    detail = `template: ${scope.name}:${line}:${col}: executing ${JSON.stringify(scope.name)} at <${node.text}>: ${msg}`;
  }
  return new AlertEvaluatorError('TEMPLATE_EXEC', `error executing template ${scope.name}: ${detail}`, {
    cause,
  });
}

/** The command `args` as the node Go reports a failed call at. */
function commandNode(args: readonly TemplateArg[]): ErrorNode {
  return { at: args[0]!.start, text: commandText(args) };
}

function field(scope: Scope, node: ErrorNode, base: unknown, name: string): unknown {
  if (base instanceof TemplateStruct) {
    if (!(name in base.fields))
      throw execError(scope, node, `can't evaluate field ${name} in type ${base.typeName}`);
    return base.fields[name];
  }
  if (base !== null && typeof base === 'object' && !Array.isArray(base)) {
    // Template maps are map[string]string: a missing key renders as "" in Prometheus (checked with promtool).
    return Object.hasOwn(base, name) ? (base as Record<string, unknown>)[name] : '';
  }
  if (base === undefined || base === null) throw execError(scope, node, `nil pointer evaluating .${name}`);
  throw execError(scope, node, `can't evaluate field ${name} in type ${goTypeName(base)}`);
}

async function evalArg(scope: Scope, cmd: ErrorNode, dot: unknown, arg: TemplateArg): Promise<unknown> {
  let base: unknown;
  let chain: readonly string[] = [];
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'function':
      return callFunction(scope, cmd, arg, arg.name, [], undefined, false);
    case 'dot':
      base = dot;
      chain = arg.chain;
      break;
    case 'variable': {
      const v = findVar(scope, arg.name);
      base = v === undefined ? undefined : v.value;
      chain = arg.chain;
      break;
    }
    case 'pipe':
      base = await evalPipe(scope, arg.pipe, dot);
      chain = arg.chain;
      break;
  }
  for (const name of chain) base = field(scope, arg, base, name);
  return base;
}

function findVar(scope: Scope, name: string): { name: string; value: unknown } | undefined {
  for (let i = scope.vars.length - 1; i >= 0; i--) if (scope.vars[i]!.name === name) return scope.vars[i];
  return undefined;
}

async function callFunction(
  scope: Scope,
  cmd: ErrorNode,
  fnNode: ErrorNode,
  name: string,
  args: unknown[],
  final: unknown,
  hasFinal: boolean,
): Promise<unknown> {
  const fn = TEMPLATE_FUNCTIONS[name]!;
  const all = hasFinal ? [...args, final] : args;
  try {
    return await fn(scope.ctx, all);
  } catch (err) {
    if (err instanceof AlertEvaluatorError) throw err;
    // Go checks the argument count before calling, and reports it at the function's name.
    if (err instanceof ArityError) throw execError(scope, fnNode, (err as Error).message, err);
    throw execError(scope, cmd, `error calling ${name}: ${(err as Error).message}`, err);
  }
}

/** Whether `v` is a value of the Go type `type` (a nil pointer or slice included). */
function hasType(v: unknown, type: TemplateParamType): boolean {
  if (type === 'string') return typeof v === 'string';
  if (v === null || v === undefined) return true;
  return type === 'template.queryResult' ? Array.isArray(v) : goTypeName(v) === type;
}

/** The node Go last evaluated in an operand: itself, or the last operand inside a parenthesised pipe. */
function lastEvaluated(arg: TemplateArg): ErrorNode {
  if (arg.kind !== 'pipe' || arg.chain.length > 0) return arg;
  const cmd = arg.pipe.commands[arg.pipe.commands.length - 1]!;
  return lastEvaluated(cmd[cmd.length - 1]!);
}

/**
 * Go's checks of typed parameters, made before the call: a literal of the wrong kind is
 * `expected string; found 3` (or `can't handle 1 for arg of type ...`), any other value
 * `wrong type for value; expected string; got float64`.
 */
function checkArgTypes(
  scope: Scope,
  cmd: readonly TemplateArg[],
  args: readonly unknown[],
  final: unknown,
  hasFinal: boolean,
): void {
  const head = cmd[0]! as TemplateArg & { name: string };
  const types = TEMPLATE_PARAM_TYPES[head.name];
  if (types === undefined) return;
  // A wrong argument count is the function's own (earlier) error; printf takes any number after the format.
  const count = args.length + (hasFinal ? 1 : 0);
  if (count < types.length || (count > types.length && head.name !== 'printf')) return;
  types.forEach((type, i) => {
    const piped = i >= args.length;
    const v = piped ? final : args[i];
    const arg = piped ? undefined : cmd[i + 1]!;
    if (arg?.kind === 'literal') {
      if (type === 'string' && typeof v !== 'string') {
        throw execError(
          scope,
          arg,
          v === null ? 'cannot assign nil to string' : `expected string; found ${arg.text}`,
        );
      }
      if (type !== 'string' && v !== null)
        throw execError(scope, arg, `can't handle ${arg.text} for arg of type ${type}`);
      return;
    }
    if (!hasType(v, type)) {
      const node = arg === undefined ? head : lastEvaluated(arg);
      throw execError(scope, node, `wrong type for value; expected ${type}; got ${goTypeName(v)}`);
    }
  });
}

async function evalPipe(scope: Scope, pipe: TemplatePipe, dot: unknown): Promise<unknown> {
  let value: unknown;
  let hasFinal = false;
  for (const cmd of pipe.commands) {
    const head = cmd[0]!;
    const node = commandNode(cmd);
    if (head.kind === 'function') {
      const args: unknown[] = [];
      for (const a of cmd.slice(1)) args.push(await evalArg(scope, node, dot, a));
      checkArgTypes(scope, cmd, args, value, hasFinal);
      value = await callFunction(scope, node, head, head.name, args, value, hasFinal);
    } else {
      if (cmd.length > 1 || hasFinal) {
        throw execError(scope, node, `can't give argument to non-function ${describe(head)}`);
      }
      value = await evalArg(scope, node, dot, head);
    }
    hasFinal = true;
  }
  if (pipe.decl.length === 1) {
    if (pipe.assign) findVar(scope, pipe.decl[0]!)!.value = value;
    else scope.vars.push({ name: pipe.decl[0]!, value });
  }
  return value;
}

function describe(arg: TemplateArg): string {
  switch (arg.kind) {
    case 'dot':
      return arg.chain.length === 0 ? '.' : `.${arg.chain.join('.')}`;
    case 'variable':
      return [arg.name, ...arg.chain].join('.');
    case 'literal':
      return formatGoValue(arg.value);
    default:
      return arg.kind;
  }
}

/** How a template prints a value: Go's `printValue` dereferences a pointer first (`{...}`, not `&{...}`). */
function printValue(v: unknown): string {
  const s = formatGoValue(v);
  return v instanceof TemplateStruct && s.startsWith('&') ? s.slice(1) : s;
}

function rangeItems(v: unknown): [unknown, unknown][] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x, i) => [BigInt(i), x]);
  if (typeof v === 'object' && !(v instanceof TemplateStruct)) {
    // Go ranges over maps in sorted key order.
    return Object.keys(v)
      .sort()
      .map((k) => [k, (v as Record<string, unknown>)[k]]);
  }
  // Go before 1.22 (which Prometheus 2.42 is built with) cannot range over an integer.
  throw new Error(`range can't iterate over ${printValue(v)}`);
}

async function execNodes(
  scope: Scope,
  nodes: readonly TemplateNode[],
  dot: unknown,
  out: string[],
): Promise<void> {
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'action': {
        const v = await evalPipe(scope, node.pipe, dot);
        if (node.pipe.decl.length === 0) out.push(printValue(v));
        break;
      }
      case 'if':
      case 'with': {
        const mark = scope.vars.length;
        const v = await evalPipe(scope, node.pipe, dot);
        if (isTrue(v)) await execNodes(scope, node.body, node.kind === 'with' ? v : dot, out);
        else if (node.otherwise) await execNodes(scope, node.otherwise, dot, out);
        scope.vars.length = mark;
        break;
      }
      case 'range': {
        const mark = scope.vars.length;
        const decl = node.pipe.decl;
        const v = await evalPipe(scope, { ...node.pipe, decl: [] }, dot);
        let items: [unknown, unknown][];
        try {
          items = rangeItems(v);
        } catch (err) {
          // Go reports it at the last operand it evaluated.
          const last = node.pipe.commands[node.pipe.commands.length - 1]!;
          throw execError(scope, lastEvaluated(last[last.length - 1]!), (err as Error).message, err);
        }
        if (items.length === 0 && node.otherwise) await execNodes(scope, node.otherwise, dot, out);
        for (const [key, elem] of items) {
          const inner = scope.vars.length;
          if (decl.length === 1) scope.vars.push({ name: decl[0]!, value: elem });
          if (decl.length === 2)
            scope.vars.push({ name: decl[0]!, value: key }, { name: decl[1]!, value: elem });
          try {
            await execNodes(scope, node.body, elem, out);
          } catch (err) {
            if (!(err instanceof LoopControl)) throw err;
            if (err.kind === 'break') break;
          } finally {
            scope.vars.length = inner;
          }
        }
        scope.vars.length = mark;
        break;
      }
      case 'break':
      case 'continue':
        throw new LoopControl(node.kind);
    }
  }
}

/** A parsed alert template, ready to expand many times. */
export interface AlertTemplate {
  readonly name: string;
  readonly source: string;
  /** Expands with the given data; throws `TEMPLATE_EXEC` on execution errors. */
  expand(data: AlertTemplateData): Promise<string>;
}

/**
 * Parses `source` once. Throws `TEMPLATE_PARSE` (unknown function, undefined variable, unbalanced
 * `{{end}}`...), which rule validation reports at load time.
 *
 * @example
 * const t = compileAlertTemplate('summary', '{{ $labels.pool }} at {{ humanizePercentage $value }}');
 * await t.expand({ labels: { pool: 'gpu-a' }, externalLabels: {}, externalURL: '', value: 0.256 });
 * // 'gpu-a at 25.6%'
 */
export function compileAlertTemplate(name: string, source: string): AlertTemplate {
  const nodes = source.includes('{{')
    ? parseTemplate(name, source, TEMPLATE_FUNCTION_NAMES, PREDECLARED)
    : undefined;
  return {
    name,
    source,
    async expand(data) {
      // Plain text is the common case for labels; skipping the executor keeps evaluation cheap.
      if (nodes === undefined) return source;
      // Prometheus's template data is an anonymous struct; Go names it by its fields in messages.
      const root = new TemplateStruct(TEMPLATE_DATA_TYPE, {
        Labels: data.labels,
        ExternalLabels: data.externalLabels,
        ExternalURL: data.externalURL,
        Value: data.value,
      });
      const scope: Scope = {
        name,
        source,
        ctx: { query: data.query, externalURL: data.externalURL },
        vars: [
          { name: '$', value: root },
          { name: '$labels', value: data.labels },
          { name: '$externalLabels', value: data.externalLabels },
          { name: '$externalURL', value: data.externalURL },
          { name: '$value', value: data.value },
        ],
      };
      const out: string[] = [];
      try {
        await execNodes(scope, nodes, root, out);
      } catch (err) {
        if (err instanceof LoopControl)
          throw execError(scope, undefined, `{{${err.kind}}} outside {{range}}`);
        throw err;
      }
      return out.join('');
    },
  };
}
