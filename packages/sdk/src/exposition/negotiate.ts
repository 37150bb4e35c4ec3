/**
 * Content negotiation for `/metrics`: text format 0.0.4 unless the `Accept` header prefers OpenMetrics 1.0.0
 * (q-values honoured). Prometheus 2.x scrapes with
 * `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`,
 * which selects OpenMetrics.
 */

/** The two exposition formats: Prometheus text 0.0.4 and OpenMetrics 1.0.0. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The format chosen for a request and the `Content-Type` to answer with. */
export interface NegotiatedExposition {
  readonly format: ExpositionFormat;
  readonly contentType: string;
}

/** `Content-Type` of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** `Content-Type` of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

// Fast path: a header that never mentions OpenMetrics is answered without parsing it.
const OPENMETRICS_MENTIONED = /openmetrics/i;

const TEXT: NegotiatedExposition = { format: 'text', contentType: TEXT_CONTENT_TYPE };
const OPENMETRICS: NegotiatedExposition = { format: 'openmetrics', contentType: OPENMETRICS_CONTENT_TYPE };

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

function specificityFor(type: string, version: string | undefined, format: ExpositionFormat): number {
  if (type === '*/*') return 1;
  const [wanted, wantedVersion] =
    format === 'text' ? ['text/plain', '0.0.4'] : ['application/openmetrics-text', '1.0.0'];
  if (type === `${wanted.slice(0, wanted.indexOf('/'))}/*`) return 2;
  if (type !== wanted) return 0;
  // A range naming another version (OpenMetrics 0.0.1, text 1.0.0) is a format we do not produce.
  return version === undefined || version === wantedVersion ? 3 : 0;
}

function bestMatch(ranges: readonly ReturnType<typeof parseRange>[], format: ExpositionFormat): Match {
  let best: Match = { q: 0, specificity: 0, position: Number.POSITIVE_INFINITY };
  ranges.forEach((range, position) => {
    const specificity = specificityFor(range.type, range.params.get('version'), format);
    // The most specific matching range decides the q-value (RFC 9110 §12.5.1).
    if (specificity === 0 || specificity <= best.specificity) return;
    const rawQ = range.params.get('q');
    const q = rawQ === undefined ? 1 : Number(rawQ);
    best = { q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, specificity, position };
  });
  return best;
}

/**
 * Picks the exposition format for an `Accept` header. OpenMetrics 1.0.0 is chosen when its q-value is
 * higher than text 0.0.4's, or equal and listed first; anything else, including a missing or unusable
 * header, gets text 0.0.4 (as Prometheus's Go client does).
 *
 * @example
 * ```ts
 * negotiateExposition('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5').format;
 * // 'openmetrics'
 * negotiateExposition(undefined).contentType; // 'text/plain; version=0.0.4; charset=utf-8'
 * ```
 */
export function negotiateExposition(accept: string | undefined): NegotiatedExposition {
  if (accept === undefined || !OPENMETRICS_MENTIONED.test(accept)) return TEXT;
  const ranges = accept.split(',').map(parseRange);
  const openMetrics = bestMatch(ranges, 'openmetrics');
  if (openMetrics.q === 0) return TEXT;
  const text = bestMatch(ranges, 'text');
  if (openMetrics.q > text.q) return OPENMETRICS;
  if (openMetrics.q === text.q && openMetrics.position < text.position) return OPENMETRICS;
  return TEXT;
}
