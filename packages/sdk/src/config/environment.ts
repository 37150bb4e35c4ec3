import type { ConfigProblem } from './config-error.ts';
import { headerProblem } from './http-header.ts';
import { parseKeyValueList } from './key-value-list.ts';

/**
 * How an environment variable's text becomes a config value. Values that only need a range or enum check are
 * passed through and checked by the schema, which then names the variable; only text that cannot even be
 * typed (a port of `abc`) is rejected here.
 */
export type EnvValueKind =
  | 'string'
  | 'lowercase'
  | 'boolean'
  | 'sdk-disabled'
  | 'integer'
  | 'duration'
  | 'string-list'
  | 'number-list'
  | 'key-value-list'
  | 'header-list'
  | 'otlp-base-endpoint'
  | 'remote-write-url'
  | 'metrics-exporters';

/** One environment variable and the setting it feeds. */
export interface EnvBinding {
  readonly variable: string;
  readonly path: readonly string[];
  readonly kind: EnvValueKind;
}

/**
 * Every environment variable yardstick reads (besides `YARDSTICK_CONFIG`, the config file path), lowest
 * precedence first: when two feed the same setting the later one wins (key-value lists are merged), which puts
 * `OTEL_EXPORTER_OTLP_METRICS_*` over `OTEL_EXPORTER_OTLP_*` as the OTel specification requires. A binding
 * with an empty path sets several settings at once (its value is merged at the root).
 *
 * `OTEL_*` variables follow the OTel SDK environment specification: a value that cannot be used is
 * warned about and ignored, so the setting keeps its default (see `loadConfig`). `YARDSTICK_*` variables
 * are strict: a bad value stops the start with an error naming the variable.
 */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { variable: 'OTEL_SDK_DISABLED', path: ['enabled'], kind: 'sdk-disabled' },
  { variable: 'OTEL_METRICS_EXPORTER', path: [], kind: 'metrics-exporters' },
  { variable: 'OTEL_SERVICE_NAME', path: ['serviceName'], kind: 'string' },
  { variable: 'OTEL_RESOURCE_ATTRIBUTES', path: ['resourceAttributes'], kind: 'key-value-list' },
  { variable: 'OTEL_EXPORTER_PROMETHEUS_HOST', path: ['server', 'host'], kind: 'string' },
  { variable: 'OTEL_EXPORTER_PROMETHEUS_PORT', path: ['server', 'port'], kind: 'integer' },
  { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: ['otlp', 'endpoint'], kind: 'otlp-base-endpoint' },
  { variable: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', path: ['otlp', 'endpoint'], kind: 'string' },
  { variable: 'OTEL_EXPORTER_OTLP_HEADERS', path: ['otlp', 'headers'], kind: 'header-list' },
  { variable: 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', path: ['otlp', 'headers'], kind: 'header-list' },
  { variable: 'OTEL_EXPORTER_OTLP_PROTOCOL', path: ['otlp', 'protocol'], kind: 'lowercase' },
  { variable: 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', path: ['otlp', 'protocol'], kind: 'lowercase' },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION',
    path: ['otlp', 'histogramAggregation'],
    kind: 'lowercase',
  },
  { variable: 'OTEL_EXPORTER_OTLP_COMPRESSION', path: ['otlp', 'compression'], kind: 'lowercase' },
  { variable: 'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION', path: ['otlp', 'compression'], kind: 'lowercase' },
  { variable: 'OTEL_EXPORTER_OTLP_TIMEOUT', path: ['otlp', 'exportTimeoutMs'], kind: 'duration' },
  { variable: 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', path: ['otlp', 'exportTimeoutMs'], kind: 'duration' },
  { variable: 'OTEL_METRIC_EXPORT_TIMEOUT', path: ['otlp', 'exportTimeoutMs'], kind: 'duration' },
  { variable: 'OTEL_METRIC_EXPORT_INTERVAL', path: ['otlp', 'exportIntervalMs'], kind: 'duration' },
  { variable: 'OTEL_METRIC_EXPORT_INTERVAL', path: ['console', 'exportIntervalMs'], kind: 'duration' },
  { variable: 'OTEL_METRICS_EXEMPLAR_FILTER', path: ['metrics', 'exemplarFilter'], kind: 'lowercase' },
  {
    variable: 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
    path: ['otlp', 'temporality'],
    kind: 'lowercase',
  },
  { variable: 'YARDSTICK_SERVICE_VERSION', path: ['serviceVersion'], kind: 'string' },
  { variable: 'YARDSTICK_SERVER_ENABLED', path: ['server', 'enabled'], kind: 'boolean' },
  { variable: 'YARDSTICK_METRICS_PATH', path: ['server', 'metricsPath'], kind: 'string' },
  { variable: 'YARDSTICK_GZIP', path: ['server', 'gzip'], kind: 'boolean' },
  { variable: 'YARDSTICK_AUTH_USERNAME', path: ['server', 'auth', 'username'], kind: 'string' },
  { variable: 'YARDSTICK_AUTH_PASSWORD', path: ['server', 'auth', 'password'], kind: 'string' },
  { variable: 'YARDSTICK_TLS_CERT_FILE', path: ['server', 'tls', 'certFile'], kind: 'string' },
  { variable: 'YARDSTICK_TLS_KEY_FILE', path: ['server', 'tls', 'keyFile'], kind: 'string' },
  { variable: 'YARDSTICK_ALLOWED_CIDRS', path: ['server', 'allowedCidrs'], kind: 'string-list' },
  { variable: 'YARDSTICK_COLLECT_INTERVAL', path: ['collectIntervalMs'], kind: 'duration' },
  { variable: 'YARDSTICK_HISTOGRAM_BUCKETS', path: ['histogramBuckets'], kind: 'number-list' },
  {
    variable: 'YARDSTICK_HISTOGRAM_AGGREGATION',
    path: ['metrics', 'histogramAggregation'],
    kind: 'lowercase',
  },
  { variable: 'YARDSTICK_METRICS_PROCESS', path: ['metrics', 'process'], kind: 'boolean' },
  { variable: 'YARDSTICK_RUNTIME_NAMING', path: ['metrics', 'runtime', 'naming'], kind: 'lowercase' },
  { variable: 'YARDSTICK_METRICS_REQUESTS', path: ['metrics', 'requests'], kind: 'boolean' },
  { variable: 'YARDSTICK_METRICS_POOLS', path: ['metrics', 'pools'], kind: 'boolean' },
  { variable: 'YARDSTICK_CARDINALITY_LIMIT', path: ['cardinality', 'defaultLimit'], kind: 'integer' },
  { variable: 'YARDSTICK_IDLE_EVICTION', path: ['cardinality', 'idleEvictionMs'], kind: 'duration' },
  { variable: 'YARDSTICK_REDACTION_ENABLED', path: ['redaction', 'enabled'], kind: 'boolean' },
  { variable: 'YARDSTICK_REDACTION_REPLACEMENT', path: ['redaction', 'replacement'], kind: 'string' },
  { variable: 'YARDSTICK_REDACTION_DROP_KEYS', path: ['redaction', 'dropKeys'], kind: 'string-list' },
  { variable: 'YARDSTICK_OTLP_ENABLED', path: ['otlp', 'enabled'], kind: 'boolean' },
  { variable: 'YARDSTICK_STORE_ENABLED', path: ['store', 'enabled'], kind: 'boolean' },
  { variable: 'YARDSTICK_STORE_RETENTION', path: ['store', 'retentionMs'], kind: 'duration' },
  { variable: 'YARDSTICK_STORE_MAX_BYTES', path: ['store', 'maxBytes'], kind: 'integer' },
  { variable: 'YARDSTICK_STORE_PATH', path: ['store', 'path'], kind: 'string' },
  { variable: 'YARDSTICK_REMOTE_WRITE_URL', path: ['remoteWrite'], kind: 'remote-write-url' },
  { variable: 'YARDSTICK_QUERY_API', path: ['query', 'api'], kind: 'boolean' },
  { variable: 'YARDSTICK_QUERY_TIMEOUT', path: ['query', 'timeoutMs'], kind: 'duration' },
  { variable: 'YARDSTICK_QUERY_MAX_SAMPLES', path: ['query', 'maxSamples'], kind: 'integer' },
  { variable: 'YARDSTICK_QUERY_MAX_CONCURRENT', path: ['query', 'maxConcurrent'], kind: 'integer' },
  { variable: 'YARDSTICK_RULE_FILES', path: ['alerting', 'ruleFiles'], kind: 'string-list' },
  { variable: 'YARDSTICK_EVALUATION_INTERVAL', path: ['alerting', 'evaluationIntervalMs'], kind: 'duration' },
  { variable: 'YARDSTICK_ALERTMANAGER_URLS', path: ['alerting', 'alertmanagerUrls'], kind: 'string-list' },
  { variable: 'YARDSTICK_EXTERNAL_URL', path: ['alerting', 'externalUrl'], kind: 'string' },
  { variable: 'YARDSTICK_ALERT_STATE_FILE', path: ['alerting', 'stateFile'], kind: 'string' },
  { variable: 'YARDSTICK_CLUSTER_MODE', path: ['cluster', 'mode'], kind: 'lowercase' },
  { variable: 'YARDSTICK_CLUSTER_REPORT_INTERVAL', path: ['cluster', 'reportIntervalMs'], kind: 'duration' },
  { variable: 'YARDSTICK_CLUSTER_GAUGES', path: ['cluster', 'gauges'], kind: 'key-value-list' },
  { variable: 'YARDSTICK_REGISTER_GLOBAL', path: ['registerGlobal'], kind: 'boolean' },
];

/** The configuration the environment gives, which variable set each setting, and the variables that were malformed. */
export interface EnvironmentLayer {
  readonly values: Record<string, unknown>;
  /** Setting path (joined with `.`) to the variable that set it. */
  readonly variables: ReadonlyMap<string, string>;
  /** Malformed `YARDSTICK_*` variables: the start fails. */
  readonly problems: readonly ConfigProblem[];
  /** Malformed or partly unusable `OTEL_*` variables, ignored as the OTel spec says: one line each. */
  readonly warnings: readonly string[];
}

type Converted =
  | { readonly ok: true; readonly value: unknown; readonly warning?: string }
  | { readonly ok: false; readonly message: string };

/** Whether a variable follows the OTel spec's lenient rules (warn and use the default) rather than ours. */
export function isOtelVariable(variable: string): boolean {
  return variable.startsWith('OTEL_');
}

/**
 * Reads {@link ENV_BINDINGS} from `env`. Empty values count as unset, as the OTel specification says.
 * Problem messages quote the value only where it cannot be a secret.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentLayer {
  const values: Record<string, unknown> = {};
  const variables = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.variable];
    if (raw === undefined || raw.trim() === '') continue;
    const converted = convert(raw.trim(), binding.kind);
    if (!converted.ok) {
      if (isOtelVariable(binding.variable)) {
        if (!warnings.some((line) => line.startsWith(`${binding.variable}:`))) {
          warnings.push(`${binding.variable}: ${converted.message}; ignored, the default applies`);
        }
      } else {
        problems.push({
          path: binding.variable,
          message: converted.message,
          source: { kind: 'env', variable: binding.variable },
        });
      }
      continue;
    }
    if (converted.warning !== undefined) warnings.push(`${binding.variable}: ${converted.warning}`);
    if (converted.value === undefined) continue;
    if (binding.path.length === 0) {
      // Several settings from one variable: each is recorded as set by it.
      for (const [section, settings] of Object.entries(
        converted.value as Record<string, Record<string, unknown>>,
      )) {
        for (const [key, value] of Object.entries(settings)) {
          setIn(values, [section, key], value);
          variables.set(`${section}.${key}`, binding.variable);
        }
      }
      continue;
    }
    const previous = getIn(values, binding.path);
    const value =
      (binding.kind === 'key-value-list' || binding.kind === 'header-list') && isRecord(previous)
        ? { ...previous, ...(converted.value as Record<string, string>) }
        : converted.value;
    setIn(values, binding.path, value);
    variables.set(binding.path.join('.'), binding.variable);
  }
  return { values, variables, problems, warnings };
}

function convert(text: string, kind: EnvValueKind): Converted {
  switch (kind) {
    case 'string':
      return { ok: true, value: text };
    case 'lowercase':
      return { ok: true, value: text.toLowerCase() };
    case 'boolean':
      return parseBoolean(text);
    case 'sdk-disabled': {
      // Only a true value disables; "false" leaves `enabled` to the file or code rather than forcing it on.
      const parsed = parseBoolean(text);
      return parsed.ok ? { ok: true, value: parsed.value === true ? false : undefined } : parsed;
    }
    case 'integer':
      return /^\d+$/.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, message: `expected a non-negative integer, got ${JSON.stringify(text)}` };
    case 'duration':
      // The OTel variables hold plain milliseconds; Prometheus duration strings are checked by the schema.
      return { ok: true, value: /^\d+$/.test(text) ? Number(text) : text };
    case 'string-list':
      return { ok: true, value: splitList(text) };
    case 'number-list':
      return parseNumberList(text);
    case 'key-value-list': {
      const parsed = parseKeyValueList(text);
      return parsed.ok ? { ok: true, value: parsed.entries } : parsed;
    }
    case 'header-list': {
      // Checked here as well as by the schema: when both header variables are set, only this names the right one.
      const parsed = parseKeyValueList(text);
      if (!parsed.ok) return parsed;
      for (const [name, value] of Object.entries(parsed.entries)) {
        const problem = headerProblem(name, value);
        if (problem !== undefined) return { ok: false, message: problem };
      }
      return { ok: true, value: parsed.entries };
    }
    case 'otlp-base-endpoint':
      // Spec: the generic endpoint is a base URL; exporters append the signal path `v1/metrics` to it.
      return { ok: true, value: text.endsWith('/') ? `${text}v1/metrics` : `${text}/v1/metrics` };
    case 'remote-write-url':
      // One endpoint with default settings; more endpoints, or their options, need the config file.
      return { ok: true, value: [{ url: text }] };
    case 'metrics-exporters':
      return parseMetricsExporters(text);
  }
}

/** The values of `OTEL_METRICS_EXPORTER` the spec defines (`logging` is deprecated and removed). */
const METRICS_EXPORTERS = ['otlp', 'prometheus', 'console', 'none'];

/**
 * `OTEL_METRICS_EXPORTER`, a comma list: `otlp` pushes OTLP, `console` prints to stdout, `prometheus` is the
 * pull endpoint (yardstick's telemetry server, governed by `server.*`, so it changes nothing here), `none`
 * configures no push exporter and wins over the others, as in OTel JS's NodeSDK. Unknown entries are warned
 * about and skipped; a list of unknown entries only leaves the defaults.
 */
function parseMetricsExporters(text: string): Converted {
  const entries = splitList(text.toLowerCase());
  const unknown = entries.filter((entry) => !METRICS_EXPORTERS.includes(entry));
  const known = entries.filter((entry) => METRICS_EXPORTERS.includes(entry));
  const notes: string[] = [];
  if (unknown.length > 0) {
    notes.push(
      `unknown exporter ${unknown.map((e) => JSON.stringify(e)).join(', ')} ignored (known: ${METRICS_EXPORTERS.join(', ')})`,
    );
  }
  if (known.includes('none') && known.length > 1)
    notes.push('"none" is listed, so the other exporters are off');
  const warning = notes.length > 0 ? notes.join('; ') : undefined;
  if (known.length === 0) {
    const names = unknown.map((entry) => JSON.stringify(entry)).join(', ');
    return { ok: false, message: `unknown exporter ${names} (known: ${METRICS_EXPORTERS.join(', ')})` };
  }
  const none = known.includes('none');
  return {
    ok: true,
    value: {
      otlp: { enabled: !none && known.includes('otlp') },
      console: { enabled: !none && known.includes('console') },
    },
    warning,
  };
}

function parseBoolean(text: string): Converted {
  const lower = text.toLowerCase();
  if (lower === 'true') return { ok: true, value: true };
  if (lower === 'false') return { ok: true, value: false };
  return { ok: false, message: `expected true or false, got ${JSON.stringify(text)}` };
}

const decimalNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumberList(text: string): Converted {
  const items = splitList(text);
  const numbers: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!decimalNumber.test(item)) {
      return { ok: false, message: `entry ${i + 1} is not a number: ${JSON.stringify(item)}` };
    }
    numbers.push(Number(item));
  }
  return { ok: true, value: numbers };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getIn(target: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = target;
  for (const key of path) {
    if (!isRecord(node)) return undefined;
    node = node[key];
  }
  return node;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (isRecord(next)) {
      node = next;
    } else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[path[path.length - 1]!] = value;
}
