/**
 * YAML parsing for files people hand-edit and attackers may write: every problem is located by offset, duplicate
 * keys are errors (found in linear time), and alias expansion is capped with the culprit alias located.
 */
import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';

/**
 * Most uses of one anchor, counting the aliases nested in what it names, as the `yaml` library counts them
 * (`maxAliasCount`, whose default this is). A "billion laughs" file needs far more; hand-written files that
 * reuse a block with `*name` need far less.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Most aliases in one document. yaml resolves each alias by scanning every anchor and alias before it, and
 * recounts an anchor that names only empty collections at each use: both cost aliases × document size, so a
 * 180 kB file of 20,000 aliases took 21 s before this cap.
 */
export const MAX_ALIASES = 1_000;

/** A problem in a YAML text: where (0-based offset, 1-based line and column) and what. */
export interface YamlProblem {
  /** `syntax`: not YAML at all (yaml's own message); the others: valid YAML that is refused. */
  readonly kind: 'syntax' | 'duplicate-key' | 'alias';
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  /** One line, never quoting the source text (it may hold a secret); keys may be named. */
  readonly message: string;
}

/** A parsed YAML document. */
export interface StrictYaml {
  readonly document: Document.Parsed;
  /** Turns a node's offset into a line and column. */
  readonly lineCounter: LineCounter;
  /** Syntax errors, duplicate keys and alias bombs, in text order; empty when the document is usable. */
  readonly problems: readonly YamlProblem[];
  /** The document as plain JS values; `undefined` when there are problems. */
  readonly data: unknown;
}

/**
 * Parses `text` as one YAML (or JSON) document. Unlike `parseDocument(text, { uniqueKeys: true })`, whose
 * duplicate check compares every key with every earlier one (a 1.5 MB file took 31 s), duplicate keys are
 * found with one set per mapping; and an alias bomb is a located problem instead of a thrown `ReferenceError`.
 *
 * @example
 * ```ts
 * const { problems, data } = parseStrictYaml('a: 1\na: 2\n');
 * // problems[0]: { line: 2, column: 1, message: 'duplicate key "a" (first at line 1)', ... }
 * ```
 */
export function parseStrictYaml(text: string): StrictYaml {
  const lineCounter = new LineCounter();
  // prettyErrors would append the offending source line to messages; that line may hold a password.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (kind: YamlProblem['kind'], offset: number, message: string): YamlProblem => {
    const { line, col } = lineCounter.linePos(offset);
    return { kind, offset, line, column: col, message };
  };
  const problems = [
    ...document.errors.map((error) =>
      at('syntax', error.pos[0], error.message.split('\n')[0] ?? error.message),
    ),
    ...duplicateKeys(document).map(({ key, first }) =>
      at(
        'duplicate-key',
        key.range?.[0] ?? 0,
        `duplicate key ${quoteKey(key)} (first at line ${lineOf(lineCounter, first)})`,
      ),
    ),
  ];
  const alias = problems.length === 0 ? aliasProblem(document) : undefined;
  if (alias !== undefined) problems.push(at('alias', alias.node.range?.[0] ?? 0, alias.message));
  let data: unknown;
  if (problems.length === 0) {
    try {
      data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // yaml's own cap (a ReferenceError without a position) is the backstop should its count differ from ours.
      if (!(error instanceof ReferenceError)) throw error;
      problems.push(
        at('alias', firstAlias(document)?.range?.[0] ?? 0, `${error.message}: YAML alias bombs are refused`),
      );
    }
  }
  problems.sort((a, b) => a.offset - b.offset);
  return { document, lineCounter, problems, data: problems.length === 0 ? data : undefined };
}

function lineOf(lineCounter: LineCounter, node: Node): number {
  return lineCounter.linePos(node.range?.[0] ?? 0).line;
}

/** The key as a short JSON string: a 1 MB key must not become a 1 MB message. */
function quoteKey(key: Node): string {
  const text = JSON.stringify(isScalar(key) ? key.value : String(key));
  return text.length > 80 ? `${text.slice(0, 76)}…"` : text;
}

/**
 * Every repeated scalar key with the first occurrence, one set per mapping, so the check is linear in the number
 * of keys. Keys are equal when their values are (`1` and `"1"` differ), as in yaml's own check.
 */
function duplicateKeys(document: Document.Parsed): Array<{ key: Node; first: Node }> {
  const found: Array<{ key: Node; first: Node }> = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Map<unknown, Node>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const first = seen.get(pair.key.value);
        if (first === undefined) seen.set(pair.key.value, pair.key);
        else found.push({ key: pair.key, first });
      }
    },
  });
  return found;
}

/**
 * The first alias that takes the document over {@link MAX_ALIASES}, or at which `toJS({ maxAliasCount })` would
 * give up: counted as yaml counts, in document order, each use of an anchor adds one, weighed by the largest
 * such count nested in what the anchor names. Each anchor is weighed once, so this is linear.
 */
function aliasProblem(document: Document.Parsed): { node: Alias; message: string } | undefined {
  const anchors = new Map<string, Node>();
  const uses = new Map<Node, { count: number; weight: number }>();
  const weight = (node: unknown): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const use = target === undefined ? undefined : uses.get(target);
      return use === undefined ? 0 : use.count * use.weight;
    }
    if (isCollection(node)) {
      let max = 0;
      for (const item of node.items) max = Math.max(max, weight(item));
      return max;
    }
    if (isPair(node)) return Math.max(weight(node.key), weight(node.value));
    return 1;
  };
  let aliases = 0;
  let problem: { node: Alias; message: string } | undefined;
  visit(document, (_key, node) => {
    if (isAlias(node)) {
      aliases += 1;
      if (aliases > MAX_ALIASES) {
        problem = { node, message: `more than ${MAX_ALIASES} aliases in one file` };
        return visit.BREAK;
      }
      const target = anchors.get(node.source);
      if (target === undefined) return undefined;
      let use = uses.get(target);
      if (use === undefined) {
        use = { count: 0, weight: weight(target) };
        uses.set(target, use);
      }
      use.count += 1;
      if (use.count * use.weight > MAX_ALIAS_COUNT) {
        problem = {
          node,
          message: `alias *${node.source} expands too much (more than ${MAX_ALIAS_COUNT} uses of one anchor, nested ones included); YAML alias bombs are refused`,
        };
        return visit.BREAK;
      }
    } else if ((isScalar(node) || isCollection(node)) && node.anchor !== undefined) {
      anchors.set(node.anchor, node);
    }
    return undefined;
  });
  return problem;
}

function firstAlias(document: Document.Parsed): Alias | undefined {
  let first: Alias | undefined;
  visit(document, {
    Alias(_key, alias) {
      first = alias;
      return visit.BREAK;
    },
  });
  return first;
}
