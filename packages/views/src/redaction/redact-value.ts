import { isIPv6 } from 'node:net';

/** The placeholder that replaces a secret unless configured otherwise. */
export const DEFAULT_REDACTION_REPLACEMENT = '[REDACTED]';

/**
 * Values longer than this are replaced whole: a metric attribute that long is a cardinality bomb anyway,
 * and capping the length keeps every scan below bounded in time whatever the input.
 */
export const MAX_SCANNED_LENGTH = 2048;

// Each pattern is anchored with a lookbehind to the start of a token, so a scan starts at most once per
// token and stays linear on long inputs.
const URL_USERINFO = /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@]*@/g;
const AUTH_SCHEME = /(?<![A-Za-z0-9])(Bearer|Basic)\s+[A-Za-z0-9._~+/-]{6,}=*/gi;
const SECRET_PARAM =
  /(?<![A-Za-z0-9_-])((?:password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|id_token|api_key|apikey|api-key|x-api-key|auth|sig|signature|session_id|sessionid)=)[^&#\s;,]+/gi;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// Letters and digits of any script: internationalized addresses are personal data too.
const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63})*\.\p{L}{2,24}(?![\p{L}\p{N}-])/gu;
const IPV4 =
  /(?<![0-9.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![0-9]|\.\d)/g;
// Candidates only; `isIPv6` decides, so times (`12:30:45`) and MACs stay untouched.
const IPV6_CANDIDATE =
  /(?<![A-Za-z0-9_:.%])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?:%[A-Za-z0-9_.-]+)?(?![A-Za-z0-9_:.%])/g;

/**
 * Replaces what looks like a credential or personal data inside `value`: URL userinfo, `Bearer`/`Basic`
 * tokens, secret query parameters (`password=`, `token=`, `api_key=`, ...), JWTs, e-mail addresses, IPv4 and
 * IPv6 addresses. Only the sensitive part is replaced (`https://[REDACTED]@host/x`); a value longer than
 * {@link MAX_SCANNED_LENGTH} is replaced whole. Returns `value` itself when it is clean.
 *
 * @example
 * ```ts
 * redactValue('GET /x?token=abc&page=2'); // 'GET /x?token=[REDACTED]&page=2'
 * ```
 */
export function redactValue(value: string, replacement: string = DEFAULT_REDACTION_REPLACEMENT): string {
  if (value.length > MAX_SCANNED_LENGTH) return replacement;
  let out = value;
  // measured: cheap substring checks skip the regexes that cannot match, which is most values
  if (out.includes('://')) out = out.replace(URL_USERINFO, `$1${replacement}@`);
  if (out.includes(' ')) out = out.replace(AUTH_SCHEME, `$1 ${replacement}`);
  if (out.includes('=')) out = out.replace(SECRET_PARAM, `$1${replacement}`);
  if (out.includes('eyJ')) out = out.replace(JWT, replacement);
  if (out.includes('@')) out = out.replace(EMAIL, replacement);
  // IPv6 before IPv4, so an IPv4-mapped address (`::ffff:10.0.0.1`) goes as a whole.
  if (out.includes(':')) out = out.replace(IPV6_CANDIDATE, (m) => (isIPv6(m) ? replacement : m));
  if (out.includes('.')) out = out.replace(IPV4, replacement);
  return out;
}
