/**
 * The `key1=value1,key2=value2` format of `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`.
 * The OTel specification (Resource SDK, "Specifying resource information via an environment variable"):
 * "The `,` and `=` characters in keys and values MUST be percent encoded. Other characters MAY be percent
 * encoded." and "In case of any error, e.g. failure during the decoding process, the entire environment
 * variable value SHOULD be discarded and an error SHOULD be reported".
 */

/** The parsed pairs, or why the whole value was rejected. Messages never quote values (headers hold secrets). */
export type KeyValueListResult =
  | { readonly ok: true; readonly entries: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly message: string };

/**
 * Parses a comma-separated list of percent-encoded `key=value` pairs. Whitespace around keys and values is
 * ignored, as in W3C Baggage; empty list members (a trailing comma) are skipped; a later key wins.
 */
export function parseKeyValueList(text: string): KeyValueListResult {
  // A Map, then fromEntries: a key such as `__proto__` becomes an own property instead of a prototype change.
  const entries = new Map<string, string>();
  const members = text.split(',');
  for (let i = 0; i < members.length; i++) {
    const member = members[i]!;
    if (member.trim() === '') continue;
    const eq = member.indexOf('=');
    if (eq === -1) return { ok: false, message: `entry ${i + 1} has no '=' (expected key=value)` };
    const key = percentDecode(member.slice(0, eq).trim());
    const value = percentDecode(member.slice(eq + 1).trim());
    if (key === undefined || value === undefined) {
      return { ok: false, message: `entry ${i + 1} has an invalid percent-encoding (expected %XX)` };
    }
    if (key === '') return { ok: false, message: `entry ${i + 1} has an empty key` };
    entries.set(key, value);
  }
  return { ok: true, entries: Object.fromEntries(entries) };
}

/** Percent-decodes UTF-8; `undefined` for a malformed `%` sequence or invalid UTF-8. */
function percentDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
