/**
 * Content negotiation for `/metrics`: text format 0.0.4 unless the `Accept` header prefers OpenMetrics 1.0.0
 * or the Prometheus protobuf format (q-values honoured). Prometheus 2.x scrapes with
 * `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`,
 * which selects OpenMetrics; with `--enable-feature=native-histograms` it puts
 * `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited` first, which
 * selects protobuf.
 */

/** The exposition formats: Prometheus text 0.0.4, OpenMetrics 1.0.0 and delimited protobuf. */
export type ExpositionFormat = 'text' | 'openmetrics' | 'protobuf';

/** The format chosen for a request and the `Content-Type` to answer with. */
export interface NegotiatedExposition {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

/** `Content-Type` of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** `Content-Type` of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
/** `Content-Type` of the Prometheus protobuf format (length-delimited `MetricFamily` messages). */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

// Fast path: a header that mentions neither OpenMetrics nor protobuf is answered without parsing it.
const OTHER_FORMAT_MENTIONED = /openmetrics|protobuf/i;

const NEGOTIATED: Readonly<Record<ExpositionFormat, NegotiatedExposition>> = {
  text: { format: 'text', contentType: TEXT_CONTENT_TYPE },
  openmetrics: { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE },
  protobuf: { format: 'protobuf', contentType: PROTOBUF_CONTENT_TYPE },
};
const PROTOBUF_TYPE = 'application/vnd.google.protobuf';
const METRIC_FAMILY = 'io.prometheus.client.metricfamily';

/** How well one media range matches a format: 0 no match, 1 `*\/*`, 2 `type/*`, 3 exact type. */
interface Match {
  readonly q: number;
  readonly specificity: number;
  readonly position: number;
}

function parseRange(part: string): { type: string; params: Map<string, string> } {
  const [mediaType = '', ...rawParams] = part.split(';');
  const params = new Map<string, string>();
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    params.set(
      raw.slice(0, eq).trim().toLowerCase(),
      raw
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, ''),
    );
  }
  return { type: mediaType.trim().toLowerCase(), params };
}

type MediaRange = ReturnType<typeof parseRange>;

function specificityFor(range: MediaRange, format: ExpositionFormat): number {
  const { type, params } = range;
  if (format === 'protobuf') {
    // Only a range naming protobuf selects it: a binary body for `*\/*` (curl, a browser) helps nobody.
    if (type !== PROTOBUF_TYPE) return 0;
    // Other messages, and the text or compact-text encodings, are formats we do not produce.
    const proto = params.get('proto');
    const encoding = params.get('encoding');
    const ours =
      (proto === undefined || proto.toLowerCase() === METRIC_FAMILY) &&
      (encoding ?? 'delimited') === 'delimited';
    return ours ? 3 : 0;
  }
  if (type === '*/*') return 1;
  const [wanted, wantedVersion] =
    format === 'text' ? ['text/plain', '0.0.4'] : ['application/openmetrics-text', '1.0.0'];
  if (type === `${wanted.slice(0, wanted.indexOf('/'))}/*`) return 2;
  if (type !== wanted) return 0;
  // A range naming another version (OpenMetrics 0.0.1, text 1.0.0) is a format we do not produce.
  const version = params.get('version');
  return version === undefined || version === wantedVersion ? 3 : 0;
}

function bestMatch(ranges: readonly MediaRange[], format: ExpositionFormat): Match {
  let best: Match = { q: 0, specificity: 0, position: Number.POSITIVE_INFINITY };
  ranges.forEach((range, position) => {
    const specificity = specificityFor(range, format);
    // The most specific matching range decides the q-value (RFC 9110 §12.5.1).
    if (specificity === 0 || specificity <= best.specificity) return;
    const rawQ = range.params.get('q');
    const q = rawQ === undefined ? 1 : Number(rawQ);
    best = { q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, specificity, position };
  });
  return best;
}

/**
 * Picks the exposition format for an `Accept` header: the format with the highest q-value, a tie going to
 * the range listed first, then to text, OpenMetrics, protobuf in that order. Anything else, including a
 * missing or unusable header, gets text 0.0.4 (as Prometheus's Go client does).
 *
 * @example
 * ```ts
 * negotiateExposition('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5').format;
 * // 'openmetrics'
 * negotiateExposition(undefined).contentType; // 'text/plain; version=0.0.4; charset=utf-8'
 * ```
 */
export function negotiateExposition(accept: string | undefined): NegotiatedExposition {
  if (accept === undefined || !OTHER_FORMAT_MENTIONED.test(accept)) return NEGOTIATED.text;
  const ranges = accept.split(',').map(parseRange);
  let chosen: ExpositionFormat = 'text';
  let best = bestMatch(ranges, 'text');
  for (const format of ['openmetrics', 'protobuf'] as const) {
    const match = bestMatch(ranges, format);
    if (match.q === 0) continue;
    if (match.q > best.q || (match.q === best.q && match.position < best.position)) {
      chosen = format;
      best = match;
    }
  }
  return NEGOTIATED[chosen];
}
