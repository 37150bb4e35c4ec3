/**
 * The demo's own small HTTP server on 127.0.0.1: the pools as the library sees them (`GET /`), the
 * dashboard's headline numbers with their freshness (`GET /dashboard`: fresh, degraded, stale or
 * unavailable, see {@link StaleAwareQuery}), and a webhook receiver for the demo's alert channel
 * (`POST /alerts`, body limited to 1 MiB, the last 50 alerts kept and listed by `GET /alerts`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProxyPool } from '../pool/proxy-pool.ts';
import type { StaleAwareQuery } from '../query/stale-aware-query.ts';

const MAX_WEBHOOK_BYTES = 1024 * 1024;
const KEPT_ALERTS = 50;

/** The queries behind `GET /dashboard`, by headline. */
export const DASHBOARD_QUERIES: Readonly<Record<string, string>> = {
  success_rate_by_pool:
    'sum by (pool) (rate(proxywhirl_requests_total{status="success"}[1m])) / sum by (pool) (rate(proxywhirl_requests_total[1m]))',
  proxies_by_health: 'sum by (pool, health_status) (proxywhirl_pool_proxies)',
  alerts_active: 'sum(proxywhirl_alerts_active)',
};

/** A running status server. */
export interface StatusServer {
  readonly url: string;
  /** Where `GET /dashboard` queries; it answers 503 until set (the telemetry server starts after this one). */
  setQuery(query: StaleAwareQuery): void;
  close(): Promise<void>;
}

/** Starts the status server on `port` (0: a free one); `pools` is read at each request. */
export async function startStatusServer(pools: readonly ProxyPool[], port: number): Promise<StatusServer> {
  const alerts: unknown[] = [];
  let query: StaleAwareQuery | undefined;
  const json = (res: import('node:http').ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'POST' && path === '/alerts') {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_WEBHOOK_BYTES) {
          json(res, 413, { error: `body over ${MAX_WEBHOOK_BYTES} bytes` });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        try {
          const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: unknown[] };
          alerts.push(...(payload.alerts ?? []));
          alerts.splice(0, Math.max(0, alerts.length - KEPT_ALERTS));
          json(res, 200, { received: payload.alerts?.length ?? 0 });
        } catch {
          json(res, 400, { error: 'body is not JSON' });
        }
      });
      return;
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
    if (path === '/alerts') return json(res, 200, alerts);
    if (path === '/dashboard') {
      if (query === undefined) return json(res, 503, { error: 'starting' });
      const q = query;
      void Promise.all(
        Object.entries(DASHBOARD_QUERIES).map(async ([name, expr]) => [name, await q.instant(expr)] as const),
      ).then((answers) => json(res, 200, Object.fromEntries(answers)));
      return;
    }
    if (path === '/') {
      return json(
        res,
        200,
        pools.map((p) => ({ pool: p.name, region: p.region, strategy: p.strategy, proxies: p.status() })),
      );
    }
    json(res, 404, { error: 'not found: try /, /dashboard or /alerts' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    setQuery(next) {
      query = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
