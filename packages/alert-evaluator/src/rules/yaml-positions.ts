/**
 * YAML parsing that keeps node positions, so every validation problem can be reported as `file:line`.
 */
import { isMap, isPair, isScalar, type Node } from 'yaml';
import type { RuleFileProblem } from '../errors.ts';
import { parseStrictYaml } from '../yaml/strict-yaml.ts';

/** A parsed YAML document with a way back from a data path to a source line. */
export interface LocatedYaml {
  readonly data: unknown;
  /** YAML syntax errors (empty when the document parsed). */
  readonly problems: readonly RuleFileProblem[];
  /** 1-based line of the node at `path` (or of its nearest existing ancestor). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
  /** 1-based line of the key `key` inside the mapping at `path`. */
  lineOfKey(path: readonly PropertyKey[], key: string): number | undefined;
}

/**
 * Parses `text` (from `file`) keeping positions; duplicate keys are errors, as in Go's strict YAML, and so is
 * an alias bomb.
 */
export function parseLocatedYaml(file: string, text: string): LocatedYaml {
  const { document: doc, lineCounter, problems: yamlProblems, data } = parseStrictYaml(text);
  const problems: RuleFileProblem[] = yamlProblems.map((p) => ({
    file,
    line: p.line,
    path: '',
    message: p.message,
  }));
  const lineAt = (node: unknown): number | undefined => {
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const nodeAt = (path: readonly PropertyKey[]): unknown => {
    for (let n = path.length; n >= 0; n--) {
      const node =
        path.length === 0 || n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (node !== undefined && node !== null) return node;
    }
    return doc.contents;
  };
  return {
    data,
    problems,
    lineOf: (path) => lineAt(nodeAt(path)),
    lineOfKey(path, key) {
      const map = nodeAt(path);
      if (isMap(map)) {
        for (const item of map.items) {
          if (isPair(item) && isScalar(item.key) && item.key.value === key) return lineAt(item.key);
        }
      }
      return lineAt(map);
    },
  };
}
