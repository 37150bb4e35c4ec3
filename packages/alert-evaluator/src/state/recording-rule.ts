/**
 * A recording rule (`rules/recording.go`): evaluates its expression and names the result, with the rule's
 * labels overriding the series'.
 */
import { asVector, type Datasource } from '../datasources/datasource.ts';
import type { RecordingRuleDefinition } from '../rules/rule-model.ts';
import type { RuleSample } from './alerting-rule.ts';
import { labelKey } from './label-key.ts';

/** A recording rule. Stateless between evaluations. */
export class RecordingRule {
  readonly definition: RecordingRuleDefinition;
  readonly name: string;

  constructor(definition: RecordingRuleDefinition) {
    this.definition = definition;
    this.name = definition.name;
  }

  /** The series to write for an evaluation at `timeMs`; rejects on query failure or a broken limit. */
  async eval(timeMs: number, ds: Datasource, limit = 0): Promise<RuleSample[]> {
    const res = asVector(await ds.query(this.definition.expr, timeMs));
    const out: RuleSample[] = [];
    const seen = new Set<string>();
    for (const s of res) {
      const labels: Record<string, string> = { ...s.labels, __name__: this.name };
      for (const [name, value] of Object.entries(this.definition.labels)) {
        // An empty label is a missing label: Prometheus's labels.Builder deletes it.
        if (value === '') delete labels[name];
        else labels[name] = value;
      }
      const key = labelKey(labels);
      if (seen.has(key))
        throw new Error('vector contains metrics with the same labelset after applying rule labels');
      seen.add(key);
      out.push({ labels, value: s.value });
    }
    if (limit > 0 && out.length > limit)
      throw new Error(`exceeded limit of ${limit} with ${out.length} series`);
    return out;
  }
}
