/**
 * Seed 000 T104 end to end: the demo started with `tls_cert_file`/`tls_key_file` in `.proxywhirl.toml`
 * serves `/metrics` over HTTPS only (a certificate made with openssl at test time), a client trusting that
 * certificate reads the proxywhirl_* metrics, plain HTTP gets no metrics, and a real Prometheus 2.42 scrapes
 * it with `scheme: https` and `tls_config.ca_file` (skipped with a message when Prometheus is missing).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SelfSignedCert,
  writeSelfSignedCert,
} from '../../../../packages/sdk/src/server/testing/self-signed-cert.ts';
import { freePort, peer, type RunningPeer, startPeer, tempDir } from '../../../../test/support/peers.ts';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const prometheus = peer('prometheus');
const work = tempDir('proxywhirl-tls-e2e-');
let cert: SelfSignedCert;
let demo: ChildProcess | undefined;
let output = '';
let metricsUrl = '';

/** GET over HTTPS trusting only `ca`; resolves with the status and body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { ca, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within 10 s`)));
    request.on('error', reject);
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; demo output:\n${output}`);
}

beforeAll(async () => {
  cert = writeSelfSignedCert(work.dir, 'metrics');
  const config = join(work.dir, '.proxywhirl.toml');
  // Relative paths: the files are read from the config file's directory, not the demo's working directory.
  writeFileSync(
    config,
    '[metrics]\nexposition_host = "127.0.0.1"\ntls_cert_file = "metrics.crt"\ntls_key_file = "metrics.key"\n',
  );
  demo = spawn(process.execPath, ['--conditions=yardstick-source', main], {
    env: {
      ...process.env,
      YARDSTICK_LOG_LEVEL: 'error',
      PROXYWHIRL_CONFIG: config,
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  demo.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  metricsUrl = await waitFor('the demo to print its metrics URL', async () =>
    Promise.resolve(/metrics:\s+(https:\/\/127\.0\.0\.1:\d+\/metrics)\s/.exec(output)?.[1]),
  );
}, 60_000);

afterAll(async () => {
  if (demo !== undefined && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo!.once('exit', resolve));
    demo.kill('SIGINT');
    const timer = setTimeout(() => demo!.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  work.cleanup();
});

describe('the /metrics endpoint with TLS (seed 000 T104)', () => {
  it('serves the proxywhirl_* metrics over HTTPS to a client trusting the certificate', async () => {
    const body = await waitFor('proxywhirl_requests_total over HTTPS', async () => {
      const res = await httpsGet(metricsUrl, cert.certPem);
      return res.status === 200 && /^proxywhirl_requests_total\{/m.test(res.body) ? res.body : undefined;
    });
    for (const name of [
      'proxywhirl_requests_total',
      'proxywhirl_request_duration_seconds',
      'proxywhirl_pool_proxies',
      'proxywhirl_proxy_health_checks_total',
      'proxywhirl_alerts_active',
    ]) {
      expect(body).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
  });

  it('refuses a client that does not trust the certificate, and serves no metrics over plain HTTP', async () => {
    await expect(httpsGet(metricsUrl, '')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    const plain = metricsUrl.replace(/^https:/, 'http:');
    const answer = await fetch(plain, { signal: AbortSignal.timeout(10_000) }).then(
      async (res) => `${res.status} ${await res.text()}`,
      (error: Error) => `refused: ${error.message}`,
    );
    expect(answer).not.toContain('proxywhirl_');
    expect(answer).not.toMatch(/^200 /);
  });

  describe.skipIf(prometheus.skipReason !== undefined)('scraped by a real Prometheus over HTTPS', () => {
    let server: RunningPeer | undefined;
    afterAll(async () => {
      await server?.stop();
    });

    it('scrapes with scheme https and tls_config.ca_file, and answers proxywhirl_requests_total', async () => {
      const port = await freePort();
      const promUrl = `http://127.0.0.1:${port}`;
      const config = join(work.dir, 'prometheus.yml');
      writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: proxywhirl\n    scheme: https\n    tls_config:\n      ca_file: ${cert.certFile}\n    static_configs:\n      - targets: ['${new URL(metricsUrl).host}']\n`,
      );
      server = await startPeer(
        prometheus.path!,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(work.dir, 'prometheus-data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        `${promUrl}/-/ready`,
      );
      const query = async (expr: string) => {
        const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
        const json = (await res.json()) as { data: { result: { metric: Record<string, string> }[] } };
        return json.data.result;
      };
      const result = await waitFor(
        'Prometheus to scrape proxywhirl_requests_total over HTTPS',
        async () => {
          const rows = await query('proxywhirl_requests_total{job="proxywhirl"}');
          return rows.length > 0 ? rows : undefined;
        },
        45_000,
      );
      expect(Object.keys(result[0]!.metric).sort()).toEqual(
        expect.arrayContaining(['__name__', 'instance', 'job', 'pool', 'region', 'status']),
      );
      const targets = (await (await fetch(`${promUrl}/api/v1/targets`)).json()) as {
        data: { activeTargets: { scrapeUrl: string; health: string }[] };
      };
      expect(targets.data.activeTargets.map((t) => [t.scrapeUrl, t.health])).toEqual([[metricsUrl, 'up']]);
    }, 90_000);
  });
});
