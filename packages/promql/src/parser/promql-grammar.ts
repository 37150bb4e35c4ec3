/**
 * The lezer PromQL parser, configured so that `offset` is a keyword only where Prometheus's Go grammar
 * reads it as one. Go's grammar lists `OFFSET` among the tokens a metric name may be (`metric_identifier`),
 * so `offset`, `rate(offset[5m])` and `offset offset 5m` are valid queries; lezer's grammar makes `offset`
 * a reserved word everywhere.
 */
import type { Stack } from '@lezer/lr';
import { Offset, parser } from '@prometheus-io/lezer-promql';

type Specializer = (value: string, stack: Stack) => number;

/** The part of lezer's internal parser tables this module reads; not in lezer's public types. */
interface SpecializerTables {
  readonly specializerSpecs?: ReadonlyArray<{ readonly external?: Specializer; readonly extend?: boolean }>;
}

/**
 * lezer-promql's `specializeIdentifier`: the one external, non-extending specializer, which turns the
 * identifiers `offset`, `bool`, `on`, ... into keywords. When a future lezer-promql moves it, the stock
 * parser is used and `offset` stays reserved, as before this module existed.
 */
const keywordSpecializer = (parser as unknown as SpecializerTables).specializerSpecs?.find(
  (spec) => spec.external !== undefined && spec.extend !== true,
)?.external;

/**
 * Keeps `offset` an identifier wherever the parse state cannot take the `offset` keyword, i.e. where an
 * expression starts: after an expression only the keyword fits, before one only a name. The two never
 * compete, so this is exactly Go's reading.
 */
function offsetOnlyAfterExpression(original: Specializer): Specializer {
  return (value, stack) =>
    value.length === 6 && value.toLowerCase() === 'offset' && !stack.canShift(Offset)
      ? -1
      : original(value, stack);
}

/** The parser `parseExpr` runs. */
export const promqlParser =
  keywordSpecializer === undefined
    ? parser
    : parser.configure({
        specializers: [{ from: keywordSpecializer, to: offsetOnlyAfterExpression(keywordSpecializer) }],
      });
