import type { YardstickConfig } from './schema.ts';

/** What replaces a secret in {@link describeConfig}. */
export const REDACTED = '[REDACTED]';

/**
 * A copy of `config` that is safe to log: the basic-auth password, every OTLP header value and any
 * credentials inside the OTLP endpoint URL are replaced by `[REDACTED]`; everything else is kept so the log
 * shows what the process runs with.
 *
 * @example
 * ```ts
 * logger.info({ config: describeConfig(config) }, 'yardstick configured');
 * ```
 */
export function describeConfig(config: YardstickConfig): Record<string, unknown> {
  const { auth } = config.server;
  return {
    ...structuredClone(config),
    server: {
      ...structuredClone(config.server),
      ...(auth === undefined ? {} : { auth: { username: auth.username, password: REDACTED } }),
    },
    otlp: {
      ...structuredClone(config.otlp),
      endpoint: redactUrlCredentials(config.otlp.endpoint),
      headers: Object.fromEntries(Object.keys(config.otlp.headers).map((name) => [name, REDACTED])),
    },
  };
}

/** `https://user:secret@host/` keeps the user and loses the password; query strings may hold tokens too. */
function redactUrlCredentials(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return REDACTED;
  }
  // Brackets would be percent-encoded inside a URL, so the marker there is the bare word.
  if (url.password !== '') url.password = 'REDACTED';
  for (const key of [...url.searchParams.keys()]) url.searchParams.set(key, 'REDACTED');
  return url.toString();
}
