/**
 * `/api/v1/status/config` as Prometheus answers it (`{ yaml }`): the configuration the process runs with, for
 * the web UI's status page, with no secret in it. On top of {@link describeConfig} (auth password, OTLP
 * headers and URL credentials), it removes anything secret-shaped anywhere, so a field added later cannot
 * leak: values under names such as password, token or secret, every header value, and the path and query
 * of every URL (a Slack webhook's secret is its path).
 */
import { stringify } from 'yaml';
import { describeConfig, REDACTED } from '../config/describe-config.ts';
import type { YardstickConfig } from '../config/schema.ts';

const SECRET_NAME = /pass(word)?|secret|token|authorization|credential|api[-_]?key|cookie/i;

/** An http(s) URL with only its origin kept (`https://hooks.slack.com/[REDACTED]`); other text unchanged. */
function redactUrl(text: string): string {
  if (!/^https?:\/\//i.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return REDACTED;
  }
  const hidden = (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '';
  return hidden ? `${url.origin}/${REDACTED}` : url.origin;
}

function redact(value: unknown, name: string): unknown {
  if (typeof value === 'string') return SECRET_NAME.test(name) ? REDACTED : redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, name));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (name === 'headers') return Object.fromEntries(entries.map(([k]) => [k, REDACTED]));
  return Object.fromEntries(entries.map(([k, v]) => [k, redact(v, k)]));
}

/** The `data` of `/api/v1/status/config`: the configuration as YAML, without secrets. */
export function configData(config: YardstickConfig | undefined): { yaml: string } {
  if (config === undefined) return { yaml: '' };
  return { yaml: stringify(redact(describeConfig(config), '')) };
}
