/**
 * RFC 9110 rules for header fields yardstick sends (the OTLP `headers`). A CR or LF in a value would end the
 * header early and let the rest of the value become headers or a body of its own (request splitting); Node
 * would refuse it later, at the first export, with an error naming neither the setting nor the variable.
 */

/** `token` (RFC 9110 §5.6.2): the characters a field name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Anything but tab, visible ASCII and Latin-1 (RFC 9110 §5.5 field-value, and what Node's `setHeader` accepts):
 * CR, LF, NUL and the other control characters, and characters a header cannot carry as one byte.
 */
const NOT_FIELD_VALUE = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/**
 * Why `name: value` cannot be sent as an HTTP header, or `undefined` when it can. The message names the header,
 * never the value (header values are API keys).
 */
export function headerProblem(name: string, value: string): string | undefined {
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not an HTTP token`;
  if (NOT_FIELD_VALUE.test(value)) {
    return `header ${JSON.stringify(name)} has a character HTTP cannot carry in its value (CR, LF, another control character or one beyond Latin-1)`;
  }
  return undefined;
}
