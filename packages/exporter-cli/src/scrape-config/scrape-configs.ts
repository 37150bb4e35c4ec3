/**
 * Scrape configuration for a yardstick `/metrics` endpoint, for the scrapers people run: Prometheus
 * (`scrape_configs`), vmagent (same format, checked with `-promscrape.config.dryRun`), and the Prometheus
 * Operator's ServiceMonitor and PodMonitor on Kubernetes.
 */
import { stringify } from 'yaml';

/** What to scrape. */
export interface ScrapeTarget {
  /** `host:port` targets for static configs. */
  readonly targets: readonly string[];
  /** Job name; also the `app.kubernetes.io/name` the Kubernetes selectors match. */
  readonly job: string;
  /** Scrape interval, a Prometheus duration (default 15s). */
  readonly interval?: string;
  /** Metrics path (default /metrics). */
  readonly path?: string;
  /** Kubernetes namespace of the monitors (default `default`). */
  readonly namespace?: string;
  /** Name of the container/service port that serves metrics (default `metrics`). */
  readonly portName?: string;
}

/** A generated example: a file name and its YAML. */
export interface ScrapeConfigFile {
  readonly name: string;
  readonly yaml: string;
}

function header(lines: readonly string[]): string {
  return lines.map((l) => `# ${l}`).join('\n') + '\n';
}

function staticScrapeConfig(target: ScrapeTarget): Record<string, unknown> {
  return {
    job_name: target.job,
    scrape_interval: target.interval ?? '15s',
    metrics_path: target.path ?? '/metrics',
    // yardstick serves OpenMetrics when asked; Prometheus 2.x asks for it by default.
    static_configs: [{ targets: [...target.targets] }],
  };
}

/** A complete `prometheus.yml` scraping the targets. */
export function prometheusScrapeConfig(target: ScrapeTarget): ScrapeConfigFile {
  const body = stringify({
    global: { scrape_interval: target.interval ?? '15s' },
    scrape_configs: [staticScrapeConfig(target)],
  });
  return {
    name: 'prometheus.yml',
    yaml:
      header([
        `Prometheus: scrape the yardstick /metrics endpoint of job "${target.job}".`,
        'prometheus --config.file=prometheus.yml',
      ]) + body,
  };
}

/** A vmagent `-promscrape.config` file scraping the targets. */
export function vmagentScrapeConfig(target: ScrapeTarget): ScrapeConfigFile {
  const body = stringify({ scrape_configs: [staticScrapeConfig(target)] });
  return {
    name: 'vmagent.yml',
    yaml:
      header([
        `vmagent: scrape job "${target.job}" and remote-write to VictoriaMetrics.`,
        'vmagent -promscrape.config=vmagent.yml -remoteWrite.url=http://victoria-metrics:8428/api/v1/write',
      ]) + body,
  };
}

/** The Prometheus Operator resource both monitors share; they differ in kind and endpoint list key only. */
function operatorMonitor(
  kind: 'ServiceMonitor' | 'PodMonitor',
  endpointsKey: 'endpoints' | 'podMetricsEndpoints',
  target: ScrapeTarget,
): string {
  return stringify({
    apiVersion: 'monitoring.coreos.com/v1',
    kind,
    metadata: {
      name: target.job,
      namespace: target.namespace ?? 'default',
      labels: { 'app.kubernetes.io/name': target.job },
    },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': target.job } },
      [endpointsKey]: [
        {
          port: target.portName ?? 'metrics',
          path: target.path ?? '/metrics',
          interval: target.interval ?? '15s',
        },
      ],
    },
  });
}

/** A Prometheus Operator ServiceMonitor selecting the Service labelled `app.kubernetes.io/name: <job>`. */
export function serviceMonitor(target: ScrapeTarget): ScrapeConfigFile {
  return {
    name: 'servicemonitor.yaml',
    yaml:
      header(['Prometheus Operator: scrape the Service port named "metrics" (yardstick listens on 9464).']) +
      operatorMonitor('ServiceMonitor', 'endpoints', target),
  };
}

/** A Prometheus Operator PodMonitor selecting pods labelled `app.kubernetes.io/name: <job>`. */
export function podMonitor(target: ScrapeTarget): ScrapeConfigFile {
  return {
    name: 'podmonitor.yaml',
    yaml:
      header(['Prometheus Operator: scrape pods directly when there is no Service (e.g. workers).']) +
      operatorMonitor('PodMonitor', 'podMetricsEndpoints', target),
  };
}
