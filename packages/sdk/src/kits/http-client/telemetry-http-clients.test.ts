import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../logging/logger.ts';
import { startTelemetry } from '../../start-telemetry.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function start(requests: boolean) {
  return startTelemetry({
    serviceName: 'http-clients-test',
    server: { port: 0 },
    metrics: { process: false, requests },
    registerGlobal: false,
    configFile: false,
    env: {},
    logger: silentLogger,
  });
}

describe('telemetry.trackHttpClientRequests', () => {
  it('records client requests by server id on /metrics, follows metrics.requests, and stops with shutdown', async () => {
    const on = await start(true);
    const off = await start(false);
    try {
      on.trackHttpClientRequests({ servers: { upstream: base } });
      off.trackHttpClientRequests({ servers: { upstream: base } });
      for (let i = 0; i < 3; i++) await (await fetch(`${base}/x`)).text();
      const onBody = await (await fetch(`${on.url}/metrics`)).text();
      expect(onBody).toMatch(
        /^http_client_request_duration_seconds_count\{http_request_method="GET",http_response_status_code="200",server_address="upstream",url_scheme="http",otel_scope_name="@yardstick\/sdk\/http-client"[^}]*\} 3$/m,
      );
      // The scrapes of /metrics themselves go to an unconfigured server.
      expect(onBody).not.toContain('127.0.0.1');
      const offBody = await (await fetch(`${off.url}/metrics`)).text();
      expect(offBody).not.toContain('http_client_request_duration');
    } finally {
      await off.shutdown();
      await on.shutdown();
    }
  });
});
